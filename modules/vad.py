"""Speech detection: where people speak in a recording, with Silero VAD.

The `silero-vad` package ships its trained model in the wheel (`silero_vad/data/silero_vad.jit`, a
TorchScript program from a pinned PyPI release, not a user file), so it runs offline, here and in CI.
It is loaded once per process; its recurrent state makes one call at a time safe, hence the lock.

What the app uses it for:
- `require_speech`: "no speech found" for noise, music or near-silence, instead of nonsense text;
- `pieces_at_pauses`: Seamless input cut in real pauses (pieces still at most ~20 s);
- `without_long_pauses`: long recordings with long non-speech stretches left out, times mapped back.
The speech check can be turned off (`POLYGLOT_SPEECH_CHECK=off`, or per request) for audio the
detector misjudges.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass

import numpy as np
import torch

from modules import request
from modules.audio import SAMPLE_RATE, split_at_quiet_points
from modules.subtitles import TimedText, spread_words
from modules.config import UserInputError

# Silero's own defaults (silero_vad.utils_vad.get_speech_timestamps), named here so the app states them.
THRESHOLD = 0.5
MIN_SPEECH_SECONDS = 0.25
MIN_SILENCE_SECONDS = 0.1
SPEECH_PAD_SECONDS = 0.03

# Shorter than this, a clip holds no word to find (Silero needs ~250 ms of speech): it is said to be too short,
# not to sound like silence, noise or music.
SHORTEST_SPEECH_SECONDS = 0.5
NO_SPEECH = (
    "No speech was found in this audio (it sounds like silence, noise or music). If someone does speak in "
    "it, turn off “Check for speech first” and try again."
)

_lock = threading.Lock()


@functools.lru_cache(maxsize=1)
def _silero():
    """The model and silero's own speech finder. Importing silero_vad calls torch.set_num_threads(1) for
    the whole process (silero_vad/model.py, 6.2.3), which would halve every model's speed on 2 cores and
    worse on more: the setting is put back (tests/test_vad.py checks it)."""
    threads = torch.get_num_threads()
    try:
        from silero_vad import get_speech_timestamps, load_silero_vad

        return load_silero_vad(), get_speech_timestamps
    finally:
        torch.set_num_threads(threads)


def speech_intervals(samples: np.ndarray) -> list[tuple[int, int]]:
    """(start, end) sample ranges of speech in 16 kHz mono audio, in order."""
    model, get_speech_timestamps = _silero()
    with _lock, torch.inference_mode():
        found = get_speech_timestamps(
            torch.from_numpy(np.ascontiguousarray(samples, dtype=np.float32)), model, threshold=THRESHOLD,
            sampling_rate=SAMPLE_RATE, min_speech_duration_ms=int(MIN_SPEECH_SECONDS * 1000),
            min_silence_duration_ms=int(MIN_SILENCE_SECONDS * 1000), speech_pad_ms=int(SPEECH_PAD_SECONDS * 1000),
        )
    return [(int(item["start"]), int(item["end"])) for item in found]


def require_speech(samples: np.ndarray, block_seconds: float = 30.0) -> None:
    """A clear refusal when there is no speech. Reads 30 s at a time and stops at the first speech found:
    speech usually starts early, and the full read (~0.6 s per audio minute on 2 CPU cores) is only paid
    by audio that is then refused."""
    if len(samples) < SHORTEST_SPEECH_SECONDS * SAMPLE_RATE:
        raise UserInputError(
            f"The audio is only {len(samples) / SAMPLE_RATE:.1f} s long: too short to hear speech in. Record at least "
            f"{SHORTEST_SPEECH_SECONDS:g} s, or turn off “Check for speech first” and try again."
        )
    block = int(block_seconds * SAMPLE_RATE)
    for start in range(0, len(samples), block):
        request.check_stopped()  # a cancelled request stops here, not after the whole clip
        if speech_intervals(samples[start : start + block]):
            return
    raise UserInputError(NO_SPEECH)


def pieces_at_pauses(
    samples: np.ndarray, intervals: list[tuple[int, int]], max_seconds: float = 20.0, min_seconds: float = 5.0
) -> list[tuple[int, int]]:
    """(start, end) ranges covering the whole clip, each at most `max_seconds`, cut inside the pauses between
    speech: of the pauses a piece can reach (ending at least `min_seconds` and at most `max_seconds` after it
    starts), the longest, in the middle of the part within reach; a stretch of speech longer than that with no
    pause is cut at its quietest point (audio.split_at_quiet_points). The longest pause, not the last one: a
    long pause is where a speaker or a topic changes (a 5 s pause used to lose to a 0.2 s breath after it)."""
    longest = int(max_seconds * SAMPLE_RATE)
    shortest = int(min_seconds * SAMPLE_RATE)
    pauses = [(a_end, b_start) for (_, a_end), (b_start, _) in zip(intervals, intervals[1:]) if b_start > a_end]
    pieces, start = [], 0
    while len(samples) - start > longest:
        reach = [(min(end, start + longest) - max(begin, start + shortest), max(begin, start + shortest), min(end, start + longest))
                 for begin, end in pauses if max(begin, start + shortest) < min(end, start + longest)]
        if reach:
            _, low, high = max(reach)  # the longest stretch of pause within reach (the later one on a tie)
            cut = (low + high) // 2
        else:  # no pause in reach: the quietest point of the next stretch
            # Only the stretch a piece can reach: its quietest point, not a plan for the whole rest.
            stretch = samples[start : start + longest + 1]
            first = split_at_quiet_points(stretch, min_seconds=min(15.0, max_seconds - 1), max_seconds=max_seconds)[0]
            cut = start + first[1]
        pieces.append((start, cut))
        start = cut
    pieces.append((start, len(samples)))
    return pieces


@dataclass
class Condensed:
    """Audio with its long non-speech stretches left out, and the way back to the original times."""

    samples: np.ndarray
    kept: list[tuple[int, int]]  # original (start, end) ranges kept, in order
    skipped_seconds: float

    def _locate(self, seconds: float, at_start: bool) -> tuple[int, float]:
        """The kept range a condensed time falls in, and the same moment in the original recording. A time on
        the seam between two ranges is the start of the later one (at_start) or the end of the earlier one."""
        position, offset = seconds * SAMPLE_RATE, 0
        for index, (start, end) in enumerate(self.kept):
            length = end - start
            if position < offset + length or (not at_start and position <= offset + length) or index == len(self.kept) - 1:
                return index, (start + min(max(position - offset, 0), length)) / SAMPLE_RATE
            offset += length
        return 0, seconds

    def original_seconds(self, seconds: float) -> float:
        """A time in the condensed audio -> the same moment in the original recording."""
        return self._locate(seconds, at_start=False)[1] if self.kept else seconds

    def original_span(self, start: float, end: float) -> tuple[int, float, float]:
        """A condensed (start, end) -> its kept range and original times, never reaching across a left-out
        stretch: a span over a seam keeps to the range holding most of it."""
        if not self.kept:
            return 0, start, end
        first, begin = self._locate(start, at_start=True)
        last, finish = self._locate(end, at_start=False)
        if first == last:
            return first, begin, finish
        seam = sum(b - a for a, b in self.kept[: first + 1]) / SAMPLE_RATE  # the condensed time of the seam
        if seam - start >= end - seam:
            return first, begin, self.kept[first][1] / SAMPLE_RATE
        return last, self.kept[last][0] / SAMPLE_RATE, finish

    def original_words(self, words: list[TimedText]) -> list[TimedText]:
        return [TimedText(*self.original_span(word.start, word.end)[1:], word.text) for word in words]

    def original_segments(self, segments: list[TimedText]) -> list[TimedText]:
        """Timed pieces of text (Seamless's) back on the recording's clock, split where a stretch was left out
        inside one: its words are spread on the clock that was transcribed, each put back, and a piece is cut
        where its words fall in different kept ranges. So no subtitle lands in audio that was left out."""
        pieces: list[tuple[int, list[TimedText]]] = []
        for segment in segments:
            pieces.append((-1, []))  # segments stay apart
            for word in spread_words([segment]):
                kept, begin, finish = self.original_span(word.start, word.end)
                if pieces[-1][0] != kept:
                    pieces.append((kept, []))
                pieces[-1][1].append(TimedText(begin, finish, word.text))
        return [TimedText(words[0].start, words[-1].end, " ".join(w.text for w in words)) for _, words in pieces if words]


def without_long_pauses(
    samples: np.ndarray, intervals: list[tuple[int, int]], longest_pause_seconds: float = 2.0, margin_seconds: float = 0.5
) -> Condensed:
    """Keep speech with `margin_seconds` around it; pauses up to `longest_pause_seconds` stay whole."""
    margin, longest = int(margin_seconds * SAMPLE_RATE), int(longest_pause_seconds * SAMPLE_RATE)
    kept: list[tuple[int, int]] = []
    for start, end in intervals:
        start, end = max(0, start - margin), min(len(samples), end + margin)
        if kept and start - kept[-1][1] <= longest:
            kept[-1] = (kept[-1][0], max(kept[-1][1], end))
        else:
            kept.append((start, end))
    condensed = np.concatenate([samples[a:b] for a, b in kept]) if kept else samples[:0]
    return Condensed(condensed, kept, (len(samples) - len(condensed)) / SAMPLE_RATE)
