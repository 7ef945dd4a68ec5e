"""Spoken language identification with MMS-LID: audio -> ranked languages with probabilities."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from modules.audio import SAMPLE_RATE
from modules.languages import language_name
from modules.models import LID_MODELS, ModelCache, default_cache

DEFAULT_LID_MODEL = LID_MODELS[0]


@dataclass
class LanguageGuess:
    code: str
    name: str
    probability: float


def identify_language(
    samples: np.ndarray, model_id: str = DEFAULT_LID_MODEL, top_k: int = 5, cache: ModelCache | None = None
) -> list[LanguageGuess]:
    """Top-k languages for 16 kHz mono audio, most probable first. Labels are the model's own id2label."""
    entry = (cache or default_cache()).get(model_id, "identify")
    inputs = entry.processor(samples, sampling_rate=SAMPLE_RATE, return_tensors="pt")
    with entry.lock, torch.inference_mode():
        logits = entry.model(**entry.to_model(inputs)).logits[0]
    probabilities = logits.float().softmax(dim=-1).cpu()
    top = probabilities.topk(min(top_k, probabilities.numel()))
    labels = entry.model.config.id2label
    return [
        LanguageGuess(labels[int(index)], language_name(labels[int(index)]), float(probability))
        for probability, index in zip(top.values, top.indices)
    ]
