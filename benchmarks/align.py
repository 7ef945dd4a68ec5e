"""Align benchmark: time and peak memory versus audio length, split into listening (the model's emissions,
shared with Transcribe) and aligning (CTC Viterbi in windows).

    .venv/bin/python -m benchmarks.align                        # base-size MMS (94 M): 1, 10, 60 minutes
    .venv/bin/python -m benchmarks.align --mms-1b --lengths 60  # also the real-size mms-1b-all shape

Random weights of the real shapes (tests/tiny_models.py, benchmarks/real_size.py): the path found means
nothing, its cost is the real one. The transcript is English at ~16 characters a second, as read speech.
Each length runs in its own process so that its peak RSS is its own.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from benchmarks.asr import speech  # noqa: E402
from benchmarks.measure import PeakRSS  # noqa: E402
from benchmarks.real_size import BASE_WITH_ADAPTERS, MMS_1B, build_mms  # noqa: E402
from modules import align, ctc  # noqa: E402
from modules.models import MMS_ASR_MODEL, ModelCache  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[1]
SENTENCE = "hello this is a test of multilingual speech recognition "  # english.wav says it in 3.5 s


def transcript(seconds: float) -> str:
    return (SENTENCE * int(seconds / 3.5 + 1))[: int(seconds * len(SENTENCE) / 3.5)].rsplit(" ", 1)[0]


def child(model_dir: str, seconds: float) -> None:
    """One measurement in a fresh process: prints a JSON line."""
    cache = ModelCache({MMS_ASR_MODEL: model_dir})
    audio, text = speech(seconds), transcript(seconds)
    align.align(speech(5.0), transcript(5.0), "eng", cache=cache)  # load + warm up
    aligning = {"seconds": 0.0}
    original = ctc.force_align

    def timed_force_align(*args, **kwargs):
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            aligning["seconds"] = time.perf_counter() - started

    ctc.force_align = timed_force_align
    with PeakRSS() as peak:
        started = time.perf_counter()
        result = align.align(audio, text, "eng", cache=cache)
        elapsed = time.perf_counter() - started
    print(json.dumps({"seconds": elapsed, "align_seconds": aligning["seconds"], "words": len(result.words),
                      "chars": len(text), "peak_extra_mb": peak.extra_mb, "peak_mb": peak.peak_mb}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mms-1b", action="store_true", help="the real-size mms-1b-all shape (builds 3.7 GB once)")
    parser.add_argument("--lengths", type=float, nargs="+", default=[60, 600, 3600])
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "polyglot-bench-models")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], float(args.child[1]))
        return
    import torch

    label, size = ("mms-1b-all size (965 M)", MMS_1B) if args.mms_1b else ("base-size MMS (94 M)", BASE_WITH_ADAPTERS)
    model_dir = build_mms(args.workdir / ("mms-1b-size" if args.mms_1b else "mms-base-size"), size)
    print(f"torch threads: {torch.get_num_threads()}, device: cpu; {label}; windows of {ctc.WINDOW_FRAMES} frames "
          f"past {ctc.ONE_PASS_CELLS:,} cells\n")
    print(f"{'audio':>8s} {'words':>7s} {'total':>9s} {'x real time':>12s} {'of which aligning':>18s} "
          f"{'peak extra':>11s} {'peak RSS':>9s}")
    for seconds in args.lengths:
        command = [sys.executable, "-m", "benchmarks.align", "--child", str(model_dir), str(seconds)]
        out = subprocess.run(command, capture_output=True, text=True, check=True, cwd=REPO_ROOT).stdout
        r = json.loads(out.strip().splitlines()[-1])
        print(f"{seconds / 60:6.0f}min {r['words']:7d} {r['seconds']:8.1f}s {seconds / r['seconds']:11.1f}x "
              f"{r['align_seconds']:17.1f}s {r['peak_extra_mb']:9.0f}MB {r['peak_mb']:7.0f}MB", flush=True)


if __name__ == "__main__":
    main()
