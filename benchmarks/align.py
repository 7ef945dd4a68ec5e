"""Align benchmark: time and peak memory versus audio length, split into listening (the model's emissions,
shared with Transcribe) and aligning (CTC Viterbi in windows).

    .venv/bin/python -m benchmarks.align                        # base-size MMS (94 M): 1, 10, 60 minutes
    .venv/bin/python -m benchmarks.align --mms-1b --lengths 60  # also the real-size mms-1b-all shape

Listening runs the model (random weights of the real shapes: benchmarks/real_size.py) over real speech.
Aligning runs over emissions of the same size constructed as a trained model would give them (letters
where they are said, blanks between): random weights say nothing, and a free-ended window over them
may consume any amount of text. The transcript is English at ~16 characters a second, as read speech.
Each length runs in its own process so that its peak RSS is its own.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from benchmarks.asr import speech  # noqa: E402
from benchmarks.measure import PeakRSS, in_child  # noqa: E402
from benchmarks.real_size import BASE_WITH_ADAPTERS, MMS_1B, build_mms  # noqa: E402
from modules import align, ctc  # noqa: E402
from modules.models import MMS_ASR_MODEL, ModelCache  # noqa: E402

SENTENCE = "hello this is a test of multilingual speech recognition "  # english.wav says it in 3.5 s


def transcript(seconds: float) -> str:
    return (SENTENCE * int(seconds / 3.5 + 1))[: int(seconds * len(SENTENCE) / 3.5)].rsplit(" ", 1)[0]


def constructed_emissions(frames: int, letters: list[int], vocabulary: int, seed: int = 0) -> np.ndarray:
    """Emissions a trained model would give for `letters` spread over `frames`: each letter for a frame or
    two, blanks between, with noise (random weights can't be aligned meaningfully; their cost is the same)."""
    rng = np.random.default_rng(seed)
    path = np.zeros(frames, dtype=np.int64)
    positions = np.sort(rng.choice(np.arange(1, frames - 1, 2), size=len(letters), replace=False))
    path[positions] = letters
    probabilities = rng.random((frames, vocabulary), dtype=np.float32) * 0.1
    probabilities[np.arange(frames), path] = 0.9
    return np.log(probabilities / probabilities.sum(axis=1, keepdims=True))


def child(model_dir: str, seconds: float) -> None:
    """One measurement in a fresh process: prints a JSON line."""
    cache = ModelCache({MMS_ASR_MODEL: model_dir})
    audio, text = speech(seconds), transcript(seconds)
    align.align(speech(5.0), transcript(5.0), "eng", cache=cache)  # load + warm up
    entry = cache.get(MMS_ASR_MODEL, "ctc")
    vocabulary = entry.processor.tokenizer.get_vocab()
    # Listening: the model's emissions, as Align computes them (shared with Transcribe).
    with PeakRSS() as listening_peak:
        started = time.perf_counter()
        frames = sum(len(chunk) for chunk in ctc.emissions(entry, audio))
        listening = time.perf_counter() - started
    # Aligning: the windowed Viterbi over emissions of the same size, for the transcript's letters.
    words = [[vocabulary[ch] for ch in word] for word in text.split()]
    letters = [token for word in words for token in (*word, vocabulary["|"])][:-1]
    emissions = constructed_emissions(frames, letters, len(vocabulary))
    with PeakRSS() as aligning_peak:
        started = time.perf_counter()
        ctc.force_align(emissions, words, entry.processor.tokenizer.pad_token_id, vocabulary["|"])
        aligning = time.perf_counter() - started
    print(json.dumps({"listening": listening, "aligning": aligning, "words": len(words), "frames": frames,
                      "one_pass_gb": frames * (2 * len(letters) + 1) / 1e9,
                      "listening_extra_mb": listening_peak.extra_mb, "aligning_extra_mb": aligning_peak.extra_mb}))


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
    print(f"{'audio':>7s} {'words':>6s} | {'listening':>9s} {'peak extra':>10s} | {'aligning':>8s} {'peak extra':>10s} "
          f"{'(one pass would need)':>22s} | {'x real time':>11s}")
    for seconds in args.lengths:
        r = in_child("benchmarks.align", model_dir, seconds)
        total = r["listening"] + r["aligning"]
        print(f"{seconds / 60:5.0f}min {r['words']:6d} | {r['listening']:8.1f}s {r['listening_extra_mb']:8.0f}MB | "
              f"{r['aligning']:7.1f}s {r['aligning_extra_mb']:8.0f}MB {r['one_pass_gb']:18.1f} GB | {seconds / total:10.1f}x",
              flush=True)


if __name__ == "__main__":
    main()
