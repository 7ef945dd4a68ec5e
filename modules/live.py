"""Live captions: text from the microphone while the person speaks (the CTC models).

Each streamed piece is read the way Transcribe reads a file's chunks, through `ctc.emissions`: the
newest audio with `ctc.CONTEXT_SECONDS` of audio before it. A frame is final once that much audio has
arrived after it (its right context); the frames after it are shown as they stand and read again with
the next piece. So a word at a piece edge is neither lost nor doubled. When the person stops, the whole
recording is transcribed once, as a file would be (`finish`): that is the transcript kept and downloaded.

One `LiveSession` per browser session (a gr.State): no state is shared between streams, and pieces of one
session are read one at a time (its lock). What a session holds in memory is bounded whatever the length:
the recording so far goes to a file in the server's request folder (modules/request.py), and only the
audio the next piece reads again stays in memory (~5 s, 0.3 MB; benchmarks/live.py measures a session).
The file goes when the session finishes, or `KEPT_AFTER_LAST_PIECE_SECONDS` after its last piece when the
visitor left without Stop (`discard_idle`); after Stop the session is dropped, only the texts and files shown
remain.
"""

from __future__ import annotations

import array
import contextlib
import os
import shutil
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import soxr

from modules import budget, ctc, gpu, request, transcribe
from modules.audio import SAMPLE_RATE, to_float32
from modules.config import UserInputError
from modules.models import CATALOG, CTC_TASKS, ModelCache, default_cache

MAX_SECONDS = 600.0  # a live session stops taking audio after ten minutes
# The page sends the microphone's audio this often. Each piece re-reads ~4 s around it (2 s of left context,
# 2 s waiting for right context): every 0.5 s that was 0.51 s of work per 0.5 s of audio for the base-size
# model on 2 CPU cores (falling behind); every 1 s it is ~0.6 s, so text shows ~1.6 s after speech.
STREAM_SECONDS = 1.0
# A stream whose next piece doesn't come within this long is over (the tab closed or the network went): its
# slot is freed (ui/gradio_fixes.end_idle_streams) and, this long again later, its recording is deleted.
IDLE_SECONDS = 10.0
# A recording whose page left without Stop is deleted this long after its last piece. Not sooner: Stop's final
# transcription waits in the model queue like any request, and on a busy server it waited past 20 s while its
# recording was deleted under it (the soak).
KEPT_AFTER_LAST_PIECE_SECONDS = 300.0
_RECORDING = "recording.f32"  # float32 samples at 16 kHz, appended piece by piece


@dataclass
class LiveSession:
    model_id: str
    language: str
    folder: Path = field(default_factory=lambda: request.work_root() / f"live-{uuid.uuid4().hex}")
    received: int = 0  # samples at 16 kHz so far, all of them in the recording file
    tail: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))  # the last samples ...
    tail_start: int = 0  # ... from this sample on: what the next piece reads again
    final_ids: array.array = field(default_factory=lambda: array.array("i"))  # per frame, with full right context
    text: str = ""
    rate: int | None = None  # the microphone's rate
    resampler: soxr.ResampleStream | None = field(default=None, repr=False)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def seconds(self) -> float:
        return self.received / SAMPLE_RATE

    def recording(self) -> np.ndarray:
        """Every sample received so far (read from the session's file)."""
        path = self._recording_path()
        return np.fromfile(path, dtype=np.float32) if path is not None else np.zeros(0, dtype=np.float32)

    def _recording_path(self) -> Path | None:
        path = self.folder / _RECORDING
        if path.is_file():
            return path
        if self.received:
            raise UserInputError(f"The recording was discarded: no audio arrived for {KEPT_AFTER_LAST_PIECE_SECONDS / 60:.0f} "
                                 "minutes. Record again.")
        return None

    def memory_bytes(self) -> int:
        """What the session keeps in memory (the recording itself is on disk)."""
        return self.tail.nbytes + self.final_ids.itemsize * len(self.final_ids) + len(self.text.encode())

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def start(model_id: str, language: str) -> LiveSession:
    if CATALOG.get(model_id, "ctc") not in CTC_TASKS:
        raise UserInputError("Live captions work with the CTC models (MMS, Omnilingual CTC, wav2vec2, Wav2Vec2-BERT); "
                             "pick one of them.")
    if language == transcribe.AUTO and not transcribe.needs_no_language(model_id):
        raise UserInputError("Live captions need the language: pick it from the list (detection needs the whole clip).")
    if model_id in CATALOG and language != transcribe.AUTO and language not in transcribe.asr_languages(model_id).codes:
        raise UserInputError(f"{model_id} does not transcribe {language!r}. Pick a language from its list.")
    _sweep_in_the_background()
    return LiveSession(model_id, language)


_sweeper = threading.Lock()
_sweeping = False


def _sweep_in_the_background() -> None:
    """Once per process: `discard_idle` every `IDLE_SECONDS`, so a recording whose visitor left goes even when
    nobody starts another session."""
    global _sweeping
    with _sweeper:
        if _sweeping:
            return
        _sweeping = True

    def sweep() -> None:
        while True:
            discard_idle()
            time.sleep(IDLE_SECONDS)

    threading.Thread(target=sweep, name="live-recordings-sweeper", daemon=True).start()


# Sessions reading a piece right now: never discarded, however long the piece waits for the model (a busy
# server can keep a piece waiting longer than the idle time; its recording was deleted under it).
_reading: set[Path] = set()
_reading_lock = threading.Lock()


