"""Speech recognition: MMS-1b-all with language adapters, English wav2vec2, Wav2Vec2-BERT CTC, Omnilingual ASR
(CTC and LLM), Seamless ASR.

CTC models (MMS, wav2vec2, W2V-BERT, Omnilingual CTC): the most likely token of each frame of `ctc.emissions`
(bounded chunks with context, so no word is cut or doubled at a boundary), decoded once for the whole clip;
word times from the frames. Seamless and Omnilingual LLM-ASR (both generate text): pieces of at most 20 s cut
in the pauses Silero VAD finds, one timed segment each (Omnilingual was trained on clips of 30 s or less,
and Meta's own pipeline refuses more than 40 s).
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch

from modules import budget, ctc, gpu, identify, languages, vad
from modules.audio import SAMPLE_RATE
from modules.config import ModelUnavailableError, UserInputError
from modules.models import (
    CATALOG,
    MMS_ASR_MODEL,
    OMNI_CTC_MODELS,
    OMNI_LLM_MODELS,
    SEAMLESS_MODEL,
    W2V_BERT_MODELS,
    LoadedModel,
    ModelCache,
    default_cache,
)
from modules.subtitles import TimedText
from modules.translate import DEFAULT_BEAMS, translate_speech

log = logging.getLogger(__name__)

AUTO = "auto"
CHUNK_SECONDS = ctc.CHUNK_SECONDS
# How far down the LID ranking auto-detection looks for a language the ASR model has.
AUTO_DETECT_CANDIDATES = 20

Progress = Callable[[float, str], None]


def asr_languages(model_id: str) -> languages.Catalog:
    """The languages a recognition model can be asked for."""
    if model_id == MMS_ASR_MODEL:
        return languages.MMS_ASR
    if model_id == SEAMLESS_MODEL:
        return languages.SEAMLESS_TEXT_OUT
    if model_id in OMNI_CTC_MODELS or model_id in OMNI_LLM_MODELS:
        return languages.OMNILINGUAL
    return _single_language(W2V_BERT_MODELS.get(model_id, "eng"))  # wav2vec2-base-960h: English


def needs_no_language(model_id: str) -> bool:
    """Omnilingual's CTC models transcribe whatever is spoken: they take no language (Meta's pipeline passes
    none to them; transformers' OmniASRForCTC has no language input)."""
    return model_id in OMNI_CTC_MODELS


@functools.lru_cache(maxsize=None)
def _single_language(code: str) -> languages.Catalog:
    return languages.Catalog([languages.Language(code, languages.language_name(code))])


@dataclass
class Transcript:
    text: str
    language: str
    model_id: str
    words: list[TimedText] = field(default_factory=list)  # CTC models: one entry per word
    segments: list[TimedText] = field(default_factory=list)  # Seamless: one entry per piece of audio
    notes: list[str] = field(default_factory=list)  # e.g. what auto-detection decided


def _detects(given: dict, model_id: str) -> bool:
    return given["language"] == AUTO and not needs_no_language(model_id)


def gpu_needs(given: dict, model_id: str) -> list[tuple[str, str]]:
    """The models a request reading `given["samples"]` with `model_id` loads (modules/gpu.py)."""
    needed = [(model_id, CATALOG.get(model_id, "ctc"))]
    if _detects(given, model_id):
        needed.append((identify.DEFAULT_LID_MODEL, "identify"))
    return needed


def model_gpu_work(seconds: float, model_id: str, per_second: str = "ctc audio second") -> float:
    """GPU seconds of `model_id` over `seconds` of audio (Seamless at Transcribe's default beams)."""
    if model_id == SEAMLESS_MODEL:
        return budget.gpu_work("seamless audio second", seconds) * budget.seamless_factor(DEFAULT_BEAMS, False)
    if model_id in OMNI_LLM_MODELS:
        return budget.gpu_work("omnilingual llm audio second", seconds)
    return budget.gpu_work(per_second, seconds)


def gpu_estimate(given: dict, model_id: str, per_second: str = "ctc audio second") -> float:
    """GPU seconds of such a request: the model over the clip, and detection first when asked for."""
    work = model_gpu_work(len(given["samples"]) / SAMPLE_RATE, model_id, per_second)
    return work + (identify.gpu_estimate(given["samples"]) if _detects(given, model_id) else 0.0)


