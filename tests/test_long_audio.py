"""Long audio: chunked CTC stitching, Seamless segmentation, LID windows, auto-detection, timestamps."""

import re

import numpy as np
import pytest
import torch

from modules import identify, languages, subtitles, transcribe, vad
from modules.audio import SAMPLE_RATE, load_audio_16k, split_at_quiet_points
from modules.models import MMS_ASR_MODEL, SEAMLESS_MODEL, ModelCache
from modules.subtitles import TimedText
from tests.conftest import REPO_ROOT
from tests.tiny_models import LATIN, build_mms_asr


@pytest.fixture(scope="module")
def long_speech():
    """~41 s of real speech in five languages, five formats."""
    names = ["english.wav", "french.flac", "german.ogg", "spanish.mp3", "russian.wav"]
    clips = [load_audio_16k(str(REPO_ROOT / "examples" / name)).samples for name in names]
    return np.concatenate(clips * 3)


@pytest.fixture(scope="module")
def local_mms(tmp_path_factory):
    """A tiny MMS whose frames depend only on nearby audio: chunking must change nothing."""
    directory = build_mms_asr(tmp_path_factory.mktemp("mms-local"), local_only=True)
    return ModelCache({MMS_ASR_MODEL: str(directory)})


@pytest.mark.parametrize("language", ["eng", "fra"])
@pytest.mark.parametrize("chunk_seconds", [10.0, 7.3, 3.0])
def test_chunked_equals_unchunked_ids(local_mms, long_speech, language, chunk_seconds):
    whole = transcribe.transcribe(long_speech, language, cache=local_mms, chunk_seconds=1000)
    chunked = transcribe.transcribe(long_speech, language, cache=local_mms, chunk_seconds=chunk_seconds)
    entry = local_mms.get(MMS_ASR_MODEL, "ctc")
    ids_whole = transcribe.ctc_ids(entry, long_speech, 1000, lambda *_: None)
    ids_chunked = transcribe.ctc_ids(entry, long_speech, chunk_seconds, lambda *_: None)
    assert ids_chunked == ids_whole
    assert len(ids_whole) == (len(long_speech) - 400) // 320 + 1  # one frame per 20 ms, none lost or doubled
    assert chunked.text == whole.text and len(whole.text) > 100


@pytest.mark.parametrize("model_id", [MMS_ASR_MODEL, "facebook/wav2vec2-base-960h"])  # layer norm + attention mask; group norm
def test_chunks_read_in_batches_give_the_same_frames(cache, long_speech, model_id):
    """As on a GPU: chunks of equal length in one forward. Same frames, same ids, as one at a time."""
    from modules import ctc

    entry = cache.get(model_id, "ctc")
    with entry.lock:
        if model_id == MMS_ASR_MODEL:
            transcribe.apply_adapter(entry, "eng", cache)
        one = list(ctc.emissions(entry, long_speech, chunk_seconds=5))
        batched = list(ctc.emissions(entry, long_speech, chunk_seconds=5, batch_size=4))
    assert len(one) == len(batched) == 9
    assert [len(c) for c in one] == [len(c) for c in batched]
    assert torch.cat(one).argmax(-1).tolist() == torch.cat(batched).argmax(-1).tolist()
    assert torch.allclose(torch.cat(one), torch.cat(batched), atol=1e-4)


def test_progress_reports_every_chunk(cache, long_speech):
    calls = []
    transcribe.transcribe(long_speech, "eng", cache=cache, chunk_seconds=10, progress=lambda f, d: calls.append((f, d)))
    assert [d for _, d in calls] == [f"Transcribing chunk {n} of 5" for n in range(1, 6)]
    assert [f for f, _ in calls] == sorted(f for f, _ in calls)


def test_word_timestamps_are_ordered_and_inside_the_clip(local_mms, long_speech):
    result = transcribe.transcribe(long_speech, "eng", cache=local_mms)
    duration = len(long_speech) / SAMPLE_RATE
    assert result.words, "the local tiny model emits word delimiters"
    starts = [word.start for word in result.words]
    assert starts == sorted(starts)
    assert all(0 <= w.start <= w.end <= duration + 0.02 for w in result.words)
    assert " ".join(word.text for word in result.words) == result.text
    cues = subtitles.build_cues(result.words)
    assert " ".join(cue.text.replace("\n", " ") for cue in cues) == result.text


