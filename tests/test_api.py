"""Every api_name through gradio_client against the launched app."""

import json
import re
from pathlib import Path

import pytest
import soundfile
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError

from tests.conftest import REPO_ROOT

EXAMPLES = REPO_ROOT / "examples"


@pytest.fixture(scope="module")
def client(app_url):
    return Client(app_url, verbose=False)


def test_the_endpoints_are_public(client):
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert {"/identify", "/transcribe", "/align", "/speak", "/translate"} <= set(endpoints)
    assert not any("lambda" in name or "status" in name for name in endpoints)


def test_identify(client):
    result, summary = client.predict(
        handle_file(str(EXAMPLES / "french.flac")), "facebook/mms-lid-126", 3, api_name="/identify"
    )
    confidences = result["confidences"]
    assert summary.startswith("**Not sure** — maybe ")  # a random model spreads its bets
    assert "classified the whole clip" in summary and "Transcribe ✓" in summary
    assert len(confidences) == 3
    assert all(c["label"].endswith(")") and "(" in c["label"] for c in confidences)
    assert result["label"] == confidences[0]["label"]


def test_transcribe_gives_text_timestamps_and_downloads(client):
    text, notes, table, files = client.predict(
        handle_file(str(EXAMPLES / "spanish.mp3")), "facebook/mms-1b-all", "spa", api_name="/transcribe"
    )
    assert isinstance(text, str) and text
    assert notes == "Language: Spanish (spa)."
    assert table["headers"] == ["start (s)", "end (s)", "text"]
    assert " ".join(row[2] for row in table["data"]) == text
    assert sorted(Path(f).suffix for f in files) == [".TextGrid", ".eaf", ".srt", ".txt", ".vtt"]  # issue 23: Praat, ELAN
    txt = next(f for f in files if f.endswith(".txt"))
    assert Path(txt).read_text(encoding="utf-8").strip() == text


def test_transcribe_auto_detect_says_what_it_chose(client):
    text, notes, _, _ = client.predict(
        handle_file(str(EXAMPLES / "german.ogg")), "facebook/mms-1b-all", "auto", api_name="/transcribe"
    )
    assert notes.startswith("Detected ")


def test_speak_returns_a_16k_wav_and_the_text_read(client):
    audio_path, read = client.predict("Hello, world!", "eng", 3, api_name="/speak")
    info = soundfile.info(audio_path)
    assert info.samplerate == 16000 and info.channels == 1 and info.frames > 1000
    assert read == "hello world"  # the text read, nothing else (notes go beside it on the page)


def test_speak_shows_romanization(client):
    # The real Korean voice is trained on uroman output; the Russian one reads Cyrillic as it is.
    _, read = client.predict("이봐 무슨 일이야", "kor", 0, api_name="/speak")
    assert read == "ibwa museun iliya"
    _, read = client.predict("Привет", "rus", 0, api_name="/speak")
    assert read == "привет"


def test_translate_text_to_text_and_speech(client):
    text, audio, files = client.predict("Text", None, "good morning", "eng", "fra", False, api_name="/translate")
    assert isinstance(text, str) and text and audio is None
    assert [Path(f).name for f in files] == ["translation.fra.seamless-m4t-v2-large.txt"]
    assert Path(files[0]).read_text(encoding="utf-8").strip() == text
    text, audio_path, _ = client.predict(
        "Text", None, "good morning", "eng", "fra", True, 3, 2, 32, api_name="/translate"
    )
    samples, rate = soundfile.read(audio_path)
    assert rate == 16000 and samples.ndim == 1 and samples.size > 0


def test_translate_speech_to_text(client):
    text, audio, files = client.predict(
        "Speech", handle_file(str(EXAMPLES / "english.wav")), "", "eng", "deu", False, api_name="/translate"
    )
    assert isinstance(text, str) and audio is None
    assert sorted(Path(f).name for f in files) == ["translation.deu.seamless-m4t-v2-large.srt", "translation.deu.seamless-m4t-v2-large.txt",
                                                  "translation.deu.seamless-m4t-v2-large.vtt"]
    srt = Path(next(f for f in files if f.endswith(".srt"))).read_text(encoding="utf-8")
    assert srt.startswith("1\n00:00:00,000 --> 00:00:0")  # english.wav is 3.5 s: one piece, spread into cues
    assert max(re.findall(r"--> (\d\d:\d\d:\d\d,\d\d\d)", srt)) <= "00:00:03,500"


