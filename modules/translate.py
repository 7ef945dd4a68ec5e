"""SeamlessM4T-v2: speech or text in, text (and speech) out, from one loaded model for every direction."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch

from modules import budget, gpu, languages, validation, vad
from modules.audio import SAMPLE_RATE, join_with_pauses, split_at_quiet_points
from modules.config import UserInputError
from modules.models import SEAMLESS_MODEL, LoadedModel, ModelCache, default_cache
from modules.subtitles import TimedText
from modules.text import split_sentences

PAUSE_SECONDS = 0.3  # between spoken pieces when joining them
# Beam search with 5 beams, as the official SeamlessM4T-v2 demo: it calls seamless_communication's
# Translator.predict, whose text generation defaults to SequenceGeneratorOptions(beam_size=5)
# (seamless_communication@90e2b57 inference/translator.py). 1 (greedy) is the faster choice offered.
DEFAULT_BEAMS = 5
FASTEST_BEAMS = 1
DEFAULT_MAX_NEW_TOKENS = 256
MAX_NEW_TOKENS_RANGE = (16, 512)
VOCODER_SPEAKERS = 200  # speaker ids of the v2-large unit vocoder (the checkpoint's config is checked per call)

log = logging.getLogger("polyglot")


@dataclass
class Translation:
    text: str
    target_language: str
    waveform: np.ndarray | None = None  # float32 at `sampling_rate`, when speech was asked for
    sampling_rate: int = SAMPLE_RATE
    segments: list[TimedText] = field(default_factory=list)  # speech input: the pieces and their times


@dataclass
class GenerationSettings:
    speech_output: bool = False
    speaker_id: int = 0
    num_beams: int = DEFAULT_BEAMS
    max_new_tokens: int = DEFAULT_MAX_NEW_TOKENS


def _check_language(code: str, catalog: languages.Catalog, role: str) -> None:
    if code not in catalog.codes:
        raise UserInputError(f"{code!r} is not a supported {role} language. Pick one from the list.")


def _factor(given: dict) -> float:
    settings = given["settings"] or GenerationSettings()
    return budget.seamless_factor(settings.num_beams, settings.speech_output)


SEAMLESS_NEEDED = [(SEAMLESS_MODEL, "seamless")]


@gpu.runs_models(
    models=lambda given: SEAMLESS_NEEDED,
    seconds=lambda given: budget.gpu_work("seamless audio second", len(given["samples"]) / SAMPLE_RATE) * _factor(given),
)
def translate_speech(
    samples: np.ndarray,
    target_language: str,
    settings: GenerationSettings | None = None,
    cache: ModelCache | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> Translation:
    """Speech (16 kHz mono) -> `target_language`. Seamless needs no source language for speech.

    Long input is cut into pieces of at most 20 s in the pauses Silero VAD finds (the Seamless
    maintainers advise 15-20 s segments cut by VAD), or at the quietest points where it finds none;
    each piece is translated, then they are joined.
    """
    settings = settings or GenerationSettings()
    entry = _seamless(cache, target_language, settings)
    intervals = vad.speech_intervals(samples) if len(samples) > 20 * SAMPLE_RATE else []
    pieces = vad.pieces_at_pauses(samples, intervals) if intervals else split_at_quiet_points(samples)
    inputs = functools.partial(entry.processor, sampling_rate=SAMPLE_RATE, return_tensors="pt")
    audio = [samples[a:b] for a, b in pieces]
    texts, waveform = _translate_pieces(entry, audio, lambda group: inputs(audio=group), "piece", target_language, settings, progress)
    segments = [TimedText(a / SAMPLE_RATE, b / SAMPLE_RATE, text) for (a, b), text in zip(pieces, texts)]
    return Translation(" ".join(t for t in texts if t), target_language, waveform, SAMPLE_RATE, segments)


@gpu.runs_models(
    models=lambda given: SEAMLESS_NEEDED,
    seconds=lambda given: budget.gpu_work("seamless sentence", len(split_sentences(given["text"]))) * _factor(given),
)
def translate_text(
    text: str,
    source_language: str,
    target_language: str,
    settings: GenerationSettings | None = None,
    cache: ModelCache | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> Translation:
    """Text -> `target_language`, sentence by sentence (the model is trained on sentences)."""
    return _translate_texts(split_sentences(text), "sentence", source_language, target_language, settings, cache,
                            progress)[1]


def translate_cues(
    cues: list[str],
    source_language: str,
    target_language: str,
    settings: GenerationSettings | None = None,
    cache: ModelCache | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> Translation:
    """A subtitle file's cues -> `target_language`, **cue by cue** (each cue its own input, so each keeps its own
    times; a sentence running across cues is translated in parts). The decoder-step budget counts every cue.
    `segments` holds the translated cues in order (times are the caller's)."""
    pieces = [" ".join(cue.split()) for cue in cues]
    texts, translation = _translate_texts(pieces, "subtitle", source_language, target_language, settings, cache, progress)
    translation.segments = [TimedText(0.0, 0.0, text) for text in texts]
    return translation


def _translate_texts(pieces: list[str], unit: str, source_language: str, target_language: str,
                     settings: GenerationSettings | None, cache: ModelCache | None,
                     progress: Callable[[float, str], None] | None) -> tuple[list[str], Translation]:
    """Each piece of text translated as one input: the pieces' translations, in order, and the whole."""
    _check_language(source_language, languages.SEAMLESS_TEXT_IN, "source")
    settings = settings or GenerationSettings()
    entry = _seamless(cache, target_language, settings)
    inputs = functools.partial(entry.processor, src_lang=source_language, padding=True, return_tensors="pt")
    together = SENTENCES_AT_ONCE_ON_GPU if entry.device.type == "cuda" and not settings.speech_output else 1
    texts, waveform = _translate_pieces(
        entry, pieces, lambda group: inputs(text=group), unit, target_language, settings, progress, together
    )
    return texts, Translation(" ".join(t for t in texts if t), target_language, waveform, SAMPLE_RATE)


# On CUDA, text -> text sentences are translated several per `generate`, padded with the attention mask: the
# text encoder gives each sentence exactly its states alone, so the tokens are the same as one at a time
# (tests/test_translate.py, on the CPU). Not speech input: the speech encoder's strided adaptor reads padding
# into a shorter piece's last frame (0.97 off on the tiny model, in transformers 5.23; the same test shows
# it), which would change results. Not speech output either: its vocoder is unchecked for padding. On the
# CPU one at a time, which also lets a stopped request stop between sentences.
SENTENCES_AT_ONCE_ON_GPU = 8


def _translate_pieces(
    entry: LoadedModel,
    pieces: list,
    make_inputs: Callable[[list], dict],
    unit: str,
    target_language: str,
    settings: GenerationSettings,
    progress: Callable[[float, str], None] | None,
    batch_size: int = 1,
) -> tuple[list[str], np.ndarray | None]:
    """Translate the pieces, `batch_size` per model call; the texts, and the speech joined with pauses when
    asked for. `make_inputs(group)` runs the processor on a group of pieces: under the model's lock, because
    the tokenizer keeps the source language as state (`src_lang`) between calls."""
    budget.check_decoder_steps(len(pieces), unit, settings.num_beams, settings.max_new_tokens)
    texts, waveforms = [], []
    for start in range(0, len(pieces), batch_size):
        if progress:
            progress(start / len(pieces), f"Translating {unit} {start + 1} of {len(pieces)}")
        group = pieces[start : start + batch_size]
        group_texts, group_waveforms = _generate(entry, lambda group=group: make_inputs(group), target_language, settings)
        texts += group_texts
        waveforms += group_waveforms
    speech = join_with_pauses(waveforms, SAMPLE_RATE, PAUSE_SECONDS) if settings.speech_output else None
    return texts, speech


def _seamless(cache: ModelCache | None, target_language: str, settings: GenerationSettings) -> LoadedModel:
    catalog = languages.SEAMLESS_SPEECH_OUT if settings.speech_output else languages.SEAMLESS_TEXT_OUT
    _check_language(target_language, catalog, "speech output" if settings.speech_output else "target")
    validation.whole_number("beams", settings.num_beams, FASTEST_BEAMS, DEFAULT_BEAMS)
    validation.whole_number("max_new_tokens", settings.max_new_tokens, *MAX_NEW_TOKENS_RANGE)
    entry = (cache or default_cache()).get(SEAMLESS_MODEL, "seamless")
    # The checkpoint's own vocoder says how many voices it has (200 in v2-large).
    validation.whole_number("speaker", settings.speaker_id, 0, entry.model.config.vocoder_num_spkrs - 1)
    return entry


def _generate(
    entry: LoadedModel, make_inputs: Callable[[], dict], target_language: str, settings: GenerationSettings
) -> tuple[list[str], list[np.ndarray | None]]:
    """One model call over a batch: each piece's translated text, and its speech when asked for."""
    options = dict(
        tgt_lang=target_language,
        generate_speech=settings.speech_output,
        text_num_beams=settings.num_beams,
        text_max_new_tokens=settings.max_new_tokens,
    )
    if settings.speech_output:
        # Without intermediate ids, speech output is a bare (waveform, lengths) tuple with no text.
        options.update(return_intermediate_token_ids=True, speaker_id=settings.speaker_id)
    with entry.lock, torch.inference_mode():
        inputs = entry.to_model(make_inputs())
        try:
            output = entry.model.generate(**inputs, **options)
        except ValueError as error:
            # The checkpoint's own language maps are the last word (e.g. a trimmed local copy).
            # The library's own text lists every code it has; a visitor needs the language's name and what to do.
            log.info("Seamless refused tgt_lang=%s: %s", target_language, error)
            raise UserInputError(
                f"This copy of the translation model can't translate into {languages.language_name(target_language)} "
                f"({target_language}). Choose another language; the Languages tab lists what it translates."
            ) from error
    texts = [entry.processor.decode(sequence, skip_special_tokens=True).strip() for sequence in output.sequences]
    if not settings.speech_output:
        return texts, [None] * len(texts)
    lengths = output.waveform_lengths.reshape(-1).tolist() if output.waveform_lengths is not None else [None] * len(texts)
    return texts, [output.waveform[row, :length].float().cpu().numpy() for row, length in enumerate(lengths)]
