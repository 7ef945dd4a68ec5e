"""CTC models: per-frame emissions in bounded chunks, and forced alignment of known tokens to them.

`emissions` is the one chunking loop over a CTC model (wav2vec2, MMS, W2V-BERT): Transcribe takes the
most likely token of each frame, Align the best path through a known transcript. Audio is cut into
fixed chunks with extra context on both sides; each chunk's frames for its context are dropped, so
the chunks' frames line up with the whole clip's (the transformers ASR pipeline's chunk/stride scheme)
and memory stays bounded by the chunk size whatever the length.

`force_align` is CTC Viterbi alignment (Graves et al. 2006; the algorithm of torchaudio's
`forced_align`, which can't be installed beside the pinned torch): the single most likely path that
reads the tokens in order, each for one or more frames, with blanks optional between them and
required between two equal tokens. Its back-pointer table needs frames x (2 x tokens + 1) bytes: an
hour against its transcript would be ~180,000 x 100,000 = 18 GB, so long inputs are aligned in
overlapping windows (`WINDOW_FRAMES`), committing only the words that end well inside each window;
`tests/test_align.py` checks that windows give the same path as one pass.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import torch

from modules.audio import SAMPLE_RATE

# MMS-1B runs out of memory past ~1 minute in one pass (fairseq #5271): bounded chunks instead.
CHUNK_SECONDS = 20.0
CONTEXT_SECONDS = 2.0

# One pass while the back-pointer table stays under this many cells (bytes): ~1 minute of speech.
ONE_PASS_CELLS = 16_000_000
WINDOW_FRAMES = 3000  # 60 s at wav2vec2's 20 ms frames
COMMIT_SHARE = 2 / 3  # words ending in the first two thirds of a window are final

Progress = Callable[[float, str], None]


def frame_samples(entry) -> int:
    """Samples of 16 kHz audio per output frame: the product of the conv strides (320 for the wav2vec2 family,
    MMS and Omnilingual ASR alike; Omnilingual's config keeps them in its audio_config)."""
    config = entry.model.config
    ratio = getattr(config, "inputs_to_logits_ratio", None)
    if ratio is None:
        ratio = math.prod(getattr(config, "audio_config", config).conv_stride)
    return int(ratio)


def frame_seconds(entry) -> float:
    """Seconds of audio per output frame (0.02 for wav2vec2-style models)."""
    return frame_samples(entry) / SAMPLE_RATE


# On CUDA, chunks are read several at a time; each in flight is budgeted this much GPU memory (a 24 s
# piece of MMS-1B in float16: ~1,200 frames x 48 layers of activations, attention included; an estimate,
# not yet measured on a GPU). On CPU one at a time: batching was not faster there (benchmarks/batching.py).
BYTES_PER_CHUNK_ON_GPU = 400 * 2**20
MAX_BATCH = 16


def batch_size_for(entry) -> int:
    if entry.device.type != "cuda":
        return 1
    free, _ = torch.cuda.mem_get_info(entry.device)
    return max(1, min(MAX_BATCH, int(free * 0.8) // BYTES_PER_CHUNK_ON_GPU))


def emissions(
    entry, samples: np.ndarray, chunk_seconds: float = CHUNK_SECONDS, progress: Progress | None = None,
    what: str = "Transcribing", batch_size: int | None = None,
) -> Iterator[torch.Tensor]:
    """Log-probabilities [frames, vocabulary] (float32, CPU) for the whole clip, one chunk at a time,
    in order; together they have one row per output frame of the clip. The caller holds `entry.lock`.

    batch_size: chunks read in one forward (default: `batch_size_for`). Only chunks of equal length go
    together (all but the first and the last are), so nothing is padded: padding would change the output
    of models without an attention mask (wav2vec2-base-960h's group norm), and it buys little here. The
    frames are the same as one at a time (tests/test_long_audio.py)."""
    progress = progress or (lambda fraction, description: None)
    batch_size = batch_size or batch_size_for(entry)
    # Chunk edges on frame edges, so each chunk's frames line up with the whole clip's frames.
    frame = frame_samples(entry)  # samples per output frame (320 for wav2vec2)
    chunk = max(1, round(chunk_seconds * SAMPLE_RATE / frame)) * frame
    context = round(CONTEXT_SECONDS * SAMPLE_RATE / frame) * frame
    starts = list(range(0, len(samples), chunk))
    if len(starts) > 1 and len(samples) - starts[-1] < SAMPLE_RATE:
        starts.pop()  # fold a sub-second tail into the chunk before it
    plan = []  # (first sample read, last sample read, frames to skip, frames to keep or None for all)
    for number, start in enumerate(starts):
        last = number + 1 == len(starts)
        end = len(samples) if last else starts[number + 1]
        left, right = min(context, start), min(context, len(samples) - end)
        plan.append((start - left, end + right, left // frame, None if last else (end - start) // frame))
    number = 0
    while number < len(plan):
        group = [plan[number]]
        width = group[0][1] - group[0][0]
        while (len(group) < batch_size and number + len(group) < len(plan)
               and plan[number + len(group)][1] - plan[number + len(group)][0] == width):
            group.append(plan[number + len(group)])
        progress(number / len(plan), f"{what} chunk {number + 1} of {len(plan)}")
        pieces = [samples[a:b] for a, b, _, _ in group]
        audio = pieces[0] if len(pieces) == 1 else pieces
        inputs = entry.processor(audio=audio, sampling_rate=SAMPLE_RATE, return_tensors="pt")
        with torch.inference_mode():
            logits = entry.model(**entry.to_model(inputs)).logits
        for row, (_, _, first, count) in zip(logits, group):
            kept = row[first:] if count is None else row[first : first + count]
            yield torch.log_softmax(kept.float(), dim=-1).cpu()
        number += len(group)


class AlignmentError(ValueError):
    """The tokens can't be read from these frames (too few frames, or a transcript far off the audio)."""


@dataclass
class TokenSpan:
    token: int  # vocabulary id
    start: int  # first frame
    end: int  # one past the last frame
    score: float  # mean probability of the token over its frames


def force_align(
    log_probs: np.ndarray, words: list[list[int]], blank: int, separator: int | None = None,
    progress: Progress | None = None,
) -> list[list[TokenSpan]]:
    """The best CTC path through `words` (token ids per word; `separator`, e.g. "|", between words):
    every token's frames and score, per word. `log_probs`: [frames, vocabulary]."""
    progress = progress or (lambda fraction, description: None)
    tokens, word_of = [], []
    for index, word in enumerate(words):
        if not word:
            raise ValueError(f"word {index} has no tokens")
        if separator is not None and index:
            tokens.append(separator)
            word_of.append(-1)
        tokens += word
        word_of += [index] * len(word)
    frames = len(log_probs)
    needed = len(tokens) + sum(a == b for a, b in zip(tokens, tokens[1:]))
    if needed > frames:
        raise AlignmentError(f"{needed} frames are needed to read the transcript, the audio has {frames}")
    tokens, word_of = np.asarray(tokens), np.asarray(word_of)
    spans: list[list[TokenSpan]] = [[] for _ in words]

    def keep(path_spans: list[TokenSpan], first_token: int, last_token: int) -> None:
        for span, position in zip(path_spans, range(first_token, last_token)):
            if word_of[position] >= 0:
                spans[word_of[position]].append(span)

    if frames * (2 * len(tokens) + 1) <= ONE_PASS_CELLS:
        keep(_spans(log_probs, tokens, _viterbi(log_probs, tokens, blank, free_end=False)), 0, len(tokens))
        return spans

    # Twice the average rate of tokens per frame: enough text for a window of fast speech. (At most
    # 1 token a frame, so a window's table stays under WINDOW_FRAMES x (4 x WINDOW_FRAMES + 129) bytes.)
    per_window = int(2 * len(tokens) / frames * WINDOW_FRAMES) + 64
    frame0 = position = 0
    while position < len(tokens):
        progress(frame0 / frames, "Aligning")
        end_frame = min(frames, frame0 + WINDOW_FRAMES)
        last = end_frame == frames
        stop = len(tokens) if last else min(len(tokens), position + per_window)
        while stop < len(tokens) and word_of[stop] >= 0 and word_of[stop] == word_of[stop - 1]:
            stop += 1  # whole words only
        if last and stop - position > 2 * per_window:
            raise AlignmentError("the rest of the transcript is far longer than the rest of the audio")
        window = log_probs[frame0:end_frame]
        piece = tokens[position:stop]
        path_spans = _spans(window, piece, _viterbi(window, piece, blank, free_end=not last), offset=frame0)
        if last:
            keep(path_spans, position, stop)
            break
        # Commit the whole words (and separators before them) that end in the first part of the window.
        boundary = frame0 + int(COMMIT_SHARE * WINDOW_FRAMES)
        committed = 0
        for count in range(1, len(path_spans) + 1):
            index = position + count - 1
            word_ends = index + 1 == len(tokens) or word_of[index + 1] != word_of[index]
            if word_of[index] >= 0 and word_ends and path_spans[count - 1].end <= boundary:
                committed = count
            elif path_spans[count - 1].end > boundary:
                break
        if committed == 0:
            frame0 = boundary  # no word ends there: nothing was said in that stretch
            continue
        keep(path_spans[:committed], position, position + committed)
        frame0 = path_spans[committed - 1].end
        position += committed
        if position < len(tokens) and word_of[position] < 0:
            position += 1  # the separator after the last word: its frames belong to the pause
        if len(tokens) - position > frames - frame0:
            raise AlignmentError("the rest of the transcript is longer than the rest of the audio")
    return spans


def _viterbi(log_probs: np.ndarray, tokens: np.ndarray, blank: int, free_end: bool) -> np.ndarray:
    """The state (0 blank, 2k+1 the k-th token, 2k+2 blank) at each frame of the best path.

    free_end: the path may stop anywhere in the tokens (a window that ends before the transcript does);
    otherwise it must end on the last token or the blank after it."""
    frames, states = len(log_probs), 2 * len(tokens) + 1
    labels = np.full(states, blank)
    labels[1::2] = tokens
    # A token may follow the token before it directly (skipping the blank) unless they are equal.
    skip_ok = np.zeros(states, dtype=bool)
    skip_ok[3::2] = tokens[1:] != tokens[:-1]
    scores = np.full(states, -np.inf, dtype=np.float64)
    scores[0] = log_probs[0, blank]
    scores[1] = log_probs[0, tokens[0]]
    back = np.zeros((frames, states), dtype=np.int8)  # 0 stay, 1 from the state before, 2 from two before
    candidates = np.full((3, states), -np.inf)
    columns = np.arange(states)
    for t in range(1, frames):
        candidates[0] = scores
        candidates[1, 1:] = scores[:-1]
        candidates[2, 2:] = np.where(skip_ok[2:], scores[:-2], -np.inf)
        choice = candidates.argmax(axis=0)
        back[t] = choice
        scores = candidates[choice, columns] + log_probs[t, labels]
    finals = scores if free_end else np.where(columns >= states - 2, scores, -np.inf)
    state = int(finals.argmax())
    if not np.isfinite(finals[state]):
        raise AlignmentError("the transcript can't be read from this audio")
    path = np.empty(frames, dtype=np.int64)
    for t in range(frames - 1, -1, -1):
        path[t] = state
        state -= int(back[t, state])
    return path


def _spans(log_probs: np.ndarray, tokens: np.ndarray, path: np.ndarray, offset: int = 0) -> list[TokenSpan]:
    """One span per token the path reached (in order): its frames (absolute, + offset) and mean probability."""
    spans = []
    token_frames = np.flatnonzero(path % 2 == 1)
    if len(token_frames) == 0:
        return spans
    # Runs of one state: a token's frames are consecutive on the path.
    breaks = np.flatnonzero(np.diff(path[token_frames]) != 0) + 1
    for run in np.split(token_frames, breaks):
        k = int(path[run[0]]) // 2
        probability = float(np.exp(log_probs[run, tokens[k]]).mean())
        spans.append(TokenSpan(int(tokens[k]), offset + int(run[0]), offset + int(run[-1]) + 1, probability))
    return spans


def words_from_frames(ids: list[int], tokenizer, blank: int, seconds_per_frame: float) -> list:
    """Timed words from one greedy CTC id per frame, for tokenizers that give no offsets (Omnilingual's): a run
    of one id is one character, the blank separates repeats, a space (the tokenizer's word boundary: a plain
    " ", id 4 in Omnilingual's vocabulary) ends a word. A word spans its first character's first frame to its
    last character's last frame."""
    from modules.subtitles import TimedText

    specials = set(tokenizer.all_special_ids)
    words, letters, start, end = [], [], 0, 0
    frame = 0
    for token, run in itertools.groupby(ids):
        length = len(list(run))
        if token != blank and token not in specials:
            piece = tokenizer.convert_ids_to_tokens(token)
            if piece.isspace():
                if letters:
                    words.append(TimedText(start * seconds_per_frame, end * seconds_per_frame, "".join(letters)))
                letters = []
            else:
                if not letters:
                    start = frame
                letters.append(piece)
                end = frame + length
        frame += length
    if letters:
        words.append(TimedText(start * seconds_per_frame, end * seconds_per_frame, "".join(letters)))
    return words