def test_seamless_asr_segments_long_audio_at_pauses(cache, long_speech):
    """Pieces of at most 20 s cut in the pauses Silero VAD finds (each cut lies between two speech intervals)."""
    result = transcribe.transcribe(long_speech, "eng", model_id=SEAMLESS_MODEL, cache=cache)
    intervals = vad.speech_intervals(long_speech)
    pieces = vad.pieces_at_pauses(long_speech, intervals)
    for _, cut in pieces[:-1]:
        assert any(a_end <= cut <= b_start for (_, a_end), (b_start, _) in zip(intervals, intervals[1:]))
    assert all(b - a <= 20 * SAMPLE_RATE for a, b in pieces) and pieces[-1][1] == len(long_speech)
    assert len(result.segments) == len(pieces) == 3
    assert [(s.start, s.end) for s in result.segments] == [(a / SAMPLE_RATE, b / SAMPLE_RATE) for a, b in pieces]
    assert result.words == []


def test_split_at_quiet_points_cuts_in_the_pause():
    rng = np.random.default_rng(0)
    audio = (rng.standard_normal(SAMPLE_RATE * 50) * 0.3).astype(np.float32)
    pause = slice(int(17.2 * SAMPLE_RATE), int(17.6 * SAMPLE_RATE))
    audio[pause] = 0.0
    pieces = split_at_quiet_points(audio)
    assert pause.start <= pieces[0][1] <= pause.stop
    assert pieces[0][0] == 0 and pieces[-1][1] == len(audio)
    assert all(a[1] == b[0] for a, b in zip(pieces, pieces[1:]))
    assert all(15 * SAMPLE_RATE <= end - start <= 20 * SAMPLE_RATE for start, end in pieces[:-1])
    assert split_at_quiet_points(audio[: 19 * SAMPLE_RATE]) == [(0, 19 * SAMPLE_RATE)]


def test_identify_averages_windows_over_long_audio(cache, long_speech):
    result = identify.identify_language(long_speech, top_k=3, cache=cache)
    assert result.windows == 2
    assert result.method == "averaged over 2 windows of 30 s spread across the clip"
    hour = np.tile(long_speech, 88)  # ~1 hour
    assert len(identify.window_starts(len(hour), 30 * SAMPLE_RATE, identify.MAX_WINDOWS)) == identify.MAX_WINDOWS


def test_window_starts_cover_the_clip():
    window = 30 * SAMPLE_RATE
    starts = identify.window_starts(100 * SAMPLE_RATE, window, 8)
    assert starts[0] == 0 and starts[-1] + window == 100 * SAMPLE_RATE
    assert len(starts) == 4
    assert identify.window_starts(window, window, 8) == [0]


def mms_with_adapters_for(tmp_path, override_map, codes):
    """The tiny LID plus a tiny MMS whose only adapters are `codes`."""
    import json

    lid_dir = json.loads(override_map.read_text())["facebook/mms-lid-126"]
    mms_dir = build_mms_asr(tmp_path / "mms", langs={code: LATIN for code in codes})
    return ModelCache({MMS_ASR_MODEL: str(mms_dir), "facebook/mms-lid-126": lid_dir})


def asr_id(lid_code):
    """The MMS ASR id for a LID label (cmn -> cmn-script_simplified), or None."""
    return next((c for c in sorted(languages.MMS_ASR.codes) if c.split("-")[0] == lid_code), None)


@pytest.mark.parametrize("rank", [0, 3])
def test_auto_detect_picks_the_best_ranked_language_with_an_adapter(tmp_path, override_map, cache, speech_16k, rank):
    guesses = identify.identify_language(speech_16k, top_k=20, cache=cache).guesses
    ranked = [(g, asr_id(g.code)) for g in guesses if asr_id(g.code)]
    wanted_guess, wanted = ranked[rank]
    worse = ranked[-1][1]
    mms = mms_with_adapters_for(tmp_path, override_map, [worse, wanted])
    result = transcribe.transcribe(speech_16k, transcribe.AUTO, cache=mms)
    assert result.language == wanted
    assert mms.get(MMS_ASR_MODEL, "ctc").processor.tokenizer.target_lang == wanted
    top = guesses[0]
    if wanted_guess is top:
        assert result.notes == [f"Detected {top.name} ({top.code}, {top.probability:.0%})."]
    else:
        assert result.notes[0].startswith(f"Detected {top.name} ({top.code}")
        assert f"which this model can't transcribe; using {wanted_guess.name} ({wanted}" in result.notes[0]


