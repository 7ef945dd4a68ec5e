"""GPU figures for benchmarks/gpu.md: per-tab latency and real-time factor, adapter switch, cold load,
peak GPU memory, with real-size random models in half precision.

    .venv/bin/python -m benchmarks.gpu                       # on a CUDA machine (builds ~13 GB of models once)
    .venv/bin/python -m benchmarks.gpu --device cpu --tiny   # smoke run anywhere (tiny models)
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402

from benchmarks.asr import speech  # noqa: E402
from benchmarks.measure import median_seconds  # noqa: E402
from modules import ctc, identify, speak, transcribe, translate  # noqa: E402
from modules.models import ModelCache  # noqa: E402

SECONDS = 10.0
LONG_SECONDS = 600.0
SENTENCE = "The quick brown fox jumps over the lazy dog near the river bank."
DEFAULTS = {
    "facebook/mms-lid-126": "identify",
    "facebook/mms-1b-all": "ctc",
    "facebook/mms-tts-eng": "speak",
    "facebook/seamless-m4t-v2-large": "seamless",
}


OMNI_CTC = "hf-audio/omniasr-ctc-300m-v2"


def _omnilingual_set(args) -> dict[str, str]:
    """Real-size random Omnilingual CTC models: the 300M and Meta's 1B shape (benchmarks/omnilingual.py builds them)."""
    from benchmarks.omnilingual import model_dir

    return {label: str(model_dir(label)) for label in ("Omnilingual CTC 300M", "Omnilingual CTC 1B")}


def timed(call, device: torch.device, repeats: int) -> tuple[float, object]:
    return median_seconds(call, repeats, torch.cuda.synchronize if device.type == "cuda" else None)


