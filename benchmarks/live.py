"""Live captions on CPU: how long each streamed piece takes, and so how long after speech its text shows.

    .venv/bin/python -m benchmarks.live            # base-size MMS (94 M), 60 s of speech in pieces
    .venv/bin/python -m benchmarks.live 0.5        # pieces of 0.5 s instead of live.STREAM_SECONDS

The page sends a piece every `live.STREAM_SECONDS`; a word's text first shows when the piece holding it
has been read: latency = up to one piece's time waiting for it + the time to read it. The real-time factor is
the reading time over the audio's duration (below 1: it keeps up).
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402

from benchmarks.asr import speech  # noqa: E402
from benchmarks.real_size import BASE_WITH_ADAPTERS, build_mms  # noqa: E402
from modules import live  # noqa: E402
from modules.models import MMS_ASR_MODEL, ModelCache  # noqa: E402

PIECE_SECONDS = live.STREAM_SECONDS


def main() -> None:
    import sys

    import torch

    piece_seconds = float(sys.argv[1]) if len(sys.argv) > 1 else PIECE_SECONDS
    model_dir = build_mms(Path(tempfile.gettempdir()) / "polyglot-bench-models" / "mms-base-size", BASE_WITH_ADAPTERS)
    cache = ModelCache({MMS_ASR_MODEL: str(model_dir)})
    audio = speech(60.0)
    rate = 48_000
    import soxr

    pcm = (soxr.resample(audio, 16_000, rate) * 32767).astype(np.int16)
    step = int(piece_seconds * rate)
    warm = live.start(MMS_ASR_MODEL, "eng")
    live.add(warm, rate, pcm[:step * 4], cache=cache)  # load
    session = live.start(MMS_ASR_MODEL, "eng")
    times = []
    for start in range(0, len(pcm), step):
        began = time.perf_counter()
        live.add(session, rate, pcm[start : start + step], cache=cache)
        times.append(time.perf_counter() - began)
    held = session.memory_bytes()
    on_disk = (session.folder / "recording.f32").stat().st_size
    began = time.perf_counter()
    live.finish(session, cache=cache)
    final = time.perf_counter() - began
    warm.discard()
    p50, p95 = statistics.median(times), sorted(times)[int(0.95 * len(times))]
    print(f"torch threads: {torch.get_num_threads()}, device: cpu, base-size MMS (94 M), {len(times)} pieces of {piece_seconds} s")
    print(f"reading a piece: median {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, max {max(times) * 1000:.0f} ms "
          f"(real-time factor {p50 / piece_seconds:.2f})")
    print(f"speech -> text shown: at most {piece_seconds + p95:.2f} s at p95 ({piece_seconds} s for the piece + reading it)")
    print(f"stop -> final transcript of the 60 s recording: {final:.1f} s")
    print(f"a session after {session.seconds:.0f} s: {held / 1024:.0f} KB in memory, its recording {on_disk / 2**20:.1f} MB "
          "on disk (deleted at Stop)")


if __name__ == "__main__":
    main()
