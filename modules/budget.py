"""How much work one request may ask of the models, so no visitor holds the shared model slot for minutes.

Audio length and text length have their own limits (config: per-tab seconds, characters). What they
don't bound is generation: a translation costs up to pieces x beams x new tokens decoder steps, and the
same text can ask for 5 beams and 512 tokens per sentence. One limit covers that product.
"""

from __future__ import annotations

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
