"""App overhead per tab: the full request through app.py's handler (decode file, preprocess, forward,
postprocess, write outputs) against the bare model call on the same prepared input, in one run.

    .venv/bin/python -m benchmarks.overhead               # tiny models
    .venv/bin/python -m benchmarks.overhead --real-size   # also real-size random models (builds ~8 GB once)

Ratio = app / bare (medians, runs interleaved). Target: <= 1.10 for 10 s of audio.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import soundfile  # noqa: E402
import torch  # noqa: E402

from benchmarks.asr import speech  # noqa: E402
from benchmarks.measure import median_seconds  # noqa: E402
from modules.audio import SAMPLE_RATE  # noqa: E402

SECONDS = 10.0
SENTENCE = "The quick brown fox jumps over the lazy dog near the river bank."


def measure(label: str, overrides: dict[str, str], repeats: int) -> None:
    import json

    from modules import models, translate
    from ui import identify, speak, transcribe
    from ui import translate as translate_tab

    map_file = Path(tempfile.mkdtemp()) / "models.json"
    map_file.write_text(json.dumps(overrides))
    os.environ["POLYGLOT_MODEL_PATHS"] = str(map_file)
    models.default_cache.cache_clear()
    cache = models.default_cache()

    audio = speech(SECONDS)
    wav = Path(tempfile.mkdtemp()) / "clip.wav"
    soundfile.write(str(wav), audio, SAMPLE_RATE)

    lid = cache.get("facebook/mms-lid-126", "identify")
    asr = cache.get("facebook/mms-1b-all", "ctc")
    tts = cache.get("facebook/mms-tts-eng", "speak")
    seamless = cache.get("facebook/seamless-m4t-v2-large", "seamless")
    transcribe.transcribe_audio(str(wav), "facebook/mms-1b-all", "eng")  # applies the eng adapter once

    lid_inputs = lid.to_model(lid.processor(audio, sampling_rate=SAMPLE_RATE, return_tensors="pt"))
    asr_inputs = asr.to_model(asr.processor(audio=audio, sampling_rate=SAMPLE_RATE, return_tensors="pt"))
    tts_inputs = tts.to_model(tts.processor(SENTENCE.lower().replace(".", ""), return_tensors="pt"))
    mt_inputs = seamless.to_model(seamless.processor(audio=audio, sampling_rate=SAMPLE_RATE, return_tensors="pt"))
    generation = dict(tgt_lang="fra", generate_speech=False, text_num_beams=translate.DEFAULT_BEAMS,
                      text_max_new_tokens=translate.DEFAULT_MAX_NEW_TOKENS)

    def bare(model, inputs, seed=None, generate=False):
        def call():
            with torch.inference_mode():
                if seed is not None:
                    torch.manual_seed(seed)
                return model.generate(**inputs, **generation) if generate else model(**inputs)
        return call

    tabs = {
        "identify": (lambda: identify.identify_language(str(wav), "facebook/mms-lid-126", 5), bare(lid.model, lid_inputs)),
        "transcribe": (lambda: transcribe.transcribe_audio(str(wav), "facebook/mms-1b-all", "eng"), bare(asr.model, asr_inputs)),
        "speak": (lambda: speak.speak_text(SENTENCE, "eng", 0), bare(tts.model, tts_inputs, seed=0)),
        "translate": (
            lambda: translate_tab.translate_input("Speech", str(wav), "", "eng", "fra", False),
            bare(seamless.model, mt_inputs, generate=True),
        ),
    }
    print(f"\n{label} ({SECONDS:.0f} s of audio; speak: one sentence), median of {repeats}")
    print(f"  {'tab':11s} {'app':>10s} {'bare model':>11s} {'ratio':>7s}")
    for tab, (through_app, bare_call) in tabs.items():
        through_app(), bare_call()  # warm
        app_times, bare_times = [], []
        for _ in range(repeats):  # interleaved so drift hits both alike
            app_times.append(median_seconds(through_app, 1)[0])
            bare_times.append(median_seconds(bare_call, 1)[0])
        app_s, bare_s = statistics.median(app_times), statistics.median(bare_times)
        print(f"  {tab:11s} {app_s * 1000:8.1f}ms {bare_s * 1000:9.1f}ms {app_s / bare_s:7.2f}")
    cache.clear()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--real-size", action="store_true")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "polyglot-bench-models")
    args = parser.parse_args()
    import json

    from tests.tiny_models import build_all

    print(f"torch threads: {torch.get_num_threads()}, device: cpu")
    tiny = json.loads(build_all(Path(tempfile.mkdtemp())).read_text())
    measure("tiny models", tiny, args.repeats)
    if args.real_size:
        from benchmarks.real_size import build_real_size_set

        measure(
            "real-size random models (LID/MMS 1B, VITS 36 M; Seamless: small stand-in)",
            build_real_size_set(args.workdir),
            max(3, args.repeats // 2),
        )


if __name__ == "__main__":
    main()