def test_auto_detect_falls_back_with_a_note(tmp_path, speech_16k, override_map):
    cache = mms_with_adapters_for(tmp_path, override_map, ["zza"])  # Zaza: not among LID-126's labels
    result = transcribe.transcribe(speech_16k, transcribe.AUTO, cache=cache)
    assert result.language == "zza"
    assert "none of the 20 most likely languages can be transcribed by this model" in result.notes[0]


def test_english_only_models_skip_detection(cache, speech_16k):
    result = transcribe.transcribe(speech_16k, transcribe.AUTO, model_id="facebook/wav2vec2-base-960h", cache=cache)
    assert result.language == "eng"
    assert result.notes == ["facebook/wav2vec2-base-960h only transcribes English; language detection was skipped."]
    assert "facebook/mms-lid-126" not in cache.loaded_ids()


def test_srt_vtt_and_txt_files_read_back_with_subtitle_libraries(tmp_path):
    import pysubs2
    import webvtt

    words = [TimedText(0.0, 0.4, "hello"), TimedText(0.5, 0.9, "<world> & co"), TimedText(3.0, 3.5, "again")]
    cues = subtitles.build_cues(words)
    assert [(cue.start, cue.end, cue.text) for cue in cues] == [(0.0, 0.9, "hello <world> & co"), (3.0, 3.5, "again")]
    txt, srt, vtt = subtitles.write_text_files("hello world again", cues, tmp_path, "out")
    assert subtitles.write_text_files("no times", [], tmp_path, "plain") == [tmp_path / "plain.txt"]
    assert txt.read_text() == "hello world again\n"
    blocks = srt.read_text().strip().split("\n\n")
    assert blocks[0] == "1\n00:00:00,000 --> 00:00:00,900\nhello <world> & co"
    assert re.fullmatch(r"2\n00:00:03,000 --> 00:00:03,500\nagain", blocks[1])
    assert subtitles.srt_time(3723.45) == "01:02:03,450"
    read_srt = pysubs2.load(str(srt))
    assert [(event.start, event.end) for event in read_srt] == [(0, 900), (3000, 3500)]
    read_vtt = webvtt.read(str(vtt))  # raises on an invalid file
    assert [(c.start, c.end) for c in read_vtt] == [("00:00:00.000", "00:00:00.900"), ("00:00:03.000", "00:00:03.500")]
    assert "hello &lt;world&gt; &amp; co" in vtt.read_text() and read_vtt[1].text == "again"


def test_cues_respect_line_length_lines_and_duration():
    words = [TimedText(i * 0.5, i * 0.5 + 0.4, "word") for i in range(40)]
    settings = subtitles.CueSettings(max_line_chars=20, max_lines=2, max_seconds=6.0)
    cues = subtitles.build_cues(words, settings)
    assert all(cue.end - cue.start <= 6.0 for cue in cues)
    assert all(len(line) <= 20 for cue in cues for line in cue.text.split("\n"))
    assert all(len(cue.text.split("\n")) <= 2 for cue in cues)
    assert sum(len(cue.text.split()) for cue in cues) == 40
    # A word longer than a line is never split: it gets a line of its own.
    long = subtitles.build_cues([TimedText(0, 1, "x" * 30), TimedText(1, 2, "y")], settings)
    assert [cue.text for cue in long] == ["x" * 30 + "\ny"]


