"""Translate in depth: every direction, per-modality validation, segmentation, settings."""

import numpy as np
import pytest
import torch

from modules import translate, vad
from modules.audio import SAMPLE_RATE
from modules.config import UserInputError
from modules.models import SEAMLESS_MODEL
from modules.translate import GenerationSettings

SPEECH = GenerationSettings(speech_output=True)
PAUSE = int(translate.PAUSE_SECONDS * SAMPLE_RATE)


@pytest.fixture(scope="module")
def long_speech(speech_dir):
    from modules.audio import load_audio_16k

    clip = load_audio_16k(str(speech_dir / "mono16k.wav")).samples
    return np.tile(clip, 16)  # ~41 s


@pytest.mark.parametrize("speech_in", [True, False])
@pytest.mark.parametrize("speech_out", [True, False])
def test_all_four_directions_on_one_model(cache, speech_16k, speech_in, speech_out):
    settings = GenerationSettings(speech_output=speech_out)
    if speech_in:
        result = translate.translate_speech(speech_16k, "fra", settings, cache=cache)
    else:
        result = translate.translate_text("good morning", "eng", "fra", settings, cache=cache)
    assert isinstance(result.text, str) and result.target_language == "fra"
    if speech_out:
        assert result.waveform.dtype == np.float32 and result.waveform.ndim == 1 and result.waveform.size > 0
        assert result.sampling_rate == 16000
    else:
        assert result.waveform is None
    assert cache.loaded_ids() == [SEAMLESS_MODEL] and cache.load_counts[SEAMLESS_MODEL] == 1


def test_long_speech_is_translated_piece_by_piece(cache, long_speech):
    calls = []
    result = translate.translate_speech(long_speech, "deu", SPEECH, cache=cache, progress=lambda f, d: calls.append(d))
    pieces = vad.pieces_at_pauses(long_speech, vad.speech_intervals(long_speech))  # at real pauses
    assert len(pieces) == 3
    assert calls == [f"Translating piece {n} of 3" for n in (1, 2, 3)]
    assert [(s.start, s.end) for s in result.segments] == [(a / SAMPLE_RATE, b / SAMPLE_RATE) for a, b in pieces]
    assert result.text == " ".join(s.text for s in result.segments if s.text)
    assert np.count_nonzero(result.waveform == 0.0) >= 2 * PAUSE  # pauses between the spoken pieces


def test_long_text_is_translated_sentence_by_sentence(cache):
    calls = []
    result = translate.translate_text(
        "First sentence. Second one! Third?", "eng", "spa", cache=cache, progress=lambda f, d: calls.append(d)
    )
    assert calls == [f"Translating sentence {n} of 3" for n in (1, 2, 3)]
    assert result.segments == []


def test_speaker_and_beams_change_nothing_but_what_they_should(cache):
    base = translate.translate_text("hello", "eng", "fra", SPEECH, cache=cache)
    other_voice = translate.translate_text("hello", "eng", "fra", GenerationSettings(True, speaker_id=3), cache=cache)
    assert other_voice.text == base.text
    assert not (other_voice.waveform.shape == base.waveform.shape and np.array_equal(other_voice.waveform, base.waveform))
    beams = translate.translate_text("hello", "eng", "fra", GenerationSettings(num_beams=3), cache=cache)
    assert isinstance(beams.text, str)
    short = translate.translate_text("hello", "eng", "fra", GenerationSettings(max_new_tokens=16), cache=cache)
    assert len(short.text) <= len(base.text)


@pytest.mark.parametrize(
    "settings, message",
    [
        (GenerationSettings(True, speaker_id=200), "speaker is out of range; it accepts whole numbers from 0 to 199"),
        (GenerationSettings(num_beams=9), "beams is out of range; it accepts whole numbers from 1 to 5"),
        (GenerationSettings(max_new_tokens=0), "max_new_tokens is out of range; it accepts whole numbers from 16 to 512"),
    ],
)
def test_settings_are_checked(cache, settings, message):
    with pytest.raises(UserInputError, match=message):
        translate.translate_text("hello", "eng", "fra", settings, cache=cache)


@pytest.mark.parametrize(
    "source, target, settings, message",
    [
        ("xx", "fra", GenerationSettings(), "'xx' is not a supported source language"),
        ("eng", "xx", GenerationSettings(), "'xx' is not a supported target language"),
        ("eng", "afr", SPEECH, "'afr' is not a supported speech output language"),
        ("eng", "zsm", GenerationSettings(), "'zsm' is not a supported target language"),
    ],
)
def test_languages_are_checked_per_modality(cache, source, target, settings, message):
    with pytest.raises(UserInputError, match=message):
        translate.translate_text("hello", source, target, settings, cache=cache)


