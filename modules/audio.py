"""Any audio input -> 16 kHz mono float32 in [-1, 1], or a clear UserInputError.

Inputs: a file path (wav/flac/ogg/opus/mp3 via soundfile; m4a/webm/… via ffmpeg when
installed) or a Gradio numpy tuple (sample_rate, array) with int or float samples,
shape (n,) or (n, channels).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
from dataclasses import dataclass, field

import numpy as np
import soundfile
import soxr

from modules import request
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
    """Decode, downmix, resample and check `source` (file path or (rate, array) tuple).

    Work and memory are bounded by `max_seconds`: a file's duration is checked before decoding
    (from its header), and decoding stops at the limit whatever the header says; samples are
    downmixed and resampled block by block, so memory follows the 16 kHz result, not the input.
    A cancelled request stops at the next block (modules/request.py).
    """
    if source is None:
        raise UserInputError("No audio was given. Upload a file or record with the microphone.")
    if isinstance(source, (str, os.PathLike)):
        return _decode_file(os.fspath(source), max_seconds)
    if isinstance(source, tuple) and len(source) == 2:
        rate, samples = int(source[0]), to_float32(np.asarray(source[1]))
        samples = samples[:, None] if samples.ndim == 1 else samples
        return _convert_blocks(lambda: [samples], rate, samples.shape[1], max_seconds, known_length=True).finish()
    raise UserInputError("Audio must be a file or a (sample rate, samples) pair.")


# Frames decoded at a time: ~1.4 s at 48 kHz, so a block costs a few hundred KB whatever the file.
BLOCK_FRAMES = 65_536


@dataclass(frozen=True)
class Probe:
    """What a file's header says, read without decoding it."""

    seconds: float | None  # None: the header doesn't say (a live-recorded WebM, a stream)
    rate: int | None  # the audio's own sample rate
    channels: int | None


def probe(path: str) -> Probe:
    """The file's duration, rate and channels from its header (soundfile, else ffprobe); refuses what
    neither can open. Cheap: nothing is decoded."""
    _check_file(path)
    info = _soundfile_info(path)
    if info is not None:
        return Probe(info.frames / info.samplerate if info.samplerate else 0.0, info.samplerate, info.channels)
    return _probe_with_ffmpeg(path).header


def _check_file(path: str) -> None:
    name = os.path.basename(path)
    if not os.path.isfile(path):
        raise UserInputError(f"The audio file {name} could not be found on the server.")
    if os.path.getsize(path) == 0:
        raise UserInputError(f"The file {name} is empty (0 bytes).")


def _soundfile_info(path: str):
    try:
        return soundfile.info(path)
    # TypeError: a headerless .raw file ("samplerate must be specified"); ffmpeg then has its say.
    except (soundfile.LibsndfileError, RuntimeError, TypeError, ValueError):
        return None


def _decode_file(path: str, max_seconds: float | None) -> Audio16k:
    name = os.path.basename(path)
    _check_file(path)
    info = _soundfile_info(path)
    if info is None:
        return _decode_with_ffmpeg(path, max_seconds)
    # Refuse over-long audio before decoding any of it.
    _check_duration(info.frames / info.samplerate if info.samplerate else 0.0, max_seconds)
    # Never more than the limit (plus one frame, to tell "too long"), even if the header lied.
    wanted = -1 if max_seconds is None else int(max_seconds * info.samplerate) + 1

    def blocks():
        """One pass over the file, with its own count: audio past full scale is read in two passes (its
        peak, then converted), and a count shared between passes would end the second one early."""
        decoded = 0
        # SoundFile.read, not soundfile.blocks(frames=...): the latter hands out the unfilled rest of its
        # buffer when a file is shorter than its header says (seen on a truncated MP3: garbage samples).
        try:
            with soundfile.SoundFile(path) as file:
                while wanted < 0 or decoded < wanted:
                    size = BLOCK_FRAMES if wanted < 0 else min(BLOCK_FRAMES, wanted - decoded)
                    block = file.read(size, dtype="float32", always_2d=True)
                    if not len(block):
                        break
                    decoded += len(block)
                    yield block
        except (soundfile.LibsndfileError, RuntimeError):
            if not decoded:
                raise UserInputError(f"The file {name} could not be read as audio; it may be damaged. Accepted: {ACCEPTED}.")
            # A damaged tail: what was decodable is used.

    return _convert_blocks(blocks, info.samplerate, info.channels, max_seconds, known_length=True).finish()


# The containers ffmpeg may open for the app (its demuxer names), and the one protocol: the uploaded file.
# Without these, ffmpeg follows what a file refers to: an HLS playlist's or an ffconcat list's segments
# elsewhere on the server or on the network (how ffmpeg-based services have leaked files).
FFMPEG_FORMATS = "wav,w64,flac,ogg,mp3,mov,matroska,aac,aiff,caf,amr,amrnb,amrwb,asf,avi,au"
_FFMPEG_INPUT = ["-protocol_whitelist", "file", "-format_whitelist", FFMPEG_FORMATS]


