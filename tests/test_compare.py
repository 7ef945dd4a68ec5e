"""Evaluate a language: error-rate arithmetic on fixed strings, the normalisation before scoring, which
models have a language, a comparison and a test set over the tiny models, and the three round trips."""

from __future__ import annotations

import csv
import zipfile

import numpy as np
import pytest

from modules import compare, identify, languages, round_trip, speak, text, transcribe
from modules.audio import load_audio_16k
from modules.config import UserInputError
from modules.models import (
    ENGLISH_ASR_MODEL, MMS_ASR_MODEL, OMNI_CTC_MODELS, OMNI_LLM_MODELS, SEAMLESS_MODEL, W2V_BERT_MODELS,
)
from tests.hub_cache import add_snapshot, fake_commit


def test_error_rates_on_fixed_strings():
    result = compare.score("The cat sat on the mat.", "the cat sit on mat")
    # the cat [sat->sit] on [the: missing] mat: 1 substitution + 1 deletion over 6 words.
    assert (result.word_errors, result.reference_words) == (2, 6) and result.wer == pytest.approx(2 / 6)
    # Characters of "the cat sat on the mat" (22) against "the cat sit on mat": a->i, and "the " deleted.
    assert (result.character_errors, result.reference_characters) == (5, 22) and result.cer == pytest.approx(5 / 22)
    assert result.differences == [("the cat", None), ("sit", "wrong"), ("on", None), ("the", "missing"), ("mat", None)]
    extra = compare.score("one two", "one and two")
    assert extra.differences == [("one", None), ("and", "extra"), ("two", None)] and extra.wer == 0.5
    nothing = compare.score("one two three", "")
    assert nothing.wer == nothing.cer == 1.0 and nothing.differences == [("one two three", "missing")]
    with pytest.raises(UserInputError, match="reference transcript has no words"):
        compare.score(" ?! ", "anything")


def test_scoring_normalisation():
    assert text.normalise_for_scoring("Don't, STOP!  «Ça» va—3.5 km") == "dont stop ça va 35 km"
    assert text.normalise_for_scoring("ﬁne Ｆｕｌｌ") == "fine full"  # NFKC: ligature, full-width letters
    assert text.normalise_for_scoring("你好，世界。") == "你好 世界"
    # Without spaces between words, spaces don't count as characters.
    assert compare.score("你好，世界。", "你 好 世 界", "cmn-script_simplified").cer == 0.0
    assert compare.score("你好，世界。", "你好世", "cmn-script_simplified").cer == 0.25
    assert compare.score("Hello, World!", "hello world").wer == 0.0
    assert compare.score("colour", "color").wer == 1.0


def test_character_error_rate_leads_for_scripts_without_spaces():
    assert [compare.main_figure(code) for code in ("cmn-script_simplified", "jpn", "tha", "mya", "khm")] == ["cer"] * 5
    assert [compare.main_figure(code) for code in ("eng", "kor", "srp-script_latin", "hin", "arb")] == ["wer"] * 5


def test_which_models_have_a_language():
    omni = [*OMNI_CTC_MODELS, *OMNI_LLM_MODELS]
    assert compare.models_for("eng") == [
        (MMS_ASR_MODEL, "eng"), *[(m, "eng_Latn") for m in omni], (SEAMLESS_MODEL, "eng"),
        *[(m, "eng") for m in W2V_BERT_MODELS], (ENGLISH_ASR_MODEL, "eng")
    ]
    # Persian: MMS says "fas" (the macrolanguage), Seamless "pes" (Iranian Persian), Omnilingual "fas_Arab";
    # asked either way, all.
    assert compare.models_for("fas") == compare.models_for("pes") == [
        (MMS_ASR_MODEL, "fas"), *[(m, "fas_Arab") for m in omni], (SEAMLESS_MODEL, "pes")]
    assert compare.models_for("cmn") == [(MMS_ASR_MODEL, "cmn-script_simplified"), *[(m, "cmn_Hans") for m in omni],
                                         (SEAMLESS_MODEL, "cmn")]
    only_mms = next(language.code for language in languages.MMS_ASR if not languages.SEAMLESS_TEXT_OUT.matching(language.code)
                    and not languages.OMNILINGUAL.matching(language.code))
    assert compare.models_for(only_mms) == [(MMS_ASR_MODEL, only_mms)]


