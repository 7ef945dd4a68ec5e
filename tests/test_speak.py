"""Speak in depth: controls, sentences, normalisation through the real voice, voices under a memory budget."""

import re

import numpy as np
import pytest
import torch

from modules import speak
from modules.config import UserInputError
from modules.models import ModelCache, read_model_sources

PAUSE = int(speak.PAUSE_SECONDS * 16000)


def test_faster_speech_is_shorter(cache):
    normal = speak.synthesize("a sentence of some length to say", "eng", seed=1, cache=cache)
    fast = speak.synthesize("a sentence of some length to say", "eng", seed=1, speed=2.0, cache=cache)
    slow = speak.synthesize("a sentence of some length to say", "eng", seed=1, speed=0.5, cache=cache)
    assert len(fast.waveform) < len(normal.waveform) < len(slow.waveform)


def test_settings_do_not_leak_into_the_next_request(cache):
    first = speak.synthesize("same words", "eng", seed=3, cache=cache).waveform
    speak.synthesize("same words", "eng", seed=3, speed=1.7, expressiveness=0.1, cache=cache)
    assert np.array_equal(speak.synthesize("same words", "eng", seed=3, cache=cache).waveform, first)


def test_expressiveness_changes_the_audio(cache):
    flat = speak.synthesize("same words", "eng", seed=3, expressiveness=0.0, cache=cache).waveform
    lively = speak.synthesize("same words", "eng", seed=3, expressiveness=1.0, cache=cache).waveform
    assert not (flat.shape == lively.shape and np.array_equal(flat, lively))


def test_sentences_are_spoken_one_by_one_with_pauses(cache):
    calls = []
    speech = speak.synthesize(
        "First one. Second one! Third one?", "eng", cache=cache, progress=lambda f, d: calls.append(d)
    )
    assert speech.sentences == 3
    assert calls == ["Speaking sentence 1 of 3", "Speaking sentence 2 of 3", "Speaking sentence 3 of 3"]
    assert np.count_nonzero(speech.waveform == 0.0) >= 2 * PAUSE
    assert speech.prepared.text == "first one second one third one"
    assert speech.prepared.dropped == [".", "!", "?"]


def test_romanian_letters_reach_the_voice_in_its_spelling(cache):
    # The real mms-tts-ron alphabet: comma-below ș, cedilla ţ. Before: "tiinţă i ţară".
    speech = speak.synthesize("Știință și țară", "ron", cache=cache)
    assert speech.prepared.text == "știinţă și ţară"
    assert speech.prepared.dropped == []


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"speed": 3.0}, "speed is out of range; it accepts numbers from 0.5 to 2. Got 3.0."),
        ({"expressiveness": 1.5}, "expressiveness is out of range; it accepts numbers from 0 to 1. Got 1.5."),
        ({"seed": -1}, "seed is out of range; it accepts whole numbers from 0 to 4,294,967,295. Got -1."),
    ],
)
def test_out_of_range_controls(cache, kwargs, message):
    with pytest.raises(UserInputError, match=message):
        speak.synthesize("hello", "eng", cache=cache, **kwargs)


def test_voices_stay_under_the_memory_budget(override_map):
    overrides = read_model_sources(str(override_map)).paths
    probe = ModelCache(overrides)
    sizes = {lang: probe.get(f"facebook/mms-tts-{lang}", "speak").nbytes for lang in ("eng", "fra", "ron")}
    cache = ModelCache(overrides, budget_bytes=sizes["fra"] + sizes["ron"])
    for language in ("eng", "fra", "ron"):
        speak.synthesize("hello", language, cache=cache)
    assert cache.loaded_ids() == ["facebook/mms-tts-fra", "facebook/mms-tts-ron"]
    speak.synthesize("hello", "eng", cache=cache)  # a miss: loaded again, the oldest voice goes
    assert cache.load_counts["facebook/mms-tts-eng"] == 2
    assert cache.loaded_ids() == ["facebook/mms-tts-ron", "facebook/mms-tts-eng"]
    assert cache.loaded_bytes() <= cache.budget_bytes


def test_the_note_beside_the_text_read_names_only_what_matters():
    from modules.text import PreparedText
    from ui.speak import about_reading

    assert about_reading(PreparedText("Hi, you!", "hi you", dropped=[",", "!"]), "eng") == ""
    assert about_reading(PreparedText("Hi мир!", "hi", dropped=["м", "и", "р", "!"]), "eng") == (
        "Note: “мир” can't be read by the English voice (its letters aren't in the voice's alphabet), so it skipped them."
    )
    # Issue 22: English words in Russian text are named, as are signs that carry meaning (not punctuation).
    assert about_reading(PreparedText("Меня зовут Ivan. My name is Ivan.", "меня зовут",
                                      dropped=["i", "v", "a", "n", ".", "m", "y", "e", "s"]), "rus") == (
        "Note: “Ivan My name is” can't be read by the Russian voice (its letters aren't in the voice's alphabet), "
        "so it skipped them."
    )
    assert about_reading(PreparedText("5 $ + 3 #", "five three", dropped=["$", "+", "#"]), "yor") == (
        "Note: this voice can't say $ + #, so it skipped them."
    )
    digits = about_reading(PreparedText("Ẹ 123", "ẹ 123", digits_kept=True), "yor")
    assert digits.startswith("Note: numbers stay as digits: there is no rule yet for saying numbers in Yoruba")


