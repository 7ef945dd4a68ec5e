"""Translate benchmark: latency per direction, and vs input length (speech: segmented into 15-20 s pieces).

    .venv/bin/python -m benchmarks.translate
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from benchmarks.asr import speech  # noqa: E402
from benchmarks.measure import median_seconds  # noqa: E402
from benchmarks.real_size import build_seamless_small  # noqa: E402
from modules import translate  # noqa: E402
from modules.models import SEAMLESS_MODEL, ModelCache  # noqa: E402
from modules.translate import GenerationSettings  # noqa: E402
from tests.tiny_models import build_seamless  # noqa: E402

SENTENCE = "the weather is nice today and we are going to the park"


def timed(call, repeats: int = 3) -> float:
    return median_seconds(call, repeats)[0]


def run(label: str, model_dir: Path) -> None:
    cache = ModelCache({SEAMLESS_MODEL: str(model_dir)})
    cache.get(SEAMLESS_MODEL, "seamless")
    clip = speech(5.0)
    print(f"\n{label}: latency per direction (5 s of speech / one sentence in, 256 tokens max)")
    print(f"  {'direction':17s} {'5 beams (default)':>18s} {'greedy':>10s} {'ratio':>6s}")
    for name, run_direction in {
        "speech -> text": lambda settings: translate.translate_speech(clip, "fra", settings, cache=cache),
        "speech -> speech": lambda settings: translate.translate_speech(clip, "fra", settings, cache=cache),
        "text -> text": lambda settings: translate.translate_text(SENTENCE, "eng", "fra", settings, cache=cache),
        "text -> speech": lambda settings: translate.translate_text(SENTENCE, "eng", "fra", settings, cache=cache),
    }.items():
        speech_output = name.endswith("speech")
        beams = timed(lambda: run_direction(GenerationSettings(speech_output, num_beams=translate.DEFAULT_BEAMS)))
        greedy = timed(lambda: run_direction(GenerationSettings(speech_output, num_beams=translate.FASTEST_BEAMS)))
        print(f"  {name:17s} {beams * 1000:15.1f} ms {greedy * 1000:7.1f} ms {beams / greedy:6.2f}")
    text_out = GenerationSettings()
    print(f"{label}: speech -> text vs input length")
    for seconds in (10, 30, 60, 120):
        audio = speech(seconds)
        elapsed = timed(lambda: translate.translate_speech(audio, "fra", text_out, cache=cache), repeats=1)
        pieces = len(translate.split_at_quiet_points(audio))
        print(f"  {seconds:4d} s audio, {pieces} pieces: {elapsed:7.2f} s ({elapsed / seconds * 1000:6.1f} ms per audio second)")


def main() -> None:
    import torch

    print(f"torch threads: {torch.get_num_threads()}, device: cpu")
    work = Path(tempfile.gettempdir()) / "polyglot-bench-models"
    run("tiny SeamlessM4T-v2", build_seamless(Path(tempfile.mkdtemp()) / "tiny"))
    run("small SeamlessM4T-v2 (hidden 256)", build_seamless_small(work / "seamless-small"))


if __name__ == "__main__":
    main()
