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
    text_out, speech_out = GenerationSettings(), GenerationSettings(speech_output=True)
    print(f"\n{label}: latency per direction (5 s of speech / one sentence in, greedy, 256 tokens max)")
    directions = {
        "speech -> text": lambda: translate.translate_speech(clip, "fra", text_out, cache=cache),
        "speech -> speech": lambda: translate.translate_speech(clip, "fra", speech_out, cache=cache),
        "text -> text": lambda: translate.translate_text(SENTENCE, "eng", "fra", text_out, cache=cache),
        "text -> speech": lambda: translate.translate_text(SENTENCE, "eng", "fra", speech_out, cache=cache),
    }
    for name, call in directions.items():
        print(f"  {name:17s} {timed(call) * 1000:8.1f} ms")
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
