"""Omnilingual ASR beside MMS on this CPU, in one run: real-size random weights (timings and memory are those of the
real checkpoints' shapes), the same 10 s and 2 min of speech through the app's own Transcribe path (chunked CTC).

    .venv/bin/python -m benchmarks.omnilingual              # CTC 300M, CTC 1B and mms-1b-all, 10 s and 120 s
    .venv/bin/python -m benchmarks.omnilingual --quick      # 10 s only

Each model and length runs in a fresh process, so each peak RSS is its own. Builds the real-size models once under
the temp dir (~1.3 GB, ~3.9 GB and ~3.7 GB). The 1B shape is Meta's `1b` encoder (tests/tiny_models.py REAL): its
Hub id could not be checked here, so the app does not catalogue it; it is measured to size the hardware.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from benchmarks.measure import PeakRSS, in_child  # noqa: E402

WORKDIR = Path(tempfile.gettempdir()) / "polyglot-bench-models"
CTC_1B = dict(hidden_size=1280, num_hidden_layers=48, num_attention_heads=16, intermediate_size=5120)
MODELS = {  # label -> (model id the app loads it as, task)
    "Omnilingual CTC 300M": ("hf-audio/omniasr-ctc-300m-v2", "omni-ctc"),
    "Omnilingual CTC 1B": ("hf-audio/omniasr-ctc-300m-v2", "omni-ctc"),  # the 1B shape under the catalogued id
    "MMS 1B (mms-1b-all)": ("facebook/mms-1b-all", "ctc"),
}


def model_dir(label: str) -> Path:
    from benchmarks.real_size import MMS_1B, build_mms
    from tests.tiny_models import build_omni_ctc

    if label == "MMS 1B (mms-1b-all)":
        return build_mms(WORKDIR / "mms-1b-size", MMS_1B)
    out = WORKDIR / ("omni-ctc-300m-size" if "300M" in label else "omni-ctc-1b-size")
    if not (out / "config.json").is_file():
        build_omni_ctc(out, size={} if "300M" in label else CTC_1B)
    return out


def child(label: str, seconds: float) -> None:
    import torch

    from benchmarks.asr import speech
    from modules import transcribe
    from modules.models import ModelCache

    model_id, task = MODELS[label]
    cache = ModelCache({model_id: str(model_dir(label))})
    clip = speech(seconds)
    language = "eng" if task == "ctc" else "auto"
    with PeakRSS() as peak:
        started = time.perf_counter()
        entry = cache.get(model_id, task)
        loaded = time.perf_counter() - started
        parameters = sum(p.numel() for p in entry.model.parameters())
        started = time.perf_counter()
        transcribe.transcribe(clip, language, model_id, cache=cache)
        took = time.perf_counter() - started
    print(json.dumps(dict(label=label, seconds=seconds, load=loaded, took=took, peak_mb=peak.peak_mb,
                          parameters=parameters, threads=torch.get_num_threads())))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", nargs=2)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.child:
        child(args.child[0], float(args.child[1]))
        return
    lengths = [10.0] if args.quick else [10.0, 120.0]
    for label in MODELS:
        model_dir(label)  # built before any timing
    print(f"{'model':22s} {'parameters':>11s} {'audio':>6s} {'load':>7s} {'transcribe':>11s} {'x real time':>12s} {'peak RSS':>9s}")
    for seconds in lengths:
        for label in MODELS:
            result = in_child("benchmarks.omnilingual", label, seconds)
            print(f"{label:22s} {result['parameters'] / 1e6:10.0f}M {seconds:5.0f}s {result['load']:6.1f}s "
                  f"{result['took']:10.1f}s {result['took'] / seconds:11.2f}x {result['peak_mb'] / 1024:7.1f} GB", flush=True)


if __name__ == "__main__":
    main()