def test_compare_runs_every_model_with_the_language_and_scores_each(cache, speech_16k):
    reference = "testing one two three the audio module"
    result = compare.compare(speech_16k, "eng", reference, cache=cache)
    assert [r.model_id for r in result.results] == [m for m, _ in compare.models_for("eng")]
    for row in result.results:
        assert not row.error and row.revision == compare.LOCAL_COPY and row.seconds > 0
        # The text is the model's own transcript, scored as compare.score scores it.
        assert row.text == transcribe.transcribe(speech_16k, row.language, row.model_id, cache=cache).text
        assert row.score == compare.score(reference, row.text, "eng")
    no_reference = compare.compare(speech_16k, "fra", cache=cache)
    assert [r.model_id for r in no_reference.results] == [MMS_ASR_MODEL, *OMNI_CTC_MODELS, *OMNI_LLM_MODELS, SEAMLESS_MODEL]
    assert all(r.score is None for r in no_reference.results)
    detected = compare.compare(speech_16k, transcribe.AUTO, cache=cache)
    assert detected.notes and detected.notes[0].startswith("Detected") and detected.results


def test_compare_names_the_commit_of_a_model_from_the_hub_cache(override_map, speech_16k, tmp_path, monkeypatch):
    from modules.models import ModelCache, read_model_sources

    directory = read_model_sources(str(override_map)).paths[ENGLISH_ASR_MODEL]
    add_snapshot(tmp_path / "hub", ENGLISH_ASR_MODEL, __import__("pathlib").Path(directory), fake_commit(ENGLISH_ASR_MODEL))
    hub_only = ModelCache(hub_cache_dir=str(tmp_path / "hub"))
    row = compare._run(speech_16k, ENGLISH_ASR_MODEL, "eng", hub_only)
    assert row.revision == fake_commit(ENGLISH_ASR_MODEL) and row.text is not None
    missing = compare._run(speech_16k, MMS_ASR_MODEL, "eng", hub_only)  # not in that cache: said, not raised
    assert missing.error.startswith("The model facebook/mms-1b-all isn't available") and missing.seconds is None


def test_compare_is_bounded_by_audio_times_models(cache, speech_16k, monkeypatch):
    monkeypatch.setenv("POLYGLOT_MAX_COMPARE_SECONDS", "10")
    with pytest.raises(UserInputError, match=r"more listening than this server does in one request \(10 s\). Send up to 2 s"):
        compare.compare(speech_16k, "eng", cache=cache)  # ~3 s x 4 models
    assert cache.loaded_ids() == []


def write_test_set(folder, speech_dir):
    clips = {"one.wav": "testing one two three", "two.flac": "the audio module", "unlisted.wav": None}
    with zipfile.ZipFile(folder / "set.zip", "w") as bundle:
        bundle.write(speech_dir / "mono16k.wav", "clips/one.wav")
        bundle.write(speech_dir / "stereo44k.flac", "clips/two.flac")
        bundle.write(speech_dir / "mono16k.wav", "clips/unlisted.wav")
        rows = "client_id\tpath\tsentence\n" + "".join(f"x\t{name}\t{ref}\n" for name, ref in clips.items() if ref)
        bundle.writestr("clips/validated.tsv", rows)
    return folder / "set.zip", clips


def test_a_test_set_is_scored_per_model_with_corpus_totals(cache, speech_dir, tmp_path):
    archive, references = write_test_set(tmp_path, speech_dir)
    clips = compare.read_test_set([archive], tmp_path / "work")
    assert {clip.name.split("/")[-1]: clip.reference for clip in clips if clip.path} == {
        "one.wav": references["one.wav"], "two.flac": references["two.flac"]
    }
    assert [clip.error for clip in clips if clip.path is None] == ["unlisted.wav has no line in set.zip/clips/validated.tsv."]
    report = compare.score_test_set(clips, "eng", cache=cache)
    assert [total.model_id for total in report.totals] == [m for m, _ in compare.models_for("eng")]
    for total in report.totals:
        rows = [row for row in report.rows if row["model"] == total.model_id and row["wer"] is not None]
        assert total.clips == len(rows) == 2 and total.failed == 1  # unlisted.wav: no transcript, not scored
        scores = [compare.score(row["reference"], row["text"], "eng") for row in rows]
        # Corpus rates: all errors over all reference words, not the mean of per-clip rates.
        assert total.wer == sum(s.word_errors for s in scores) / sum(s.reference_words for s in scores)
        assert total.cer == sum(s.character_errors for s in scores) / sum(s.reference_characters for s in scores)
    written = compare.write_report(report, tmp_path)
    lines = list(csv.reader(written.open(encoding="utf-8")))
    models = len(compare.models_for("eng"))
    assert lines[0] == ["file", "model", "reference", "text", "wer", "cer", "error"] and len(lines) == 1 + 3 * models + 2 + models


