"""MMS-TTS text exactly as the voices were trained, checked against transformers' own VitsTokenizer
and the ids transformers pins for the real checkpoints, on fixtures with the real alphabets."""

import pytest
from transformers import VitsTokenizer
from transformers.models.vits import tokenization_vits

from modules import speak, text
from tests.tiny_models import TTS_VOICES

INPUTS = [
    "Hello World",
    "BERT is designed to pre-train deep bidirectional representations!",
    "It stinks here – kk. Kick!",
    "Știință și țară. ŞTIINŢĂ",
    "Съешь же ещё этих мягких французских булок",
    "Ça va? Œuvre, naïve façade « oui »",
    "이봐 무슨 일이야",
    "<unk> test <UNK>",
    "İstanbul",
    "spaces , around   inside",
    "123 4.5 -6",
    "ünïcödé ÀÉ",
]


@pytest.fixture(scope="module")
def tokenizers(override_map):
    from modules.models import read_model_sources

    paths = read_model_sources(str(override_map)).paths
    return {voice: VitsTokenizer.from_pretrained(paths[f"facebook/mms-tts-{voice}"]) for voice in TTS_VOICES}


@pytest.fixture
def reference_shares_our_uroman(monkeypatch):
    """VitsTokenizer builds a new Uroman for every call (~2 s); hand it the same tables, built once.
    Its own code path (romanize_string without a language code) is unchanged."""
    shared = text._uromanizer()
    monkeypatch.setattr(tokenization_vits.ur, "Uroman", lambda: shared)


@pytest.mark.parametrize("voice", TTS_VOICES)
def test_training_recipe_equals_vits_tokenizer(tokenizers, voice, reference_shares_our_uroman):
    tokenizer = tokenizers[voice]
    alphabet = speak.voice_alphabet(tokenizer)
    for value in INPUTS:
        expected, _ = tokenizer.prepare_for_tokenization(value)
        assert text.training_recipe(value, alphabet).text == expected, (voice, value)


# transformers tests/models/vits/test_tokenization_vits.py, test_tokenizer_integration: facebook/mms-tts-eng.
ENG_PINNED = {
    "The quick brown fox! Jumps over the lazy dog...": [
        0, 33, 0, 6, 0, 7, 0, 19, 0, 34, 0, 4, 0, 18, 0, 12, 0, 0, 0, 19, 0, 24, 0, 25, 0, 22, 0, 9, 0, 29, 0, 19,
        0, 20, 0, 22, 0, 31, 0, 19, 0, 16, 0, 4, 0, 17, 0, 13, 0, 8, 0, 19, 0, 22, 0, 32, 0, 7, 0, 25, 0, 19, 0,
        33, 0, 6, 0, 7, 0, 19, 0, 21, 0, 26, 0, 2, 0, 3, 0, 19, 0, 5, 0, 22, 0, 37, 0,
    ],
    "We use k as our padding token": [
        0, 9, 0, 7, 0, 19, 0, 4, 0, 8, 0, 7, 0, 19, 0, 0, 0, 19, 0, 26, 0, 8, 0, 19, 0, 22, 0, 4, 0, 25, 0, 19,
        0, 13, 0, 26, 0, 5, 0, 5, 0, 18, 0, 29, 0, 37, 0, 19, 0, 33, 0, 22, 0, 0, 0, 7, 0, 29, 0,
    ],
}
# Same file, test_tokenizer_uroman_integration: the Korean voice, romanised by uroman.
KOR_PINNED = {
    "이봐 무슨 일이야": [0, 9, 0, 13, 0, 3, 0, 7, 0, 21, 0, 23, 0, 0, 0, 4, 0, 22, 0, 0, 0, 16, 0, 21, 0, 9, 0, 17, 0, 9, 0, 6, 0, 7, 0],
}


@pytest.mark.parametrize("voice, pinned", [("eng", ENG_PINNED), ("kor", KOR_PINNED)])
def test_ids_equal_the_ids_transformers_pins_for_the_real_checkpoints(tokenizers, voice, pinned):
    tokenizer = tokenizers[voice]
    for value, expected in pinned.items():
        prepared = text.prepare_for_voice(value, speak.voice_alphabet(tokenizer))
        assert speak.vits_input_ids(tokenizer, prepared.text) == expected, value


def test_ids_are_interspersed_with_the_blank_as_in_training_even_around_the_pad_letter(tokenizers):
    tokenizer = tokenizers["eng"]  # pad_token "k" = id 0 = the blank
    for prepared in ["hello world", "the quick brown fox", "we use k as our padding token"]:
        assert speak.vits_input_ids(tokenizer, prepared) == tokenizer(prepared)["input_ids"]
    k, i, c = (tokenizer.encoder[ch] for ch in "kic")
    # fairseq commons.intersperse: a blank between and around every symbol. transformers splits at the
    # pad token "k" and loses the blanks at the edges (7 ids).
    assert speak.vits_input_ids(tokenizer, "kick") == [0, k, 0, i, 0, c, 0, k, 0]
    assert len(tokenizer("kick")["input_ids"]) == 7


def test_romanian_either_spelling_reaches_the_voice(tokenizers):
    alphabet = speak.voice_alphabet(tokenizers["ron"])  # real: ș U+0219 and ţ U+0163
    comma_below = text.prepare_for_voice("Știință și țară", alphabet)
    cedilla = text.prepare_for_voice("Ştiinţă şi ţară", alphabet)
    assert comma_below.text == cedilla.text == "știinţă și ţară"
    assert comma_below.dropped == cedilla.dropped == []


def test_russian_yo_is_read_as_ye_by_a_voice_without_it(tokenizers):
    alphabet = speak.voice_alphabet(tokenizers["rus"])
    assert "ё" not in alphabet.symbol_set
    assert text.prepare_for_voice("Ещё", alphabet).text == "еще"
    expected, _ = tokenizers["rus"].prepare_for_tokenization("Ещё")
    assert expected == "ещ"  # the bare recipe drops the letter


def test_uroman_runs_without_a_language_code(tokenizers):
    alphabet = speak.voice_alphabet(tokenizers["kor"])  # the real Korean voice says is_uroman
    prepared = text.prepare_for_voice("Съешь же ещё", alphabet)
    assert prepared.romanized
    assert prepared.text == "sesh he eshche"  # with lcode="rus": "syesh zhe yeshchyo"
