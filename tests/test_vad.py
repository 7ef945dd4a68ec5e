"""Speech detection (Silero VAD, the trained model the silero-vad wheel ships) on real espeak-ng speech with
known silences; noise and tones; pieces at pauses; leaving out long pauses; the API's speech check."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest
import soundfile
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError

from modules import transcribe, vad
from modules.audio import SAMPLE_RATE, load_audio_16k
from modules.config import UserInputError
from tests.conftest import REPO_ROOT

SENTENCES = ["The weather is lovely today.", "Please pass me the salt and pepper.", "We will meet again tomorrow morning."]
SILENCES = [0.0, 1.2, 2.0, 0.8]  # before, between and after the sentences (seconds)
TOLERANCE = 0.150


def voiced(samples: np.ndarray) -> np.ndarray:
    """espeak-ng's own leading and trailing silence trimmed: from the first to the last sample above -40 dBFS."""
    loud = np.flatnonzero(np.abs(samples) > 0.01)
    return samples[loud[0] : loud[-1] + 1]


@pytest.fixture(scope="module")
def spoken(tmp_path_factory):
    """Three sentences with known silences between them, and the truth: each sentence's voiced part."""
    directory = tmp_path_factory.mktemp("vad")
    parts, truth, position = [], [], 0
    for index, sentence in enumerate(SENTENCES):
        path = directory / f"{index}.wav"
        subprocess.run(["espeak-ng", "-v", "en-us", "-w", str(path), sentence], check=True)
        silence = np.zeros(int(SILENCES[index] * SAMPLE_RATE), dtype=np.float32)
        speech = voiced(load_audio_16k(str(path)).samples)
        parts += [silence, speech]
        position += len(silence)
        truth.append((position / SAMPLE_RATE, (position + len(speech)) / SAMPLE_RATE))
        position += len(speech)
    parts.append(np.zeros(int(SILENCES[-1] * SAMPLE_RATE), dtype=np.float32))
    return np.concatenate(parts), truth


def test_speech_found_within_150_ms_of_each_sentence(spoken):
    samples, truth = spoken
    found = [(a / SAMPLE_RATE, b / SAMPLE_RATE) for a, b in vad.speech_intervals(samples)]
    # A sentence may be found as several intervals (its inner pauses); merge those within it first.
    merged = []
    for start, end in found:
        if merged and start - merged[-1][1] < 0.5:
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    assert len(merged) == len(truth), (merged, truth)
    for (start, end), (true_start, true_end) in zip(merged, truth):
        assert abs(start - true_start) <= TOLERANCE and abs(end - true_end) <= TOLERANCE, ((start, end), (true_start, true_end))


def _noise(seconds: float, seed: int = 0) -> np.ndarray:
    return (np.random.default_rng(seed).standard_normal(int(seconds * SAMPLE_RATE)) * 0.1).astype(np.float32)


def _tones(seconds: float) -> np.ndarray:
    """Music-like: a chord changing every half second."""
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    roots = np.array([220.0, 261.6, 329.6, 392.0])[(t * 2).astype(int) % 4]
    phase = 2 * np.pi * np.cumsum(roots) / SAMPLE_RATE
    return (0.2 * (np.sin(phase) + np.sin(1.25 * phase) + np.sin(1.5 * phase)) / 3).astype(np.float32)


@pytest.mark.parametrize("make", [_noise, _tones, lambda s: _noise(s) * 0.01], ids=["noise", "tones", "faint noise"])
def test_noise_and_music_have_no_speech(make):
    with pytest.raises(UserInputError, match="No speech was found in this audio"):
        vad.require_speech(make(5.0))


def test_pieces_are_cut_in_pauses_and_bounded(spoken):
    samples, _ = spoken
    long = np.concatenate([samples] * 4)  # ~36 s
    intervals = vad.speech_intervals(long)
    pieces = vad.pieces_at_pauses(long, intervals, max_seconds=10.0, min_seconds=2.0)
    assert pieces[0][0] == 0 and pieces[-1][1] == len(long)
    assert all(a == previous_end for (a, _), (_, previous_end) in zip(pieces[1:], pieces))
    assert all(b - a <= 10 * SAMPLE_RATE for a, b in pieces)
    for _, cut in pieces[:-1]:  # every cut in a pause, never inside speech
        assert not any(start < cut < end for start, end in intervals)