@gpu.runs_models(
    models=lambda given: gpu_needs(given, given["model_id"]),
    seconds=lambda given: gpu_estimate(given, given["model_id"]),
)
def transcribe(
    samples: np.ndarray,
    language: str = "eng",
    model_id: str = MMS_ASR_MODEL,
    cache: ModelCache | None = None,
    progress: Progress | None = None,
    chunk_seconds: float = CHUNK_SECONDS,
    skip_pauses: bool = False,
) -> Transcript:
    """16 kHz mono audio -> timed text in `language` (or AUTO: detected by MMS-LID first).

    skip_pauses: leave out stretches without speech longer than 2 s (Silero VAD); times stay those of the
    original recording."""
    cache = cache or default_cache()
    progress = progress or (lambda fraction, description: None)
    notes = []
    condensed = None
    if skip_pauses:
        progress(0.0, "Finding the speech")
        intervals = vad.speech_intervals(samples)
        if intervals:
            condensed = vad.without_long_pauses(samples, intervals)
            samples = condensed.samples
            if condensed.skipped_seconds >= 1:
                notes.append(f"Left out {_duration(condensed.skipped_seconds)} without speech.")
    result = _transcribe(samples, language, model_id, cache, progress, chunk_seconds)
    result.notes[:0] = notes
    if condensed is not None:  # times back on the recording's clock, never inside what was left out
        result.words = condensed.original_words(result.words)
        result.segments = condensed.original_segments(result.segments)
    return result


def _duration(seconds: float) -> str:
    minutes, seconds = divmod(round(seconds), 60)
    return f"{minutes} min {seconds} s" if minutes else f"{seconds} s"


def _transcribe(samples, language, model_id, cache, progress, chunk_seconds) -> Transcript:
    notes = []
    if needs_no_language(model_id):
        if language != AUTO and language not in asr_languages(model_id).codes:
            raise UserInputError(f"{model_id} does not know {language!r}. Pick a language from its list.")
        notes.append(f"{_short_name(model_id)} needs no language: it transcribes whatever is spoken"
                     + (" (no detection was run)." if language == AUTO else "; the language chosen only names the files."))
    elif language == AUTO:
        progress(0.0, "Identifying the language")
        language, note = detect_language(samples, model_id, cache)
        notes.append(note)
    elif model_id in CATALOG and language not in asr_languages(model_id).codes:
        raise UserInputError(f"{model_id} does not transcribe {language!r}. Pick a language from its list.")
    if model_id == SEAMLESS_MODEL:
        # Seamless ASR is speech -> text with the target set to the spoken language.
        translation = translate_speech(samples, target_language=language, cache=cache, progress=progress)
        return Transcript(translation.text, language, model_id, [], translation.segments, notes)
    if model_id in OMNI_LLM_MODELS:
        segments = _generate_pieces(cache.get(model_id, "omni-llm"), samples, language, progress)
        return Transcript(" ".join(s.text for s in segments if s.text), language, model_id, [], segments, notes)
    entry = cache.get(model_id, CATALOG.get(model_id, "ctc"))
    with entry.lock:  # the adapter must stay put for every chunk of this request
        if entry.switches_languages:
            apply_adapter(entry, language, cache)
        ids = ctc_ids(entry, samples, chunk_seconds, progress)
        seconds_per_frame = ctc.frame_seconds(entry)
        tokenizer = entry.processor.tokenizer
        if not _has_word_offsets(tokenizer):
            words = ctc.words_from_frames(ids, tokenizer, blank_id(entry), seconds_per_frame)
            return Transcript(readable(tokenizer, tokenizer.decode(ids)), language, model_id, words, [], notes)
        # As transformers' own ASR pipeline decodes CTC ids (tests/test_tasks.py compares the two): with the
        # special tokens, since skipping them before CTC grouping would merge real double letters ...
        decoded = tokenizer.decode(ids, output_word_offsets=True)
        specials = special_tokens(tokenizer)
    # ... and without them afterwards: <s>, </s>, <unk> are not words.
    words = [
        TimedText(offset["start_offset"] * seconds_per_frame, offset["end_offset"] * seconds_per_frame, word)
        for offset in decoded["word_offsets"]
        if (word := specials.sub("", offset["word"]))
    ]
    text = readable(tokenizer, decoded["text"])
    return Transcript(text, language, model_id, words, [], notes)


