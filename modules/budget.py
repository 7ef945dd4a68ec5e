"""How much work one request may ask of the models, so no visitor holds the shared model slot for minutes;
and, on ZeroGPU, how many seconds of GPU one request asks for.

Audio length and text length have their own limits (config: per-tab seconds, characters). What they
don't bound is generation: a translation costs up to pieces x beams x new tokens decoder steps, and the
same text can ask for 5 beams and 512 tokens per sentence. One limit covers that product.
"""

from __future__ import annotations

import math

from modules.config import UserInputError, load_settings


def decoder_steps(pieces: int, beams: int, max_new_tokens: int) -> int:
    """The most decoder steps a request can take: every piece, every beam, every token it may write."""
    return pieces * beams * max_new_tokens


def check_decoder_steps(pieces: int, unit: str, beams: int, max_new_tokens: int, limit: int | None = None) -> None:
    """Refuse, before any work, a request whose generation could run past the server's limit."""
    limit = load_settings().max_decoder_steps if limit is None else limit
    asked = decoder_steps(pieces, beams, max_new_tokens)
    if asked <= limit:
        return
    fits = max(1, limit // (beams * max_new_tokens))
    raise UserInputError(
        f"This request is too big for this server: {pieces} {unit}s × {beams} beams × {max_new_tokens} tokens "
        f"= {asked:,} decoder steps, over its limit of {limit:,}. At these settings up to {fits} {unit}s fit; "
        "send less, or use fewer beams (1 = fastest) or fewer tokens."
    )


# GPU time asked of ZeroGPU per request (modules/gpu.py). Generous guesses for half an H200 (ZeroGPU
# "large"), from the CPU figures and the GPU targets (10 min of MMS in <= 3 s): no GPU was lent
# while this was written; benchmarks/gpu.py measures what should replace them. Too little and ZeroGPU
# stops the call; too much only lowers the request's place in ZeroGPU's queue (a visitor's quota is
# charged for the time used, not the time asked).
GPU_START_SECONDS = 5.0  # the worker starts and the models are moved in
GPU_LOAD_SECONDS = 30.0  # a model loaded just before the call, which a reused worker reads from disk
MIN_GPU_SECONDS = 10
GPU_SECONDS_PER = {
    "identify audio second": 0.01,  # of at most 8 windows of 30 s (modules/identify.py)
    "ctc audio second": 0.03,
    "align audio second": 0.05,  # the CTC forward, then the Viterbi path on the CPU
    "seamless audio second": 0.15,  # per beam-weighted second, text out
    "omnilingual llm audio second": 0.1,  # a 300M encoder and a 12-layer Llama decoder writing ~15 characters a second
    "seamless sentence": 1.5,
    "tts sentence": 0.4,
    "tts character": 0.005,
}


def gpu_work(kind: str, amount: float) -> float:
    return GPU_SECONDS_PER[kind] * amount


def seamless_factor(beams: int, speech_output: bool) -> float:
    """Each beam past the first adds a quarter; speech output (the unit decoder and vocoder) half again."""
    return (1 + 0.25 * (beams - 1)) * (1.5 if speech_output else 1.0)


def gpu_seconds(estimate: float) -> int:
    """The duration to ask ZeroGPU for: the estimate plus the worker's start, whole seconds, at least 10."""
    return max(MIN_GPU_SECONDS, math.ceil(GPU_START_SECONDS + estimate))


def check_gpu_seconds(estimate: float, limit: int | None = None) -> None:
    """Refuse, before any GPU time is spent, a request that would need more than one GPU call may take."""
    limit = load_settings().zerogpu_max_seconds if limit is None else limit
    asked = gpu_seconds(estimate)
    if asked > limit:
        raise UserInputError(
            f"This request would need about {asked} s of GPU time, and this Space gives one request at most "
            f"{limit} s. Send shorter audio or text (about {limit / asked:.0%} of this), or split it."
        )
