"""Any audio input -> 16 kHz mono float32 in [-1, 1], or a clear UserInputError.

Inputs: a file path (wav/flac/ogg/opus/mp3 via soundfile; m4a/webm/… via ffmpeg when
installed) or a Gradio numpy tuple (sample_rate, array) with int or float samples,
shape (n,) or (n, channels).
"""

from __future__ import annotations

import logging
import os
import shutil
from dataclasses import dataclass, field

import librosa
import numpy as np
import soundfile

from modules.config import UserInputError

log = logging.getLogger(__name__)

SAMPLE_RATE = 16_000
# Wav2Vec2's convolution stack needs >= 400 samples; 0.1 s leaves room for every model.
MIN_SECONDS = 0.1
# Peak below -80 dBFS: nothing a model could hear.
SILENCE_PEAK = 1e-4
SOUNDFILE_FORMATS = "WAV, FLAC, OGG (Vorbis/Opus) or MP3"
# What users are told is accepted (other formats go through ffmpeg when the server has it).
ACCEPTED = "audio files such as WAV, FLAC, OGG, MP3, M4A or WEBM, or a microphone recording"


@dataclass
class Audio16k:
    samples: np.ndarray  # float32, mono, 16 kHz, within [-1, 1]
    # What was done to the input on the way (resampling, downmixing, rescaling).
    notes: list[str] = field(default_factory=list)
    # What may change the result, worth telling the user: clipping, a rate below what the models hear.
    warnings: list[str] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return len(self.samples) / SAMPLE_RATE


def load_audio_16k(source, max_seconds: float | None = None) -> Audio16k:
    """Decode, downmix, resample and check `source` (file path or (rate, array) tuple)."""
    if source is None:
        raise UserInputError("No audio was given. Upload a file or record with the microphone.")
    if isinstance(source, (str, os.PathLike)):
        samples, rate = _decode_file(os.fspath(source), max_seconds)
    elif isinstance(source, tuple) and len(source) == 2:
        rate, samples = int(source[0]), _to_float(np.asarray(source[1]))
    else:
        raise UserInputError("Audio must be a file or a (sample rate, samples) pair.")
    return _to_16k_mono(samples, rate, max_seconds)


def _decode_file(path: str, max_seconds: float | None) -> tuple[np.ndarray, int]:
    name = os.path.basename(path)
    if not os.path.isfile(path):
        raise UserInputError(f"The audio file {name} could not be found on the server.")
    if os.path.getsize(path) == 0:
        raise UserInputError(f"The file {name} is empty (0 bytes).")
    try:
        info = soundfile.info(path)
    except (soundfile.LibsndfileError, RuntimeError):
        return _decode_with_ffmpeg(path), SAMPLE_RATE
    # Refuse over-long audio before decoding all of it.
    _check_duration(info.frames / info.samplerate if info.samplerate else 0.0, max_seconds)
    try:
        samples, rate = soundfile.read(path, dtype="float32", always_2d=True)
    except (soundfile.LibsndfileError, RuntimeError) as error:
        raise UserInputError(f"The file {name} could not be read as audio; it may be damaged. Accepted: {ACCEPTED}.")
    return samples, rate


def _decode_with_ffmpeg(path: str) -> np.ndarray:
    """Formats libsndfile lacks (m4a, webm, …) go through the ffmpeg binary, as transformers does."""
    name = os.path.basename(path)
    if shutil.which("ffmpeg") is None:
        log.warning("%s needs ffmpeg, which is not installed on this server", name)
        raise UserInputError(
            f"The file {name} is in a format this server can't read. Convert it to {SOUNDFILE_FORMATS} and try again."
        )
    from transformers.pipelines.audio_utils import ffmpeg_read

    with open(path, "rb") as handle:
        payload = handle.read()
    try:
        samples = ffmpeg_read(payload, SAMPLE_RATE)
    except ValueError:
        samples = np.zeros(0, dtype=np.float32)
    if samples.size == 0:
        raise UserInputError(f"The file {name} is not audio that can be read. Accepted: {ACCEPTED}.")
    return samples.astype(np.float32)


def _to_float(samples: np.ndarray) -> np.ndarray:
    """Integer PCM (Gradio's microphone gives int16) -> float32 in [-1, 1]."""
    if samples.dtype.kind == "i":
        return samples.astype(np.float32) / float(np.iinfo(samples.dtype).max + 1)
    if samples.dtype.kind == "u":
        middle = float(np.iinfo(samples.dtype).max + 1) / 2
        return (samples.astype(np.float32) - middle) / middle
    if samples.dtype.kind == "f":
        return samples.astype(np.float32)
    raise UserInputError(f"Audio samples must be numbers, not {samples.dtype}.")


