"""ASR benchmark: adapter switch vs full reload, and chunked transcription time / peak memory vs length.

    .venv/bin/python -m benchmarks.asr            # tiny + wav2vec2-base-size models (~2 min on 2 cores)
    .venv/bin/python -m benchmarks.asr --mms-1b   # also the real-size mms-1b-all shape (builds 3.7 GB once)

Each length runs in its own process so that its peak RSS is its own.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402

from benchmarks.measure import PeakRSS, in_child  # noqa: E402
from benchmarks.real_size import BASE_WITH_ADAPTERS, MMS_1B, build_mms  # noqa: E402
from modules import ctc, transcribe  # noqa: E402
from modules.audio import SAMPLE_RATE, load_audio_16k  # noqa: E402
from modules.models import MMS_ASR_MODEL, ModelCache  # noqa: E402
from tests.tiny_models import build_mms_asr  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[1]


def speech(seconds: float) -> np.ndarray:
    """Real espeak-ng speech from examples/, repeated to the length asked for."""
    clips = [load_audio_16k(str(p)).samples for p in sorted((REPO_ROOT / "examples").glob("*.*")) if p.suffix != ".sh"]
    joined = np.concatenate(clips)
    return np.resize(joined, int(seconds * SAMPLE_RATE))


def adapter_switch_vs_reload(model_dir: Path, label: str, repeats: int) -> None:
    cache = ModelCache({MMS_ASR_MODEL: str(model_dir)})
    clip = speech(1.0)
    transcribe.transcribe(clip, "eng", cache=cache)
    entry = cache.get(MMS_ASR_MODEL, "ctc")
    switches = []
    for i in range(repeats):
        started = time.perf_counter()
        with entry.lock:
            transcribe.apply_adapter(entry, "fra" if i % 2 == 0 else "eng", cache)
        switches.append(time.perf_counter() - started)
    reloads = []
    for i in range(max(2, repeats // 4)):
        cache.evict(MMS_ASR_MODEL)
        started = time.perf_counter()
        entry = cache.get(MMS_ASR_MODEL, "ctc")
        with entry.lock:
            transcribe.apply_adapter(entry, "fra" if i % 2 == 0 else "eng", cache)
        reloads.append(time.perf_counter() - started)
    switch, reload = statistics.median(switches), statistics.median(reloads)
    print(
        f"{label:28s} adapter switch {switch * 1000:8.1f} ms | full reload + adapter {reload * 1000:8.1f} ms"
        f" | reload / switch = {reload / switch:6.1f}x"
    )


def child(model_dir: str, seconds: float, chunk_seconds: float) -> None:
    """One measurement in a fresh process: prints a JSON line."""
    cache = ModelCache({MMS_ASR_MODEL: model_dir})
    audio = speech(seconds)
    transcribe.transcribe(speech(1.0), "eng", cache=cache)  # load + warm up
    with PeakRSS() as peak:
        started = time.perf_counter()
        transcribe.transcribe(audio, "eng", cache=cache, chunk_seconds=chunk_seconds)
        elapsed = time.perf_counter() - started
    print(json.dumps({"seconds": elapsed, "peak_extra_mb": peak.extra_mb, "peak_mb": peak.peak_mb}))


def time_and_memory_vs_length(model_dir: Path, label: str, lengths: list[float]) -> None:
    print(f"\n{label}: chunked ({transcribe.CHUNK_SECONDS:.0f} s chunks + {ctc.CONTEXT_SECONDS:.0f} s context)"
          " vs one pass; peak RSS above the loaded model")
    print(f"{'audio':>8s} {'mode':>9s} {'time':>9s} {'x real time':>12s} {'peak extra':>11s} {'peak RSS':>9s}")
    for seconds in lengths:
        modes = [("chunked", transcribe.CHUNK_SECONDS)]
        if seconds <= 120:
            modes.append(("one pass", 1e9))  # attention memory grows with length squared: not past 2 min
        for mode, chunk in modes:
            result = in_child("benchmarks.asr", model_dir, seconds, chunk)
            print(
                f"{seconds:7.0f}s {mode:>9s} {result['seconds']:8.2f}s {seconds / result['seconds']:11.1f}x"
                f" {result['peak_extra_mb']:9.0f}MB {result['peak_mb']:7.0f}MB"
            )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mms-1b", action="store_true", help="also build and time the real-size mms-1b-all shape")
    parser.add_argument("--lengths", type=float, nargs="+", default=[30, 120, 600])
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "polyglot-bench-models")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], float(args.child[1]), float(args.child[2]))
        return
    import torch

    print(f"torch threads: {torch.get_num_threads()}, device: cpu\n")
    tiny = build_mms_asr(Path(tempfile.mkdtemp()) / "tiny")
    base = build_mms(args.workdir / "mms-base-size", BASE_WITH_ADAPTERS)
    adapter_switch_vs_reload(tiny, "tiny MMS", 40)
    adapter_switch_vs_reload(base, "base-size MMS (94 M)", 20)
    if args.mms_1b:
        started = time.perf_counter()
        big = build_mms(args.workdir / "mms-1b-size", MMS_1B)
        print(f"(mms-1b-size model ready in {time.perf_counter() - started:.0f} s)")
        adapter_switch_vs_reload(big, "mms-1b-all size (965 M)", 10)
    time_and_memory_vs_length(base, "base-size MMS (94 M)", args.lengths)


if __name__ == "__main__":
    main()
