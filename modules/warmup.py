"""Load each tab's default model and run it once on a second of quiet noise, before users arrive.

On a GPU this moves the cold load and the first CUDA kernel compilation out of the first request.
Off by default on CPU, where loading lazily keeps start-up fast. On ZeroGPU the default models are only
loaded (onto "cuda", which ZeroGPU packs and moves into every GPU call): no model can run outside one.
"""

from __future__ import annotations

import logging
import time

import numpy as np

from modules import identify, speak, transcribe, translate
from modules.audio import SAMPLE_RATE
from modules.config import ModelUnavailableError
from modules.models import DEFAULT_MODELS, ModelCache, default_cache

log = logging.getLogger(__name__)


def warm_up(cache: ModelCache | None = None) -> dict[str, float | str]:
    """Seconds each default model took to load and run once, or why it couldn't be."""
    cache = cache or default_cache()
    noise = (np.random.default_rng(0).standard_normal(SAMPLE_RATE) * 0.01).astype(np.float32)
    steps = {
        "identify": lambda: identify.identify_language(noise, cache=cache),
        "transcribe": lambda: transcribe.transcribe(noise, "eng", cache=cache),
        "speak": lambda: speak.synthesize("hello", "eng", cache=cache),
        "translate": lambda: translate.translate_text("hello", "eng", "fra", cache=cache),
    }
    report: dict[str, float | str] = {}
    for name, step in steps.items():
        started = time.perf_counter()
        try:
            step()
            report[name] = time.perf_counter() - started
        except ModelUnavailableError as error:  # the tab will say so; start anyway
            report[name] = str(error)
        log.info("warm-up %s: %s", name, report[name])
    return report


def start_up(setting: str, cache: ModelCache | None = None) -> dict[str, float | str]:
    """What the server does before it starts taking requests (POLYGLOT_WARMUP), then `cache.start_serving()`."""
    cache = cache or default_cache()
    report: dict[str, float | str] = {}
    if cache.zerogpu and setting.lower() not in ("0", "off", "false", "no"):
        report = load_defaults(cache)
    elif not cache.zerogpu and should_warm_up(setting, cache.device.type):
        report = warm_up(cache)
    cache.start_serving()
    return report


def load_defaults(cache: ModelCache) -> dict[str, float | str]:
    """Seconds each default model took to load, or why it couldn't be."""
    report: dict[str, float | str] = {}
    for model_id, task in DEFAULT_MODELS.items():
        started = time.perf_counter()
        try:
            cache.get(model_id, task)
            report[model_id] = time.perf_counter() - started
        except ModelUnavailableError as error:
            report[model_id] = str(error)
        log.info("loaded %s at start-up: %s", model_id, report[model_id])
    return report


def should_warm_up(setting: str, device_type: str) -> bool:
    """POLYGLOT_WARMUP: "auto" (only on CUDA), "1"/"on", or "0"/"off"."""
    if setting == "auto":
        return device_type == "cuda"
    return setting.lower() in ("1", "on", "true", "yes")