@dataclass(frozen=True)
class _FfprobeResult:
    streams: list[str]
    header: Probe


def _probe_with_ffmpeg(path: str) -> _FfprobeResult:
    name = os.path.basename(path)
    if shutil.which("ffmpeg") is None or shutil.which("ffprobe") is None:
        log.warning("%s needs ffmpeg and ffprobe, which are not installed on this server", name)
        raise UserInputError(
            f"The file {name} is in a format this server can't read. Convert it to {SOUNDFILE_FORMATS} and try again."
        )
    result = subprocess.run(
        ["ffprobe", "-v", "error", *_FFMPEG_INPUT, "-show_entries",
         "stream=codec_type,sample_rate,channels:format=duration", "-of", "json", f"file:{path}"],
        capture_output=True, text=True, timeout=30,
    )
    if result.returncode != 0:
        raise UserInputError(f"The file {name} is not audio that can be read. Accepted: {ACCEPTED}.")
    found = json.loads(result.stdout or "{}")
    streams = found.get("streams", [])
    kinds = [stream.get("codec_type", "") for stream in streams]
    audio = next((stream for stream in streams if stream.get("codec_type") == "audio"), {})
    return _FfprobeResult(kinds, Probe(_number(found.get("format", {}).get("duration"), float),
                                       _number(audio.get("sample_rate"), int), _number(audio.get("channels"), int)))


def _number(value, kind):
    try:
        return kind(value) if value is not None else None
    except ValueError:
        return None


def _decode_with_ffmpeg(path: str, max_seconds: float | None) -> Audio16k:
    """Formats libsndfile lacks (m4a, webm, mp4 video with sound, …): ffmpeg reads the file itself (a pipe
    can't seek, and MP4 keeps its index at the end), gives 16 kHz mono, and stops at the limit."""
    name = os.path.basename(path)
    found = _probe_with_ffmpeg(path)
    if "audio" not in found.streams:
        kinds = " and ".join(sorted(set(found.streams))) or "no streams"
        raise UserInputError(f"The file {name} has no audio track (it holds {kinds}). Upload a file with sound.")
    _check_duration(found.header.seconds or 0.0, max_seconds)
    converter = _Converter(SAMPLE_RATE, 1, max_seconds, known_length=found.header.seconds is not None,
                           source_rate=found.header.rate, source_channels=found.header.channels)
    command = ["ffmpeg", "-nostdin", "-v", "error", *_FFMPEG_INPUT, "-i", f"file:{path}", "-map", "0:a:0", "-vn",
               "-ac", "1", "-ar", str(SAMPLE_RATE), "-f", "f32le"]
    if max_seconds is not None:
        command += ["-t", f"{max_seconds + 0.002:.3f}"]  # ffmpeg itself stops just past the limit
    command.append("pipe:1")
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) as ffmpeg:
        try:
            while chunk := ffmpeg.stdout.read(BLOCK_FRAMES * 4):
                usable = len(chunk) - len(chunk) % 4
                converter.add(np.frombuffer(chunk[:usable], dtype=np.float32)[:, None])
        finally:
            ffmpeg.kill()
    if not converter.frames:
        raise UserInputError(f"The file {name} is not audio that can be read. Accepted: {ACCEPTED}.")
    return converter.finish()


def to_float32(samples: np.ndarray) -> np.ndarray:
    """Integer PCM (Gradio's microphone gives int16) -> float32 in [-1, 1]; every input layout (files,
    arrays, live microphone pieces) is scaled here, before any downmixing."""
    if samples.dtype.kind == "i":
        return samples.astype(np.float32) / float(np.iinfo(samples.dtype).max + 1)
    if samples.dtype.kind == "u":
        middle = float(np.iinfo(samples.dtype).max + 1) / 2
        return (samples.astype(np.float32) - middle) / middle
    if samples.dtype.kind == "f":
        return samples.astype(np.float32)
    raise UserInputError(f"Audio samples must be numbers, not {samples.dtype}.")


class AudioTooLong(UserInputError):
    """Longer than the limit the caller set (found before or while decoding, never after)."""


def _check_duration(seconds: float, max_seconds: float | None, known_length: bool = True) -> None:
    if max_seconds is None or seconds <= max_seconds:
        return
    if not known_length:  # read up to the limit: its true length is unknown, and no more is decoded
        raise AudioTooLong(
            f"The audio is longer than {max_seconds:.0f} s (its file doesn't say how long it is; it was read up to "
            f"the limit), and this tab accepts at most {max_seconds:.0f} s. Trim it or split it into shorter pieces."
        )
    raise AudioTooLong(
        f"The audio is {seconds:.1f} s long; this tab accepts at most {max_seconds:.0f} s. "
        "Trim it or split it into shorter pieces."
    )


