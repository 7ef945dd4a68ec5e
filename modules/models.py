"""The one model cache every task uses.

`default_cache().get(model_id, task)` loads a model with its processor on first use
(exactly once, even under concurrent first requests), keeps it on the best device, and
evicts the least recently used models past a memory budget. Only ids in CATALOG or in
the operator's model file can be loaded, so a request can never make the server fetch an
arbitrary repository.

What loads, and how (README, "Running it for others"):
- weights: `model.safetensors` (or its shards) when the checkpoint has them, otherwise
  `pytorch_model.bin` through torch's `weights_only` unpickler, which refuses arbitrary objects;
  transformers' safetensors conversion service is never called; remote code is never trusted.
- revision: a Hub model is resolved to ONE commit when it loads (the operator's pin, or the
  commit `main` points to then); its processor, weights and every MMS adapter loaded later come
  from that commit, however long the server runs.
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
import weakref
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

# transformers starts a background request to the Hub's conversion Space for every .bin-only
# checkpoint it loads ("convert it for next time"), and with use_safetensors=True it loads a bot's
# unmerged conversion pull request instead of the repo. Neither is wanted on a server.
os.environ.setdefault("DISABLE_SAFETENSORS_CONVERSION", "1")

import torch  # noqa: E402
import transformers  # noqa: E402
from huggingface_hub import hf_hub_download, resolve_revision, try_to_load_from_cache  # noqa: E402
from transformers import (  # noqa: E402
    AutoFeatureExtractor,
    AutoProcessor,
    AutoTokenizer,
    OmniASRForConditionalGeneration,
    OmniASRForCTC,
    SeamlessM4Tv2Model,
    VitsModel,
    Wav2Vec2BertForCTC,
    Wav2Vec2ForCTC,
    Wav2Vec2ForSequenceClassification,
)

from modules import downloads, gpu, languages, request  # noqa: E402
from modules.config import ModelUnavailableError, UserInputError, load_settings  # noqa: E402

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
    "omni-ctc": (OmniASRForCTC, AutoProcessor),
    "omni-llm": (OmniASRForConditionalGeneration, AutoProcessor),
}
# Tasks whose models are CTC (frames of characters): Transcribe, live captions and Align read them alike.
CTC_TASKS = ("ctc", "w2v-bert-ctc", "omni-ctc")

LID_MODELS = [f"facebook/mms-lid-{n}" for n in (126, 256, 512, 1024, 2048, 4017)]
MMS_ASR_MODEL = "facebook/mms-1b-all"
ENGLISH_ASR_MODEL = "facebook/wav2vec2-base-960h"
SEAMLESS_MODEL = "facebook/seamless-m4t-v2-large"
# Wav2Vec2-BERT CTC fine-tunes: model id -> the one language it transcribes.
W2V_BERT_MODELS = {"hf-audio/wav2vec2-bert-CV16-en": "eng"}
# Meta's Omnilingual ASR as transformers 5.24 converted it. Only the ids transformers itself names are here
# (tests/tiny_models.py REAL); the 1B, 3B and 7B conversions' ids could not be checked from this workplace
# (README "Omnilingual ASR"): an operator may add them through POLYGLOT_MODEL_PATHS.
OMNI_CTC_MODELS = ["hf-audio/omniasr-ctc-300m-v2"]
OMNI_LLM_MODELS = ["hf-audio/omniasr-llm-300m-v2"]


def tts_model_id(language: str) -> str:
    return f"facebook/mms-tts-{language}"


# Every model the app may load from the Hub, with the task it serves.
CATALOG: dict[str, str] = {
    **{model_id: "identify" for model_id in LID_MODELS},
    MMS_ASR_MODEL: "ctc",
    ENGLISH_ASR_MODEL: "ctc",
    SEAMLESS_MODEL: "seamless",
    **{model_id: "w2v-bert-ctc" for model_id in W2V_BERT_MODELS},
    **{model_id: "omni-ctc" for model_id in OMNI_CTC_MODELS},
    **{model_id: "omni-llm" for model_id in OMNI_LLM_MODELS},
    **{tts_model_id(language.code): "speak" for language in languages.MMS_TTS},
}


@dataclass(frozen=True)
class Licence:
    name: str
    commercial_use: bool
    source: str  # where the licence is stated


CC_BY_NC = Licence("CC-BY-NC-4.0", False, "the model cards of Meta's MMS and SeamlessM4T-v2 checkpoints")
# The one place for model licences: shown on the page beside each model and in the API and MCP docs.
LICENCES: dict[str, Licence] = {
    **{model_id: Licence("Apache-2.0", True, "facebookresearch/omnilingual-asr README and LICENSE (code and models)")
       for model_id in (*OMNI_CTC_MODELS, *OMNI_LLM_MODELS)},
    # hf-audio/wav2vec2-bert-CV16-en: a fine-tune of facebook/w2v-bert-2.0 (MIT) on Common Voice; its card names no
    # licence of its own, so none is claimed for it here.
}


def licence(model_id: str) -> Licence | None:
    """The model's licence: Apache-2.0 for Omnilingual ASR, CC-BY-NC-4.0 for Meta's MMS and Seamless (facebook/*)."""
    if model_id in LICENCES:
        return LICENCES[model_id]
    return CC_BY_NC if model_id.startswith(("facebook/mms-", "facebook/seamless-")) else None


# Revisions shipped with the app: model id -> branch, tag or full commit id; a model not named here
# follows `main` (resolved to one commit per load). The one place for pins: the operator's model file
# (POLYGLOT_MODEL_PATHS) adds to and overrides it. Empty: no full commit id of the real repos could
# be checked from the workplace this app is built in (no Hub access), and a wrong pin breaks a model.
MODEL_REVISIONS: dict[str, str] = {}

# Files each task needs besides config.json and the weights, for the model to load AND behave as it
# should (a missing tokenizer_config.json loads fine but loses MMS's target_lang and a voice's
# is_uroman; without generation_config.json Seamless has no language maps). tests/test_model_files.py
# checks both ways on the tiny fixtures: these give the full repo's behaviour, and each is needed.
# A tuple names files that stand in for each other (transformers 5.23 reads Seamless's SentencePiece
# model from tokenizer.model, else sentencepiece.bpe.model; the real repo holds both).
PROCESSOR_FILES: dict[str, tuple[str | tuple[str, ...], ...]] = {
    "identify": ("preprocessor_config.json",),
    "ctc": ("preprocessor_config.json", "vocab.json", "tokenizer_config.json"),
    "w2v-bert-ctc": ("preprocessor_config.json", "vocab.json"),
    "speak": ("vocab.json", "tokenizer_config.json"),
    "seamless": ("preprocessor_config.json", "generation_config.json",
        ("tokenizer.model", "sentencepiece.bpe.model"), "tokenizer_config.json"),
    # transformers 5.24's layout: the feature extractor inside processor_config.json, no preprocessor_config.json.
    "omni-ctc": ("processor_config.json", "tokenizer.json", "tokenizer_config.json"),
    "omni-llm": ("processor_config.json", "tokenizer.json", "tokenizer_config.json", "chat_template.jinja",
                 "generation_config.json"),
}
# Each tab's default model: what a fresh Space downloads while it builds (README front matter,
# `preload_from_hub`), so no visitor waits for it. Weights as the real repos hold them (tests/tiny_models.py
# REAL: Seamless in two shards), the processor files above (the first of alternatives: transformers 5.23
# reads tokenizer.model first) and the default language's MMS adapter.
DEFAULT_MODELS: dict[str, str] = {
    LID_MODELS[0]: "identify", MMS_ASR_MODEL: "ctc", tts_model_id("eng"): "speak", SEAMLESS_MODEL: "seamless",
}
PRELOAD_WEIGHTS: dict[str, tuple[str, ...]] = {
    SEAMLESS_MODEL: ("model.safetensors.index.json", "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"),
    MMS_ASR_MODEL: ("model.safetensors", "adapter.eng.safetensors"),
}


def preload_entries() -> list[str]:
    """`preload_from_hub` lines: "repo file,file,… [commit]", the commit from MODEL_REVISIONS when pinned."""
    entries = []
    for model_id, task in DEFAULT_MODELS.items():
        processor = [name if isinstance(name, str) else name[0] for name in PROCESSOR_FILES[task]]
        files = ["config.json", *processor, *PRELOAD_WEIGHTS.get(model_id, ("model.safetensors",))]
        revision = MODEL_REVISIONS.get(model_id)
        entries.append(f"{model_id} {','.join(files)}" + (f" {revision}" if revision else ""))
    return entries


# Seconds before an unreachable Hub is checked again.
HUB_RECHECK_SECONDS = 10

# What ModelCache.availability says of a model.
READY, DOWNLOADS, UNAVAILABLE = "ready", "downloads", "unavailable"

WEIGHT_FILES = downloads.WEIGHT_FILES


@dataclass
class LoadedModel:
    model_id: str
    task: str
    model: torch.nn.Module
    processor: object
    device: torch.device
    dtype: torch.dtype
    nbytes: int
    # What from_pretrained was given: the commit id every file came from (None for a local directory),
    # local_files_only, cache_dir. MMS adapters load with the very same, so they match the base model.
    source_options: dict = field(default_factory=dict)
    # Held around anything that mutates or runs the model (adapter switch + forward), so
    # concurrent requests never see each other's state.
    lock: threading.RLock = field(default_factory=threading.RLock)
    # Per-model mutable state, e.g. the MMS adapter currently applied.
    state: dict = field(default_factory=dict)

    @property
    def switches_languages(self) -> bool:
        """MMS speech recognition: one adapter per language, switched in place (transcribe.apply_adapter). MMS-LID's
        config names adapter_attn_dim too, but its one head serves every language."""
        return self.task != "identify" and bool(getattr(self.model.config, "adapter_attn_dim", None))

    @property
    def revision(self) -> str | None:
        return self.source_options.get("revision")

    def to_model(self, batch) -> dict[str, torch.Tensor]:
        """Processor output moved once to the model's device; float inputs in the model's dtype."""
        return {
            key: value.to(self.device, self.dtype) if value.is_floating_point() else value.to(self.device)
            for key, value in batch.items()
            if isinstance(value, torch.Tensor)
        }


def pick_device(preference: str = "auto") -> tuple[torch.device, torch.dtype]:
    """CUDA in half precision (a GPU, or ZeroGPU's) when present or asked for, else CPU in float32."""
    if gpu.resolve_mode(preference, gpu.ZERO_GPU_SPACE, torch.cuda.is_available()) in ("cuda", "zerogpu"):
        return torch.device("cuda"), torch.float16
    return torch.device("cpu"), torch.float32


GPU_BUDGET_BYTES = 16 * 2**30


def default_budget_bytes(device_type: str, memory_bytes: int) -> int:
    """POLYGLOT_CACHE_BUDGET_GB=auto. On a GPU (or ZeroGPU) 16 GB: the four default models take ~8 GB in
    half precision, leaving room for voices and a larger MMS-LID. On the CPU, where weights are float32
    (~16 GB for the four) and share the machine's memory with everything else: 60% of it, at most 16 GB;
    on a 16 GB "CPU basic" Space, ~9.6 GB (MMS-LID-126 + mms-1b-all + a voice; Seamless alone evicts them)."""
    if device_type == "cuda":
        return GPU_BUDGET_BYTES
    return min(GPU_BUDGET_BYTES, int(0.6 * memory_bytes))


def machine_memory_bytes() -> int:
    """Memory this process may use: the container's limit (cgroup v2 or v1) when set, else the machine's."""
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    for limit_file in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            text = Path(limit_file).read_text().strip()
        except OSError:
            continue
        if text.isdigit():
            total = min(total, int(text))
    return total


@dataclass(frozen=True)
class ModelSources:
    """The operator's model file: local directories and revision pins by model id."""

    paths: dict[str, str] = field(default_factory=dict)
    revisions: dict[str, str] = field(default_factory=dict)


def read_model_sources(path: str | None) -> ModelSources:
    """The JSON or TOML file named by POLYGLOT_MODEL_PATHS (format in the README, "Running it for others").

    Each model id maps to a directory (a string; relative to the file), or to a table with "path"
    and/or "revision" (a branch, tag or commit id of the Hub repo; only for catalogued models).
    """
    if not path:
        return ModelSources()
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
        raw = tomllib.loads(text) if file.suffix == ".toml" else json.loads(text)
    except (OSError, ValueError) as error:
        raise SystemExit(f"POLYGLOT_MODEL_PATHS={path} can't be read: {error}")
    shape = (
        f'POLYGLOT_MODEL_PATHS={path} must map model ids to a directory ("DIR") or to '
        '{"path": "DIR"} / {"revision": "COMMIT, TAG OR BRANCH"}'
    )
    if not isinstance(raw, dict):
        raise SystemExit(shape + ".")
    paths, revisions = {}, {}
    for model_id, value in raw.items():
        entry = {"path": value} if isinstance(value, str) else value
        if not isinstance(entry, dict) or not entry or set(entry) - {"path", "revision"}:
            raise SystemExit(f"{shape}; {model_id!r} maps to {value!r}.")
        if not all(isinstance(item, str) and item for item in entry.values()):
            raise SystemExit(f"{shape}; {model_id!r} has an empty or non-text value.")
        if "path" in entry:
            paths[model_id] = str((file.parent / entry["path"]).resolve())
        if "revision" in entry:
            if model_id not in CATALOG:
                raise SystemExit(f"POLYGLOT_MODEL_PATHS={path}: a revision is only for the app's own models; {model_id!r} isn't one.")
            revisions[model_id] = entry["revision"]
    return ModelSources(paths, revisions)


# Every cache of this process, so one pickles as a reference to itself: ZeroGPU hands a task's arguments
# to its GPU worker by pickle, and the worker, a fork of this process, holds the same cache.
_caches: weakref.WeakValueDictionary[int, ModelCache] = weakref.WeakValueDictionary()


def _cache_by_key(key: int) -> ModelCache:
    return _caches[key]


def _fresh_locks_after_fork() -> None:
    """A forked process (a ZeroGPU worker) gets every lock as it was at the fork, held by threads it doesn't
    have: one held then (a model being loaded by another request) would never be released in it."""
    for cache in list(_caches.values()):
        cache._lock = threading.Lock()
        cache._load_locks = {}
        for entry in cache._entries.values():
            entry.lock = threading.RLock()


os.register_at_fork(after_in_child=_fresh_locks_after_fork)


class ModelCache:
    def __reduce__(self):
        return _cache_by_key, (id(self),)

    def __init__(
        self,
        overrides: dict[str, str] | None = None,
        device: str = "auto",
        budget_bytes: int | None = None,
        hub_check_timeout: float = 3.0,
        revisions: dict[str, str] | None = None,
        hub_cache_dir: str | None = None,
        disk_budget_bytes: int | None = None,
    ):
        self.overrides = dict(overrides or {})  # model id -> local directory
        self.revisions = {**MODEL_REVISIONS, **(revisions or {})}
        self.hub_cache_dir = hub_cache_dir  # None: huggingface_hub's default (HF_HUB_CACHE / HF_HOME)
        mode = gpu.resolve_mode(device, gpu.ZERO_GPU_SPACE, torch.cuda.is_available())
        self.zerogpu = mode == "zerogpu"
        self.device, self.dtype = pick_device(mode)
        # Where a model goes when it loads: the compute device, except on ZeroGPU once the server runs
        # (see start_serving).
        self.load_device = self.device
        self.budget_bytes = budget_bytes or default_budget_bytes(self.device.type, machine_memory_bytes())
        self.hub_check_timeout = hub_check_timeout
        self.load_counts: dict[str, int] = {}
        self._entries: OrderedDict[str, LoadedModel] = OrderedDict()  # least recently used first
        self._load_locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()
        # model id -> how many running requests hold it (modules/request.py): never evicted while held.
        self._pins: dict[str, int] = {}
        self._hub_checked_at = -1e9
        self._hub_ok = False
        self._reported_missing: set[str] = set()
        # Models fetched on first use, within the cache's share of the disk (modules/downloads.py).
        self.downloader = downloads.Downloader(hub_cache_dir, disk_budget_bytes)
        self._listings: dict[tuple[str, str], dict[str, int]] = {}  # (model id, commit) -> the Hub's file sizes
        _caches[id(self)] = self

    # -- what can be loaded, and from where --------------------------------------------------

    def start_serving(self) -> None:
        """Called once the start-up loads are done. On ZeroGPU, models loaded onto "cuda" before the server
        starts are packed by ZeroGPU and moved into every GPU call; ones loaded later stay on the CPU (in
        half precision) and are moved inside each call (modules/gpu.py)."""
        if self.zerogpu:
            self.load_device = torch.device("cpu")

    def peek(self, model_id: str) -> LoadedModel | None:
        """The loaded model, without loading it or counting it as used."""
        with self._lock:
            return self._entries.get(model_id)

    def is_allowed(self, model_id: str) -> bool:
        return model_id in CATALOG or model_id in self.overrides

    def hub_reachable(self, recheck: bool = False) -> bool:
        """One cheap TCP check a minute while the Hub answers, every 10 s while it doesn't (a Hub back up is noticed
        soon), or now with `recheck` (before a load or a download: huggingface_hub would otherwise retry a Hub gone
        for ~25 s before giving up); offline, every load fails fast instead of retrying for ~45 s."""
        if hub_offline():
            return False
        if recheck or time.monotonic() - self._hub_checked_at > (60 if self._hub_ok else HUB_RECHECK_SECONDS):
            from huggingface_hub import constants

            endpoint = urlparse(constants.ENDPOINT)
            # The endpoint's own port: a mirror named by HF_ENDPOINT (http://mirror.internal:8090) need not use 443.
            port = endpoint.port or (80 if endpoint.scheme == "http" else 443)
            try:
                socket.create_connection((endpoint.hostname or "huggingface.co", port), timeout=self.hub_check_timeout).close()
                self._hub_ok = True
            except OSError:
                self._hub_ok = False
            self._hub_checked_at = time.monotonic()
        return self._hub_ok

    def missing_files(self, model_id: str, task: str | None = None, revision: str | None = None) -> list[str]:
        """Files the loader needs that this server doesn't hold: in the model's local directory, or
        in the Hugging Face cache at `revision` (default: the model's pin, else main). Empty when
        everything is there."""
        task = task or CATALOG.get(model_id)
        find = self._file_finder(model_id, revision or self.revisions.get(model_id))
        missing = []
        for needed in ("config.json", *PROCESSOR_FILES.get(task, ())):
            alternatives = (needed,) if isinstance(needed, str) else needed
            if all(find(name) is None for name in alternatives):
                missing.append(" or ".join(alternatives))
        for name in WEIGHT_FILES:
            found = find(name)
            if found is None:
                continue
            if name.endswith(".index.json"):  # sharded: every shard the index names must be there too
                shards = sorted(set(json.loads(Path(found).read_text(encoding="utf-8"))["weight_map"].values()))
                missing += [shard for shard in shards if find(shard) is None]
            return missing
        return [*missing, "model.safetensors or pytorch_model.bin"]

    def _file_finder(self, model_id: str, revision: str | None) -> Callable[[str], str | None]:
        local_dir = self.overrides.get(model_id)
        if local_dir is not None:
            return lambda name: str(Path(local_dir) / name) if (Path(local_dir) / name).is_file() else None

        def in_hub_cache(name: str) -> str | None:
            found = try_to_load_from_cache(model_id, name, cache_dir=self.hub_cache_dir, revision=revision)
            return found if isinstance(found, str) else None

        return in_hub_cache

    def availability(self, model_id: str) -> str:
        """READY (every file is here), DOWNLOADS (the Hub will provide it) or UNAVAILABLE; the operator
        learns from the log, once per model, exactly what is missing."""
        missing = self.missing_files(model_id)
        if not missing:
            return READY
        if model_id not in self.overrides and self.hub_reachable():
            return DOWNLOADS
        self._report_missing(model_id, missing)
        return UNAVAILABLE

    def _report_missing(self, model_id: str, missing: list[str]) -> None:
        """Tell the operator, once per model, exactly what is missing and how to provide it."""
        if model_id in self._reported_missing:
            return
        self._reported_missing.add(model_id)
        log.warning(
            "%s can't be loaded: %s lacks %s. %s",
            model_id, self._where(model_id), ", ".join(missing), self.how_to_provide(model_id),
        )

    def _where(self, model_id: str) -> str:
        local_dir = self.overrides.get(model_id)
        if local_dir is not None:
            return f"the local directory {local_dir}"
        return f"the Hugging Face cache (revision {self.revisions.get(model_id, 'main')})"

    def how_to_provide(self, model_id: str) -> str:
        revision = self.revisions.get(model_id)
        pin = f" --revision {revision}" if revision else ""
        return (
            f"Download it on a connected machine (`hf download {model_id}{pin} --local-dir DIR`), copy DIR here, "
            f'and map it in the file named by POLYGLOT_MODEL_PATHS: {{"{model_id}": "DIR"}}; or fill the '
            f"Hugging Face cache (`hf download {model_id}{pin}`)."
        )

    # -- the cache ------------------------------------------------------------------------------

    def get(self, model_id: str, task: str) -> LoadedModel:
        """The loaded model; the first call loads it, concurrent first calls wait for that one load."""
        if not self.is_allowed(model_id):
            raise UserInputError(f"Unknown model {model_id!r}. Choose one of the models the app lists.")
        expected = CATALOG.get(model_id)
        if task not in LOADERS or (expected is not None and expected != task):
            raise UserInputError(f"The model {model_id} can't be used for this task.")
        entry = self._cached_or_loaded(model_id, task, request.current())
        if entry.device != self.device and gpu.inside_gpu_call():
            # ZeroGPU: this is the worker's copy of a model kept on the CPU; it is thrown away after the call.
            entry.model.to(self.device)
            entry.device = self.device
        return entry

    def _cached_or_loaded(self, model_id: str, task: str, scope: request.Scope | None) -> LoadedModel:
        with self._lock:
            self.downloader.last_used[model_id] = time.time()
            if model_id in self._entries:
                self._entries.move_to_end(model_id)
                self._pin_for(scope, model_id)
                return self._entries[model_id]
            load_lock = self._load_locks.setdefault(model_id, threading.Lock())
        with load_lock:
            with self._lock:
                if model_id in self._entries:
                    self._pin_for(scope, model_id)
                    return self._entries[model_id]
            entry = self._load(model_id, task)
            with self._lock:
                self._entries[model_id] = entry
                self.load_counts[model_id] = self.load_counts.get(model_id, 0) + 1
                self._pin_for(scope, model_id)
                self._evict_over_budget(keep=model_id)
            return entry

    def _pin_for(self, scope: request.Scope | None, model_id: str) -> None:
        # Called with self._lock held: the entry can't be evicted between being found and being pinned.
        if scope is not None and scope.holds(self, model_id):
            self._pins[model_id] = self._pins.get(model_id, 0) + 1

    def unpin(self, model_id: str) -> None:
        """A request that held `model_id` ended (modules/request.py); past the budget, it may go now."""
        with self._lock:
            left = self._pins.get(model_id, 0) - 1
            if left > 0:
                self._pins[model_id] = left
            else:
                self._pins.pop(model_id, None)
            # The most recently used stays, as after a load: one model over the whole budget still serves.
            self._evict_over_budget(keep=next(reversed(self._entries), None))

    def pinned_ids(self) -> list[str]:
        with self._lock:
            return sorted(self._pins)

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
        """Run `call()`; on a GPU out-of-memory error free every cached model and try once more. On ZeroGPU the
        error comes from a worker's GPU, not from what this process holds (its models are packed or on the
        CPU): the call is tried once more as it is, in a fresh worker, and nothing is evicted."""
        try:
            return call()
        except torch.OutOfMemoryError:
            if self.zerogpu:
                log.warning("out of GPU memory in a ZeroGPU worker: retrying once, evicting nothing")
            else:
                log.warning("out of GPU memory with %s loaded: evicting all and retrying once", self.loaded_ids())
                self.clear()
        try:
            return call()
        except torch.OutOfMemoryError as error:
            if not self.zerogpu:
                self.clear()
            raise ModelUnavailableError(
                "The server ran out of GPU memory for this request, even after freeing every cached model. "
                "Try shorter audio or text, or try again when the server is less busy."
            ) from error

    def _evict_over_budget(self, keep: str | None) -> None:
        """Least recently used first, never `keep` (just loaded) nor a model a running request holds: evicting
        one in use would not free its memory, and the next request would load a second copy beside it."""
        # Called with self._lock held.
        while sum(e.nbytes for e in self._entries.values()) > self.budget_bytes:
            evictable = [model_id for model_id in self._entries if model_id != keep and model_id not in self._pins]
            if not evictable:
                if len(self._entries) > 1:
                    log.warning(
                        "model cache over its budget (%.0f of %.0f MB): every loaded model is in use by a running "
                        "request or was just loaded (%s)", sum(e.nbytes for e in self._entries.values()) / 2**20,
                        self.budget_bytes / 2**20, ", ".join(self._entries),
                    )
                return
            del self._entries[evictable[0]]

    def _unavailable(self, model_id: str, reason: str, error: BaseException | None = None) -> ModelUnavailableError:
        """The error a visitor sees (plain words); the operator's details go to the server log, with the
        traceback only when `error` is a real fault rather than a missing file."""
        log.warning("%s can't be loaded: %s. %s", model_id, reason, self.how_to_provide(model_id), exc_info=error)
        return ModelUnavailableError(
            f"The model {model_id} isn't available on this server right now, so this request can't run. "
            "Please try again later, or try another model."
        )

    def _load(self, model_id: str, task: str) -> LoadedModel:
        model_class, processor_class = LOADERS[task]
        local_dir = self.overrides.get(model_id)
        local_only = local_dir is not None or not self.hub_reachable(recheck=True)
        if local_only and local_dir is None and not hub_offline() and self.missing_files(model_id, task):
            # Meant to reach the Hub, which doesn't answer now, and the cache lacks the model: said as of a download.
            raise self.downloader.failed(model_id, model_name(model_id), ConnectionRefusedError("the Hub doesn't answer"))
        revision = None if local_dir is not None else self._resolve_revision(model_id, local_only)
        if not local_only:
            self._download(model_id, task, revision)
            local_only = True  # every file is in the cache now: transformers reads it there, never the network
        source = local_dir or model_id
        options = dict(revision=revision, local_files_only=local_only, cache_dir=self.hub_cache_dir)
        missing = self.missing_files(model_id, task, revision) if local_only else []
        if missing:  # say exactly what is missing, at once (transformers can take ~30 s to give up)
            raise self._unavailable(model_id, f"{self._where(model_id)} lacks {', '.join(missing)}")
        try:
            processor = processor_class.from_pretrained(source, **options)
            # use_safetensors stays unset: safetensors when present, else .bin through weights_only.
            model = model_class.from_pretrained(source, dtype=self.dtype, weights_only=True, **options)
        except torch.OutOfMemoryError:
            raise
        except Exception as error:  # a bad or incomplete checkpoint, of any kind: never a crash
            # Everything is there and still doesn't load: a real fault, worth its traceback in the log.
            reason = f"its files are there but don't load ({type(error).__name__}: {_first_line(error)})"
            raise self._unavailable(model_id, reason, error) from error
        model.to(self.load_device).eval()
        nbytes = sum(t.numel() * t.element_size() for t in [*model.parameters(), *model.buffers()])
        return LoadedModel(model_id, task, model, processor, self.load_device, self.dtype, nbytes, options)

    # -- downloads ------------------------------------------------------------------------------

    def _download(self, model_id: str, task: str, commit: str) -> None:
        """Fetch what from_pretrained will read of `model_id` at `commit`, unless the cache holds it already."""
        if not self.missing_files(model_id, task, commit):
            return
        what = model_name(model_id)
        try:
            sizes = self._listing(model_id, commit)
            names = downloads.model_files(sizes, lambda name: downloads.read_json(
                hf_hub_download(model_id, name, revision=commit, cache_dir=self.hub_cache_dir)))
        except Exception as error:
            raise self.downloader.failed(model_id, what, error) from error
        files = self.downloader.missing(model_id, commit, names, sizes)
        self.downloader.fetch(model_id, commit, what, files, self._protected(), _reporter())

    def fetch_adapter(self, entry: LoadedModel, language: str) -> None:
        """MMS: the adapter for `language` into the cache, at the commit the base model loaded from (a model
        from a local directory, or with the Hub unreachable, has what it has)."""
        if entry.revision is None or hub_offline():
            return
        for name in downloads.adapter_names(language):
            if isinstance(try_to_load_from_cache(entry.model_id, name, cache_dir=self.hub_cache_dir, revision=entry.revision), str):
                return
        what = f"the {languages.language_name(language)} part of {entry.model_id.rsplit('/', 1)[-1]}"
        if not self.hub_reachable(recheck=True):
            raise self.downloader.failed(entry.model_id, what, ConnectionRefusedError("the Hub's address doesn't answer"))
        try:
            sizes = self._listing(entry.model_id, entry.revision)
        except Exception as error:
            raise self.downloader.failed(entry.model_id, what, error) from error
        name = downloads.adapter_file(sizes, language)
        if name is not None:  # none: load_adapter says the language isn't there
            self.downloader.fetch(entry.model_id, entry.revision, what, [downloads.RemoteFile(name, sizes[name])],
                                  self._protected(), _reporter())

    def _listing(self, model_id: str, commit: str) -> dict[str, int]:
        """The Hub's files of `model_id` at `commit` with their sizes; asked once per commit (a commit never changes)."""
        key = (model_id, commit)
        if key not in self._listings:
            self._listings[key] = downloads.listing(model_id, commit)
        return self._listings[key]

    def _protected(self) -> set[str]:
        """Downloads never removed to make room: models loaded or held by a request, and each tab's default."""
        with self._lock:
            return {*self._entries, *self._pins, *DEFAULT_MODELS}

    def _resolve_revision(self, model_id: str, local_only: bool) -> str:
        """The commit id this model loads from: its pin, or what `main` points to now (or in the cache)."""
        requested = self.revisions.get(model_id)
        try:
            # "main" named: the Hub answers /api/models/<id>/revision/main as /api/models/<id>; a mirror may serve
            # only the first (olah 0.5 answers the second with 401).
            resolved = resolve_revision(
                model_id, revision=requested or "main", local_files_only=local_only, cache_dir=self.hub_cache_dir
            )
            return resolved.resolved
        except Exception as error:  # unknown revision, not in the cache, Hub errors
            where = "in the Hugging Face cache" if local_only else "on the Hugging Face Hub"
            reason = f"revision {requested or 'main'} isn't known {where} ({type(error).__name__})"
            if local_only and requested is None:
                reason = "the Hugging Face Hub can't be reached from this server and the model isn't in its cache"
            raise self._unavailable(model_id, reason) from error


def hub_offline() -> bool:
    """HF_HUB_OFFLINE: the operator says this server never reaches the Hub."""
    return os.environ.get("HF_HUB_OFFLINE", "0").lower() in ("1", "true", "yes")


def _reporter() -> downloads.Report | None:
    """The running request's progress line, where a download reports its bytes."""
    scope = request.current()
    return scope.report if scope is not None else None


def model_name(model_id: str) -> str:
    """A model as a visitor would name it: "the Yoruba voice", "mms-lid-4017 (language identification)"."""
    if CATALOG.get(model_id) == "speak":
        return f"the {languages.language_name(model_id.removeprefix('facebook/mms-tts-'))} voice"
    short = model_id.rsplit("/", 1)[-1]
    return f"{short} ({MODEL_PURPOSES[CATALOG[model_id]]})" if model_id in CATALOG else short


MODEL_PURPOSES = {"identify": "language identification", "ctc": "speech recognition", "w2v-bert-ctc": "speech recognition",
                  "omni-ctc": "speech recognition", "omni-llm": "speech recognition", "seamless": "translation", "speak": "voice"}


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0][:300] if str(error).strip() else type(error).__name__


@functools.lru_cache(maxsize=1)
def default_cache() -> ModelCache:
    """The app-wide cache, configured from the environment on first use."""
    settings = load_settings()
    sources = read_model_sources(settings.model_paths_file)
    return ModelCache(
        overrides=sources.paths,
        device=settings.device,
        budget_bytes=settings.cache_budget_bytes,
        hub_check_timeout=settings.hub_check_timeout,
        revisions=sources.revisions,
        disk_budget_bytes=settings.disk_budget_bytes,
    )