def test_long_pauses_are_left_out_and_times_map_back():
    speech = voiced(load_audio_16k(str(REPO_ROOT / "examples" / "english.wav")).samples)
    gap = np.zeros(30 * SAMPLE_RATE, dtype=np.float32)
    samples = np.concatenate([speech, gap, speech])
    condensed = vad.without_long_pauses(samples, vad.speech_intervals(samples))
    assert 28 < condensed.skipped_seconds < 30
    assert len(condensed.samples) == len(samples) - round(condensed.skipped_seconds * SAMPLE_RATE)
    # The second sentence starts ~0.5 s (the margin kept) into the second kept range.
    second_start = condensed.kept[1][0]
    offset = condensed.kept[0][1] - condensed.kept[0][0]
    assert condensed.original_seconds((offset + 1000) / SAMPLE_RATE) == pytest.approx((second_start + 1000) / SAMPLE_RATE)
    assert condensed.original_seconds(0.25) == pytest.approx(0.25 + condensed.kept[0][0] / SAMPLE_RATE)


def test_transcribe_skipping_pauses_keeps_the_original_times(cache):
    speech = load_audio_16k(str(REPO_ROOT / "examples" / "english.wav")).samples
    samples = np.concatenate([speech, np.zeros(40 * SAMPLE_RATE, dtype=np.float32), speech])
    skipped = transcribe.transcribe(samples, "eng", cache=cache, skip_pauses=True)
    assert skipped.notes == ["Left out 39 s without speech."]
    # The same as transcribing the condensed audio, with every time moved back onto the recording's clock.
    condensed = vad.without_long_pauses(samples, vad.speech_intervals(samples))
    direct = transcribe.transcribe(condensed.samples, "eng", cache=cache)
    assert skipped.text == direct.text and direct.words
    assert [(w.start, w.end) for w in skipped.words] == [condensed.original_span(w.start, w.end)[1:] for w in direct.words]
    kept = [(a / SAMPLE_RATE, b / SAMPLE_RATE) for a, b in condensed.kept]
    # Every word lies within one kept range: none starts, ends or reaches across the left-out pause (random
    # weights give a word over the seam here, which used to span 0.86-46.9 s).
    assert all(any(a <= w.start <= w.end <= b for a, b in kept) for w in skipped.words)
    assert skipped.words[-1].end > 40


@pytest.fixture(scope="module")
def client(app_url):
    return Client(app_url, verbose=False)


def test_the_api_says_no_speech_and_the_check_can_be_turned_off(client, tmp_path):
    path = tmp_path / "tones.wav"
    soundfile.write(str(path), _tones(4.0), SAMPLE_RATE)
    for api_name, arguments in [
        ("/identify", dict(audio_file=handle_file(str(path)), model_id="facebook/mms-lid-126", top_k=3)),
        ("/transcribe", dict(audio_file=handle_file(str(path)), model_id="facebook/wav2vec2-base-960h", language="eng")),
        ("/align", dict(audio_file=handle_file(str(path)), transcript="hello there", language="eng")),
        ("/translate", dict(input_kind="Speech", audio_file=handle_file(str(path)), input_text="", source_language="eng",
                            target_language="fra", speech_output=False, beams=1, max_new_tokens=16)),
    ]:
        with pytest.raises(AppError, match="No speech was found in this audio"):
            client.predict(**arguments, api_name=api_name)
        assert client.predict(**arguments, speech_check=False, api_name=api_name)  # a result when asked to skip it
    with pytest.raises(AppError, match="speech_check must be true or false"):
        client.predict(handle_file(str(path)), "facebook/mms-lid-126", 3, "no", api_name="/identify")