class _PastFullScale(Exception):
    """Raised by _Converter when samples past full scale arrive before the resampler: the caller must
    learn the peak first (the resampler overflows on samples far past full scale)."""


class _Converter:
    """Blocks of float32 frames at `rate` -> checked 16 kHz mono, one block at a time: downmixed, resampled
    by a streaming resampler (soxr, high quality), refused as soon as it runs past
    `max_seconds`. Audio past full scale is scaled down by its `peak` (known before resampling).
    `source_rate` / `source_channels`: the recording's own, when another program (ffmpeg) already converted
    it, so what is said about it (a rate below 16 kHz, channels mixed) is said for every container."""

    def __init__(self, rate: int, channels: int, max_seconds: float | None, peak: float | None = None,
                 known_length: bool = True, source_rate: int | None = None, source_channels: int | None = None):
        if rate <= 0:
            raise UserInputError(f"The audio has an invalid sample rate ({rate} Hz).")
        self.rate, self.channels, self.max_seconds = rate, channels, max_seconds
        self.known_length = known_length
        self.source_rate, self.source_channels = source_rate or rate, source_channels or channels
        self.known_peak = peak
        self.gain = 1.0 / peak if peak is not None and peak > 1.0 else 1.0
        self.frames = 0
        self.peak = 0.0
        self.pieces: list[np.ndarray] = []
        self.resampler = soxr.ResampleStream(rate, SAMPLE_RATE, 1, dtype="float32", quality="HQ") if rate != SAMPLE_RATE else None

    def add(self, block: np.ndarray) -> None:
        if block.size == 0:
            return
        request.check_stopped()
        if not np.isfinite(block).all():
            raise UserInputError("The audio contains invalid samples (NaN or infinity). Re-export it and try again.")
        self.frames += len(block)
        _check_duration(self.frames / self.rate, self.max_seconds, self.known_length)
        # Summed in float64: float32 sums of huge (but finite) samples would overflow to infinity.
        mono = block.mean(axis=1, dtype=np.float64) if block.shape[1] > 1 else block[:, 0].astype(np.float64)
        self.peak = max(self.peak, float(np.abs(mono).max()))
        if self.peak > 1.0 and self.known_peak is None and self.resampler is not None:
            raise _PastFullScale
        mono = (mono * self.gain).astype(np.float32)
        self.pieces.append(self.resampler.resample_chunk(mono) if self.resampler else mono)

    def finish(self) -> Audio16k:
        if self.resampler:
            self.pieces.append(self.resampler.resample_chunk(np.zeros(0, dtype=np.float32), last=True))
        notes, warnings = [], []
        if self.frames == 0:
            raise UserInputError("The audio is empty (no samples).")
        if self.frames / self.rate < MIN_SECONDS:
            raise UserInputError(
                f"The audio is {1000 * self.frames / self.rate:.0f} ms long; at least {1000 * MIN_SECONDS:.0f} ms is needed."
            )
        if self.peak < SILENCE_PEAK:
            raise UserInputError("The audio is silent. Check the microphone or the file and try again.")
        if self.source_channels > 1:
            notes.append(f"mixed {self.source_channels} channels down to mono")
        samples = np.concatenate(self.pieces)
        self.pieces.clear()  # one copy of the audio at a time: the result is scaled and clipped in place
        if self.peak > 1.0:
            notes.append(f"scaled down by {self.peak:.2f}x: samples went past full scale")
            warnings.append("the recording is louder than full scale (clipped), so it was turned down")
            if self.gain == 1.0:  # no resampler: scaled here
                samples /= np.float32(self.peak)
        if self.source_rate < SAMPLE_RATE:
            warnings.append(
                f"it was recorded at {self.source_rate:,} Hz, below the {SAMPLE_RATE:,} Hz the models hear, so results may be worse"
            )
        if self.source_rate != SAMPLE_RATE:
            notes.append(f"resampled from {self.source_rate} Hz to {SAMPLE_RATE} Hz")
        # soxr can overshoot full scale by a hair on clipped input.
        np.clip(samples, -1.0, 1.0, out=samples)
        return Audio16k(samples, notes, warnings)


def _convert_blocks(blocks, rate: int, channels: int, max_seconds: float | None, known_length: bool) -> _Converter:
    """Feed `blocks()` (a function giving a fresh iterator of blocks, each pass counting its own frames)
    through a converter; audio past full scale is read twice: once for its peak, once to convert it scaled."""
    converter = _Converter(rate, channels, max_seconds, known_length=known_length)
    try:
        for block in blocks():
            converter.add(block)
        return converter
    except _PastFullScale:
        peak = 0.0
        for block in blocks():
            request.check_stopped()
            peak = max(peak, float(np.abs(block.mean(axis=1, dtype=np.float64)).max()))
        converter = _Converter(rate, channels, max_seconds, peak=peak, known_length=known_length)
        for block in blocks():
            converter.add(block)
        return converter


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