def test_test_set_mistakes_are_said(tmp_path, speech_dir):
    (tmp_path / "a.wav").write_bytes((speech_dir / "mono16k.wav").read_bytes())
    with pytest.raises(UserInputError, match="needs one .tsv file"):
        compare.read_test_set([tmp_path / "a.wav"], tmp_path / "w1")
    (tmp_path / "refs.tsv").write_text("b.wav\tsomething\n", encoding="utf-8")
    with pytest.raises(UserInputError, match="None of the audio files is named in refs.tsv"):
        compare.read_test_set([tmp_path / "a.wav", tmp_path / "refs.tsv"], tmp_path / "w2")
    (tmp_path / "refs.tsv").write_text("a.wav\n", encoding="utf-8")
    with pytest.raises(UserInputError, match="needs a file name, a tab, and the transcript"):
        compare.read_test_set([tmp_path / "a.wav", tmp_path / "refs.tsv"], tmp_path / "w3")
    (tmp_path / "refs.tsv").write_text("a\ttesting one\n", encoding="utf-8")  # the name without its extension
    assert compare.read_test_set([tmp_path / "a.wav", tmp_path / "refs.tsv"], tmp_path / "w4")[0].reference == "testing one"


def test_speak_then_transcribe_scores_the_voice(cache):
    trip = round_trip.speak_then_transcribe("I have 3 cats.", "eng", cache=cache)
    assert trip.text == "I have three cats." and trip.models == ["facebook/mms-tts-eng", MMS_ASR_MODEL]
    speech = speak.synthesize("I have 3 cats.", "eng", cache=cache)
    assert np.array_equal(trip.waveform, speech.waveform) and trip.sampling_rate == speech.sampling_rate
    heard = transcribe.transcribe(load_audio_16k((speech.sampling_rate, speech.waveform)).samples, "eng", cache=cache)
    assert trip.transcript == heard.text and trip.score == compare.score("I have three cats.", heard.text)


def test_transcribe_then_speak_reads_the_transcript(cache, speech_16k):
    trip = round_trip.transcribe_then_speak(speech_16k, "eng", cache=cache)
    heard = transcribe.transcribe(speech_16k, "eng", cache=cache).text
    assert trip.text == heard and np.array_equal(trip.waveform, speak.synthesize(heard, "eng", cache=cache).waveform)


def test_speak_then_identify_places_the_voices_language(cache):
    trip = round_trip.speak_then_identify("Hello there.", "eng", cache=cache)
    speech = speak.synthesize("Hello there.", "eng", cache=cache)
    samples = load_audio_16k((speech.sampling_rate, speech.waveform)).samples
    expected = identify.identify_language(samples, top_k=round_trip.IDENTIFY_TOP_K, cache=cache).guesses
    assert trip.guesses == expected
    codes = [guess.code for guess in expected]
    assert trip.rank == (codes.index("eng") + 1 if "eng" in codes else None)


def test_round_trip_mistakes_are_said(cache):
    with pytest.raises(UserInputError, match="no MMS-TTS voice"):
        round_trip.speak_then_identify("hello", "xxx", cache=cache)
    with pytest.raises(UserInputError, match="The text is empty"):
        round_trip.speak_then_transcribe("  ", "eng", cache=cache)


# -- through the API, as a script or agent calls it -------------------------------------------------------


@pytest.fixture(scope="module")
def client(app_url):
    from gradio_client import Client

    return Client(app_url, verbose=False)


def test_compare_through_the_api(client, speech_dir):
    from gradio_client import handle_file

    reference = "testing one two three the audio module"
    table, marked, notes = client.predict(handle_file(str(speech_dir / "mono16k.wav")), "eng", reference, True, api_name="/compare")
    assert table["headers"] == ["model", "revision", "seconds", "WER", "CER", "transcript"]
    rows = table["data"]
    assert [row[0] for row in rows] == [model for model, _ in compare.models_for("eng")]
    for model_id, revision, seconds, wer, cer, transcript in rows:
        assert revision == compare.LOCAL_COPY and float(seconds) >= 0  # tiny models take about a millisecond
        scored = compare.score(reference, transcript, "eng")
        assert (wer, cer) == (f"{scored.wer:.1%}", f"{scored.cer:.1%}")
    assert marked.count("<p><b>") == len(rows) and 'class="diff-' in marked
    assert "Language: English (eng)." in notes
    with pytest.raises(Exception, match="No speech-recognition model here has"):
        client.predict(handle_file(str(speech_dir / "mono16k.wav")), "aaa", "", True, api_name="/compare")


