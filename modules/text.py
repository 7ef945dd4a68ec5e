"""Text cleaning, sentence splitting, and MMS-TTS text preparation exactly as the voices were trained.

MMS-TTS text goes through two stages (see `prepare_for_voice`):
1. what people type -> what the voice can read, without changing meaning: numbers in words in the
   voice's language (num2words), and spellings of the same letter the voice's alphabet holds in its
   other form (Romanian ş/ș, ţ/ț; typographic apostrophes).
2. the training recipe, unchanged: transformers' `VitsTokenizer.prepare_for_tokenization`
   (models/vits/tokenization_vits.py, transformers 5.23), which follows fairseq
   `examples/mms/tts/infer.py` (fairseq@3d262bb): lower-case what the alphabet lacks, the
   per-language character fixes, uroman WITHOUT a language code when the checkpoint says
   `is_uroman`, keep only alphabet characters, strip. Tests compare it with VitsTokenizer's own.
"""

from __future__ import annotations

import datetime
import functools
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from modules.config import UserInputError
from modules.languages import macrolanguage, short_tag

# Stage 1: other spellings of one letter or sign. A character is replaced by one of these only when
# the voice's alphabet lacks it (and its lower case) and holds the replacement: a character the
# alphabet has is never touched (the real mms-tts-eng alphabet holds "–", for one).
SPELLING_VARIANTS: dict[str, tuple[str, ...]] = {
    # (Lower case is enough: an upper-case letter the alphabet lacks is looked up by its lower case.)
    # Romanian is written with comma-below ș ț (Unicode 3.0) and, on older systems, with cedilla ş ţ.
    # The real mms-tts-ron alphabet mixes them: ș (U+0219) and ţ (U+0163) (fairseq #5166 and its fix
    # PR #5168; shared/reference/model-configs.md), so either spelling must reach the voice.
    "ş": ("ș",), "ș": ("ş",), "ţ": ("ț",), "ț": ("ţ",),
    # Russian ё is often written е; the real mms-tts-rus alphabet has е and no ё (tests/tiny_models.py REAL).
    "ё": ("е",),
    # Typographic apostrophes and dashes typed by phones and word processors.
    "’": ("'",), "‘": ("'",), "ʼ": ("'",),
    "—": ("–", "-"), "–": ("-",), "‑": ("-",), "‐": ("-",),
}

# Stage 2, the per-language character fixes of the recipe: VitsTokenizer._preprocess_char and fairseq
# infer.py `preprocess_char` (PR #5168): the Romanian voice was trained with cedilla ţ.
RECIPE_CHARACTER_FIXES: dict[str, dict[str, str]] = {"ron": {"ț": "ţ"}}

# VitsTokenizer's `has_non_roman_characters`: uroman runs only on text with a non-ASCII character.
_NON_ASCII = re.compile(r"[^\x00-\x7F]")


@dataclass(frozen=True)
class VoiceAlphabet:
    """What an MMS-TTS tokenizer knows, as the recipe needs it."""

    symbols: tuple[str, ...]  # vocab.json keys in file order (VitsTokenizer.encoder)
    added_tokens: tuple[str, ...] = ()  # e.g. "<unk>", added outside vocab.json by the conversion
    language: str | None = None  # the tokenizer's `language` (selects the character fixes)
    is_uroman: bool = False

    @functools.cached_property
    def symbol_set(self) -> frozenset[str]:
        return frozenset(self.symbols)


# Signs Unicode files as punctuation that still carry meaning a listener would miss.
MEANINGFUL_SIGNS = set("%‰‱#&@§¶†‡")


@dataclass
class PreparedText:
    original: str
    text: str  # exactly what the model will read
    dropped: list[str] = field(default_factory=list)  # characters left out, each once, in order of appearance
    romanized: bool = False  # uroman was applied
    digits_kept: bool = False  # the text had numbers and no rule reads them in this language
    spelled_chars: int = 0  # characters once numbers are words (before romanisation): the reading's length

    @property
    def missing_letters(self) -> list[str]:
        """The dropped characters worth telling people about: letters. Punctuation is left out by the
        training recipe on purpose (the voices were trained without it)."""
        return [ch for ch in self.dropped if unicodedata.category(ch).startswith("L")]

    @property
    def missing_symbols(self) -> list[str]:
        """Dropped signs that carry meaning ("$", "%", "+", "@"), unlike punctuation: left unsaid, they change
        what the text says, so the note names them."""
        return [ch for ch in self.dropped if unicodedata.category(ch).startswith("S") or ch in MEANINGFUL_SIGNS]

    @property
    def skipped_words(self) -> list[str]:
        """Words of the text with letters the voice lacks (English words in Russian text), as written."""
        missing = set(self.missing_letters)
        words = [word.strip(".,;:!?\"'()[]«»“”") for word in self.original.split()]
        return list(dict.fromkeys(word for word in words if missing & set(word.lower()) or missing & set(word)))


