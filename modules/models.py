"""The one model cache every task uses.

`default_cache().get(model_id, task)` loads a model with its processor on first use
(exactly once, even under concurrent first requests), keeps it on the best device, and
evicts the least recently used models past a memory budget. Only ids in CATALOG or in
the local override map can be loaded, so a request can never make the server fetch an
arbitrary repository. Weights load as safetensors; remote code is never trusted.
"""

from __future__ import annotations

import functools
import gc
import json
import logging
import os
import socket
import threading
import time
import tomllib
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import torch
import transformers
from transformers import (
    AutoFeatureExtractor,
    AutoProcessor,
    AutoTokenizer,
    SeamlessM4Tv2Model,
    VitsModel,
    Wav2Vec2BertForCTC,
    Wav2Vec2ForCTC,
    Wav2Vec2ForSequenceClassification,
)

from modules import languages
from modules.config import ModelUnavailableError, UserInputError, load_settings

log = logging.getLogger(__name__)

# Load reports and per-shard progress bars are noise in a server log.
transformers.logging.set_verbosity_error()
transformers.utils.logging.disable_progress_bar()

# task -> (model class, processor loader). A "processor" is whatever turns input into tensors.
LOADERS = {
    "identify": (Wav2Vec2ForSequenceClassification, AutoFeatureExtractor),
    "ctc": (Wav2Vec2ForCTC, AutoProcessor),
    "w2v-bert-ctc": (Wav2Vec2BertForCTC, AutoProcessor),
    "speak": (VitsModel, AutoTokenizer),
    "seamless": (SeamlessM4Tv2Model, AutoProcessor),
}

LID_MODELS = [f"facebook/mms-lid-{n}" for n in (126, 256, 512, 1024, 2048, 4017)]
MMS_ASR_MODEL = "facebook/mms-1b-all"
ENGLISH_ASR_MODEL = "facebook/wav2vec2-base-960h"
SEAMLESS_MODEL = "facebook/seamless-m4t-v2-large"
# Wav2Vec2-BERT CTC fine-tunes: model id -> the one language it transcribes.
W2V_BERT_MODELS = {"hf-audio/wav2vec2-bert-CV16-en": "eng"}


def tts_model_id(language: str) -> str:
    return f"facebook/mms-tts-{language}"


# Every model the app may load from the Hub, with the task it serves.
CATALOG: dict[str, str] = {
    **{model_id: "identify" for model_id in LID_MODELS},
    MMS_ASR_MODEL: "ctc",
    ENGLISH_ASR_MODEL: "ctc",
    SEAMLESS_MODEL: "seamless",
    **{model_id: "w2v-bert-ctc" for model_id in W2V_BERT_MODELS},
    **{tts_model_id(language.code): "speak" for language in languages.MMS_TTS},
}


@dataclass
class LoadedModel:
    model_id: str
    task: str
    model: torch.nn.Module
    processor: object
    device: torch.device
    dtype: torch.dtype
    nbytes: int
    local_files_only: bool
    # Held around anything that mutates or runs the model (adapter switch + forward), so
    # concurrent requests never see each other's state.
    lock: threading.RLock = field(default_factory=threading.RLock)
    # Per-model mutable state, e.g. the MMS adapter currently applied.
    state: dict = field(default_factory=dict)

    def to_model(self, batch) -> dict[str, torch.Tensor]:
        """Processor output moved once to the model's device; float inputs in the model's dtype."""
        return {
            key: value.to(self.device, self.dtype) if value.is_floating_point() else value.to(self.device)
            for key, value in batch.items()
            if isinstance(value, torch.Tensor)
        }


def pick_device(preference: str = "auto") -> tuple[torch.device, torch.dtype]:
    """CUDA in half precision when present (or asked for), else CPU in float32."""
    if preference == "cuda" or (preference == "auto" and torch.cuda.is_available()):
        return torch.device("cuda"), torch.float16
    return torch.device("cpu"), torch.float32


def read_override_map(path: str | None) -> dict[str, str]:
    """{model id: local directory} from a JSON or TOML file; relative paths are relative to the file."""
    if not path:
        return {}
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
        raw = tomllib.loads(text) if file.suffix == ".toml" else json.loads(text)
    except (OSError, ValueError) as error:
        raise SystemExit(f"POLYGLOT_MODEL_PATHS={path} can't be read: {error}")
    if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
        raise SystemExit(f"POLYGLOT_MODEL_PATHS={path} must map model ids to directory paths (strings).")
    return {model_id: str((file.parent / directory).resolve()) for model_id, directory in raw.items()}


