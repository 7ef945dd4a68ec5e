"""Decoding under the limits: time and peak memory growth for long and hostile audio files.

    .venv/bin/python -m benchmarks.decode

Files, made here with ffmpeg: 58 minutes of compressed silence (Opus in WebM, ~2 MB: a "decompression
bomb" to anything that decodes before checking), and an hour of 48 kHz stereo FLAC. Each is loaded the
way Identify (10 min limit) and Transcribe (1 h limit) do; "whole-file" is what decoding everything at
once, then downmixing and resampling (the previous design) costs for the same FLAC.
"""

from __future__ import annotations

import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks.measure import PeakRSS
from modules.audio import load_audio_16k
from modules.config import UserInputError


def make(path: Path, *arguments: str) -> Path:
    if not path.exists():
        subprocess.run(["ffmpeg", "-v", "error", "-y", *arguments, str(path)], check=True)
    return path


def measure(label: str, call) -> None:
    started = time.perf_counter()
    with PeakRSS() as peak:
        try:
            result = call()
            outcome = f"{len(result.samples) / 16000:,.0f} s at 16 kHz" if hasattr(result, "samples") else "done"
        except UserInputError as error:
            outcome = "refused: " + str(error).split(";")[0]
    print(f"  {label:48s} {time.perf_counter() - started:7.2f} s  peak +{peak.extra_mb:7.1f} MB  {outcome}")


def whole_file(path: Path):
    """The previous design: decode everything, downmix in float64, resample in one call."""
    import soundfile
    import soxr

    samples, rate = soundfile.read(str(path), dtype="float32", always_2d=True)
    mono = samples.mean(axis=1, dtype=np.float64).astype(np.float32)
    return soxr.resample(mono, rate, 16000, quality="HQ")  # what librosa.resample(res_type="soxr_hq") runs


def main() -> None:
    work = Path(tempfile.gettempdir()) / "polyglot-bench-audio"
    work.mkdir(exist_ok=True)
    # 58 minutes: under Transcribe's hour, so it is decoded there, and far over Identify's 10 minutes.
    bomb = make(work / "58-minutes-of-silence.webm", "-f", "lavfi", "-i", "anullsrc=r=48000:cl=mono", "-t", "3480",
                "-c:a", "libopus", "-b:a", "6k")
    flac = make(work / "hour-48k-stereo.flac", "-f", "lavfi", "-i", "sine=f=220:r=48000", "-t", "3600", "-ac", "2")
    print(f"files: {bomb.name} {bomb.stat().st_size / 2**20:.1f} MB, {flac.name} {flac.stat().st_size / 2**20:.1f} MB")
    measure("Opus 58 min, 10 min limit (Identify)", lambda: load_audio_16k(str(bomb), 600))
    measure("Opus 58 min, 1 h limit (Transcribe)", lambda: load_audio_16k(str(bomb), 3600))
    measure("FLAC 1 h 48 kHz stereo, 10 min limit", lambda: load_audio_16k(str(flac), 600))
    measure("FLAC 1 h 48 kHz stereo, 1 h limit (streaming)", lambda: load_audio_16k(str(flac), 3600))
    measure("FLAC 1 h 48 kHz stereo, whole-file (before)", lambda: whole_file(flac))


if __name__ == "__main__":
    main()
