"""Speech recognition: MMS-1b-all with language adapters, English wav2vec2, Wav2Vec2-BERT CTC, Seamless ASR."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from modules import languages
from modules.audio import SAMPLE_RATE
from modules.config import ModelUnavailableError, UserInputError
from modules.models import (
    CATALOG,
    ENGLISH_ASR_MODEL,
    MMS_ASR_MODEL,
    SEAMLESS_MODEL,
    LoadedModel,
    ModelCache,
    default_cache,
)
from modules.translate import translate_speech

ENGLISH = [languages.Language("eng", "English")]


def asr_languages(model_id: str) -> list[languages.Language]:
    """The languages a recognition model can be asked for."""
    if model_id == MMS_ASR_MODEL:
        return languages.MMS_ASR
    if model_id == SEAMLESS_MODEL:
        return languages.SEAMLESS_TEXT_OUT
    return ENGLISH  # wav2vec2-base-960h and the catalogued Wav2Vec2-BERT fine-tune are English


@dataclass
class Transcript:
    text: str
    language: str
    model_id: str
    notes: list[str] = field(default_factory=list)


def transcribe(
    samples: np.ndarray, language: str = "eng", model_id: str = MMS_ASR_MODEL, cache: ModelCache | None = None
) -> Transcript:
    """16 kHz mono audio -> text in `language` with `model_id`."""
    cache = cache or default_cache()
    if model_id in CATALOG and language not in languages.codes(asr_languages(model_id)):
        raise UserInputError(f"{model_id} does not transcribe {language!r}. Pick a language from its list.")
    if model_id == SEAMLESS_MODEL:
        # Seamless ASR is speech -> text with the target set to the spoken language.
        text = translate_speech(samples, target_language=language, cache=cache).text
        return Transcript(text, language, model_id)
    task = CATALOG.get(model_id, "ctc")
    entry = cache.get(model_id, task)
    inputs = entry.processor(audio=samples, sampling_rate=SAMPLE_RATE, return_tensors="pt")
    with entry.lock:
        if getattr(entry.model.config, "adapter_attn_dim", None):
            _apply_adapter(entry, language)
        with torch.inference_mode():
            logits = entry.model(**entry.to_model(inputs)).logits
        text = entry.processor.batch_decode(logits.argmax(dim=-1).cpu())[0]
    return Transcript(text.strip(), language, model_id)


def _apply_adapter(entry: LoadedModel, language: str) -> None:
    """Switch the MMS head + adapter layers and the tokenizer vocabulary to `language` (caller holds the lock).

    Only the ~2 M adapter weights change; the 1B base stays loaded.
    """
    current = entry.state.get("adapter")
    if current == language:
        return
    tokenizer = entry.processor.tokenizer
    try:
        tokenizer.set_target_lang(language)
    except ValueError as error:
        raise UserInputError(f"{entry.model_id} has no vocabulary for {language!r}.") from error
    try:
        entry.model.load_adapter(language, use_safetensors=True, local_files_only=entry.local_files_only)
    except (OSError, ValueError) as error:
        if current is not None:
            tokenizer.set_target_lang(current)  # keep tokenizer and weights in step
        raise ModelUnavailableError(
            f"The {language} adapter of {entry.model_id} can't be loaded ({error}). "
            "Check that adapter.{language}.safetensors is in the model directory or reachable on the Hub."
        ) from error
    entry.state["adapter"] = language