def test_align_gives_timed_words_subtitles_and_details(client, tmp_path):
    import webvtt

    transcript = "Hello, this is a test of multilingual speech recognition."
    player, table, files, notes = client.predict(
        handle_file(str(EXAMPLES / "english.wav")), transcript, "eng", None, True, 20, 1, 3.0, api_name="/align"
    )
    assert Path(player).is_file() and soundfile.info(player).duration == pytest.approx(3.5, abs=0.3)
    assert table["headers"] == ["word", "start (s)", "end (s)", "fit (0-1)", "note"]
    words = [row for row in table["data"] if not row[0].startswith("  ")]
    letters = [row for row in table["data"] if row[0].startswith("  ")]
    assert [row[0] for row in words] == transcript.split()
    assert "".join(row[0].strip() for row in letters) == "hellothisisatestofmultilingualspeechrecognition"
    assert all(row[4] == "fits poorly" for row in words)  # random weights: nothing fits, and it says so
    assert notes.startswith("⚠ Language: English (eng).") and "Don't rely on these timings" in notes
    assert sorted(Path(f).suffix for f in files) == [".TextGrid", ".eaf", ".json", ".srt", ".txt", ".vtt"]
    assert {Path(f).name for f in files} >= {"alignment.eng.mms-1b-all.TextGrid", "alignment.eng.mms-1b-all.eaf"}
    # Praat's and ELAN's files, read back by other maintained parsers (textgrid, pympi-ling): the table's times.
    import pympi
    import textgrid

    grid = textgrid.TextGrid.fromFile(next(f for f in files if f.endswith(".TextGrid")))
    assert [tier.name for tier in grid] == ["words", "sentences", "letters"]
    marked = [(i.minTime, i.maxTime, i.mark) for i in grid.getFirst("words") if i.mark]
    assert [m[2] for m in marked] == transcript.split()
    assert [(f"{a:.2f}", f"{b:.2f}") for a, b, _ in marked] == [(row[1], row[2]) for row in words]
    assert "".join(i.mark for i in grid.getFirst("letters") if i.mark) == "hellothisisatestofmultilingualspeechrecognition"
    assert grid.maxTime == pytest.approx(soundfile.info(player).duration, abs=0.01)
    eaf = pympi.Elan.Eaf(next(f for f in files if f.endswith(".eaf")))
    assert sorted(eaf.get_tier_names()) == ["letters", "sentences", "words"]
    assert [value for _, _, value in sorted(eaf.get_annotation_data_for_tier("words"))] == transcript.split()
    assert [(start, end) for start, end, _ in sorted(eaf.get_annotation_data_for_tier("words"))] == [
        (round(a * 1000), round(b * 1000)) for a, b, _ in marked]
    assert eaf.get_linked_files()[0]["MEDIA_URL"] == "english.wav"
    vtt = webvtt.read(next(f for f in files if f.endswith(".vtt")))
    assert all(len(line) <= 20 for cue in vtt for line in cue.text.split("\n"))  # the settings sent
    assert all(len(cue.text.split("\n")) == 1 for cue in vtt)
    details = json.loads(Path(next(f for f in files if f.endswith(".json"))).read_text(encoding="utf-8"))
    assert [w["text"] for w in details["words"]] == transcript.split() and details["transcript_fits_audio"] is False
    # The same transcript as a .txt file gives the same words.
    text_file = tmp_path / "transcript.txt"
    text_file.write_text(transcript, encoding="utf-8")
    _, table_from_file, _, _ = client.predict(
        handle_file(str(EXAMPLES / "english.wav")), "", "eng", handle_file(str(text_file)), api_name="/align"
    )
    assert [row[0] for row in table_from_file["data"]] == transcript.split()


@pytest.mark.parametrize(
    "transcript, file_bytes, message",
    [
        ("hello", b"hello", "Give the transcript once"),
        ("", b"\xff\xfe\x00h\x00\xd8", "must be plain text"),
        ("", b"", "The text is empty"),
        ("hello " * 300, None, "can't be aligned with this audio"),
    ],
)
def test_align_refusals(client, tmp_path, transcript, file_bytes, message):
    text_file = None
    if file_bytes is not None:
        (tmp_path / "t.txt").write_bytes(file_bytes)
        text_file = handle_file(str(tmp_path / "t.txt"))
    with pytest.raises(AppError, match=message):
        client.predict(handle_file(str(EXAMPLES / "english.wav")), transcript, "eng", text_file, api_name="/align")


