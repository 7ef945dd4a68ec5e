"""Speech detection cost: Silero VAD time per minute of audio, and the work it saves Transcribe.

    .venv/bin/python -m benchmarks.vad

Real espeak-ng speech from examples/ (repeated), and the same with as much silence again spread through it.
"""

from __future__ import annotations

import time

import numpy as np

from benchmarks.asr import speech
from modules import vad
from modules.audio import SAMPLE_RATE


def main() -> None:
    import torch

    print(f"torch threads: {torch.get_num_threads()}, device: cpu, model: silero-vad (the wheel's own)")
    vad.speech_intervals(speech(2.0))  # load once
    print(f"{'audio':>8s} {'VAD time':>9s} {'per audio minute':>17s} {'x real time':>12s} {'left out (half silence)':>24s}")
    for minutes in (1, 10, 60):
        talk = speech(minutes * 30.0)
        # Half speech, half silence: 30 s of speech then 30 s of silence, repeated.
        blocks = [np.concatenate([talk[i : i + 30 * SAMPLE_RATE], np.zeros(30 * SAMPLE_RATE, np.float32)])
                  for i in range(0, len(talk), 30 * SAMPLE_RATE)]
        samples = np.concatenate(blocks)
        started = time.perf_counter()
        intervals = vad.speech_intervals(samples)
        elapsed = time.perf_counter() - started
        condensed = vad.without_long_pauses(samples, intervals)
        print(f"{minutes:6d}min {elapsed:8.2f}s {elapsed / minutes * 1000:14.0f} ms {minutes * 60 / elapsed:11.0f}x "
              f"{condensed.skipped_seconds / (minutes * 60):23.0%}")
    hour = speech(3600.0)
    started = time.perf_counter()
    vad.require_speech(hour)
    found = time.perf_counter() - started
    started = time.perf_counter()
    try:
        vad.require_speech(np.zeros_like(hour) + 1e-4)
    except Exception:  # refused, as it should be
        pass
    refused = time.perf_counter() - started
    print(f"speech check, which stops at the first speech: {found * 1000:.0f} ms for an hour of speech; "
          f"{refused:.1f} s to refuse an hour without speech")


if __name__ == "__main__":
    main()
