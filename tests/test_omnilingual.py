"""Omnilingual ASR (transformers 5.24): the tiny look-alike checkpoints decode transformers' own pinned real outputs
to their real transcripts; the app's CTC path gives transformers' own `generate` + `decode` text, number for number,
with word times from the frames; the LLM path gives `generate` with the language hint; catalogs, compare rows,
licences."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from modules import compare, ctc, languages, models, transcribe
from modules.audio import SAMPLE_RATE
from modules.models import OMNI_CTC_MODELS, OMNI_LLM_MODELS
from tests.conftest import REPO_ROOT

CTC, LLM = OMNI_CTC_MODELS[0], OMNI_LLM_MODELS[0]
# transformers tests/fixtures/omniasr/expected_results_single.json: the real omniasr-ctc-300m-v2's greedy frames
# for LibriSpeech's first dummy sample, and its transcript (copied in tests/fixtures/omniasr/).
FIXTURE = json.loads((REPO_ROOT / "tests/fixtures/omniasr/expected_results_single.json").read_text())
# expected_results_single_llm.json "pred_ids": the real omniasr-llm-300m-v2's output for the same sample (eng_Latn).
REAL_LLM_IDS = [1422, 1489, 6500, 276, 2802, 3270, 4, 2545, 9755, 1489, 9354, 276, 2802, 3270, 4, 1489, 6500, 4, 276,
                8345, 2802, 4, 3859, 7851, 5262, 6500, 276, 9354, 2802, 4, 5262, 10104, 4, 276, 8345, 2802, 4, 1422,
                1489, 7699, 7699, 9354, 2802, 4, 40, 9354, 3859, 6500, 6500, 2802, 6500, 4, 3859, 3401, 7699, 4, 2917,
                2802, 4, 3859, 3270, 2802, 4, 4039, 9354, 3859, 7699, 4, 276, 5262, 4, 2917, 2802, 9354, 40, 5262, 1422,
                2802, 4, 8345, 1489, 6500, 4, 4039, 5262, 6500, 7851, 2802, 9354, 2]


def test_the_tiny_tokenizers_read_the_real_models_outputs(cache):
    """Real ids through the tiny tokenizers: the real transcripts (a space is id 4, <s> 0 the blank, </s> 2 the end)."""
    ctc_entry, llm_entry = cache.get(CTC, "omni-ctc"), cache.get(LLM, "omni-llm")
    frames = FIXTURE["pred_ids"][0]
    assert ctc_entry.processor.decode(torch.tensor([frames]), skip_special_tokens=True) == FIXTURE["transcriptions"]
    assert transcribe.readable(ctc_entry.processor.tokenizer, ctc_entry.processor.tokenizer.decode(frames)) == \
        FIXTURE["transcriptions"][0]
    assert llm_entry.processor.decode([REAL_LLM_IDS], skip_special_tokens=True) == FIXTURE["transcriptions"]
    assert transcribe.blank_id(ctc_entry) == 0 and ctc_entry.processor.tokenizer.pad_token_id == 1
    # The language tokens have their real ids (10291 + the row of Meta's table): English is 10707.
    prompt = llm_entry.processor.apply_transcription_request(np.zeros(16000, np.float32), language="eng_Latn",
                                                             return_tensors="pt")["input_ids"][0, -3:].tolist()
    assert prompt == [10288, 10707, 0]


def test_word_times_from_the_real_frames(cache):
    """Word times from the frames: 20 ms each; a word from its first letter's first frame to its last letter's last."""
    tokenizer = cache.get(CTC, "omni-ctc").processor.tokenizer
    words = ctc.words_from_frames(FIXTURE["pred_ids"][0], tokenizer, 0, 0.02)
    assert " ".join(word.text for word in words) == FIXTURE["transcriptions"][0]
    assert (words[0].text, round(words[0].start, 2), round(words[0].end, 2)) == ("mister", 0.56, 0.78)
    assert all(a.end <= b.start for a, b in zip(words, words[1:])) and words[-1].end <= 292 * 0.02
    # Constructed: a repeat needs a blank between ("ll"), a run of one id is one letter.
    l_id, o_id = tokenizer.convert_tokens_to_ids(["l", "o"])
    frames = [0, l_id, l_id, 0, l_id, o_id, 4, 4, o_id, 0]
    assert [(w.text, w.start, w.end) for w in ctc.words_from_frames(frames, tokenizer, 0, 1.0)] == [("llo", 1.0, 6.0),
                                                                                                   ("o", 8.0, 9.0)]


def test_the_ctc_path_equals_transformers_own_generate_and_decode(cache, speech_16k):
    """The app's chunked emissions, greedy ids and text on a clip equal OmniASRForCTC.generate + decode on it."""
    entry = cache.get(CTC, "omni-ctc")
    result = transcribe.transcribe(speech_16k, "auto", CTC, cache=cache)
    inputs = entry.processor(audio=speech_16k, sampling_rate=SAMPLE_RATE, return_tensors="pt")
    with torch.inference_mode():
        theirs = entry.model.generate(**inputs)
    ours = transcribe.ctc_ids(entry, speech_16k, 20.0, lambda *_: None)
    assert ours == theirs[0].tolist() and len(ours) == 1 + (len(speech_16k) - 400) // 320
    assert result.text == " ".join(entry.processor.decode(theirs, skip_special_tokens=True)[0].split())
    assert " ".join(word.text for word in result.words) == result.text
    assert result.language == transcribe.AUTO and "needs no language" in result.notes[0]