def _short_name(model_id: str) -> str:
    from modules.compare import ASR_NAMES  # the short names shown everywhere (compare imports this module)

    return ASR_NAMES.get(model_id, model_id)


def _has_word_offsets(tokenizer) -> bool:
    """Wav2Vec2CTCTokenizer gives word offsets; Omnilingual's ParakeetTokenizer has none (transformers 5.24 ignores
    `output_word_offsets`), so its word times come from the frames."""
    return hasattr(tokenizer, "word_delimiter_token")


def blank_id(entry: LoadedModel) -> int:
    """The CTC blank: Omnilingual's is `<s>` (id 0, its config's blank_token_id; its pad is 1), the wav2vec2
    family's is the pad token."""
    blank = getattr(entry.model.config, "blank_token_id", None)
    return blank if blank is not None else entry.processor.tokenizer.pad_token_id


# Omnilingual LLM-ASR pieces: at most this long (trained on 30 s or less; Meta's pipeline refuses over 40 s),
# cut in pauses; and characters of text it may write per second of audio (fast speech is ~15 a second).
OMNI_PIECE_SECONDS = 20.0
OMNI_CHARACTERS_PER_SECOND = 25


def _generate_pieces(entry: LoadedModel, samples: np.ndarray, language: str, progress: Progress) -> list[TimedText]:
    """Omnilingual LLM-ASR: the audio in pieces cut at pauses, each transcribed with the language as its hint,
    one timed segment per piece. Greedy decoding (transformers' default; Meta's pipeline uses 5 beams)."""
    intervals = vad.speech_intervals(samples) if len(samples) > OMNI_PIECE_SECONDS * SAMPLE_RATE else []
    # Without pauses found, each piece is cut at its quietest point within reach.
    pieces = vad.pieces_at_pauses(samples, intervals, max_seconds=OMNI_PIECE_SECONDS)
    tokens = [int((b - a) / SAMPLE_RATE * OMNI_CHARACTERS_PER_SECOND) + 16 for a, b in pieces]
    budget.check_decoder_steps(len(pieces), "piece", 1, max(tokens))
    segments = []
    for number, (start, end) in enumerate(pieces):
        progress(number / len(pieces), f"Transcribing piece {number + 1} of {len(pieces)}")
        with entry.lock, torch.inference_mode():
            inputs = entry.processor.apply_transcription_request(
                samples[start:end], language=language, return_tensors="pt")
            prompt = inputs["input_ids"].shape[1]
            output = entry.model.generate(**entry.to_model(inputs), max_new_tokens=tokens[number])
            text = entry.processor.decode(output[:, prompt:], skip_special_tokens=True)[0]
        segments.append(TimedText(start / SAMPLE_RATE, end / SAMPLE_RATE, " ".join(text.split())))
    return segments


def readable(tokenizer, decoded: str) -> str:
    """Decoded CTC text without the special tokens, spaces collapsed (Transcribe and live captions)."""
    return " ".join(special_tokens(tokenizer).sub("", decoded).split())


def special_tokens(tokenizer) -> re.Pattern:
    """The tokenizer's special tokens (<s>, </s>, <unk>, <pad>) as one pattern, longest first."""
    return re.compile("|".join(re.escape(token) for token in sorted(tokenizer.all_special_tokens, key=len, reverse=True)))