def clean_text(text: str | None, max_chars: int | None = None) -> str:
    """NFC-normalise, drop control characters, collapse whitespace; refuse empty or over-long text."""
    text = unicodedata.normalize("NFC", text or "")
    text = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text)
    text = re.sub(r"\s+", " ", text).strip()
    if not text:
        raise UserInputError("The text is empty. Type or paste something to use.")
    if max_chars is not None and len(text) > max_chars:
        raise UserInputError(f"The text has {len(text)} characters; at most {max_chars} are accepted. Shorten it.")
    return text


@functools.lru_cache(maxsize=1)
def _uromanizer():
    # Building Uroman reads its tables (~2 s); one instance serves every call.
    import uroman

    return uroman.Uroman()


def romanize(text: str) -> str:
    """Latin-script transliteration with uroman, without a language code, as MMS-TTS was trained
    (fairseq infer.py runs `uroman.pl -l xxx`; VitsTokenizer calls `romanize_string(text)`)."""
    return _uromanizer().romanize_string(text)


def fit_spelling(text: str, alphabet: VoiceAlphabet) -> str:
    """Stage 1: replace characters the alphabet lacks by another spelling of them that it holds."""
    symbols = alphabet.symbol_set

    def fit(ch: str) -> str:
        if ch in symbols or ch.lower() in symbols:
            return ch
        for candidate in (ch, ch.lower()):
            for variant in SPELLING_VARIANTS.get(candidate, ()):
                if variant in symbols:
                    return variant
        return ch

    return "".join(fit(ch) for ch in text)


# Numbers, before the recipe (which would drop digits the voice lacks: the real eng voice has 0-6 only).
_TIME = re.compile(r"\b(\d{1,2}):(\d{2})\b")
_ENGLISH_ORDINAL = re.compile(r"\b(\d+)(st|nd|rd|th)\b", re.IGNORECASE)
_YEAR = re.compile(r"(?<![\d.,])(1[1-9]\d\d|20\d\d)(?![\d.,]\d)")
_NUMBER = {  # grouped thousands and decimals, as each convention writes them
    "point": re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d+|\d+"),  # 25,000.5 (English)
    "comma": re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+,\d+|\d+"),  # 25.000,5 (most others)
}
# num2words names two languages differently from ISO 639-1.
_NUM2WORDS_NAMES = {"kk": "kz", "nb": "no", "nn": "no"}


def number_language(language: str | None) -> str | None:
    """num2words' name for `language` (an ISO 639-3 model id), or its macrolanguage's, or None."""
    import num2words

    if not language:
        return None
    macro = macrolanguage(language)
    for tag in (short_tag(language), short_tag(macro) if macro else None):
        tag = _NUM2WORDS_NAMES.get(tag, tag)
        if tag in num2words.CONVERTER_CLASSES:
            return tag
    return None


# Numbers up to this many digits are read as numbers (999 trillion); longer ones (phone, card and ID numbers, or a
# run of digits pasted by mistake) digit by digit. num2words fails or takes ages past some length in some
# languages (Turkish from 22 digits, Spanish 28, Russian 34; Python refuses int() past 4,300 digits), and
# a 2,000-digit number held the only model slot for a minute: the work of reading a number stays linear.
MAX_NUMBER_DIGITS = 15
# What num2words raises for numbers a language's rules don't cover (rus: KeyError, kor: OverflowError, ...).
_NUM2WORDS_FAILURES = (ArithmeticError, LookupError, ValueError, TypeError, NotImplementedError)


