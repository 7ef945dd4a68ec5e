"""Property-based tests: any array or string either comes out well-formed or gets a UserInputError."""

import unicodedata

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from modules import text
from modules.audio import MIN_SECONDS, SAMPLE_RATE, load_audio_16k
from modules.config import UserInputError

RATES = st.sampled_from([8000, 11025, 16000, 22050, 44100, 48000, 96000]) | st.integers(1, 200_000)
DTYPES = st.sampled_from([np.int16, np.int32, np.uint8, np.float32, np.float64])
LATIN = set("abcdefghijklmnopqrstuvwxyz'")


@st.composite
def audio_arrays(draw):
    dtype = draw(DTYPES)
    channels = draw(st.sampled_from([None, 1, 2, 6]))
    length = draw(st.integers(0, 6000))
    shape = (length,) if channels is None else (length, channels)
    if np.dtype(dtype).kind == "f":
        elements = st.floats(allow_nan=True, allow_infinity=True, width=32)
    else:
        info = np.iinfo(dtype)
        elements = st.integers(int(info.min), int(info.max))
    return draw(RATES), draw(hnp.arrays(dtype, shape, elements=elements))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(audio_arrays())
def test_any_array_becomes_valid_16k_audio_or_a_clear_error(source):
    rate, samples = source
    try:
        clip = load_audio_16k((rate, samples), max_seconds=10)
    except UserInputError as error:
        assert str(error).endswith((".", "again.", "pieces."))
        return
    assert clip.samples.dtype == np.float32 and clip.samples.ndim == 1
    assert np.isfinite(clip.samples).all()
    assert np.abs(clip.samples).max() <= 1.0
    expected = samples.shape[0] * SAMPLE_RATE / rate
    assert abs(len(clip.samples) - expected) <= 2
    assert len(clip.samples) >= MIN_SECONDS * SAMPLE_RATE - 2


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_any_text_is_cleaned_or_refused(value):
    try:
        cleaned = text.clean_text(value, max_chars=200)
    except UserInputError:
        return
    assert cleaned and cleaned == cleaned.strip() and len(cleaned) <= 200
    assert "  " not in cleaned
    assert not any(unicodedata.category(ch)[0] == "C" for ch in cleaned)
    assert unicodedata.is_normalized("NFC", cleaned)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200), st.booleans())
def test_prepared_text_only_holds_vocabulary_characters(value, is_uroman):
    alphabet = text.VoiceAlphabet(tuple(LATIN | {" "}), language="ron", is_uroman=is_uroman)
    try:
        sentences, whole = text.prepare_sentences(value, alphabet)
    except UserInputError:
        return
    assert sentences and all(sentence.strip() == sentence for sentence in sentences)
    assert set(whole.text) <= LATIN | {" "}
    assert not set(whole.dropped) & LATIN
