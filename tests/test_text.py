"""modules/text.py: cleaning, uroman romanisation, fitting text to a voice's alphabet."""

import pytest

from modules import text
from modules.config import UserInputError

ALPHABET = text.VoiceAlphabet(tuple("abcdefghijklmnopqrstuvwxyz' "))


def test_clean_text_collapses_whitespace_and_control_characters():
    assert text.clean_text("  Hello,\t\nworld\x00\x07 !  ") == "Hello, world !"


def test_clean_text_normalises_to_nfc():
    decomposed = "e\u0301te\u0301"
    assert text.clean_text(decomposed) == "\u00e9t\u00e9"


@pytest.mark.parametrize("value", ["", "   \n\t", None, "\x00\x01"])
def test_empty_text_is_refused(value):
    with pytest.raises(UserInputError, match="empty"):
        text.clean_text(value)


def test_over_long_text_is_refused_with_the_limit():
    with pytest.raises(UserInputError, match="50000 characters; at most 2000"):
        text.clean_text("a" * 50_000, max_chars=2000)


def test_romanize_uses_one_uroman_instance_and_no_language_code():
    text._uromanizer.cache_clear()
    # Training-style uroman (no language code): "ещё" -> "eshche"; with lcode="rus" it would be "yeshchyo".
    assert text.romanize("Съешь ещё") == "Sesh eshche"
    assert text.romanize("नमस्ते") == "namaste"
    assert text._uromanizer.cache_info().misses == 1
    assert text._uromanizer.cache_info().hits == 1


def test_prepare_reports_dropped_characters_in_order():
    prepared = text.prepare_for_voice("Hello, World! 123", ALPHABET)
    assert prepared.text == "hello world"
    assert prepared.dropped == [",", "!", "1", "2", "3"]
    assert not prepared.romanized


def test_prepare_romanizes_non_ascii_text_for_uroman_voices_only():
    uroman_voice = text.VoiceAlphabet(ALPHABET.symbols, is_uroman=True)
    prepared = text.prepare_for_voice("Привет, мир", uroman_voice)
    assert prepared.text == "privet mir"
    assert prepared.romanized
    assert prepared.original == "Привет, мир"
    assert not text.prepare_for_voice("plain ascii", uroman_voice).romanized
    assert text.prepare_for_voice("Привет, мир", ALPHABET).text == ""


def test_typographic_apostrophe_becomes_the_vocabulary_one():
    assert text.prepare_for_voice("don’t", ALPHABET).text == "don't"


def test_a_character_the_alphabet_holds_is_never_folded():
    # The real mms-tts-eng alphabet holds the en dash "–" (U+2013) besides "-".
    alphabet = text.VoiceAlphabet(tuple("abc –-"))
    assert text.prepare_for_voice("a – b - c — a", alphabet).text == "a – b - c – a"
    assert text.prepare_for_voice("a — b", text.VoiceAlphabet(tuple("ab -"))).text == "a - b"


def test_case_is_kept_for_characters_the_vocabulary_holds_as_they_are():
    # VitsTokenizer.normalize_text lower-cases only what the vocabulary lacks: one upper-case symbol
    # must not stop "Hello World" from being lower-cased.
    alphabet = text.VoiceAlphabet(tuple("helowrdH "))
    assert text.prepare_for_voice("Hello World", alphabet).text == "Hello world"


@pytest.mark.parametrize("value", ["😀😀😀", "!!! ???", "日本語", "😀. !!!", "' '' '", "- -- ---", "'"])
def test_nothing_speakable_is_a_clear_error(value):
    # Signs the alphabet holds (the real eng one has ' - – _) are not something to say on their own.
    assert not any(ch.isalnum() for ch in text.prepare_for_voice(value, ALPHABET).text)
    with pytest.raises(UserInputError, match="Nothing in this text can be spoken"):
        text.prepare_sentences(value, ALPHABET)


def test_prepare_sentences_skips_unspeakable_sentences_and_says_so():
    sentences, whole = text.prepare_sentences("Hello there. 😀😀! How are you?", ALPHABET)
    assert sentences == ["hello there", "how are you"]
    assert whole.text == "hello there how are you"
    assert whole.dropped == [".", "😀", "!", "?"]


@pytest.mark.parametrize(
    "value, expected",
    [
        ("One. Two! Three? Four", ["One.", "Two!", "Three?", "Four"]),
        ("第一句。第二句！", ["第一句。", "第二句！"]),
        ("नमस्ते। आप कैसे हैं?", ["नमस्ते।", "आप कैसे हैं?"]),
        ("مرحبا؟ كيف حالك", ["مرحبا؟", "كيف حالك"]),
        ("no end", ["no end"]),
    ],
)
def test_split_sentences(value, expected):
    assert text.split_sentences(value) == expected


def test_overlong_sentences_are_cut_at_commas_or_spaces():
    sentence = ", ".join(["word " * 10] * 10)  # ~560 characters, no sentence end
    pieces = text.split_sentences(sentence, max_chars=120)
    assert all(len(piece) <= 120 for piece in pieces)
    assert " ".join(pieces).split() == sentence.split()


@pytest.mark.parametrize(
    "value, language, expected",
    [
        ("I have 3 cats and 25 dogs. Call me at 10:30!", "eng", "I have three cats and twenty-five dogs. Call me at ten thirty !"),
        ("On the 1st of May 1987 it cost 25,000 dollars", "eng", "On the first of May nineteen eighty-seven it cost twenty-five thousand dollars"),
        ("Prix 4,5 euros, 25.000 en tout", "fra", "Prix quatre virgule cinq euros, vingt-cinq mille en tout"),
        ("У меня 3 кошки", "rus", "У меня три кошки"),
        ("Am 3 pisici", "ron", "Am trei pisici"),
        ("Ich habe 2 Hunde", "deu", "Ich habe zwei Hunde"),
    ],
)
def test_numbers_are_words_in_the_voices_language(value, language, expected):
    assert text.spell_numbers(value, language) == (expected, False)


def test_numbers_use_the_macrolanguage_rule_and_say_when_there_is_none():
    # MMS and Seamless name Persian "pes" (Iranian Persian); num2words knows it as Persian, "fa".
    assert text.number_language("pes") == "fa"
    assert text.number_language("azj-script_latin") == "az"
    assert text.spell_numbers("123 and 4", "yor") == ("123 and 4", True)
    assert text.spell_numbers("no digits", "yor") == ("no digits", False)


def test_the_english_voice_reads_numbers_not_the_digits_it_lacks():
    # The real eng alphabet has only the digits 0-6: "1987" as digits would lose its 8, 9 and 7.
    alphabet = text.VoiceAlphabet(tuple("abcdefghijklmnopqrstuvwxyz' -0123456"), language="eng")
    assert text.prepare_for_voice("In 1987.", alphabet).text == "in nineteen eighty-seven"
    assert not text.prepare_for_voice("In 1987.", alphabet).digits_kept