def test_parallel_text_requests_with_different_sources_do_not_mix(cache):
    """The tokenizer keeps src_lang as state: tokenizing happens under the model lock, so every request's
    model call sees its own source-language tokens (recorded from the real generate calls)."""
    from collections import Counter
    from concurrent.futures import ThreadPoolExecutor

    entry = cache.get(SEAMLESS_MODEL, "seamless")
    real_generate, seen = entry.model.generate, []

    def recording_generate(**kwargs):
        seen.append(tuple(kwargs["input_ids"][0].tolist()))
        return real_generate(**kwargs)

    entry.model.generate = recording_generate
    sources = ["eng", "fra", "deu", "spa", "rus", "cmn"]
    short = GenerationSettings(max_new_tokens=16)
    for source in sources:
        translate.translate_text("hello there", source, "fra", short, cache=cache)
    expected = Counter(seen * 4)
    assert len(set(seen)) == len(sources)  # each source language tokenizes differently
    seen.clear()
    with ThreadPoolExecutor(6) as pool:
        list(pool.map(lambda src: translate.translate_text("hello there", src, "fra", short, cache=cache), sources * 4))
    assert Counter(seen) == expected


def test_default_search_is_the_official_demos_five_beams_and_greedy_is_offered(cache, monkeypatch):
    entry = cache.get(translate.SEAMLESS_MODEL, "seamless")
    seen = []
    generate = entry.model.generate
    monkeypatch.setattr(entry.model, "generate", lambda *a, **k: seen.append(k["text_num_beams"]) or generate(*a, **k))
    translate.translate_text("hello", "eng", "fra", cache=cache)
    translate.translate_text("hello", "eng", "fra", GenerationSettings(num_beams=translate.FASTEST_BEAMS), cache=cache)
    assert seen == [5, 1]


def test_a_request_over_the_work_budget_is_refused_before_any_work(cache, monkeypatch):
    from modules import budget

    entry = cache.get(translate.SEAMLESS_MODEL, "seamless")
    calls = []
    monkeypatch.setattr(entry.model, "generate", lambda *a, **k: calls.append(1))
    many = " ".join(f"Sentence number {n}." for n in range(300))  # 300 sentences x 5 beams x 512 tokens
    with pytest.raises(UserInputError, match=r"300 sentences × 5 beams × 512 tokens = 768,000 decoder steps, over its limit of 51,200\. At these settings up to 20 sentences fit"):
        translate.translate_text(many, "eng", "fra", GenerationSettings(num_beams=5, max_new_tokens=512), cache=cache)
    assert calls == []
    assert budget.decoder_steps(40, 5, 256) == 51_200  # ten minutes of speech at the defaults fit


def test_sentences_translated_together_equal_one_at_a_time(cache):
    """What CUDA does for text -> text (several sentences per generate, padded with the attention mask),
    checked on the CPU: the same text for every sentence, 1 and 3 beams. The tiny random decoder writes much
    the same whatever it reads, so the text encoder is checked too: each sentence's states in the padded
    batch are exactly its states alone."""
    entry = cache.get(SEAMLESS_MODEL, "seamless")
    sentences = ["Good morning.", "The weather is very nice today, isn't it?", "Thanks."]
    text_inputs = lambda group: entry.processor(text=group, src_lang="eng", padding=True, return_tensors="pt")  # noqa: E731
    for beams in (1, 3):
        settings = translate.GenerationSettings(num_beams=beams, max_new_tokens=16)
        alone = translate._translate_pieces(entry, sentences, text_inputs, "sentence", "fra", settings, None, batch_size=1)
        together = translate._translate_pieces(entry, sentences, text_inputs, "sentence", "fra", settings, None, batch_size=3)
        assert together == alone
    with torch.inference_mode():
        batch = entry.model.text_encoder(**entry.to_model(text_inputs(sentences))).last_hidden_state
        for row, sentence in enumerate(sentences):
            one = entry.model.text_encoder(**entry.to_model(text_inputs([sentence]))).last_hidden_state[0]
            assert torch.equal(batch[row, : len(one)], one)


def test_why_speech_pieces_are_not_batched(cache):
    """The speech encoder is not padding-blind (transformers 5.23): padded into a batch, a shorter piece's
    last frame comes out different, so speech pieces are translated one at a time everywhere. When this
    fails, batching speech pieces on CUDA would keep results the same: turn it on (modules/translate.py)."""
    entry = cache.get(SEAMLESS_MODEL, "seamless")
    rng = np.random.default_rng(0)
    short, long = (rng.standard_normal(2 * 16000) * 0.1).astype(np.float32), (rng.standard_normal(5 * 16000) * 0.1).astype(np.float32)
    inputs = lambda group: entry.processor(audio=group, sampling_rate=16000, return_tensors="pt")  # noqa: E731
    with torch.inference_mode():
        batch = entry.model.speech_encoder(**entry.to_model(inputs([short, long]))).last_hidden_state[0]
        alone = entry.model.speech_encoder(**entry.to_model(inputs([short]))).last_hidden_state[0]
    differences = (batch[: len(alone)] - alone).abs().amax(dim=1)
    assert differences[-1] > 0.1 and differences[:-1].max() < 1e-2
