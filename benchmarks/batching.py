"""Chunks one at a time vs several per forward (`ctc.emissions(batch_size=…)`), on this machine's device.

    .venv/bin/python -m benchmarks.batching          # base-size MMS (94 M), 2 minutes of speech, CPU

On CPU the app reads one chunk at a time; on CUDA `ctc.batch_size_for` sets the batch from free memory.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from benchmarks.asr import speech  # noqa: E402
from benchmarks.real_size import BASE_WITH_ADAPTERS, build_mms  # noqa: E402
from modules import ctc  # noqa: E402
from modules.models import MMS_ASR_MODEL, ModelCache  # noqa: E402


def main(seconds: float = 120.0) -> None:
    import torch

    model_dir = build_mms(Path(tempfile.gettempdir()) / "polyglot-bench-models" / "mms-base-size", BASE_WITH_ADAPTERS)
    entry = ModelCache({MMS_ASR_MODEL: str(model_dir)}).get(MMS_ASR_MODEL, "ctc")
    audio = speech(seconds)
    list(ctc.emissions(entry, audio[: 16000 * 30]))  # warm up
    print(f"torch threads: {torch.get_num_threads()}, device: {entry.device}, base-size MMS (94 M), {seconds:.0f} s of speech")
    times = {}
    for size in (1, 2, 4, 1):
        started = time.perf_counter()
        list(ctc.emissions(entry, audio, batch_size=size))
        times.setdefault(size, []).append(time.perf_counter() - started)
    for size, measured in times.items():
        print(f"batch of {size}: {min(measured):.2f} s ({seconds / min(measured):.1f}x real time)")


if __name__ == "__main__":
    main()
