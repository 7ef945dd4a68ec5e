"""Align: when each word (and letter) of a known transcript is said, with MMS's per-language vocabulary.

The audio's per-frame emissions come from `ctc.emissions` (the same chunking as Transcribe) with the
language's adapter of facebook/mms-1b-all; `ctc.force_align` finds the best path through the
transcript's letters. The transcript is read as MMS's alignment
text normaliser reads it (`text.normalise_like_mms`: fairseq @728b947 examples/mms/data_prep/
text_normalization.py and norm_config.py: NFKC, lower case, its 252 punctuation marks and symbols out,
apostrophes and hyphens inside words kept), with words separated by "|", the tokenizer's word delimiter
(tokenizer_config.json, tests/tiny_models.py REAL). The real alphabets hold punctuation the normaliser
removes (tokens.txt of facebook/mms-cclms, ../shared/reference/alphabets), so a mark is never aligned as a
letter. tests/test_align.py compares the ids with Wav2Vec2CTCTokenizer's own; what the user typed is what
the results show.

Words whose letters the vocabulary lacks: numbers are spelled out (the shared `text.spell_numbers`);
other spellings of a letter the vocabulary holds are used (`text.fit_spelling`); then uroman, when
the romanised word is all in the vocabulary; otherwise the missing letters are read as <unk> and the
word is marked approximate.

Scores: a word's score is the mean probability the model gave its letters over their frames. The
thresholds below are NOT calibrated (the tests run on random weights): they await measurements on the
real model; README "Align" says so.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from modules import ctc, gpu, text, transcribe
from modules.config import UserInputError
from modules.models import CATALOG, MMS_ASR_MODEL, OMNI_CTC_MODELS, ModelCache, default_cache
from modules.subtitles import TimedText

# An hour of speech is ~9,000-12,000 words (150-200 a minute), 60,000-80,000 characters.
MAX_TRANSCRIPT_CHARS = 100_000
LOW_SCORE = 0.4  # a word scoring below this is flagged (uncalibrated, see above)
MOSTLY_LOW = 0.5  # this share of flagged words means the transcript doesn't fit the audio

ROMANISED = "romanised"
APPROXIMATE = "approximate"

Progress = Callable[[float, str], None]


@dataclass
class AlignedWord:
    text: str  # as the user wrote it (with any punctuation that follows)
    start: float
    end: float
    score: float
    low: bool  # score below LOW_SCORE
    how: str = ""  # "", ROMANISED (read through uroman) or APPROXIMATE (letters read as <unk>)
    read_as: str = ""  # the letters aligned
    characters: list[TimedText] = field(default_factory=list)


@dataclass
class Alignment:
    words: list[AlignedWord]
    language: str
    model_id: str
    notes: list[str] = field(default_factory=list)
    mismatch: bool = False  # most words fit poorly: the timings are not to be trusted

    @property
    def timed_words(self) -> list[TimedText]:
        return [TimedText(word.start, word.end, word.text) for word in self.words]

    def details(self) -> dict:
        """Everything, for the .json download."""
        return {
            "language": self.language,
            "model": self.model_id,
            "low_score_threshold": LOW_SCORE,
            "transcript_fits_audio": not self.mismatch,
            "notes": self.notes,
            "words": [
                {"text": w.text, "start": round(w.start, 3), "end": round(w.end, 3), "score": round(w.score, 3),
                 "low_score": w.low, "read_as": w.read_as, "how": w.how or "as written",
                 "characters": [{"text": c.text, "start": round(c.start, 3), "end": round(c.end, 3)} for c in w.characters]}
                for w in self.words
            ],
        }


@dataclass
class _Word:
    text: str
    letters: str  # what is aligned ("|" separates the words of a spelled-out number)
    how: str = ""


def read_transcript(transcript: str, vocabulary: dict[str, int], language: str) -> list[_Word]:
    """The transcript's words, each with the letters of `vocabulary` that read it."""
    alphabet = text.VoiceAlphabet(symbols=tuple(vocabulary))
    words: list[_Word] = []
    pending = ""  # punctuation before the first word
    for written in transcript.split():
        spoken, _ = text.spell_numbers(unicodedata.normalize("NFKC", written), language)
        # Punctuation out as MMS's normaliser takes it out: the real alphabets hold . , : ; ! ? % " and more
        # (facebook/mms-cclms mms-1b-all/ces/tokens.txt), which the model almost never emits for a frame.
        spoken = text.fit_spelling(text.normalise_like_mms(spoken), alphabet)
        letters, missing = _letters(spoken, vocabulary)
        how = ""
        if missing:
            romanised, still_missing = _letters(text.romanize(spoken), vocabulary)
            if romanised and not still_missing:
                letters, how = romanised, ROMANISED
            else:
                letters, how = _with_unknown(spoken, vocabulary), APPROXIMATE
        if not letters.replace("|", ""):
            # Only punctuation or symbols: nothing is said; it stays with the word before it.
            if words:
                words[-1].text += " " + written
            else:
                pending += written + " "
            continue
        words.append(_Word(pending + written, letters, how))
        pending = ""
    if not words:
        raise UserInputError("The transcript has no words to align. Type or paste what is said in the audio.")
    return words