def detect_language(samples: np.ndarray, model_id: str, cache: ModelCache) -> tuple[str, str]:
    """The most likely language that `model_id` can transcribe, and a note saying how it was chosen."""
    supported = asr_languages(model_id)
    if len(supported) == 1:
        only = supported[0]
        return only.code, f"{model_id} only transcribes {only.name}; language detection was skipped."
    available = checkpoint_languages(model_id, cache)
    guesses = identify.identify_language(samples, top_k=AUTO_DETECT_CANDIDATES, cache=cache).guesses
    top = guesses[0]
    for guess in guesses:
        # LID labels are ISO 639-3; ASR ids may add a script or dialect (cmn -> cmn-script_simplified)
        # or name the language by its macrolanguage or a member (fas / pes).
        chosen = next((code for code in supported.matching(guess.code) if code in available), None)
        if chosen is None:
            continue
        if guess is top:
            return chosen, f"Detected {top.name} ({top.code}, {top.probability:.0%})."
        return chosen, (
            f"Detected {top.name} ({top.code}, {top.probability:.0%}), which this model can't transcribe; "
            f"using {guess.name} ({chosen}, {guess.probability:.0%}), the most likely language it has."
        )
    fallback = "eng" if "eng" in available else sorted(available)[0]
    return fallback, (
        f"Detected {top.name} ({top.code}, {top.probability:.0%}); none of the {len(guesses)} most likely "
        f"languages can be transcribed by this model, so {languages.language_name(fallback)} was used. "
        "Choose the language by hand."
    )


def checkpoint_languages(model_id: str, cache: ModelCache) -> set[str]:
    """Catalogued languages that the checkpoint itself has (its adapter vocabularies / language tokens)."""
    catalog = asr_languages(model_id).codes
    entry = cache.get(model_id, CATALOG.get(model_id, "ctc"))
    if model_id == SEAMLESS_MODEL:
        own = set(getattr(entry.model.generation_config, "text_decoder_lang_to_code_id", {}) or {})
    elif model_id in OMNI_LLM_MODELS:  # its language tokens, <|lang:xxx_xxxx|> in lower case
        tokens = set(entry.processor.tokenizer.get_vocab())
        own = {code for code in catalog if f"<|lang:{code.lower()}|>" in tokens}
    else:
        vocab = entry.processor.tokenizer.vocab  # MMS: {language: {token: id}}
        own = {key for key, value in vocab.items() if isinstance(value, dict)}
    return (own & catalog) or catalog


def ctc_ids(entry: LoadedModel, samples: np.ndarray, chunk_seconds: float, progress: Progress) -> list[int]:
    """Greedy CTC ids for the whole clip: one per output frame."""
    return torch.cat([chunk.argmax(dim=-1) for chunk in ctc.emissions(entry, samples, chunk_seconds, progress)]).tolist()


def apply_adapter(entry: LoadedModel, language: str, cache: ModelCache) -> None:
    """Switch the MMS head + adapter layers and the tokenizer vocabulary to `language` (caller holds the lock).

    Only the ~2 M adapter weights change; the 1B base stays loaded. An adapter not yet on this server is
    downloaded first (~10 MB), at the base model's commit, with its progress on the request's line.
    """
    current = entry.state.get("adapter")
    if current == language:
        return
    tokenizer = entry.processor.tokenizer
    previous = tokenizer.target_lang  # what the weights are now: the last adapter, or the checkpoint's own head
    try:
        tokenizer.set_target_lang(language)
    except ValueError as error:
        raise UserInputError(f"{entry.model_id} has no vocabulary for {language!r}.") from error
    try:
        # From the base model's own commit; adapter.<lang>.safetensors, else adapter.<lang>.bin through
        # torch's weights_only loader (transformers' load_adapter with use_safetensors unset).
        cache.fetch_adapter(entry, language)
        entry.model.load_adapter(language, **entry.source_options)
    except BaseException as error:
        # Whatever stopped the switch (a failed download, a cancelled request, a bad file): the tokenizer goes
        # back to what the weights still are, so the next request reads the alphabet it gets.
        tokenizer.set_target_lang(previous)
        if not isinstance(error, (OSError, ValueError)):
            raise
        log.warning(
            "%s: adapter for %s can't be loaded from %s (revision %s): %s",
            entry.model_id, language, entry.model.config._name_or_path, entry.revision, error,
        )
        raise ModelUnavailableError(
            f"The {languages.language_name(language)} ({language}) part of {entry.model_id} isn't available on "
            "this server right now. Please try another language or model."
        ) from error
    entry.state["adapter"] = language