def test_loading_the_detector_leaves_torchs_thread_count_alone():
    """silero_vad sets torch.set_num_threads(1) when imported, for the whole process; the app puts it back."""
    import subprocess
    import sys

    script = (
        "import numpy as np, torch; torch.set_num_threads(3)\n"
        "from modules import vad\n"
        "vad.speech_intervals(np.zeros(16000, np.float32))\n"
        "import silero_vad\n"
        "print(torch.get_num_threads())\n"
    )
    out = subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "3"


def two_speakers(pause_seconds: float) -> np.ndarray:
    """Speech, a pause, speech: as ../shared/real-audio/derived_pause5s_jfk_LJ.wav, made here from espeak-ng."""
    speech = load_audio_16k(str(REPO_ROOT / "examples" / "english.wav")).samples
    return np.concatenate([speech, speech, speech, np.zeros(int(pause_seconds * SAMPLE_RATE), np.float32), speech, speech])


def real_two_speakers(seconds: int) -> np.ndarray:
    path = REPO_ROOT.parent / "shared" / "real-audio" / f"derived_pause{seconds}s_jfk_LJ.wav"
    if not path.is_file():
        pytest.skip("../shared/real-audio is not beside this checkout")
    return load_audio_16k(str(path)).samples


@pytest.mark.parametrize("source", ["espeak", "real"])
@pytest.mark.parametrize("pause", [5, 12])
def test_seamless_pieces_are_cut_in_the_long_pause(source, pause):
    """A pause a piece can reach is where it is cut (the 5 s pause of the real two-speaker file lost to a
    breath 2 s later: the second speaker's first words were in the first piece)."""
    samples = two_speakers(pause) if source == "espeak" else real_two_speakers(pause)
    intervals = vad.speech_intervals(samples)
    silence = max(((a_end, b_start) for (_, a_end), (b_start, _) in zip(intervals, intervals[1:])),
                  key=lambda gap: gap[1] - gap[0])
    assert (silence[1] - silence[0]) / SAMPLE_RATE > pause - 1
    cuts = [end for _, end in vad.pieces_at_pauses(samples, intervals)[:-1]]
    assert any(silence[0] < cut < silence[1] for cut in cuts)


@pytest.mark.parametrize("source", ["espeak", "real"])
def test_seamless_subtitles_never_fall_in_a_left_out_pause(cache, source):
    """Leaving out the pause: the words of a Seamless piece spread over its time on the clock that was
    transcribed, then put back; a piece over the seam is cut there. Every cue lies within audio that was kept
    (they used to spread over the pause, a second speaker's words ~12 s early)."""
    from modules import subtitles
    from modules.models import SEAMLESS_MODEL

    samples = two_speakers(12) if source == "espeak" else real_two_speakers(12)
    result = transcribe.transcribe(samples, "eng", SEAMLESS_MODEL, cache=cache, skip_pauses=True)
    condensed = vad.without_long_pauses(samples, vad.speech_intervals(samples))
    assert len(condensed.kept) == 2 and result.segments
    kept = [(a / SAMPLE_RATE, b / SAMPLE_RATE) for a, b in condensed.kept]
    cues = subtitles.build_cues(subtitles.spread_words(result.segments))
    inside = lambda item: any(a - 1e-6 <= item.start <= item.end <= b + 1e-6 for a, b in kept)  # noqa: E731
    assert all(inside(segment) for segment in result.segments) and all(inside(cue) for cue in cues)
    # Nothing lost: the text is the same words in the same order.
    assert " ".join(s.text for s in result.segments).split() == result.text.split()


def test_a_clip_too_short_for_speech_is_said_to_be_too_short():
    """Issue 22: a 0.1 s clip was called "silence, noise or music"."""
    import numpy as np
    import pytest

    from modules import vad
    from modules.config import UserInputError

    with pytest.raises(UserInputError, match=r"only 0\.1 s long: too short to hear speech in"):
        vad.require_speech(np.zeros(1600, dtype=np.float32))
    with pytest.raises(UserInputError, match="silence, noise or music"):
        vad.require_speech(np.zeros(16000, dtype=np.float32))
