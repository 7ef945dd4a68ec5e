"""Live captions: text from the microphone while the person speaks (the CTC models).

Each streamed piece is read the way Transcribe reads a file's chunks, through `ctc.emissions`: the
newest audio with `ctc.CONTEXT_SECONDS` of audio before it. A frame is final once that much audio has
arrived after it (its right context); the frames after it are shown as they stand and read again with
the next piece. So a word at a piece edge is neither lost nor doubled. When the person stops, the whole
recording is transcribed once, as a file would be (`finish`): that is the transcript kept and downloaded.

One `LiveSession` per browser session (a gr.State): no state is shared between streams.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import soxr

from modules import budget, ctc, gpu, transcribe
from modules.audio import SAMPLE_RATE
from modules.config import UserInputError
from modules.models import CATALOG, SEAMLESS_MODEL, ModelCache, default_cache

MAX_SECONDS = 600.0  # a live session stops taking audio after ten minutes
# The page sends the microphone's audio this often. Each piece re-reads ~4 s around it (2 s of left context,
# 2 s waiting for right context): every 0.5 s that was 0.51 s of work per 0.5 s of audio for the base-size
# model on 2 CPU cores (falling behind); every 1 s it is ~0.6 s, so text shows ~1.6 s after speech.
STREAM_SECONDS = 1.0


@dataclass
class LiveSession:
    model_id: str
    language: str
    samples: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))
    final_ids: list[int] = field(default_factory=list)  # one per frame, for frames with their full right context
    text: str = ""
    rate: int | None = None  # the microphone's rate
    resampler: soxr.ResampleStream | None = field(default=None, repr=False)

    @property
    def seconds(self) -> float:
        return len(self.samples) / SAMPLE_RATE


def start(model_id: str, language: str) -> LiveSession:
    if model_id == SEAMLESS_MODEL:
        raise UserInputError("Live captions work with the MMS, wav2vec2 and Wav2Vec2-BERT models; pick one of them.")
    if language == transcribe.AUTO:
        raise UserInputError("Live captions need the language: pick it from the list (detection needs the whole clip).")
    if model_id in CATALOG and language not in transcribe.asr_languages(model_id).codes:
        raise UserInputError(f"{model_id} does not transcribe {language!r}. Pick a language from its list.")
    return LiveSession(model_id, language)


def add(session: LiveSession, rate: int, chunk: np.ndarray, cache: ModelCache | None = None) -> str:
    """Take the next piece from the microphone (any rate, int16 or float, mono or not); the text so far."""
    cache = cache or default_cache()
    chunk = np.asarray(chunk)
    if chunk.ndim == 2:
        chunk = chunk.mean(axis=1)
    if np.issubdtype(chunk.dtype, np.integer):
        chunk = chunk / float(np.iinfo(chunk.dtype).max)
    if session.resampler is None or session.rate != rate:
        session.rate, session.resampler = rate, soxr.ResampleStream(rate, SAMPLE_RATE, 1, dtype="float32")
    piece = session.resampler.resample_chunk(chunk.astype(np.float32))
    if session.seconds + len(piece) / SAMPLE_RATE > MAX_SECONDS:
        raise UserInputError(f"Live captions stop after {MAX_SECONDS / 60:.0f} minutes. Stop, and start again.")
    session.samples = np.concatenate([session.samples, piece])
    frame = cache.get(session.model_id, CATALOG.get(session.model_id, "ctc")).model.config.inputs_to_logits_ratio
    context = round(ctc.CONTEXT_SECONDS * SAMPLE_RATE / frame)
    done = len(session.final_ids)
    first = max(0, done - context)  # frames of left context, read again but not kept
    piece_samples = session.samples[first * frame :]
    if len(piece_samples) < frame * 2:
        return session.text
    final = max(0, len(session.samples) // frame - context - done)  # frames that now have their right context
    ids, session.text = read_piece(piece_samples, session.model_id, session.language, session.final_ids, done - first, cache)
    session.final_ids += ids[:final].tolist()
    return session.text


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
    entry = (cache or default_cache()).get(model_id, CATALOG.get(model_id, "ctc"))
    with entry.lock:
        if getattr(entry.model.config, "adapter_attn_dim", None):
            transcribe.apply_adapter(entry, language)
        ids = np.concatenate([c.argmax(dim=-1).numpy() for c in ctc.emissions(entry, samples)])[skip:]
        tokenizer = entry.processor.tokenizer
        return ids, transcribe.readable(tokenizer, tokenizer.decode(final_ids + ids.tolist()))


def finish(session: LiveSession, cache: ModelCache | None = None) -> transcribe.Transcript:
    """The whole recording transcribed once, as a file would be."""
    if session.resampler is not None:
        session.samples = np.concatenate([session.samples, session.resampler.resample_chunk(np.zeros(0, np.float32), last=True)])
    if session.seconds < 0.1:
        raise UserInputError("Nothing was recorded. Allow the microphone, start recording and speak.")
    return transcribe.transcribe(session.samples, session.language, session.model_id, cache=cache)