def gigabytes(value: int) -> str:
    return f"{value / 2**30:.2f} GB"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--tiny", action="store_true", help="tiny models (smoke run)")
    parser.add_argument("--seamless-small", action="store_true", help="hidden-256 Seamless instead of the 2.3 B shape")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "polyglot-bench-models")
    args = parser.parse_args()
    if args.tiny:
        from tests.tiny_models import build_all

        overrides = json.loads(build_all(Path(tempfile.mkdtemp())).read_text())
    else:
        from benchmarks.real_size import build_real_size_set

        overrides = build_real_size_set(args.workdir, seamless_large=not args.seamless_small)
    cache = ModelCache(overrides, device=args.device)
    device = cache.device
    cuda = device.type == "cuda"
    name = torch.cuda.get_device_name() if cuda else "cpu"
    print(f"device: {name}, dtype: {cache.dtype}, models: {'tiny' if args.tiny else 'real-size random'}")

    print("\ncold load (from local safetensors to the device)")
    for model_id, task in DEFAULTS.items():
        seconds, entry = timed(lambda: cache.get(model_id, task), device, 1)
        attention = getattr(entry.model.config, "_attn_implementation", "?")
        allocated = gigabytes(torch.cuda.memory_allocated()) if cuda else "-"
        print(f"  {model_id:32s} {seconds:6.2f} s  weights {gigabytes(entry.nbytes)}  attention {attention}"
              f"  GPU allocated {allocated}")

    audio = speech(SECONDS)
    mms = cache.get("facebook/mms-1b-all", "ctc")
    transcribe.transcribe(audio, "eng", cache=cache)
    languages = iter(["fra", "eng"] * 10)

    def switch_adapter():
        with mms.lock:
            transcribe.apply_adapter(mms, next(languages), cache)

    switch, _ = timed(switch_adapter, device, 20)
    print(f"\nMMS adapter switch: {switch * 1000:.1f} ms (median of 20)")

    if cuda:
        torch.cuda.reset_peak_memory_stats()
    print(f"\nper tab, {SECONDS:.0f} s of audio (speak: one sentence), median of {args.repeats}")
    tabs = {
        "identify": lambda: identify.identify_language(audio, cache=cache),
        "transcribe": lambda: transcribe.transcribe(audio, "eng", cache=cache),
        "speak": lambda: speak.synthesize(SENTENCE, "eng", cache=cache),
        "translate (speech->text)": lambda: translate.translate_speech(audio, "fra", cache=cache),
        "translate (speech->speech)": lambda: translate.translate_speech(
            audio, "fra", translate.GenerationSettings(speech_output=True), cache=cache
        ),
    }
    for tab, call in tabs.items():
        call()  # warm
        seconds, result = timed(call, device, args.repeats)
        audio_seconds = len(result.waveform) / result.sampling_rate if tab == "speak" else SECONDS
        print(f"  {tab:27s} {seconds * 1000:8.1f} ms  real-time factor {seconds / audio_seconds:.3f}")
    long_audio = np.tile(audio, int(LONG_SECONDS // SECONDS))
    print(f"\n{LONG_SECONDS / 60:.0f} min of audio through mms-1b-all (emissions only), one run each")
    for label, batch_size in (("one chunk at a time", 1), (f"batched ({ctc.batch_size_for(mms)} chunks)", None)):
        def read_all(batch_size=batch_size):
            with mms.lock:
                return sum(len(c) for c in ctc.emissions(mms, long_audio, batch_size=batch_size))

        seconds, frames = timed(read_all, device, 1)
        print(f"  {label:27s} {seconds:8.2f} s  real-time factor {seconds / LONG_SECONDS:.4f}  ({frames} frames)")

    tts = cache.get("facebook/mms-tts-eng", "speak")
    eight = [speak.vits_input_ids(tts.processor, SENTENCE.lower().rstrip(".")) for _ in range(8)]
    print("\n8 sentences of speech (MMS-TTS English)")
    for batch_size in (1, speak.SENTENCES_AT_ONCE_ON_GPU):
        def say_all(batch_size=batch_size):
            with tts.lock, torch.inference_mode():
                return speak.speak_sentences(tts, eight, batch_size)

        seconds, _ = timed(say_all, device, args.repeats)
        print(f"  {batch_size} per forward: {seconds * 1000:8.1f} ms")

    print(f"\nOmnilingual ASR beside MMS, {SECONDS:.0f} s and {LONG_SECONDS / 60:.0f} min of audio (Transcribe's path), one run each")
    omni = _omnilingual_set(args) if not args.tiny else {"Omnilingual CTC 300M": overrides["hf-audio/omniasr-ctc-300m-v2"]}
    for label, directory in omni.items():
        omni_cache = ModelCache({OMNI_CTC: directory}, device=args.device)
        seconds, entry = timed(lambda: omni_cache.get(OMNI_CTC, "omni-ctc"), device, 1)
        transcribe.transcribe(audio, transcribe.AUTO, OMNI_CTC, cache=omni_cache)  # warm
        for clip, length in ((audio, SECONDS), (long_audio, LONG_SECONDS)):
            took, _ = timed(lambda clip=clip: transcribe.transcribe(clip, transcribe.AUTO, OMNI_CTC, cache=omni_cache), device, 1)
            print(f"  {label:22s} {length:5.0f} s: {took:7.2f} s  real-time factor {took / length:.4f}  (load {seconds:.2f} s,"
                  f" weights {gigabytes(entry.nbytes)})")
        omni_cache.clear()
    for clip, length in ((audio, SECONDS), (long_audio, LONG_SECONDS)):
        took, _ = timed(lambda clip=clip: transcribe.transcribe(clip, "eng", cache=cache), device, 1)
        print(f"  {'MMS 1B (mms-1b-all)':22s} {length:5.0f} s: {took:7.2f} s  real-time factor {took / length:.4f}")

    if cuda:
        print(f"\npeak GPU memory while serving: {gigabytes(torch.cuda.max_memory_allocated())}"
              f" (all four default models loaded: {gigabytes(cache.loaded_bytes())} of weights)")


if __name__ == "__main__":
    main()