def test_test_set_through_the_api(client, speech_dir, tmp_path):
    from gradio_client import handle_file

    archive, _ = write_test_set(tmp_path, speech_dir)
    table, csv_path = client.predict([handle_file(str(archive))], "eng", api_name="/score_test_set")
    assert [row[0] for row in table["data"]] == [model for model, _ in compare.models_for("eng")]
    assert all(row[2] == 2 and row[6] == 1 for row in table["data"])  # two clips scored, one without a transcript
    assert open(csv_path, encoding="utf-8").readline().strip() == "file,model,reference,text,wer,cer,error"


def test_round_trips_through_the_api(client, speech_dir):
    import soundfile
    from gradio_client import handle_file

    speech, summary = client.predict("speak-transcribe", "I have 3 cats.", None, "eng", True, api_name="/round_trip")
    assert soundfile.info(speech).samplerate == 16000
    assert summary.startswith("**Heard back** (English):") and "Word error rate" in summary
    speech, summary = client.predict("speak-identify", "Hello there.", None, "eng", True, api_name="/round_trip")
    assert "of the languages Identify heard" in summary or "was not among the 10 most likely" in summary
    speech, summary = client.predict("transcribe-speak", "", handle_file(str(speech_dir / "mono16k.wav")), "eng", True,
                                     api_name="/round_trip")
    assert summary.startswith("**Read aloud** in the English voice:")
    with pytest.raises(Exception, match="kind must be one of speak-transcribe, speak-identify, transcribe-speak"):
        client.predict("fly", "x", None, "eng", True, api_name="/round_trip")


def test_review_fixes_hold():
    # An id a catalog has is kept: a chosen script is never swapped for another.
    scripted = [code for code in languages.MMS_TTS.codes if "-script_" in code]
    assert scripted and all(languages.voice_for(code) == code for code in scripted)
    assert [m for m, code in compare.models_for("tuk-script_latin") if languages.script_of(code) != "Latn"] == []
    assert ("hf-audio/omniasr-ctc-300m-v2", "tuk_Latn") in compare.models_for("tuk-script_latin")  # not tuk_Arab
    # Spaces between digits part numbers; invisible format characters don't count.
    assert text.normalise_for_scoring("in 1990, 2000 people") == "in 1990 2000 people"
    assert compare.score("ก\u200bข", "กข", "tha").cer == 0.0
    # Without spaces, an empty hypothesis counts the same characters as any other.
    assert compare.score("你好，世界。", "", "cmn-script_simplified").reference_characters == 4


def test_a_model_without_the_language_is_a_row_not_a_failure(cache, speech_16k):
    # yor is in both models' lists, but neither tiny checkpoint has it (no adapter vocabulary, no language
    # token): each row says so, and the comparison still comes back whole.
    result = compare.compare(speech_16k, "yor", "something said", cache=cache)
    mms, ctc_row, llm_row, seamless = result.results
    assert "no vocabulary for 'yor'" in mms.error and mms.score is None and mms.seconds is None
    assert "can't translate into Yoruba (yor)" in seamless.error and seamless.score is None
    # Omnilingual has Yoruba (yor_Latn): its rows are scored.
    assert ctc_row.language == llm_row.language == "yor_Latn" and ctc_row.score and llm_row.score


def test_an_unusable_reference_is_refused_before_any_model(cache, speech_16k, tmp_path, speech_dir):
    with pytest.raises(UserInputError, match="no words once punctuation is set aside"):
        compare.compare(speech_16k, "eng", " ?! ", cache=cache)
    assert cache.loaded_ids() == []
    (tmp_path / "a.wav").write_bytes((speech_dir / "mono16k.wav").read_bytes())
    (tmp_path / "b.wav").write_bytes((speech_dir / "mono16k.wav").read_bytes())
    (tmp_path / "refs.tsv").write_text("a.wav\t...\nb.wav\ttesting\n", encoding="utf-8")
    clips = compare.read_test_set([tmp_path / "a.wav", tmp_path / "b.wav", tmp_path / "refs.tsv"], tmp_path / "w")
    assert [(clip.path is None, clip.error) for clip in clips] == [(True, "a.wav's transcript in refs.tsv has no words."), (False, "")]
