# Reads a TextGrid with Praat itself and prints every tier's non-empty intervals: tier, start, end, label.
# Used by tests/test_tasks.py when Debian's praat is installed (.ci/run installs it).
form Read a TextGrid
    sentence path
endform
Read from file: path$
end = Get end time
appendInfoLine: "end", tab$, end
tiers = Get number of tiers
for tier to tiers
    name$ = Get tier name: tier
    intervals = Get number of intervals: tier
    for interval to intervals
        label$ = Get label of interval: tier, interval
        if label$ <> ""
            start = Get start time of interval: tier, interval
            stop = Get end time of interval: tier, interval
            appendInfoLine: name$, tab$, fixed$(start, 3), tab$, fixed$(stop, 3), tab$, label$
        endif
    endfor
endfor
