"""Load each tab's default model and run it once on a second of quiet noise, before users arrive.

On a GPU this moves the cold load and the first CUDA kernel compilation out of the first request.
Off by default on CPU, where loading lazily keeps start-up fast.
"""

from __future__ import annotations

import logging
import time

import numpy as np

from modules import identify, speak, transcribe, translate
from modules.audio import SAMPLE_RATE
from modules.config import ModelUnavailableError
from modules.models import ModelCache, default_cache

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


def should_warm_up(setting: str, device_type: str) -> bool:
    """POLYGLOT_WARMUP: "auto" (only on CUDA), "1"/"on", or "0"/"off"."""
    if setting == "auto":
        return device_type == "cuda"
    return setting.lower() in ("1", "on", "true", "yes")