def discard_idle(now: float | None = None) -> list[Path]:
    """Delete the recordings of sessions no piece has reached for `KEPT_AFTER_LAST_PIECE_SECONDS` (their stream
    ended without a Stop: the visitor left); returns what was deleted."""
    now = time.time() if now is None else now
    gone = []
    with _reading_lock:
        busy = set(_reading)
    for folder in request.work_root().glob("live-*"):
        if folder in busy:
            continue
        recording = folder / _RECORDING
        try:
            last = max(folder.stat().st_mtime, recording.stat().st_mtime if recording.exists() else 0.0)
            idle = now - last
        except FileNotFoundError:
            continue
        if idle > KEPT_AFTER_LAST_PIECE_SECONDS:
            shutil.rmtree(folder, ignore_errors=True)
            gone.append(folder)
    return gone


def add(session: LiveSession, rate: int, chunk: np.ndarray, cache: ModelCache | None = None) -> str:
    """Take the next piece from the microphone (any rate, int16 or float, mono or not); the text so far."""
    cache = cache or default_cache()
    # Scaled to [-1, 1] the same way as uploads, before the channels are mixed (an int16 stereo piece used to
    # be averaged first, and then never scaled).
    chunk = to_float32(np.asarray(chunk))
    if chunk.ndim == 2:
        chunk = chunk.mean(axis=1, dtype=np.float32)
    with session.lock, _reading_piece(session):  # one piece of a session at a time
        if session.resampler is None or session.rate != rate:
            session.rate, session.resampler = rate, soxr.ResampleStream(rate, SAMPLE_RATE, 1, dtype="float32")
        piece = session.resampler.resample_chunk(chunk)
        if session.seconds + len(piece) / SAMPLE_RATE > MAX_SECONDS:
            raise UserInputError(f"Live captions stop after {MAX_SECONDS / 60:.0f} minutes. Stop, and start again.")
        _append(session, piece)
        frame = ctc.frame_samples(cache.get(session.model_id, CATALOG.get(session.model_id, "ctc")))
        context = round(ctc.CONTEXT_SECONDS * SAMPLE_RATE / frame)
        done = len(session.final_ids)
        first = max(0, done - context)  # frames of left context, read again but not kept
        # Only what the next pieces read again stays in memory.
        _drop_before(session, first * frame)
        piece_samples = session.tail[first * frame - session.tail_start :]
        if len(piece_samples) < frame * 2:
            return session.text
        final = max(0, session.received // frame - context - done)  # frames that now have their right context
        ids, session.text = read_piece(piece_samples, session.model_id, session.language, session.final_ids.tolist(),
                                       done - first, cache)
        session.final_ids.extend(ids[:final].tolist())
        return session.text


@contextlib.contextmanager
def _reading_piece(session: LiveSession):
    with _reading_lock:
        _reading.add(session.folder)
    try:
        yield
    finally:
        with _reading_lock:
            _reading.discard(session.folder)
        if session.folder.exists():  # the piece counts as activity from its end, however long it waited
            os.utime(session.folder)


def _append(session: LiveSession, piece: np.ndarray) -> None:
    session.folder.mkdir(parents=True, exist_ok=True)
    with open(session.folder / _RECORDING, "ab") as recording:
        recording.write(piece.astype(np.float32).tobytes())
    session.received += len(piece)
    session.tail = np.concatenate([session.tail, piece])


def _drop_before(session: LiveSession, sample: int) -> None:
    if sample > session.tail_start:
        session.tail = session.tail[sample - session.tail_start :].copy()
        session.tail_start = sample


@gpu.runs_models(
    models=lambda given: [(given["model_id"], CATALOG.get(given["model_id"], "ctc"))],
    seconds=lambda given: budget.gpu_work("ctc audio second", len(given["samples"]) / SAMPLE_RATE),
)
def read_piece(
    samples: np.ndarray, model_id: str, language: str, final_ids: list[int], skip: int,
    cache: ModelCache | None = None,
) -> tuple[np.ndarray, str]:
    """The greedy CTC ids of `samples` past its first `skip` frames (context read again), and the text of
    `final_ids` followed by them. Decoded here, under the lock: an MMS tokenizer's alphabet is the adapter's."""
    cache = cache or default_cache()
    entry = cache.get(model_id, CATALOG.get(model_id, "ctc"))
    with entry.lock:
        if entry.switches_languages:
            transcribe.apply_adapter(entry, language, cache)
        ids = np.concatenate([c.argmax(dim=-1).numpy() for c in ctc.emissions(entry, samples)])[skip:]
        tokenizer = entry.processor.tokenizer
        return ids, transcribe.readable(tokenizer, tokenizer.decode(final_ids + ids.tolist()))


def finish(session: LiveSession, cache: ModelCache | None = None) -> tuple[transcribe.Transcript, np.ndarray]:
    """The whole recording transcribed once, as a file would be; and the recording itself. The session's file
    is deleted: after this the session holds nothing but what the caller shows."""
    try:
        with session.lock:
            session._recording_path()  # said now if the recording was discarded, before the flush writes anew
            if session.resampler is not None:
                _append(session, session.resampler.resample_chunk(np.zeros(0, np.float32), last=True))
                session.resampler = None
            recording = session.recording()
            session.tail = np.zeros(0, dtype=np.float32)
    finally:
        session.discard()
    if len(recording) < 0.1 * SAMPLE_RATE:
        raise UserInputError("Nothing was recorded. Allow the microphone, start recording and speak.")
    return transcribe.transcribe(recording, session.language, session.model_id, cache=cache), recording
