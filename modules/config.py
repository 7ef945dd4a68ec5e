"""Every setting of the app, read once from environment variables with documented defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass


def _env_float(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _gigabytes_or_auto(name: str) -> int | None:
    value = os.environ.get(name, "auto")
    return None if value.strip().lower() == "auto" else int(float(value) * 2**30)


def _gigabytes_or_none(name: str, default: float) -> int | None:
    value = os.environ.get(name, str(default)).strip().lower()
    return None if value in ("none", "off", "") else int(float(value) * 2**30)


@dataclass(frozen=True)
class Settings:
    # JSON or TOML file mapping model ids to local directories (see README "Offline use").
    model_paths_file: str | None
    # "auto": ZeroGPU on a ZeroGPU Space, else CUDA (half precision) when present, else CPU (float32);
    # or "zerogpu", "cuda", "cpu" (modules/gpu.py).
    device: str
    # On ZeroGPU: the most GPU seconds one request may ask for (longer requests are refused up front).
    zerogpu_max_seconds: int
    # Longest audio accepted per request, in seconds, per tab.
    max_identify_seconds: float
    max_transcribe_seconds: float
    max_translate_seconds: float
    # Longest text accepted per request, in characters.
    max_text_chars: int
    # Most generation work per request: pieces (sentences / speech pieces) x beams x max new tokens.
    max_decoder_steps: int
    # Upload size limit passed to Gradio's launch(max_file_size=...).
    max_file_size: str
    # Requests waiting in the queue before new ones are turned away, and how many run at once.
    queue_size: int
    concurrency: int
    # Budget for cached model weights in bytes; least recently used models are evicted past it.
    # None ("auto"): modules/models.default_budget_bytes, from the device and the machine's memory.
    cache_budget_bytes: int | None
    # The Hugging Face cache's share of the disk, in bytes: past it, the least recently used downloads are removed
    # before a new one (never a model in use). None: no budget (only the disk's free space is checked).
    disk_budget_bytes: int | None
    # Seconds to wait when checking whether the Hugging Face Hub can be reached.
    hub_check_timeout: float
    # Load and run the default models at start: "auto" (on CUDA only), "on", "off".
    warmup: str
    # Uploads, recordings and result files are deleted this many minutes after they were made.
    keep_files_minutes: int
    # Compare models: seconds of audio times the number of models, per request (a test set counts all clips).
    max_compare_seconds: float
    # Many files at once (Identify, Transcribe): how many, and their total duration in seconds.
    max_batch_files: int
    max_batch_seconds: float
    # Offer the tabs as MCP tools for AI agents (at /gradio_api/mcp/), beside the web page and the API.
    mcp: bool
    # Check audio for speech (Silero VAD) before running a model on it; "off" for every request.
    speech_check: bool
    # Visitors' sessions whose page state the server keeps (~0.4 MB each; the oldest go first).
    sessions_kept: int


def load_settings() -> Settings:
    return Settings(
        model_paths_file=os.environ.get("POLYGLOT_MODEL_PATHS") or None,
        device=os.environ.get("POLYGLOT_DEVICE", "auto"),
        zerogpu_max_seconds=_env_int("POLYGLOT_ZEROGPU_MAX_SECONDS", 120),
        max_identify_seconds=_env_float("POLYGLOT_MAX_IDENTIFY_SECONDS", 600.0),
        max_transcribe_seconds=_env_float("POLYGLOT_MAX_TRANSCRIBE_SECONDS", 3600.0),
        max_translate_seconds=_env_float("POLYGLOT_MAX_TRANSLATE_SECONDS", 600.0),
        max_text_chars=_env_int("POLYGLOT_MAX_TEXT_CHARS", 2000),
        # 40 pieces x 5 beams x 256 tokens: ten minutes of speech (or ~40 sentences) at the default settings.
        max_decoder_steps=_env_int("POLYGLOT_MAX_DECODER_STEPS", 40 * 5 * 256),
        # An hour of 16 kHz 16-bit mono WAV is 115 MB.
        max_file_size=os.environ.get("POLYGLOT_MAX_FILE_SIZE", "200mb"),
        queue_size=_env_int("POLYGLOT_QUEUE_SIZE", 32),
        concurrency=_env_int("POLYGLOT_CONCURRENCY", 1),
        cache_budget_bytes=_gigabytes_or_auto("POLYGLOT_CACHE_BUDGET_GB"),
        # A Space's disk holds 50 GB: 40 for models, the rest for uploads, results and the app itself.
        disk_budget_bytes=_gigabytes_or_none("POLYGLOT_DISK_BUDGET_GB", 40.0),
        hub_check_timeout=_env_float("POLYGLOT_HUB_CHECK_TIMEOUT", 3.0),
        warmup=os.environ.get("POLYGLOT_WARMUP", "auto"),
        keep_files_minutes=_env_int("POLYGLOT_KEEP_FILES_MINUTES", 60),
        # Gradio keeps 10,000 by default: ~3.7 GB for this page (benchmarks/load.py notes how it was measured).
        sessions_kept=_env_int("POLYGLOT_SESSIONS_KEPT", 1000),
        max_compare_seconds=_env_float("POLYGLOT_MAX_COMPARE_SECONDS", 600.0),
        max_batch_files=_env_int("POLYGLOT_MAX_BATCH_FILES", 50),
        max_batch_seconds=_env_float("POLYGLOT_MAX_BATCH_SECONDS", 3600.0),
        mcp=os.environ.get("POLYGLOT_MCP", "on").lower() not in ("off", "0", "false", "no"),
        speech_check=os.environ.get("POLYGLOT_SPEECH_CHECK", "on").lower() not in ("off", "0", "false", "no"),
    )


class UserInputError(ValueError):
    """Something the user gave that the app can't use; the message is shown to them as is."""


class ModelUnavailableError(RuntimeError):
    """A model can't be loaded (offline, missing files); the message says which and how to provide it."""