@pytest.mark.parametrize(
    "api_name, args, message",
    [
        ("/identify", (handle_file(str(EXAMPLES / "make_examples.sh")), "facebook/mms-lid-126", 5), "not audio"),
        ("/identify", (None, "facebook/mms-lid-126", 5), "No audio was given"),
        # Gradio's own dropdown check refuses values outside the choices before the app runs.
        ("/identify", (handle_file(str(EXAMPLES / "english.wav")), "someone/evil-model", 5), "not in the list of choices"),
        ("/identify", (handle_file(str(EXAMPLES / "english.wav")), "facebook/mms-lid-4017", 5), "isn't available on this server"),
        ("/transcribe", (handle_file(str(EXAMPLES / "english.wav")), "facebook/mms-1b-all", "zzz"), "does not transcribe 'zzz'. Pick a language from its list"),
        ("/speak", ("   ", "eng", 0), "empty"),
        ("/speak", ("😀😀", "eng", 0), "Nothing in this text can be spoken"),
        ("/speak", ("x" * 5000, "eng", 0), "at most 2000"),
        ("/translate", ("Text", None, "hello", "eng", "afr", True), "not a supported speech output language"),
        # Issue 20: work bounded on what the models will do; the user's mistakes said, never "Something went wrong".
        ("/speak", ("1" * 1999, "eng", 0), "With its numbers written out in words, this text is 7,995 characters"),
        ("/speak", ("0." + "7" * 1990, "eng", 0), "a voice reads at most 4,000 at once"),
        ("/speak", ("Цена " + "9" * 40 + " рублей", "rus", 0), None),  # num2words' KeyError: digit by digit
        ("/compare", (handle_file(str(EXAMPLES / "english.wav")), "eng", "word " * 5000), "has 25,000 characters; at most 20,000"),
        ("/compare", (handle_file(str(EXAMPLES / "english.wav")), "xx", ""), "No speech-recognition model here has 'xx'"),
        ("/compare", (handle_file(str(EXAMPLES / "english.wav")), "eng", {"a": 1}), "reference must be text"),
        ("/round_trip", ("speak-transcribe", "hello", None, "eng", {"x": 1}), "speech_check must be true or false"),
        ("/translate", ("Text", None, "hello", "eng", "fra", False, 0, 1, 64, 42, 2, 7.0, {"x": 1}),
         "speech_check must be true or false"),
    ],
)
def test_bad_requests_get_clear_errors_and_the_server_keeps_serving(client, api_name, args, message):
    if message is None:  # must work
        client.predict(*args, api_name=api_name)
        return
    with pytest.raises(AppError, match=message):
        client.predict(*args, api_name=api_name)
    assert client.predict("ok", "eng", 0, api_name="/speak")[1] == "ok"


def test_test_set_mistakes_are_said_in_words(client, tmp_path):
    """A test set with "auto", a transcript line longer than csv's field limit: said, not "Something went wrong"."""
    import zipfile

    archive = tmp_path / "set.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.write(EXAMPLES / "english.wav", "a.wav")
        bundle.writestr("refs.tsv", "a.wav\thello\n")
    with pytest.raises(AppError, match="A test set needs its language chosen"):
        client.predict([handle_file(str(archive))], "auto", api_name="/score_test_set")
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.write(EXAMPLES / "english.wav", "a.wav")
        bundle.writestr("refs.tsv", "a.wav\t" + "word " * 30_000 + "\n")
    with pytest.raises(AppError, match="Line 1 of refs.tsv has 150,006 characters; at most 20,000"):
        client.predict([handle_file(str(archive))], "eng", api_name="/score_test_set")


def test_align_with_numbers_no_language_can_say(client):
    """Python's 4,300-digit limit, Spanish from 28 digits: the number is read digit by digit (these used to be
    "Something went wrong"); read out, it is then too long for 3.5 s of audio, and that is what is said."""
    for transcript, language, letters in (("1" * 5000, "eng", 19_999), ("Número " + "7" * 40, "spa", 246)):
        with pytest.raises(AppError, match=f"can't be aligned with this audio: {letters} frames are needed"):
            client.predict(handle_file(str(EXAMPLES / "english.wav")), transcript, language, None, api_name="/align")


