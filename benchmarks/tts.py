"""TTS benchmark: synthesis time per second of audio, cache miss (load) vs hit cost, and 8 sentences spoken
one per forward vs all 8 in one (the app batches only on CUDA; this says whether the CPU should too).

    .venv/bin/python -m benchmarks.tts
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from benchmarks.real_size import build_vits  # noqa: E402
import torch  # noqa: E402

from modules import speak  # noqa: E402
from modules.models import ModelCache  # noqa: E402
from tests.tiny_models import build_tts  # noqa: E402

TEXT = "The quick brown fox jumps over the lazy dog. How vexingly quick daft zebras jump!"
SENTENCES = ["the quick brown fox jumps over the lazy dog", "how vexingly quick daft zebras jump",
             "a short one", "pack my box with five dozen liquor jugs", "sphinx of black quartz judge my vow",
             "the five boxing wizards jump quickly", "yes", "we promptly judged antique ivory buckles for the next prize"]


def measure(label: str, model_dir: Path, repeats: int) -> None:
    cache = ModelCache({"facebook/mms-tts-eng": str(model_dir)})
    started = time.perf_counter()
    speak.synthesize("warm up", "eng", cache=cache)
    miss = time.perf_counter() - started
    hits = []
    for _ in range(200):
        started = time.perf_counter()
        cache.get("facebook/mms-tts-eng", "speak")
        hits.append(time.perf_counter() - started)
    per_audio_second = []
    for seed in range(repeats):
        started = time.perf_counter()
        speech = speak.synthesize(TEXT, "eng", seed=seed, cache=cache)
        per_audio_second.append((time.perf_counter() - started) / (len(speech.waveform) / speech.sampling_rate))
    entry = cache.get("facebook/mms-tts-eng", "speak")
    params = sum(p.numel() for p in entry.model.parameters()) / 1e6
    eight = [speak.vits_input_ids(entry.processor, sentence) for sentence in SENTENCES]
    batched = {}
    for batch_size in (1, 8):
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            with entry.lock, torch.inference_mode():
                speak.speak_sentences(entry, eight, batch_size)
            times.append(time.perf_counter() - started)
        batched[batch_size] = statistics.median(times)
    print(
        f"{label:26s} {params:6.1f} M params | {statistics.median(per_audio_second) * 1000:7.1f} ms per audio second"
        f" | first request (load + speak) {miss * 1000:7.1f} ms | cache hit {statistics.median(hits) * 1e6:5.1f} µs"
        f" | 8 sentences: one per forward {batched[1] * 1000:7.1f} ms, 8 in one {batched[8] * 1000:7.1f} ms"
        f" ({batched[8] / batched[1]:.2f}x)"
    )


def main() -> None:
    print(f"torch threads: {torch.get_num_threads()}, device: cpu")
    work = Path(tempfile.gettempdir()) / "polyglot-bench-models"
    measure("tiny VITS", build_tts(Path(tempfile.mkdtemp()) / "tiny", "eng"), 10)
    measure("mms-tts-eng size (random)", build_vits(work / "vits-real-size"), 5)


if __name__ == "__main__":
    main()
