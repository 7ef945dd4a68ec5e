"""The bad-input corpus: files and texts a public Space receives, with what the app must answer.

Files are generated (espeak-ng, sox, numpy) into a folder by `write_audio_corpus`.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile

RATE = 16000


@dataclass(frozen=True)
class Case:
    name: str
    error: str | None  # the message the user must see, or None when the input must work


AUDIO_CASES = [
    Case("zero-byte.wav", "is empty (0 bytes)"),
    Case("text-renamed.wav", "not audio that can be read"),
    Case("truncated.mp3", "at least 100 ms is needed"),  # 300 bytes: one MP3 frame survives
    Case("truncated-half.mp3", None),  # the decodable half is used
    Case("one-sample.wav", "at least 100 ms is needed"),
    Case("silence.wav", "The audio is silent"),
    Case("nan.wav", "NaN or infinity"),
    Case("inf.wav", "NaN or infinity"),
    Case("clipped.wav", None),
    Case("eight-channel-96k.wav", None),
    Case("telephone-8k.wav", None),
    Case("hour.flac", "this tab accepts at most"),  # Identify's limit is 10 minutes
]

TEXT_CASES = [
    Case("empty", "The text is empty"),
    Case("whitespace", "The text is empty"),
    Case("fifty-thousand", "The text has 49999 characters; at most"),
    Case("emoji-only", "Nothing in this text can be spoken"),
    Case("right-to-left", "Nothing in this text can be spoken"),  # Arabic script to the English voice
    Case("punctuation-only", "Nothing in this text can be spoken"),  # signs the eng alphabet holds: ' - –
    Case("control-only", "The text is empty"),
    Case("mixed-scripts", None),  # the Latin part is spoken, the rest reported as skipped
    Case("control-characters", None),
]

TEXTS = {
    "empty": "",
    "whitespace": "   \n\t  \r\n ",
    "fifty-thousand": "word " * 10_000,
    "emoji-only": "😀🎉🚀👍",
    "right-to-left": "مرحبا بالعالم",
    "punctuation-only": "- -- ' – ''! ?",
    "control-only": "\x00\x01\x1b\x7f",
    "mixed-scripts": "Hello мир 世界 world",
    "control-characters": "\x00hello\x07 \x1bworld\x7f",
}


def _run(*command: str) -> None:
    subprocess.run(command, check=True, capture_output=True)


def write_audio_corpus(out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    speech = out / "speech.wav"
    _run("espeak-ng", "-v", "en-us", "-w", str(speech), "A short sentence for the bad input corpus.")
    (out / "zero-byte.wav").write_bytes(b"")
    (out / "text-renamed.wav").write_text("This is a text file, not a recording.\n" * 50)
    _run("sox", str(speech), str(out / "full.mp3"))
    full = (out / "full.mp3").read_bytes()
    (out / "truncated.mp3").write_bytes(full[:300])
    (out / "truncated-half.mp3").write_bytes(full[: len(full) // 2])
    soundfile.write(str(out / "one-sample.wav"), np.array([0.5], dtype=np.float32), RATE)
    soundfile.write(str(out / "silence.wav"), np.zeros(RATE * 2, dtype=np.float32), RATE)
    for name, bad in (("nan.wav", np.nan), ("inf.wav", np.inf)):
        samples = np.full(RATE, 0.1, dtype=np.float32)
        samples[RATE // 2] = bad
        soundfile.write(str(out / name), samples, RATE, subtype="FLOAT")
    _run("sox", str(speech), str(out / "clipped.wav"), "gain", "30")  # hard clipping, still speech
    _run("sox", str(speech), "-r", "96000", "-c", "8", str(out / "eight-channel-96k.wav"))
    _run("sox", str(speech), "-r", "8000", str(out / "telephone-8k.wav"))
    # An hour that compresses well: speech every 30 s, silence between.
    voice, _ = soundfile.read(str(speech), dtype="float32")
    hour = np.zeros(RATE * 3600, dtype=np.float32)
    for start in range(0, len(hour) - len(voice), RATE * 30):
        hour[start : start + len(voice)] = voice[: len(hour) - start]
    soundfile.write(str(out / "hour.flac"), hour, RATE)
    return out


def write_oversized(path: Path, megabytes: int) -> Path:
    """A file bigger than the upload limit (content doesn't matter: it must be refused at the door)."""
    path.write_bytes(np.random.default_rng(0).integers(0, 255, megabytes * 2**20, dtype=np.uint8).tobytes())
    return path
