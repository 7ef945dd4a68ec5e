"""Spoken language identification with MMS-LID: audio -> ranked languages with probabilities."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from modules import budget, gpu
from modules.audio import SAMPLE_RATE
from modules.languages import language_name
from modules.models import LID_MODELS, ModelCache, default_cache

DEFAULT_LID_MODEL = LID_MODELS[0]
# MMS-LID saw utterances of a few to ~30 s; longer input is classified per window and averaged.
WINDOW_SECONDS = 30.0
MAX_WINDOWS = 8
# Below this top probability the answer is shown as a guess, not a result.
CONFIDENT_PROBABILITY = 0.5


@dataclass
class LanguageGuess:
    code: str
    name: str
    probability: float


@dataclass
class Identification:
    guesses: list[LanguageGuess]  # most probable first
    windows: int  # how many windows of WINDOW_SECONDS were averaged (1 = the whole clip)

    @property
    def confident(self) -> bool:
        return bool(self.guesses) and self.guesses[0].probability >= CONFIDENT_PROBABILITY

    @property
    def method(self) -> str:
        if self.windows == 1:
            return "classified the whole clip"
        return f"averaged over {self.windows} windows of {WINDOW_SECONDS:.0f} s spread across the clip"


def window_starts(n_samples: int, window: int, max_windows: int) -> list[int]:
    """Evenly spread window starts covering the clip; bounded so hour-long input costs at most max_windows."""
    if n_samples <= window:
        return [0]
    count = min(max_windows, int(np.ceil(n_samples / window)))
    return [int(round(i * (n_samples - window) / (count - 1))) for i in range(count)]


def gpu_estimate(samples: np.ndarray) -> float:
    """GPU seconds identifying `samples` takes (modules/gpu.py): only the windows read count."""
    return budget.gpu_work("identify audio second", min(len(samples) / SAMPLE_RATE, MAX_WINDOWS * WINDOW_SECONDS))


@gpu.runs_models(
    models=lambda given: [(given["model_id"], "identify")], seconds=lambda given: gpu_estimate(given["samples"])
)
def identify_language(
    samples: np.ndarray, model_id: str = DEFAULT_LID_MODEL, top_k: int = 5, cache: ModelCache | None = None
) -> Identification:
    """Top-k languages for 16 kHz mono audio. Labels are the model's own id2label."""
    entry = (cache or default_cache()).get(model_id, "identify")
    window = int(WINDOW_SECONDS * SAMPLE_RATE)
    starts = window_starts(len(samples), window, MAX_WINDOWS)
    probabilities = []
    for start in starts:
        inputs = entry.processor(samples[start : start + window], sampling_rate=SAMPLE_RATE, return_tensors="pt")
        with entry.lock, torch.inference_mode():
            logits = entry.model(**entry.to_model(inputs)).logits[0]
        probabilities.append(logits.float().softmax(dim=-1).cpu())
    mean = torch.stack(probabilities).mean(dim=0)
    top = mean.topk(min(top_k, mean.numel()))
    labels = entry.model.config.id2label
    guesses = [
        LanguageGuess(labels[int(index)], language_name(labels[int(index)]), float(probability))
        for probability, index in zip(top.values, top.indices)
    ]
    return Identification(guesses, len(starts))
