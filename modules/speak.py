"""Text to speech with MMS-TTS (VITS), one checkpoint per language."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from modules import languages
from modules.config import UserInputError
from modules.models import ModelCache, default_cache, tts_model_id
from modules.text import PreparedText, prepare_for_vocab


@dataclass
class Speech:
    waveform: np.ndarray  # float32 mono
    sampling_rate: int
    prepared: PreparedText  # the exact text read, and what was dropped


def synthesize(text: str, language: str, seed: int = 0, cache: ModelCache | None = None) -> Speech:
    """Speak `text` (already cleaned) with the MMS-TTS voice of `language`."""
    model_id = tts_model_id(language)
    cache = cache or default_cache()
    if language not in languages.codes(languages.MMS_TTS) and not cache.is_allowed(model_id):
        raise UserInputError(f"There is no MMS-TTS voice for {language!r}. Pick a language from the list.")
    entry = cache.get(model_id, "speak")
    tokenizer = entry.processor
    vocab = {token for token in tokenizer.get_vocab() if len(token) == 1}
    # Romanise ourselves (one shared uroman) so the tokenizer never builds its own per call.
    prepared = prepare_for_vocab(text, vocab, language=language, use_uroman=bool(tokenizer.is_uroman))
    inputs = tokenizer(prepared.text, return_tensors="pt")
    with entry.lock, torch.inference_mode():
        torch.manual_seed(seed)  # VITS samples noise: a fixed seed makes output repeatable
        waveform = entry.model(**entry.to_model(inputs)).waveform[0]
    return Speech(waveform.float().cpu().numpy(), entry.model.config.sampling_rate, prepared)