def spell_numbers(text: str, language: str | None) -> tuple[str, bool]:
    """Numbers written as words in `language` (num2words): times, English ordinals, English years, grouped
    thousands and decimals, integers; a number longer than MAX_NUMBER_DIGITS, or one the language's rules
    can't say, digit by digit. Returns the text and whether digits had to stay (no rule)."""
    from num2words import num2words

    if not any(ch.isdigit() for ch in text):
        return text, False
    lang = number_language(language)
    if lang is None:
        return text, True

    def digit_by_digit(written: str) -> str:
        return " " + " ".join(_digit_word(digit, lang) for digit in written if digit.isdigit()) + " "

    def words(number, written: str, **options) -> str:
        if sum(ch.isdigit() for ch in written) <= MAX_NUMBER_DIGITS:
            try:
                return f" {num2words(number, lang=lang, **options)} "
            except _NUM2WORDS_FAILURES:
                pass
        return digit_by_digit(written)

    text = _TIME.sub(lambda m: words(int(m[1]), m[1]) + ("" if m[2] == "00" else words(int(m[2]), m[2])), text)
    if lang.startswith("en"):
        text = _ENGLISH_ORDINAL.sub(lambda m: words(_int(m[1]), m[1], to="ordinal"), text)
        text = _YEAR.sub(lambda m: words(int(m[1]), m[1], to="year"), text)
    point = lang.startswith("en")
    group, decimal = (",", ".") if point else (".", ",")

    def number(match: re.Match) -> str:
        written = match[0].replace(group, "").replace(decimal, ".")
        if sum(ch.isdigit() for ch in written) > MAX_NUMBER_DIGITS:
            return digit_by_digit(match[0])
        return words(Decimal(written), written) if "." in written else words(int(written), written)

    text = _NUMBER["point" if point else "comma"].sub(number, text)
    return re.sub(r" {2,}", " ", text).strip(), False


# Currency signs and the ISO 4217 code each stands for (the dollar sign as US dollars, as CLDR's English does).
CURRENCY_SIGNS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "₽": "RUB", "₩": "KRW", "₺": "TRY",
                  "₴": "UAH", "₦": "NGN"}
_AMOUNT = r"\d[\d.,]*\d|\d"
_CURRENCY = re.compile(rf"([{re.escape(''.join(CURRENCY_SIGNS))}])\s?({_AMOUNT})|({_AMOUNT})\s?([{re.escape(''.join(CURRENCY_SIGNS))}])")
_PERCENT = re.compile(rf"({_AMOUNT})\s?%")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_SHORT_DATE = re.compile(r"\b(\d{1,2})([/.])(\d{1,2})\2(\d{4})\b")


@functools.lru_cache(maxsize=None)
def _locale(language: str | None):
    """CLDR's locale for an ISO 639-3 model id (via babel), or None where CLDR has none."""
    import babel

    for tag in filter(None, (short_tag(language) if language else None,
                             short_tag(macrolanguage(language)) if language and macrolanguage(language) else None)):
        try:
            return babel.Locale.parse(tag)
        except (ValueError, babel.UnknownLocaleError):
            continue
    return None


def _amount(written: str, lang: str) -> Decimal | None:
    """A written amount as a number, read with the language's separators (English "1,250.50", most others
    "1.250,50"); None where it isn't one."""
    group, decimal = (",", ".") if lang.startswith("en") else (".", ",")
    try:
        return Decimal(written.replace(group, "").replace(decimal, "."))
    except ArithmeticError:
        return None


def say_symbols(text: str, language: str | None) -> str:
    """Amounts of money, percentages and dates in words the voice can read, where the language has rules for
    them (num2words' currencies, else CLDR's currency and unit names through babel; CLDR's date order and month
    names): "$1,250.50" -> "one thousand, two hundred and fifty dollars, fifty cents", "50%" -> "50 percent",
    "03/04/2024" -> "March 4, 2024" (the numbers left are read by `spell_numbers`). What has no rule is left as
    written; the symbols the voice then can't say are named in the note (`PreparedText.missing_symbols`)."""
    lang = number_language(language)
    locale = _locale(language)
    if lang is None and locale is None:
        return text

    def money(match: re.Match) -> str:
        sign, written = (match[1], match[2]) if match[1] else (match[4], match[3])
        code, amount = CURRENCY_SIGNS[sign], _amount(written, lang or "")
        if amount is None or len(written) > MAX_NUMBER_DIGITS:
            return match[0]
        from num2words import num2words

        if lang is not None:
            try:
                return f" {num2words(float(amount), lang=lang, to='currency', currency=code)} "
            except (*_NUM2WORDS_FAILURES, KeyError):
                pass
        if locale is not None:
            from babel.numbers import get_currency_name

            return f" {written} {get_currency_name(code, count=int(amount), locale=locale)} "
        return match[0]

    def percent(match: re.Match) -> str:
        from babel.units import format_unit

        amount = _amount(match[1], lang or "")
        if locale is None or amount is None:
            return match[0]
        try:
            return " " + format_unit(amount, "percent", length="long", locale=locale).replace("\xa0", " ") + " "
        except (LookupError, ValueError):
            return match[0]

    def date(year: int, month: int, day: int, written: str) -> str:
        from babel.dates import format_date

        try:
            return " " + format_date(datetime.date(year, month, day), format="long", locale=locale) + " "
        except ValueError:  # not a date (month 13)
            return written

    def short_date(match: re.Match) -> str:
        # The order CLDR's short date pattern gives the language: month first in US English, day first in most.
        month_first = _month_first(locale)
        first, second, year = int(match[1]), int(match[3]), int(match[4])
        month, day = (first, second) if month_first else (second, first)
        return date(year, month, day, match[0])

    text = _CURRENCY.sub(money, text)
    if locale is not None:
        text = _PERCENT.sub(percent, text)
        text = _ISO_DATE.sub(lambda m: date(int(m[1]), int(m[2]), int(m[3]), m[0]), text)
        text = _SHORT_DATE.sub(short_date, text)
    return re.sub(r" {2,}", " ", text.replace("\u202f", " ").replace("\xa0", " "))