def _letters(word: str, vocabulary: dict[str, int]) -> tuple[str, bool]:
    """The word's letters as the vocabulary holds them (lower case where only that is there), words of a
    spelled-out number joined by "|"; and whether a letter (or digit) was missing."""
    kept, missing = [], False
    for ch in word:
        # A hyphen stays inside a word as MMS's normaliser keeps it ("e-mail"), when the alphabet has one.
        if ch.isspace() or (ch == "-" and "-" not in vocabulary):
            if kept and kept[-1] != "|":
                kept.append("|")
            continue
        form = ch if ch in vocabulary else ch.lower()
        if form in vocabulary and form != "|":
            kept.append(form)
        elif unicodedata.category(ch)[0] in "LMN":
            missing = True
    return "".join(kept).strip("|"), missing


def _with_unknown(word: str, vocabulary: dict[str, int]) -> str:
    out = []
    for ch in word:
        form = ch if ch in vocabulary else ch.lower()
        if form in vocabulary and form != "|":
            out.append(form)
        elif unicodedata.category(ch)[0] in "LMN" and (not out or out[-1] != "\0"):
            out.append("\0")  # one <unk> for each run of missing letters
    return "".join(out)


def judge(words: list[AlignedWord]) -> tuple[bool, list[str]]:
    """Whether the transcript fits the audio (False when most words score low), and what to tell the user."""
    notes = []
    low = sum(word.low for word in words)
    mismatch = low >= MOSTLY_LOW * len(words)
    if mismatch:
        notes.append(
            f"{low} of {len(words)} words fit the audio poorly: the transcript may not be what is said here, or the "
            "language may be wrong. Don't rely on these timings."
        )
    elif low:
        notes.append(f"{low} of {len(words)} words fit the audio poorly; they are marked in the table.")
    for how, said in ((ROMANISED, "read through uroman (Latin letters)"),
                      (APPROXIMATE, "aligned approximately (letters this language's vocabulary lacks)")):
        marked = [word.text for word in words if word.how == how]
        if marked:
            listed = ", ".join(marked[:10]) + (f" and {len(marked) - 10} more" if len(marked) > 10 else "")
            notes.append(f"{len(marked)} word(s) {said}: {listed}.")
    return mismatch, notes


# The CTC models whose vocabulary is characters, so they can spell a transcript: MMS (per-language adapters) and
# Omnilingual CTC (one vocabulary of ~10,000 characters for every language; its word boundary is a space).
ALIGN_MODELS = [MMS_ASR_MODEL, *OMNI_CTC_MODELS]


def _alignment_vocabulary(tokenizer) -> dict[str, int]:
    """The characters the model can be aligned to, its word boundary named "|" (MMS's own; Omnilingual's is " ")."""
    specials = set(tokenizer.all_special_tokens)
    vocabulary = {}
    for token, index in tokenizer.get_vocab().items():
        if token == " ":
            vocabulary["|"] = index
        elif token not in specials or token == "|":
            vocabulary.setdefault(token, index)
    return vocabulary


