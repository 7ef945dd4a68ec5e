"""Text normalisation and romanisation, shared by Speak and Translate."""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field

from modules.config import UserInputError
from modules.languages import base_code

# Letter variants some MMS-TTS vocabularies spell differently from what people type.
# Romanian: comma-below ș/ț are standard, but the checkpoint knows the cedilla ş/ţ (fairseq #5166).
LETTER_VARIANTS = {
    "ron": {"ș": "ş", "ț": "ţ", "Ș": "Ş", "Ț": "Ţ"},
}
# Typographic punctuation -> the ASCII form vocabularies usually contain.
PUNCTUATION_VARIANTS = {"’": "'", "‘": "'", "ʼ": "'", "“": '"', "”": '"', "–": "-", "—": "-"}


@dataclass
class PreparedText:
    original: str
    text: str  # exactly what the model will read
    dropped: list[str] = field(default_factory=list)  # characters removed, each once, in order of appearance
    romanized: bool = False


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


def romanize(text: str, language: str | None = None) -> str:
    """Latin-script transliteration with uroman (language code helps a few scripts)."""
    return _uromanizer().romanize_string(text, lcode=base_code(language) if language else None)


def prepare_for_vocab(
    text: str, vocab: set[str], *, language: str | None = None, use_uroman: bool = False
) -> PreparedText:
    """Fit `text` to a character vocabulary: romanise if asked, fold case and known variants, drop the rest.

    The result's text may be empty; see `prepare_sentences` for the checked, sentence-by-sentence form.
    """
    original = text
    if use_uroman:
        text = romanize(text, language)
    variants = {**PUNCTUATION_VARIANTS, **LETTER_VARIANTS.get(base_code(language or ""), {})}
    text = "".join(variants.get(ch, ch) for ch in text)
    if not any(ch.isupper() for ch in vocab):
        text = text.lower()
    kept, dropped = [], []
    for ch in text:
        if ch in vocab or ch == " ":
            kept.append(ch)
        elif ch not in dropped:
            dropped.append(ch)
    spoken = re.sub(r"\s+", " ", "".join(kept)).strip()
    return PreparedText(original=original, text=spoken, dropped=dropped, romanized=use_uroman)


def prepare_sentences(
    text: str, vocab: set[str], *, language: str | None = None, use_uroman: bool = False
) -> tuple[list[str], PreparedText]:
    """The sentences to speak, each fitted to the vocabulary, and a summary of the whole.

    Sentences with nothing speakable are skipped (their characters are reported as dropped);
    raises UserInputError when no sentence is left.
    """
    parts = [prepare_for_vocab(s, vocab, language=language, use_uroman=use_uroman) for s in split_sentences(text)]
    dropped = list(dict.fromkeys(ch for part in parts for ch in part.dropped if not ch.isspace()))
    spoken = [part.text for part in parts if part.text]
    if not spoken:
        raise UserInputError(
            f"Nothing in this text can be spoken by this voice: none of its characters ({''.join(dropped[:20])}) "
            "are in the model's alphabet. Check that the language matches the text."
        )
    return spoken, PreparedText(original=text, text=" ".join(spoken), dropped=dropped, romanized=use_uroman)


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