def _check_duration(seconds: float, max_seconds: float | None) -> None:
    if max_seconds is not None and seconds > max_seconds:
        raise UserInputError(
            f"The audio is {seconds:.1f} s long; this tab accepts at most {max_seconds:.0f} s. "
            "Trim it or split it into shorter pieces."
        )


def _to_16k_mono(samples: np.ndarray, rate: int, max_seconds: float | None) -> Audio16k:
    notes, warnings = [], []
    if rate <= 0:
        raise UserInputError(f"The audio has an invalid sample rate ({rate} Hz).")
    if samples.size == 0:
        raise UserInputError("The audio is empty (no samples).")
    if not np.isfinite(samples).all():
        raise UserInputError("The audio contains invalid samples (NaN or infinity). Re-export it and try again.")
    if samples.ndim == 2 and samples.shape[1] > 1:
        notes.append(f"mixed {samples.shape[1]} channels down to mono")
        # Summed in float64: float32 sums of huge (but finite) samples would overflow to infinity.
        samples = samples.mean(axis=1, dtype=np.float64).astype(np.float32)
    samples = samples.reshape(-1)
    _check_duration(samples.size / rate, max_seconds)
    if samples.size / rate < MIN_SECONDS:
        raise UserInputError(
            f"The audio is {1000 * samples.size / rate:.0f} ms long; at least {1000 * MIN_SECONDS:.0f} ms is needed."
        )
    peak = float(np.abs(samples).max())
    if peak < SILENCE_PEAK:
        raise UserInputError("The audio is silent. Check the microphone or the file and try again.")
    if peak > 1.0:
        notes.append(f"scaled down by {peak:.2f}x: samples went past full scale")
        warnings.append("the recording is louder than full scale (clipped), so it was turned down")
        samples = samples / peak
    if rate < SAMPLE_RATE:
        warnings.append(f"it was recorded at {rate:,} Hz, below the {SAMPLE_RATE:,} Hz the models hear, so results may be worse")
    if rate != SAMPLE_RATE:
        notes.append(f"resampled from {rate} Hz to {SAMPLE_RATE} Hz")
        samples = librosa.resample(samples, orig_sr=rate, target_sr=SAMPLE_RATE, res_type="soxr_hq")
        # soxr can overshoot full scale by a hair on clipped input.
        samples = np.clip(samples, -1.0, 1.0)
    return Audio16k(np.ascontiguousarray(samples, dtype=np.float32), notes, warnings)


def split_at_quiet_points(
    samples: np.ndarray, min_seconds: float = 15.0, max_seconds: float = 20.0
) -> list[tuple[int, int]]:
    """(start, end) sample ranges of min..max seconds each, cut at the quietest 20 ms inside that span.

    Seamless degrades past ~30 s and fails past its 4096 positions; cutting in pauses keeps words whole.
    """
    frame = SAMPLE_RATE // 50
    lo, hi = int(min_seconds * SAMPLE_RATE), int(max_seconds * SAMPLE_RATE)
    pieces, start = [], 0
    while len(samples) - start > hi:
        span = samples[start + lo : start + hi]
        n_frames = len(span) // frame
        energy = np.square(span[: n_frames * frame].reshape(n_frames, frame)).mean(axis=1)
        cut = start + lo + int(np.argmin(energy)) * frame + frame // 2
        pieces.append((start, cut))
        start = cut
    pieces.append((start, len(samples)))
    return pieces


def join_with_pauses(pieces: list[np.ndarray], rate: int, pause_seconds: float) -> np.ndarray:
    """Concatenate mono float32 pieces with `pause_seconds` of silence between them."""
    pause = np.zeros(int(pause_seconds * rate), dtype=np.float32)
    parts = [part for piece in pieces for part in (piece.astype(np.float32), pause)][:-1]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)


def write_wav(samples: np.ndarray, rate: int, path) -> str:
    """16-bit PCM WAV of float samples (clipped to [-1, 1]) at `rate`; returns the path."""
    soundfile.write(str(path), np.clip(samples, -1.0, 1.0), rate, subtype="PCM_16")
    return str(path)