def _month_first(locale) -> bool:
    """Whether the locale's short date writes the month before the day (CLDR: "M/d/yy" in English)."""
    from babel.dates import get_date_format

    pattern = get_date_format("short", locale=locale).pattern
    return pattern.find("M") < pattern.find("d")


def _int(written: str) -> int:
    """An int of a digit run, or 0 past Python's 4,300-digit limit (`words` then reads it digit by digit)."""
    return int(written) if len(written) <= MAX_NUMBER_DIGITS else 0


@functools.lru_cache(maxsize=1024)
def _digit_word(digit: str, lang: str) -> str:
    from num2words import num2words

    try:
        return num2words(int(digit), lang=lang)
    except _NUM2WORDS_FAILURES:
        return digit


def training_recipe(text: str, alphabet: VoiceAlphabet) -> PreparedText:
    """Stage 2: VitsTokenizer.prepare_for_tokenization (normalize=True, phonemize=False), step for
    step, with one shared uroman."""
    original = text
    # normalize_text: at each position keep a vocabulary entry that starts there (the first in
    # vocabulary order, added tokens last), else lower-case the character.
    entries = alphabet.symbols + alphabet.added_tokens
    normalized, i = [], 0
    while i < len(text):
        entry = next((e for e in entries if text.startswith(e, i)), None)
        normalized.append(entry if entry is not None else text[i].lower())
        i += len(entry) if entry is not None else 1
    text = "".join(normalized)
    for old, new in RECIPE_CHARACTER_FIXES.get(alphabet.language or "", {}).items():
        text = text.replace(old, new)
    romanized = alphabet.is_uroman and _NON_ASCII.search(text) is not None
    if romanized:
        text = romanize(text)
    symbols = alphabet.symbol_set
    spoken = "".join(ch for ch in text if ch in symbols).strip()
    dropped = list(dict.fromkeys(ch for ch in text if ch not in symbols and not ch.isspace()))
    return PreparedText(original=original, text=spoken, dropped=dropped, romanized=romanized)


def prepare_for_voice(text: str, alphabet: VoiceAlphabet) -> PreparedText:
    """`text` as the voice reads it: stage 1 (numbers in words, then spellings the alphabet holds), then
    the training recipe. The result may be empty; see `prepare_sentences` for the checked form."""
    spelled, digits_kept = spell_numbers(say_symbols(text, alphabet.language), alphabet.language)
    prepared = training_recipe(fit_spelling(spelled, alphabet), alphabet)
    prepared.original, prepared.digits_kept, prepared.spelled_chars = text, digits_kept, len(spelled)
    return prepared


def prepare_sentences(text: str, alphabet: VoiceAlphabet) -> tuple[list[str], PreparedText]:
    """The sentences to speak, each prepared for the voice, and a summary of the whole.

    Sentences with nothing speakable (no letter or digit the voice has) are skipped (their characters
    are reported as dropped);
    raises UserInputError when no sentence is left.
    """
    parts = [prepare_for_voice(sentence, alphabet) for sentence in split_sentences(text)]
    dropped = list(dict.fromkeys(ch for part in parts for ch in part.dropped))
    # Something to say, not only signs the alphabet happens to hold (the real eng one has ' - – _).
    spoken = [part.text for part in parts if any(unicodedata.category(ch)[0] in "LN" for ch in part.text)]
    if not spoken:
        raise UserInputError(
            f"Nothing in this text can be spoken by this voice: none of its characters ({''.join(dropped[:20])}) "
            "are in the voice's alphabet. Check that the language matches the text."
        )
    romanized = any(part.romanized for part in parts)
    digits_kept = any(part.digits_kept for part in parts)
    spelled = sum(part.spelled_chars for part in parts) + len(parts) - 1
    return spoken, PreparedText(text, " ".join(spoken), dropped, romanized, digits_kept, spelled)