@gpu.runs_models(
    models=lambda given: transcribe.gpu_needs(given, given["model_id"]),
    seconds=lambda given: transcribe.gpu_estimate(given, given["model_id"], "align audio second"),
)
def align(
    samples: np.ndarray,
    transcript: str,
    language: str = "eng",
    cache: ModelCache | None = None,
    progress: Progress | None = None,
    model_id: str = MMS_ASR_MODEL,
) -> Alignment:
    """16 kHz mono audio + what is said in it -> every word's start, end and score."""
    cache = cache or default_cache()
    progress = progress or (lambda fraction, description: None)
    if model_id not in ALIGN_MODELS:
        raise UserInputError(f"Align works with {', '.join(ALIGN_MODELS)}; {model_id!r} is not one of them.")
    transcript = text.clean_text(transcript, MAX_TRANSCRIPT_CHARS)
    notes = []
    catalog = transcribe.asr_languages(model_id)
    if language == transcribe.AUTO:
        # Omnilingual needs no language to listen, but numbers are spelled and letters romanised in the language.
        progress(0.0, "Identifying the language")
        language, note = transcribe.detect_language(samples, model_id, cache)
        notes.append(note)
    elif language not in catalog.codes:
        raise UserInputError(f"{model_id} does not know {language!r}. Pick a language from its list.")
    entry = cache.get(model_id, CATALOG[model_id])
    with entry.lock:  # the adapter must stay put while the audio is read
        if entry.switches_languages:
            transcribe.apply_adapter(entry, language, cache)
        tokenizer = entry.processor.tokenizer
        vocabulary = _alignment_vocabulary(tokenizer)
        words = read_transcript(transcript, vocabulary, language)
        token_words = [
            [tokenizer.unk_token_id if ch == "\0" else vocabulary[ch] for ch in word.letters] for word in words
        ]
        blank, separator = transcribe.blank_id(entry), vocabulary.get("|")
        # Only the columns the path can use: an hour is then ~180,000 x (letters + 3) floats, not x vocabulary.
        columns = sorted({blank, tokenizer.unk_token_id, *(t for tokens in token_words for t in tokens)} | ({separator} - {None}))
        log_probs = np.concatenate([
            chunk[:, columns].numpy()
            for chunk in ctc.emissions(entry, samples, progress=lambda f, d: progress(0.8 * f, d), what="Listening to")
        ])
        seconds = ctc.frame_seconds(entry)
    column_of = {token: index for index, token in enumerate(columns)}
    try:
        spans = ctc.force_align(
            log_probs, [[column_of[t] for t in tokens] for tokens in token_words], column_of[blank],
            None if separator is None else column_of[separator],
            progress=lambda f, d: progress(0.8 + 0.2 * f, d),
        )
    except ctc.AlignmentError as error:
        raise UserInputError(
            f"This transcript can't be aligned with this audio: {error}. Check that the transcript is what is "
            "said in the recording, all of it and nothing more."
        ) from error
    names = {index: token for token, index in vocabulary.items()} | {tokenizer.unk_token_id: "?"}
    aligned = []
    for word, word_spans in zip(words, spans):
        letter_spans = [span for span in word_spans if columns[span.token] != separator]
        score = float(np.mean([span.score for span in letter_spans]))
        aligned.append(AlignedWord(
            text=word.text, start=word_spans[0].start * seconds, end=word_spans[-1].end * seconds, score=score,
            low=score < LOW_SCORE, how=word.how, read_as=word.letters.replace("\0", "?").replace("|", " "),
            characters=[TimedText(s.start * seconds, s.end * seconds, names[columns[s.token]]) for s in letter_spans],
        ))
    mismatch, verdict = judge(aligned)
    notes += verdict
    return Alignment(aligned, language, model_id, notes, mismatch)