def test_money_percent_and_dates_are_read_as_words_where_the_language_has_rules():
    from modules.text import say_symbols, spell_numbers

    def read(written: str, language: str) -> str:  # spaces as the voice's recipe leaves them (punctuation goes)
        return re.sub(r" ([,.])", r"\1", " ".join(spell_numbers(say_symbols(written, language), language)[0].split()))

    # num2words' currency words, CLDR's (babel) unit names and date order; the numbers left by spell_numbers.
    assert read("$1,250.50", "eng") == "one thousand, two hundred and fifty dollars, fifty cents"
    assert read("50% off", "eng") == "fifty percent off"
    assert read("on 03/04/2024", "eng") == "on March four, twenty twenty-four"  # CLDR en: month first
    assert read("on 2024-03-04", "eng") == "on March four, twenty twenty-four"
    assert read("1.250,50 €", "rus") == "одна тысяча двести пятьдесят евро, пятьдесят центов"
    assert read("50%", "ron") == "cincizeci de procente"
    assert read("03.04.2024", "ron") == "trei aprilie două mii douăzeci și patru"  # CLDR ro: day first
    assert read("13/13/2024", "eng") == "thirteen / thirteen / twenty twenty-four"  # no such date: left as numbers


def test_sentences_spoken_in_one_batch_sound_as_one_at_a_time(cache):
    """What CUDA does (several sentences per forward, padded with the attention mask), checked on the CPU:
    with no noise drawn (noise and duration-noise scales 0) each sentence's audio is the same either way,
    but for the last frame of a sentence shorter than the batch's longest: the vocoder's convolutions there
    reach into the padding's frames (non-zero after its first layer) instead of the edge's zeros."""
    entry = cache.get("facebook/mms-tts-eng", "speak")
    sentences = ["a short one", "and a much longer sentence than the first", "mid length words"]
    ids = [speak.vits_input_ids(entry.processor, sentence) for sentence in sentences]
    model = entry.model
    saved = model.noise_scale, model.noise_scale_duration
    model.noise_scale = model.noise_scale_duration = 0.0
    try:
        with torch.inference_mode():
            alone = speak.speak_sentences(entry, ids, batch_size=1)
            together = speak.speak_sentences(entry, ids, batch_size=3)
    finally:
        model.noise_scale, model.noise_scale_duration = saved
    assert [len(w) for w in together] == [len(w) for w in alone] and len({len(w) for w in alone}) == 3
    frame = int(np.prod(model.config.upsample_rates))  # samples per spectrogram frame (256 for MMS)
    longest = max(len(w) for w in alone)
    for one, batched in zip(alone, together):
        if len(one) == longest:
            np.testing.assert_allclose(batched, one, atol=1e-5)
        else:
            np.testing.assert_allclose(batched[:-frame], one[:-frame], atol=1e-5)
            assert not np.allclose(batched[-frame:], one[-frame:], atol=1e-5)  # so the test sees the tail at all


def test_a_seed_gives_the_same_audio_while_another_voice_speaks(cache):
    """Two voices at once (each has its own lock): seed 7 gave different audio 10 of 10 times when the seed
    was the process's one generator, drawn from by both."""
    import threading

    expected = speak.synthesize("the same words for the seed", "eng", seed=7, cache=cache).waveform
    cache.get("facebook/mms-tts-fra", "speak")
    results, stop = [], threading.Event()

    def other_voice():
        while not stop.is_set():
            speak.synthesize("bonjour tout le monde", "fra", seed=1, cache=cache)

    thread = threading.Thread(target=other_voice)
    thread.start()
    try:
        for _ in range(5):
            results.append(speak.synthesize("the same words for the seed", "eng", seed=7, cache=cache).waveform)
    finally:
        stop.set()
        thread.join()
    assert all(np.array_equal(result, expected) for result in results)
    # The process's own generator is left alone.
    import torch

    torch.manual_seed(123)
    before = torch.rand(1)
    torch.manual_seed(123)
    speak.synthesize("a few words", "eng", seed=9, cache=cache)
    assert torch.equal(torch.rand(1), before)
