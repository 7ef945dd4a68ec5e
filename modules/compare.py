"""Evaluate a language: one clip (or a test set of clips) through every speech-recognition model that has the
language, each result named by its model and revision, timed, and scored against a reference transcript.

Scores are word and character error rates from jiwer (a maintained implementation of the Levenshtein
alignment), after one documented normalisation of both texts (`modules/text.normalise_for_scoring`). For
languages written without spaces between words the character error rate is the main figure (a "word" there
is a whole phrase). Models run one after another, never at once; each request is bounded by the audio it
may send (`POLYGLOT_MAX_COMPARE_SECONDS`, for all models together) and by each model's own limits.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import jiwer
import numpy as np

from modules import batch, gpu, languages, spreadsheet, transcribe
from modules.audio import SAMPLE_RATE, AudioTooLong, load_audio_16k, probe
from modules.config import ModelUnavailableError, UserInputError, load_settings
from modules.models import (
    CATALOG, ENGLISH_ASR_MODEL, MMS_ASR_MODEL, OMNI_CTC_MODELS, OMNI_LLM_MODELS, SEAMLESS_MODEL, W2V_BERT_MODELS,
    ModelCache, default_cache,
)
from modules.request import Budget
from modules.text import normalise_for_scoring

Progress = Callable[[float, str], None]

def _size(model_id: str) -> str:
    """"300M" of hf-audio/omniasr-ctc-300m-v2."""
    return model_id.rsplit("/", 1)[-1].split("-")[2].upper()


# Every speech-recognition model, in the order results are shown, with the short name people see.
ASR_NAMES = {
    MMS_ASR_MODEL: "MMS",
    **{model_id: f"Omnilingual CTC {_size(model_id)}" for model_id in OMNI_CTC_MODELS},
    **{model_id: f"Omnilingual LLM {_size(model_id)}" for model_id in OMNI_LLM_MODELS},
    SEAMLESS_MODEL: "SeamlessM4T v2",
    **{model_id: "Wav2Vec2-BERT" for model_id in W2V_BERT_MODELS},
    ENGLISH_ASR_MODEL: "wav2vec2 base",
}
ASR_MODELS = list(ASR_NAMES)
LOCAL_COPY = "local copy"  # what a model loaded from the operator's directory shows for a revision


@dataclass
class Score:
    wer: float
    cer: float
    reference_words: int
    reference_characters: int
    word_errors: int
    character_errors: int
    # The hypothesis's words against the reference: (words, None) where they agree, else (words, "wrong"
    # / "extra"), and the reference's words it lacks as (words, "missing").
    differences: list[tuple[str, str | None]] = field(default_factory=list)


@dataclass
class ModelResult:
    model_id: str
    language: str  # the model's own id for the language
    revision: str = ""  # the commit the model was loaded from, or LOCAL_COPY
    text: str = ""
    seconds: float | None = None  # transcription only (loading not counted)
    score: Score | None = None
    error: str = ""  # why this model gave no result (the others still ran)


@dataclass
class Comparison:
    language: str
    results: list[ModelResult]
    notes: list[str] = field(default_factory=list)
    main_figure: str = "wer"  # "cer" for languages written without spaces


def models_for(language: str) -> list[tuple[str, str]]:
    """(model id, the model's own id for the language) of every recognition model that has `language`,
    under whichever code it uses for it (a macrolanguage or a member: fas / pes)."""
    found = []
    for model_id in ASR_MODELS:
        codes = transcribe.asr_languages(model_id).matching(language)
        if codes:
            found.append((model_id, codes[0]))
    return found


def score(reference: str, hypothesis: str, language: str | None = None) -> Score:
    """Word and character error rates of `hypothesis` against `reference`, both normalised the same way.
    For a language written without spaces, spaces are not characters to get right (a model may put them
    between characters, or none), so the character rate leaves them out."""
    ref, hyp = normalise_for_scoring(reference), normalise_for_scoring(hypothesis)
    if not ref:
        raise UserInputError(NO_REFERENCE)
    without_spaces = language is not None and main_figure(language) == "cer"
    ref_characters = ref.replace(" ", "") if without_spaces else ref
    if not hyp:  # jiwer needs something on each side; nothing heard is every reference word missed
        words = len(ref.split())
        return Score(1.0, 1.0, words, len(ref_characters), words, len(ref_characters), [(ref, "missing")])
    by_word = jiwer.process_words(ref, hyp)
    by_character = jiwer.process_characters(ref_characters, (hyp.replace(" ", "") or " ") if without_spaces else hyp)
    ref_words, hyp_words = by_word.references[0], by_word.hypotheses[0]
    differences = []
    for chunk in by_word.alignments[0]:
        hyp_part = " ".join(hyp_words[chunk.hyp_start_idx : chunk.hyp_end_idx])
        if chunk.type == "equal":
            differences.append((hyp_part, None))
        elif chunk.type == "substitute":
            differences.append((hyp_part, "wrong"))
        elif chunk.type == "insert":
            differences.append((hyp_part, "extra"))
        else:
            differences.append((" ".join(ref_words[chunk.ref_start_idx : chunk.ref_end_idx]), "missing"))
    word_errors = by_word.substitutions + by_word.deletions + by_word.insertions
    character_errors = by_character.substitutions + by_character.deletions + by_character.insertions
    return Score(by_word.wer, by_character.cer, len(ref_words), len(by_character.references[0]),
                 word_errors, character_errors, differences)


NO_REFERENCE = "The reference transcript has no words once punctuation is set aside. Type what is said."
# About 20 minutes of speech, twice what one comparison may listen to; scoring it takes ~0.05 s (a 10 MB
# reference took 78 s and made 42 MB of marked differences).
MAX_REFERENCE_CHARS = 20_000


def check_reference_length(reference: str, what: str = "The reference transcript") -> None:
    if len(reference) > MAX_REFERENCE_CHARS:
        raise UserInputError(
            f"{what} has {len(reference):,} characters; at most {MAX_REFERENCE_CHARS:,} are accepted (about 20 minutes "
            "of speech). Shorten it to what is said in the recording."
        )


def main_figure(language: str) -> str:
    return "cer" if languages.written_without_spaces(language) else "wer"


def _check_seconds(seconds: float, models: int) -> None:
    if seconds * models > load_settings().max_compare_seconds:
        raise _too_much(f"{seconds:.0f} s", models)


def _too_much(audio: str, models: int) -> UserInputError:
    limit = load_settings().max_compare_seconds
    return UserInputError(
        f"Comparing {models} models on {audio} of audio is more listening than this server does in one request "
        f"({limit:.0f} s). Send up to {limit / models:.0f} s of audio."
    )


def _revision(cache: ModelCache, model_id: str) -> str:
    entry = cache.get(model_id, CATALOG.get(model_id, "ctc"))
    return entry.revision or LOCAL_COPY


def _run(samples: np.ndarray, model_id: str, code: str, cache: ModelCache) -> ModelResult:
    """One model on one clip: loaded first (not timed), then timed. A model that can't run it (unavailable,
    or its checkpoint lacks the language's adapter) is a row saying why; the other models still run."""
    result = ModelResult(model_id, code)
    try:
        result.revision = _revision(cache, model_id)
        started = time.perf_counter()
        result.text = transcribe.transcribe(samples, code, model_id, cache=cache).text
        result.seconds = time.perf_counter() - started
    except (ModelUnavailableError, UserInputError) as error:
        result.error = str(error)
    return result


def _needed(given: dict) -> list[tuple[str, str]]:
    return [(model_id, CATALOG.get(model_id, "ctc")) for model_id, _ in given["models"]]


def _gpu_estimate(seconds_of_audio: float, models: list[tuple[str, str]]) -> float:
    """GPU seconds of every model over `seconds_of_audio`, for ZeroGPU (modules/gpu.py)."""
    return sum(transcribe.model_gpu_work(seconds_of_audio, model_id) for model_id, _ in models)


def compare(
    samples: np.ndarray,
    language: str,
    reference: str = "",
    cache: ModelCache | None = None,
    progress: Progress | None = None,
) -> Comparison:
    """`samples` (16 kHz mono) through every recognition model that has `language` (or AUTO: detected by
    MMS-LID first), one after another; scored when a reference transcript is given."""
    cache = cache or default_cache()
    progress = progress or (lambda fraction, description: None)
    check_reference_length(reference)
    if reference.strip() and not normalise_for_scoring(reference):
        raise UserInputError(NO_REFERENCE)
    notes = []
    if language == transcribe.AUTO:
        progress(0.0, "Identifying the language")
        language, note = transcribe.detect_language(samples, MMS_ASR_MODEL, cache)
        notes.append(note)
    models = _models_or_refuse(language)
    _check_seconds(len(samples) / SAMPLE_RATE, len(models))
    results = _run_models(samples, models, reference, language, cache, progress)
    return Comparison(language, results, notes, main_figure(language))


def _models_or_refuse(language: str) -> list[tuple[str, str]]:
    if language == transcribe.AUTO:
        raise UserInputError("A test set needs its language chosen: detection reads one clip, not a whole set.")
    models = models_for(language)
    if not models:
        raise UserInputError(f"No speech-recognition model here has {_named(language)}. Pick a language from the list.")
    return models


def _named(language: str) -> str:
    """"Name (code)" for a code the app knows; the code alone, quoted, for one it doesn't."""
    try:
        return f"{languages.language_name(language)} ({language})"
    except LookupError:
        return repr(language)


@gpu.runs_models(models=_needed, seconds=lambda given: _gpu_estimate(len(given["samples"]) / SAMPLE_RATE, given["models"]))
def _run_models(
    samples: np.ndarray, models: list[tuple[str, str]], reference: str, language: str,
    cache: ModelCache | None = None, progress: Progress | None = None,
) -> list[ModelResult]:
    """The models one after another (on ZeroGPU in one GPU call, so the times are the models' own)."""
    cache = cache or default_cache()
    results = []
    for number, (model_id, code) in enumerate(models):
        if progress:
            progress(number / len(models), f"Model {number + 1} of {len(models)}: {model_id}")
        result = _run(samples, model_id, code, cache)
        if reference.strip() and not result.error:
            result.score = score(reference, result.text, language)
        results.append(result)
    return results


# -- bring your own test set ---------------------------------------------------------------------------


@dataclass
class TestClip:
    name: str
    path: Path | None
    reference: str
    error: str = ""


@dataclass
class ModelTotals:
    model_id: str
    revision: str
    clips: int = 0  # scored
    reference_words: int = 0
    reference_characters: int = 0
    word_errors: int = 0
    character_errors: int = 0
    seconds: float = 0.0
    failed: int = 0  # clips not scored: refused before any model (unreadable, no transcript) or by this one

    @property
    def wer(self) -> float | None:
        """Errors over all clips divided by all reference words (not a mean of per-clip rates)."""
        return self.word_errors / self.reference_words if self.reference_words else None

    @property
    def cer(self) -> float | None:
        return self.character_errors / self.reference_characters if self.reference_characters else None


@dataclass
class TestSetReport:
    language: str
    totals: list[ModelTotals]
    rows: list[dict]  # one per clip and model: file, model, reference, text, wer, cer, error
    main_figure: str = "wer"


def read_test_set(paths: list[str | Path], workdir: Path, budget: Budget | None = None) -> list[TestClip]:
    """Audio files (or .zip archives of them) and one .tsv naming each file's transcript: two columns, the
    file name and its transcript, with or without a header (Common Voice's "path" and "sentence" columns
    are found by name). Unpacked within `budget` (default: `batch.Limits()`'s)."""
    items = batch.unpack(paths, workdir, budget)
    tables = [item for item in items if item.name.lower().endswith(".tsv") and item.path is not None]
    if len(tables) != 1:
        raise UserInputError(
            f"A test set needs one .tsv file with each clip's transcript (file name, a tab, the transcript); "
            f"{len(tables)} were given."
        )
    references = _read_references(tables[0].path)
    clips = []
    for item in items:
        if item in tables:
            continue
        name = Path(item.name).name
        reference = references.get(name, references.get(Path(name).stem))
        if reference is None:
            clips.append(TestClip(item.name, None, "", f"{name} has no line in {tables[0].name}."))
        elif not normalise_for_scoring(reference):
            clips.append(TestClip(item.name, None, reference, f"{name}'s transcript in {tables[0].name} has no words."))
        else:
            clips.append(TestClip(item.name, item.path, reference, item.error))
    if not any(clip.path for clip in clips):
        raise UserInputError(f"None of the audio files is named in {tables[0].name}; its first column must be the file names.")
    return clips


def _read_references(path: Path) -> dict[str, str]:
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except UnicodeDecodeError:
        raise UserInputError(f"{path.name} is not UTF-8 text.") from None
    for number, line in enumerate(lines, start=1):  # before csv, whose own limit (131,072) fails with _csv.Error
        check_reference_length(line, f"Line {number} of {path.name}")
    rows = list(csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if not rows:
        raise UserInputError(f"{path.name} is empty.")
    file_column, text_column = 0, 1
    header = [cell.strip().lower() for cell in rows[0]]
    if "path" in header and "sentence" in header:
        file_column, text_column, rows = header.index("path"), header.index("sentence"), rows[1:]
    references = {}
    for row in rows:
        if len(row) <= max(file_column, text_column):
            raise UserInputError(f"Each line of {path.name} needs a file name, a tab, and the transcript; one has {row!r}.")
        references[Path(row[file_column].strip()).name] = row[text_column].strip()
    return references


def score_test_set(
    clips: list[TestClip], language: str, cache: ModelCache | None = None, progress: Progress | None = None
) -> TestSetReport:
    """Every clip through every model that has `language`, one model at a time; totals per model."""
    cache = cache or default_cache()
    models = _models_or_refuse(language)
    usable = [clip for clip in clips if clip.path is not None and not clip.error]
    # The compare limit before any decoding: from the files' headers first ...
    claimed = 0.0
    for clip in usable:
        try:
            claimed += probe(str(clip.path)).seconds or 0.0
        except UserInputError as error:
            clip.error = str(error)
    _check_seconds(claimed, len(models))
    # ... then while decoding, each clip within what is left (a header can lie, or say nothing).
    left = load_settings().max_compare_seconds / len(models)
    audio = {}
    for clip in usable:
        if clip.error:
            continue
        try:
            samples = load_audio_16k(str(clip.path), max_seconds=min(left, load_settings().max_transcribe_seconds)).samples
        except AudioTooLong:
            if left >= load_settings().max_transcribe_seconds:
                raise
            # Stopped at what was left: more than the headers said, and more than the limit.
            raise _too_much(f"more than {load_settings().max_compare_seconds / len(models):.0f} s", len(models)) from None
        except UserInputError as error:
            clip.error = str(error)
            continue
        audio[clip.name] = samples
        left -= len(samples) / SAMPLE_RATE
    totals, rows = _score_clips(audio, clips, models, language, cache, progress)
    return TestSetReport(language, totals, rows, main_figure(language))


@gpu.runs_models(
    models=_needed,
    seconds=lambda given: _gpu_estimate(sum(len(s) for s in given["audio"].values()) / SAMPLE_RATE, given["models"]),
)
def _score_clips(
    audio: dict[str, np.ndarray], clips: list[TestClip], models: list[tuple[str, str]], language: str,
    cache: ModelCache | None = None, progress: Progress | None = None,
) -> tuple[list[ModelTotals], list[dict]]:
    """Every decoded clip through each model in turn (on ZeroGPU in one GPU call)."""
    cache = cache or default_cache()
    totals, rows = [], []
    steps, done = len(models) * max(1, len(audio)), 0
    for model_id, code in models:
        total = ModelTotals(model_id, "")
        for clip in clips:
            row = {"file": clip.name, "model": model_id, "reference": clip.reference, "text": "", "wer": None,
                   "cer": None, "error": clip.error}
            if clip.name not in audio:
                total.failed += 1  # refused before any model: its row says why
            else:
                if progress:
                    progress(done / steps, f"{model_id}: {clip.name}")
                done += 1
                result = _run(audio[clip.name], model_id, code, cache)
                total.revision = total.revision or result.revision
                row["text"], row["error"] = result.text, result.error
                if result.error:
                    total.failed += 1
                else:
                    clip_score = score(clip.reference, result.text, language)
                    row["wer"], row["cer"] = clip_score.wer, clip_score.cer
                    total.clips += 1
                    total.seconds += result.seconds
                    total.reference_words += clip_score.reference_words
                    total.reference_characters += clip_score.reference_characters
                    total.word_errors += clip_score.word_errors
                    total.character_errors += clip_score.character_errors
            rows.append(row)
        totals.append(total)
    return totals, rows


def write_report(report: TestSetReport, directory: Path) -> Path:
    """The per-clip rows as a .csv (then the per-model totals)."""
    columns = ("file", "model", "reference", "text", "wer", "cer", "error")
    return spreadsheet.write_rows(directory / f"test-set-{report.language}.csv", [
        columns, *([row[key] for key in columns] for row in report.rows), [],
        ["model", "revision", "clips", "wer", "cer", "seconds", "failed"],
        *([t.model_id, t.revision, t.clips, t.wer, t.cer, round(t.seconds, 2), t.failed] for t in report.totals),
    ])