class ModelCache:
    def __init__(
        self,
        overrides: dict[str, str] | None = None,
        device: str = "auto",
        budget_bytes: int = 16 * 2**30,
        hub_check_timeout: float = 3.0,
    ):
        self.overrides = dict(overrides or {})
        self.device, self.dtype = pick_device(device)
        self.budget_bytes = budget_bytes
        self.hub_check_timeout = hub_check_timeout
        self.load_counts: dict[str, int] = {}
        self._entries: OrderedDict[str, LoadedModel] = OrderedDict()  # least recently used first
        self._load_locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()
        self._hub_checked_at = -1e9
        self._hub_ok = False

    # -- what can be loaded, and from where --------------------------------------------------

    def is_allowed(self, model_id: str) -> bool:
        return model_id in CATALOG or model_id in self.overrides

    def hub_reachable(self) -> bool:
        """One cheap TCP check per minute; offline, every load fails fast instead of retrying for ~45 s."""
        if os.environ.get("HF_HUB_OFFLINE", "0").lower() in ("1", "true", "yes"):
            return False
        if time.monotonic() - self._hub_checked_at > 60:
            from huggingface_hub import constants

            host = urlparse(constants.ENDPOINT).hostname or "huggingface.co"
            try:
                socket.create_connection((host, 443), timeout=self.hub_check_timeout).close()
                self._hub_ok = True
            except OSError:
                self._hub_ok = False
            self._hub_checked_at = time.monotonic()
        return self._hub_ok

    def describe_source(self, model_id: str) -> str:
        """One line for the UI: where this model would come from, or why it can't be had."""
        if model_id in self.overrides:
            path = self.overrides[model_id]
            if (Path(path) / "config.json").is_file():
                return f"`{model_id}`: local copy in `{path}`."
            return f"`{model_id}`: ⚠ the local directory `{path}` has no config.json. {self.how_to_provide(model_id)}"
        if self.hub_reachable():
            return f"`{model_id}`: downloads from the Hugging Face Hub on first use."
        if _in_hub_cache(model_id):
            return f"`{model_id}`: found in the local Hugging Face cache."
        return f"`{model_id}`: ⚠ not available: the Hugging Face Hub can't be reached. {self.how_to_provide(model_id)}"

    @staticmethod
    def how_to_provide(model_id: str) -> str:
        return (
            f"Download it on a connected machine (`hf download {model_id} --local-dir DIR`), copy DIR here, "
            f'and map it in the JSON file named by POLYGLOT_MODEL_PATHS: {{"{model_id}": "DIR"}}.'
        )

    # -- the cache ------------------------------------------------------------------------------

    def get(self, model_id: str, task: str) -> LoadedModel:
        """The loaded model; the first call loads it, concurrent first calls wait for that one load."""
        if not self.is_allowed(model_id):
            raise UserInputError(f"Unknown model {model_id!r}. Choose one of the models the app lists.")
        expected = CATALOG.get(model_id)
        if task not in LOADERS or (expected is not None and expected != task):
            raise UserInputError(f"The model {model_id} can't be used for this task.")
        with self._lock:
            if model_id in self._entries:
                self._entries.move_to_end(model_id)
                return self._entries[model_id]
            load_lock = self._load_locks.setdefault(model_id, threading.Lock())
        with load_lock:
            with self._lock:
                if model_id in self._entries:
                    return self._entries[model_id]
            entry = self._load(model_id, task)
            with self._lock:
                self._entries[model_id] = entry
                self.load_counts[model_id] = self.load_counts.get(model_id, 0) + 1
                self._evict_over_budget(keep=model_id)
            return entry

    def evict(self, model_id: str) -> bool:
        with self._lock:
            removed = self._entries.pop(model_id, None) is not None
        if removed and self.device.type == "cuda":
            torch.cuda.empty_cache()
        return removed

    def clear(self) -> None:
        for model_id in self.loaded_ids():
            self.evict(model_id)
        gc.collect()

    def loaded_ids(self) -> list[str]:
        """Loaded models, least recently used first."""
        with self._lock:
            return list(self._entries)

    def loaded_bytes(self) -> int:
        with self._lock:
            return sum(entry.nbytes for entry in self._entries.values())

    def retry_after_out_of_memory(self, call):
        """Run `call()`; on a GPU out-of-memory error free every cached model and try once more."""
        try:
            return call()
        except torch.OutOfMemoryError:
            log.warning("out of GPU memory with %s loaded: evicting all and retrying once", self.loaded_ids())
            self.clear()
        try:
            return call()
        except torch.OutOfMemoryError as error:
            self.clear()
            raise ModelUnavailableError(
                "The server ran out of GPU memory for this request, even after freeing every cached model. "
                "Try shorter audio or text, or try again when the server is less busy."
            ) from error

    def _evict_over_budget(self, keep: str) -> None:
        # Called with self._lock held.
        while sum(e.nbytes for e in self._entries.values()) > self.budget_bytes and len(self._entries) > 1:
            oldest = next(model_id for model_id in self._entries if model_id != keep)
            del self._entries[oldest]

    def _load(self, model_id: str, task: str) -> LoadedModel:
        model_class, processor_class = LOADERS[task]
        local_dir = self.overrides.get(model_id)
        source = local_dir or model_id
        local_only = local_dir is not None or not self.hub_reachable()
        options = dict(local_files_only=local_only)
        try:
            processor = processor_class.from_pretrained(source, **options)
            model = model_class.from_pretrained(source, dtype=self.dtype, use_safetensors=True, **options)
        except (OSError, ValueError) as error:
            if local_dir is not None:
                reason = f"the local directory `{local_dir}` is missing or incomplete ({_first_line(error)})"
            elif local_only:
                reason = "the Hugging Face Hub can't be reached from this server and no local copy is configured"
            else:
                reason = f"downloading it failed ({_first_line(error)})"
            raise ModelUnavailableError(
                f"The model {model_id} can't be loaded: {reason}. {self.how_to_provide(model_id)}"
            ) from error
        model.to(self.device).eval()
        nbytes = sum(t.numel() * t.element_size() for t in [*model.parameters(), *model.buffers()])
        return LoadedModel(model_id, task, model, processor, self.device, self.dtype, nbytes, local_only)


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0][:300] if str(error).strip() else type(error).__name__


def _in_hub_cache(model_id: str) -> bool:
    from huggingface_hub import try_to_load_from_cache

    return isinstance(try_to_load_from_cache(model_id, "config.json"), str)


@functools.lru_cache(maxsize=1)
def default_cache() -> ModelCache:
    """The app-wide cache, configured from the environment on first use."""
    settings = load_settings()
    return ModelCache(
        overrides=read_override_map(settings.model_paths_file),
        device=settings.device,
        budget_bytes=settings.cache_budget_bytes,
        hub_check_timeout=settings.hub_check_timeout,
    )
