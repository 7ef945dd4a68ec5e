"""Many files at once: throughput (hours of audio per hour) for 20 files through Transcribe's batch path.

    .venv/bin/python -m benchmarks.batch          # base-size MMS (94 M), 20 files of 30 s of speech
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import soundfile  # noqa: E402

from benchmarks.asr import speech  # noqa: E402
from benchmarks.real_size import BASE_WITH_ADAPTERS, build_mms  # noqa: E402
from modules import batch  # noqa: E402
from modules.models import MMS_ASR_MODEL, ModelCache  # noqa: E402


def main(files: int = 20, seconds: float = 30.0) -> None:
    import torch

    model_dir = build_mms(Path(tempfile.gettempdir()) / "polyglot-bench-models" / "mms-base-size", BASE_WITH_ADAPTERS)
    cache = ModelCache({MMS_ASR_MODEL: str(model_dir)})
    workdir = Path(tempfile.mkdtemp(prefix="polyglot-batch-bench-"))
    audio = speech(seconds * files)
    paths = []
    for number in range(files):
        path = workdir / f"clip{number:02d}.flac"
        soundfile.write(str(path), audio[int(number * seconds * 16000) : int((number + 1) * seconds * 16000)], 16000)
        paths.append(path)
    batch.run(batch.unpack(paths[:1], workdir / "u"), batch.TRANSCRIBE, MMS_ASR_MODEL, "eng", cache=cache)  # load
    started = time.perf_counter()
    rows = batch.run(batch.unpack(paths, workdir / "u"), batch.TRANSCRIBE, MMS_ASR_MODEL, "eng", cache=cache)
    elapsed = time.perf_counter() - started
    audio_hours = sum(row.seconds for row in rows) / 3600
    print(f"torch threads: {torch.get_num_threads()}, device: cpu, base-size MMS (94 M)")
    print(f"{files} files x {seconds:.0f} s: {elapsed:.1f} s, {audio_hours / (elapsed / 3600):.1f} hours of audio per hour, "
          f"errors: {sum(bool(row.error) for row in rows)} (speech check and decoding included)")


if __name__ == "__main__":
    main()