def test_long_audio_is_read_in_chunks_with_the_same_frames(cache, speech_16k):
    """The one emissions function serves Omnilingual: chunks of 1 s with context give the frames of one pass
    where context reaches (the tiny encoder's attention sees the whole chunk, so only structure is compared)."""
    entry = cache.get(CTC, "omni-ctc")
    clip = np.tile(speech_16k, 4)
    chunked = transcribe.ctc_ids(entry, clip, 1.0, lambda *_: None)
    assert len(chunked) == len(transcribe.ctc_ids(entry, clip, 1000.0, lambda *_: None))


def test_the_llm_path_uses_the_language_hint(cache, speech_16k):
    entry = cache.get(LLM, "omni-llm")
    result = transcribe.transcribe(speech_16k, "fra_Latn", LLM, cache=cache)
    inputs = entry.processor.apply_transcription_request(speech_16k, language="fra_Latn", return_tensors="pt")
    with torch.inference_mode():
        output = entry.model.generate(**inputs, max_new_tokens=int(len(speech_16k) / SAMPLE_RATE * 25) + 16)
    expected = entry.processor.decode(output[:, inputs["input_ids"].shape[1]:], skip_special_tokens=True)[0]
    assert [s.text for s in result.segments] == [" ".join(expected.split())]
    assert result.segments[0].start == 0 and result.segments[0].end == pytest.approx(len(speech_16k) / SAMPLE_RATE)
    # Detection maps Identify's answer onto Omnilingual's ids: English is eng_Latn.
    detected = transcribe.transcribe(speech_16k, "auto", LLM, cache=cache)
    assert detected.language in languages.OMNILINGUAL.codes and detected.notes[0].startswith("Detected")


def test_catalog_names_and_meta_figures():
    assert len(languages.OMNILINGUAL) == 1693 and languages.OMNILINGUAL.language_count > 1600
    assert languages.language_name("fra_Latn") == "French"  # its usual script goes unsaid
    assert languages.language_name("srp_Latn") == "Serbian, Latin script"
    assert languages.OMNILINGUAL.matching("fas") == ["fas_Arab"]
    result = languages.omnilingual_result("fra")
    assert (result.cer, result.training_hours) == (2.2, 4615.1)
    assert languages.omnilingual_result("xxx") is None


def test_compare_has_rows_for_omnilingual_and_licences_are_named(cache, speech_16k):
    assert [model for model, _ in compare.models_for("fra")][:3] == ["facebook/mms-1b-all", CTC, LLM]
    comparison = compare.compare(speech_16k, "eng", "testing one two three", cache=cache)
    rows = {row.model_id: row for row in comparison.results}
    assert rows[CTC].language == "eng_Latn" and rows[CTC].score is not None and rows[CTC].seconds is not None
    assert compare.ASR_NAMES[CTC] == "Omnilingual CTC 300M" and compare.ASR_NAMES[LLM] == "Omnilingual LLM 300M"
    assert models.licence(CTC).name == "Apache-2.0" and models.licence(CTC).commercial_use
    assert models.licence("facebook/mms-1b-all").name == "CC-BY-NC-4.0" and not models.licence("facebook/mms-1b-all").commercial_use


def test_live_captions_with_the_ctc_model(cache, speech_16k):
    """Live captions read Omnilingual CTC pieces through the same code; no language needed; the final text is the
    recording's, as a file's."""
    from modules import live

    session = live.start(CTC, transcribe.AUTO)
    pcm = (speech_16k * 32767).astype(np.int16)
    texts = [live.add(session, SAMPLE_RATE, piece, cache=cache) for piece in np.array_split(pcm, 5)]
    assert texts[-1]
    final, recording = live.finish(session, cache=cache)
    assert final.text == transcribe.transcribe(recording, transcribe.AUTO, CTC, cache=cache).text
    with pytest.raises(Exception, match="Live captions work with the CTC models"):
        live.start(LLM, "eng_Latn")


def test_align_with_the_omnilingual_ctc_model(cache, speech_16k):
    """Its vocabulary is characters, so it aligns: the transcript read as for MMS (punctuation out), its word
    boundary (a space, id 4) as the separator; the ids are its tokenizer's own for the normalised words."""
    from modules import align

    entry = cache.get(CTC, "omni-ctc")
    vocabulary = align._alignment_vocabulary(entry.processor.tokenizer)
    assert vocabulary["|"] == 4 and vocabulary["a"] == 3859
    words = align.read_transcript("Hello, world!", vocabulary, "eng_Latn")
    assert [w.letters for w in words] == ["hello", "world"]
    ids = [vocabulary[ch] for ch in "|".join(w.letters for w in words)]
    assert ids == entry.processor.tokenizer("hello world", add_special_tokens=False)["input_ids"]
    result = align.align(speech_16k, "Testing one two three, the audio module.", "eng_Latn", cache=cache, model_id=CTC)
    assert [w.text for w in result.words] == ["Testing", "one", "two", "three,", "the", "audio", "module."]
    assert result.model_id == CTC and all(w.end > w.start for w in result.words)
    starts = [w.start for w in result.words]
    assert starts == sorted(starts)