def test_reading_speed_and_gap_are_new_optional_last_inputs(client):
    """Issue 23: /align and /transcribe take max_chars_per_second and min_gap_seconds, optional and last; a bad
    value is refused by name."""
    import pysubs2

    transcript = "Hello, this is a test of multilingual speech recognition."
    audio = handle_file(str(EXAMPLES / "english.wav"))
    *_, files, _ = client.predict(audio, transcript, "eng", None, False, 42, 2, 7.0, True, "facebook/mms-1b-all",
                                  30, 0.2, api_name="/align")
    cues = pysubs2.load(next(f for f in files if f.endswith(".srt")))
    assert all(b.start - a.end >= 200 for a, b in zip(cues, cues[1:]))  # ms
    with pytest.raises(Exception, match="min_gap_seconds is out of range"):
        client.predict(audio, transcript, "eng", None, False, 42, 2, 7.0, True, "facebook/mms-1b-all", 0, 5,
                       api_name="/align")


def test_align_retimes_a_subtitle_file_in_its_own_format(client, tmp_path):
    """Issue 23: an .srt given to /align comes back re-timed, as .srt with its numbers and line breaks. The tiny
    model's random weights fit no word, so every cue keeps its times and the notes name them all."""
    import srt

    given = tmp_path / "talk.srt"
    given.write_text("7\n00:00:05,000 --> 00:00:06,000\nHello, this is a test\nof multilingual\n\n"
                     "8\n00:00:07,000 --> 00:00:08,000\nspeech recognition.\n", encoding="utf-8")
    _, table, files, notes = client.predict(handle_file(str(EXAMPLES / "english.wav")), "", "eng",
                                            handle_file(str(given)), api_name="/align")
    words = [row[0] for row in table["data"] if not row[0].startswith("  ")]
    assert words == "Hello, this is a test of multilingual speech recognition.".split()
    retimed = next(f for f in files if f.endswith("talk.retimed.srt"))
    back = list(srt.parse(Path(retimed).read_text(encoding="utf-8")))
    assert [(s.index, s.content) for s in back] == [(7, "Hello, this is a test\nof multilingual"), (8, "speech recognition.")]
    assert "Re-timed 0 of 2 subtitles (talk.retimed.srt)" in notes and "subtitles 7, 8" in notes


def test_translate_a_subtitle_file_keeping_its_times(client, tmp_path):
    """Issue 23: "Subtitles" and subtitle_file (new, last): every cue translated alone, same times, numbers and
    format; the text of each is the model's translation of that cue alone (checked against /translate's Text)."""
    import srt

    given = tmp_path / "talk.srt"
    given.write_text("12\n00:00:01,000 --> 00:00:02,500\ngood\nmorning\n\n"
                     "13\n00:00:03,000 --> 00:00:04,000\nthank you\n", encoding="utf-8")
    text, audio, files = client.predict("Subtitles", None, "", "eng", "fra", False, 0, 5, 256, 42, 2, 7.0, True, 0, 0,
                                        handle_file(str(given)), api_name="/translate")
    assert audio is None
    assert sorted(Path(f).name for f in files) == ["talk.fra.seamless-m4t-v2-large.srt", "talk.fra.seamless-m4t-v2-large.txt"]
    back = list(srt.parse(Path(next(f for f in files if f.endswith(".srt"))).read_text(encoding="utf-8")))
    assert [(s.index, s.start.total_seconds(), s.end.total_seconds()) for s in back] == [(12, 1.0, 2.5), (13, 3.0, 4.0)]
    alone = [client.predict("Text", None, cue, "eng", "fra", False, api_name="/translate")[0]
             for cue in ("good morning", "thank you")]
    assert [" ".join(s.content.split()) for s in back] == [" ".join(a.split()) for a in alone]
    with pytest.raises(Exception, match="No subtitle file was given"):
        client.predict("Subtitles", None, "", "eng", "fra", False, api_name="/translate")
    # Refused by its size before it is parsed (its text limit is 2,000 characters).
    huge = tmp_path / "huge.srt"
    huge.write_text("".join(f"{n}\n00:00:01,000 --> 00:00:02,000\nword\n\n" for n in range(1, 2000)), encoding="utf-8")
    with pytest.raises(Exception, match="The subtitle file is too large"):
        client.predict("Subtitles", None, "", "eng", "fra", False, 0, 5, 256, 42, 2, 7.0, True, 0, 0,
                       handle_file(str(huge)), api_name="/translate")