# Sentence ends in Latin, CJK, Arabic and Devanagari scripts (and Armenian, Ethiopic, Burmese).
_SENTENCE_END = re.compile(r"(?<=[.!?。！？؟।॥։።။])\s+|(?<=[。！？])")


def split_sentences(text: str, max_chars: int = 300) -> list[str]:
    """Sentences of `text`; a sentence longer than max_chars is cut again at commas, then at spaces."""
    pieces = []
    for sentence in _SENTENCE_END.split(text):
        sentence = sentence.strip()
        while len(sentence) > max_chars:
            cut = max(sentence.rfind(", ", 0, max_chars), sentence.rfind(" ", 0, max_chars))
            cut = cut if cut > 0 else max_chars
            pieces.append(sentence[: cut + 1].strip())
            sentence = sentence[cut + 1 :].strip()
        if sentence:
            pieces.append(sentence)
    return pieces


# -- Align: the transcript as MMS's alignment text normaliser reads it ---------------------------------------------


@functools.lru_cache(maxsize=1)
def _mms_normaliser_table() -> dict[int, str]:
    """modules/data/mms_text_normalisation.tsv as a str.translate table (a space or nothing per character)."""
    from pathlib import Path

    table = {}
    path = Path(__file__).parent / "data" / "mms_text_normalisation.tsv"
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith(("#", "codepoint")) or not line.strip():
            continue
        codepoint, action, _ = line.split("\t", 2)
        table[int(codepoint[2:], 16)] = " " if action == "space" else ""
    return table


# fairseq norm_config.py `shared_mappping`: a curly apostrophe between two non-spaces is ASCII "'" ("d’un").
_MMS_IN_WORD_APOSTROPHE = re.compile(r"(\S+)[\u201b\u2019\u2018](\S+)")


def normalise_like_mms(text: str) -> str:
    """`text` as MMS's alignment data preparation normalised it (fairseq @728b947 examples/mms/data_prep/
    text_normalization.py, config "*"): NFKC, lower case, a curly apostrophe inside a word made "'", its 252
    punctuation marks and symbols made spaces, its invisible marks and Arabic diacritics deleted, spaces
    collapsed. ASCII "'" and "-" stay, as there ("don't", "e-mail"). Two steps of the original are left out
    on purpose, because Align needs every spoken word: it deletes numbers written in digits (Align spells
    them out, `spell_numbers`) and any "(…)" that holds a digit ("(Sam 23:17)")."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = _MMS_IN_WORD_APOSTROPHE.sub(r"\1'\2", text)
    text = text.translate(_mms_normaliser_table())
    return " ".join(text.split())


# Marks inside a word that don't part it: apostrophes and hyphens between letters ("don't", "e-mail"), and
# decimal or thousands marks between digits ("3.5", "10,000"); a space between digits still parts them.
_WORD_JOINERS = "'’ʼ‘-‐‑"
_NUMBER_JOINERS = ".,'’"


def normalise_for_scoring(text: str) -> str:
    """Both sides of an error rate, made comparable (modules/compare.py): Unicode NFKC (one form for
    composed letters and compatibility characters), case folded, punctuation and symbols (Unicode
    categories P and S) taken out, invisible format characters (Cf: zero-width space, soft hyphen) dropped,
    whitespace collapsed. A joiner inside a word or number is dropped ("don't" -> "dont", "3.5" -> "35");
    any other mark parts words. Letters, marks and digits stay: "Don't, Stop!" and "dont stop" score the
    same; "colour" and "color" do not."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = "".join(char for char in text if unicodedata.category(char) != "Cf")
    kept = []
    for index, char in enumerate(text):
        before, after = text[index - 1 : index], text[index + 1 : index + 2]
        if unicodedata.category(char)[0] not in "PSZC":
            kept.append(char)
        elif (char in _WORD_JOINERS and before.isalnum() and after.isalnum()) or (
            char in _NUMBER_JOINERS and before.isdigit() and after.isdigit()
        ):
            continue
        else:
            kept.append(" ")
    return " ".join("".join(kept).split())