def test_cues_end_at_sentence_ends_pauses_and_clause_marks():
    def timed(text: str, gaps: dict[int, float] = {}):
        words, t = [], 0.0
        for index, word in enumerate(text.split()):
            t += gaps.get(index, 0.05)
            words.append(TimedText(t, t + 0.3, word))
            t += 0.3
        return words

    cues = subtitles.build_cues(timed("Hello there. How are you today?"))
    assert [cue.text for cue in cues] == ["Hello there.", "How are you today?"]
    cues = subtitles.build_cues(timed("one two three four", {2: 1.0}))
    assert [cue.text for cue in cues] == ["one two", "three four"]
    # Too long for one cue: cut after the comma in its second half, not after the last word that fits.
    text = "we walked along the river for hours, and then we finally sat down near the old stone bridge to rest"
    cues = subtitles.build_cues(timed(text), subtitles.CueSettings(max_line_chars=30, max_lines=2))
    assert cues[0].text.replace("\n", " ").endswith("hours,")


def test_seamless_pieces_are_spread_into_words_for_cues():
    words = subtitles.spread_words([TimedText(10.0, 14.0, "abc defgh"), TimedText(20.0, 21.0, "x")])
    assert [(w.text, round(w.start, 2), round(w.end, 2)) for w in words] == [
        ("abc", 10.0, 11.33), ("defgh", 11.78, 14.0), ("x", 20.0, 21.0)]


def test_subtitle_text_never_forms_a_timing_line_or_an_empty_line(tmp_path):
    """Align writes what the user typed: a transcript line that looks like a timing line made ffmpeg read 0
    cues from the .srt. Read back by pysubs2, webvtt-py and ffmpeg: the cues, their times and their words."""
    import subprocess

    import pysubs2
    import webvtt

    hostile = ["00:00:00,000 --> 00:00:05,000", "a\n\nb", "1:02:03.5 to 1:02:04.5", "x-->y", "plain"]
    cues = [TimedText(i * 2.0, i * 2.0 + 1.5, text) for i, text in enumerate(hostile)]
    _, srt, vtt = subtitles.write_text_files("t", cues, tmp_path, "out")
    read_srt = pysubs2.load(str(srt))
    assert [(event.start, event.end) for event in read_srt] == [(i * 2000, i * 2000 + 1500) for i in range(5)]
    visible = lambda text: text.replace("\u200b", "").replace("\u2011", "-")  # noqa: E731
    assert [visible(event.plaintext) for event in read_srt] == [
        "00:00:00,000 --> 00:00:05,000", "a\nb", "1:02:03.5 to 1:02:04.5", "x-->y", "plain"]
    read_vtt = webvtt.read(str(vtt))
    assert len(read_vtt) == 5 and visible(read_vtt[1].text) == "a\nb"
    for path in (srt, vtt):
        probe = subprocess.run(["ffprobe", "-v", "error", "-count_packets", "-show_entries", "stream=nb_read_packets",
                                "-of", "csv=p=0", str(path)], capture_output=True, text=True, check=True)
        assert probe.stdout.strip() == "5", path.suffix


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(tmp_path):
    """OWASP's CSV injection rule: a text cell starting with = + - @ tab or CR gets a leading ' (file names and
    references are the user's; a spreadsheet would run "=HYPERLINK(...)"). Numbers stay numbers."""
    import csv

    from modules import batch, compare

    rows = [batch.Row("=cmd.wav", 1.0, "eng", None, "+1+1"), batch.Row("@x.wav", 2.0, "eng", None, "-2", error="\tx"),
            batch.Row("normal.wav", 3.0, "eng", None, "a = b")]
    table, _ = batch.write_outputs(rows, tmp_path, batch.TRANSCRIBE)
    read = list(csv.DictReader(table.open(encoding="utf-8")))
    assert [row["file"] for row in read] == ["'=cmd.wav", "'@x.wav", "normal.wav"]
    assert [row["text"] for row in read] == ["'+1+1", "'-2", "a = b"] and read[1]["error"] == "'\tx"
    assert read[0]["seconds"] == "1.0"
    report = compare.TestSetReport("eng", [compare.ModelTotals("m", "r", 1, 2, 3, 1, 1, 0.5)], [
        {"file": "=HYPERLINK(1).zip/a.wav", "model": "m", "reference": "@SUM(1)", "text": "\r=1", "wer": 0.5, "cer": 0.1,
         "error": ""}])
    lines = list(csv.reader(compare.write_report(report, tmp_path).open(encoding="utf-8", newline="")))
    assert lines[1][:4] == ["'=HYPERLINK(1).zip/a.wav", "m", "'@SUM(1)", "'\r=1"] and lines[1][4] == "0.5"
