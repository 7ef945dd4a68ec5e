"""One check for every argument a request brings (from the page, gradio_client, raw HTTP or MCP): its type,
finiteness, range or allowed values. A bad value gets a UserInputError naming the parameter and what
is accepted; a good one comes back in the type the task modules use."""

from __future__ import annotations

import math
from collections.abc import Collection

from modules.config import UserInputError


def _describe(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _as_number(name: str, value, accepted: str) -> float:
    # bool is an int in Python, never a number a person meant; strings are not numbers either.
    if value is None:
        raise UserInputError(f"{name} is missing; {accepted}.")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise UserInputError(f"{name} must be a number; {accepted}. Got {_describe(value)}.")
    if isinstance(value, float) and not math.isfinite(value):
        raise UserInputError(f"{name} must be a finite number; {accepted}. Got {_describe(value)}.")
    return value


def whole_number(name: str, value, low: int, high: int) -> int:
    """An integer in [low, high]; a float with no fraction (3.0) counts as whole."""
    accepted = f"it accepts whole numbers from {low:,} to {high:,}"
    number = _as_number(name, value, accepted)
    if isinstance(number, float) and not number.is_integer():
        raise UserInputError(f"{name} must be a whole number; {accepted}. Got {_describe(value)}.")
    if not low <= number <= high:
        raise UserInputError(f"{name} is out of range; {accepted}. Got {_describe(value)}.")
    return int(number)


def number(name: str, value, low: float, high: float) -> float:
    """A finite number in [low, high]."""
    accepted = f"it accepts numbers from {low:g} to {high:g}"
    value_ = _as_number(name, value, accepted)
    if not low <= value_ <= high:
        raise UserInputError(f"{name} is out of range; {accepted}. Got {_describe(value)}.")
    return float(value_)


def text(name: str, value, optional: bool = False) -> str | None:
    """A string (None only when optional; empty text is left to the task's own, friendlier check)."""
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise UserInputError(f"{name} must be text. Got {_describe(value)}.")
    return value


def flag(name: str, value) -> bool:
    """True or False, nothing else."""
    if not isinstance(value, bool):
        raise UserInputError(f"{name} must be true or false. Got {_describe(value)}.")
    return value


def one_of(name: str, value, allowed: Collection[str]) -> str:
    """One of a few fixed words (a long list, such as languages, is checked by its catalog instead)."""
    if value not in allowed:
        listed = ", ".join(repr(item) for item in allowed)
        raise UserInputError(f"{name} must be one of {listed}. Got {_describe(value)}.")
    return value
