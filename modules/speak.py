"""Text to speech with MMS-TTS (VITS), one checkpoint per language, sentence by sentence."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from modules import languages
from modules.audio import join_with_pauses
from modules.config import UserInputError
from modules.models import ModelCache, default_cache, tts_model_id
from modules.text import PreparedText, prepare_sentences

PAUSE_SECONDS = 0.25  # between sentences
SPEED_RANGE = (0.5, 2.0)
EXPRESSIVENESS_RANGE = (0.0, 1.0)


@dataclass
class Speech:
    waveform: np.ndarray  # float32 mono
    sampling_rate: int
    prepared: PreparedText  # the exact text read, and what was dropped
    sentences: int


def synthesize(
    text: str,
    language: str,
    seed: int = 0,
    speed: float = 1.0,
    expressiveness: float | None = None,
    cache: ModelCache | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> Speech:
    """Speak `text` (already cleaned) with the MMS-TTS voice of `language`.

    speed multiplies the checkpoint's speaking rate; expressiveness is VITS's noise scale
    (None: the checkpoint's own, 0.667 for MMS). Same text + seed + settings give the same audio.
    """
    model_id = tts_model_id(language)
    cache = cache or default_cache()
    if language not in languages.MMS_TTS.codes and not cache.is_allowed(model_id):
        raise UserInputError(f"There is no MMS-TTS voice for {language!r}. Pick a language from the list.")
    if not SPEED_RANGE[0] <= speed <= SPEED_RANGE[1]:
        raise UserInputError(f"Speed must be between {SPEED_RANGE[0]} and {SPEED_RANGE[1]}.")
    if expressiveness is not None and not EXPRESSIVENESS_RANGE[0] <= expressiveness <= EXPRESSIVENESS_RANGE[1]:
        raise UserInputError(f"Expressiveness must be between {EXPRESSIVENESS_RANGE[0]} and {EXPRESSIVENESS_RANGE[1]}.")
    entry = cache.get(model_id, "speak")
    tokenizer, model = entry.processor, entry.model
    vocab = {token for token in tokenizer.get_vocab() if len(token) == 1}
    # Romanise ourselves (one shared uroman) so the tokenizer never builds its own per call.
    sentences, prepared = prepare_sentences(text, vocab, language=language, use_uroman=bool(tokenizer.is_uroman))
    waveforms = []
    with entry.lock, torch.inference_mode():
        # VITS reads these from the model at each forward; set them for this request only.
        model.speaking_rate = model.config.speaking_rate * speed
        model.noise_scale = model.config.noise_scale if expressiveness is None else expressiveness
        torch.manual_seed(seed)  # VITS samples noise: a fixed seed makes output repeatable
        for number, sentence in enumerate(sentences, start=1):
            if progress:
                progress((number - 1) / len(sentences), f"Speaking sentence {number} of {len(sentences)}")
            inputs = tokenizer(sentence, return_tensors="pt")
            waveforms.append(model(**entry.to_model(inputs)).waveform[0].float().cpu().numpy())
    rate = model.config.sampling_rate
    return Speech(join_with_pauses(waveforms, rate, PAUSE_SECONDS), rate, prepared, len(sentences))
