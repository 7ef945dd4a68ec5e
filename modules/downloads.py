"""Fetching a model's files from the Hub (or a mirror named by HF_ENDPOINT) before it loads.

A model that isn't in the Hugging Face cache is fetched here, file by file, at the one commit it loads from,
and only then loaded by transformers from the cache (`local_files_only`), so:
- what downloads, and how big it is, is known before a byte moves (the Hub's file listing at that commit);
- the visitor sees it: each file's bytes go through `report` ("Downloading the Yoruba voice, 145 MB — 40 %"),
  from a progress bar huggingface_hub drives as its own (`tqdm_class`, over HTTP and over Xet);
- the disk is checked first: free space against the sizes the Hub reports, and the cache's share of the
  disk (POLYGLOT_DISK_BUDGET_GB) kept by removing the least recently used downloads through huggingface_hub's
  cache API (`scan_cache_dir` / `delete_revisions`), never a model in use;
- a failed download leaves nothing a later request would load: huggingface_hub writes each file to a temporary
  `.incomplete` name and moves it into place only once whole (file_download.py, `_download_to_tmp_and_move`),
  and its size is checked against the Hub's `Content-Length`.
Nothing here knows of Gradio or torch.
"""

from __future__ import annotations

import json
import logging
import shutil
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from huggingface_hub import HfApi, hf_hub_download, scan_cache_dir, try_to_load_from_cache
from huggingface_hub.errors import HfHubHTTPError, RepositoryNotFoundError, RevisionNotFoundError
from tqdm.std import tqdm

from modules import request
from modules.config import ModelUnavailableError

log = logging.getLogger(__name__)

Report = Callable[[float, str], None]

# Weight files in transformers' order of preference: safetensors (single or sharded), then .bin.
WEIGHT_FILES = ("model.safetensors", "model.safetensors.index.json", "pytorch_model.bin", "pytorch_model.bin.index.json")
# Root files transformers may read besides the weights (configs, vocabularies, SentencePiece models, chat
# templates): all small. Everything else in a repo (README, other weight formats, MMS's 1,162 adapters) stays.
METADATA_SUFFIXES = (".json", ".txt", ".model", ".jinja")
# Kept free on the disk beyond a download, for uploads, results and the server's own files.
DISK_RESERVE_BYTES = 2 * 2**30


@dataclass(frozen=True)
class RemoteFile:
    name: str
    size: int


def readable_size(size: int) -> str:
    """Sizes as the Hub shows them (decimal units): 145 MB, 3.9 GB, 9.6 MB, 12 kB."""
    if size >= 1e9:
        return f"{size / 1e9:.1f} GB"
    if size >= 1e7:
        return f"{size / 1e6:.0f} MB"
    if size >= 1e6:
        return f"{size / 1e6:.1f} MB"
    return f"{max(1, round(size / 1e3))} kB"


def listing(model_id: str, commit: str) -> dict[str, int]:
    """The repo's root files at `commit` and their sizes (LFS files: the file's own size, not its pointer's)."""
    entries = HfApi().list_repo_tree(model_id, revision=commit)
    return {entry.path: entry.size for entry in entries if getattr(entry, "size", None) is not None and "/" not in entry.path}


def model_files(files: dict[str, int], read_index: Callable[[str], dict]) -> list[str]:
    """The files from_pretrained reads from a repo holding `files`: its small metadata files, and the weights
    in the first format of WEIGHT_FILES the repo has (a sharded checkpoint: the index and every shard it
    names; `read_index(name)` fetches an index)."""
    metadata = [name for name in files if name.endswith(METADATA_SUFFIXES) and not _is_weight_or_adapter(name)]
    for name in WEIGHT_FILES:
        if name in files:
            shards = sorted(set(read_index(name)["weight_map"].values())) if name.endswith(".index.json") else []
            return sorted({*metadata, name, *shards})
    return sorted(metadata)


def _is_weight_or_adapter(name: str) -> bool:
    return name.startswith("adapter.") or name.endswith(".index.json") or name in WEIGHT_FILES


def adapter_names(language: str) -> tuple[str, str]:
    """MMS's adapter files for `language`, in the order transformers' load_adapter looks for them."""
    return f"adapter.{language}.safetensors", f"adapter.{language}.bin"


def adapter_file(files: Iterable[str], language: str) -> str | None:
    """The adapter file for `language` that `files` holds: safetensors, else .bin."""
    names = set(files)
    return next((name for name in adapter_names(language) if name in names), None)


class _Nowhere:
    """Where the progress bars' own text goes: the bytes go to the request's progress line instead."""

    def write(self, text: str) -> None:
        pass

    def flush(self) -> None:
        pass


def progress_bar_class(on_bytes: Callable[[int], None]) -> type[tqdm]:
    """A tqdm class for huggingface_hub's downloads (`tqdm_class`) that hands each file's bytes to `on_bytes`.

    A real tqdm, so both of huggingface_hub's download paths drive it as they drive their own bars: plain HTTP
    (file_download.http_get: `update(n)`, `update(-n)` when a resumed download restarts) and Xet
    (utils/_xet_progress_reporting.py: `update`, `set_postfix_str`, `total`; with `update_transfer` defined it
    feeds this one bar instead of a second bar of network bytes, which would count every byte twice)."""

    class DownloadBar(tqdm):
        monitor_interval = 0  # no monitor thread per bar

        def __init__(self, *args, **options):
            options.pop("name", None)
            options["file"] = _Nowhere()
            super().__init__(*args, **options)

        def update(self, n=1):
            if n:
                on_bytes(int(n))
            return super().update(n)

        def update_transfer(self, n) -> None:
            pass  # network bytes (Xet): compressed or deduplicated, not the file's; the file's come by update

        def set_transfer_postfix_str(self, *args, **options) -> None:
            pass

    return DownloadBar


class Downloader:
    """Fetches models' files into one Hugging Face cache, within its share of the disk."""

    def __init__(self, cache_dir: str | None, disk_budget_bytes: int | None):
        self.cache_dir = cache_dir
        self.disk_budget_bytes = disk_budget_bytes
        self._lock = threading.Lock()
        self._incoming: dict[str, int] = {}  # model id -> bytes being downloaded now
        self.last_used: dict[str, float] = {}  # model id -> time.time() of its last use by this process

    def missing(self, model_id: str, commit: str, names: Iterable[str], sizes: dict[str, int]) -> list[RemoteFile]:
        # A shard the index names but the listing lacks counts 0 here; its download then fails with the Hub's 404.
        return [RemoteFile(name, sizes.get(name, 0)) for name in names if not self._cached(model_id, commit, name)]

    def _cached(self, model_id: str, commit: str, name: str) -> bool:
        return isinstance(try_to_load_from_cache(model_id, name, cache_dir=self.cache_dir, revision=commit), str)

    def fetch(self, model_id: str, commit: str, what: str, files: list[RemoteFile], protected: set[str],
              report: Report | None) -> None:
        """Download `files` of `model_id` at `commit`, reporting "Downloading <what>, <size> — n %"."""
        if not files:
            return
        total = sum(file.size for file in files)
        self._make_room(model_id, what, total, protected)
        done, shown = 0, -1
        label = f"Downloading {what}, {readable_size(total)}"

        def on_bytes(count: int) -> None:
            nonlocal done, shown
            done += count
            percent = min(100, done * 100 // total) if total else 100
            if report is not None and percent != shown:
                shown = percent
                report(percent / 100, f"{label} — {percent} %")

        started = time.monotonic()
        try:
            if report is not None:
                report(0.0, f"{label} — 0 %")
            for file in files:
                hf_hub_download(model_id, file.name, revision=commit, cache_dir=self.cache_dir,
                                tqdm_class=progress_bar_class(on_bytes))
        except request.Stopped:
            # The visitor cancelled or left: the report raised it; huggingface_hub removed the partial file.
            log.info("download of %s (%s) stopped: the request was cancelled", what, model_id)
            raise
        except Exception as error:
            raise self.failed(model_id, what, error) from error
        finally:
            with self._lock:
                self._incoming.pop(model_id, None)
        log.info("downloaded %s (%s at %s): %d files, %s in %.1f s", what, model_id, commit, len(files),
                 readable_size(total), time.monotonic() - started)

    def failed(self, model_id: str, what: str, error: BaseException) -> ModelUnavailableError:
        reason = failure_reason(error)
        log.warning("downloading %s (%s) failed: %s (%s: %s)", what, model_id, reason, type(error).__name__,
                    str(error).strip().splitlines()[0][:300] if str(error).strip() else "")
        return ModelUnavailableError(f"Downloading {what} failed: {reason}. Please try again in a minute, or try another model.")

    # -- disk ------------------------------------------------------------------------------------

    def _make_room(self, model_id: str, what: str, need: int, protected: set[str]) -> None:
        """Room for `need` more bytes: within the disk budget, and with DISK_RESERVE_BYTES left free on the disk.
        Least recently used downloads go first; `protected` models (loaded, in use, preloaded) and whatever is
        downloading now never do."""
        cache_root = Path(self.cache_dir) if self.cache_dir else Path(_default_cache_dir())
        cache_root.mkdir(parents=True, exist_ok=True)
        with self._lock:
            incoming = sum(self._incoming.values())
            keep = {*protected, model_id, *self._incoming}
            scan = scan_cache_dir(cache_root)
            over_budget = (scan.size_on_disk + incoming + need - self.disk_budget_bytes
                           if self.disk_budget_bytes is not None else 0)
            short_of_disk = need + incoming + DISK_RESERVE_BYTES - shutil.disk_usage(cache_root).free
            to_free = max(over_budget, short_of_disk, 0)
            if to_free:
                freed = self._remove_least_recently_used(scan, to_free, keep)
                if freed < to_free:
                    log.warning(
                        "no room to download %s (%s, %s): %s more would have to go, and every other download is in use "
                        "(disk budget %s, free on disk %s)", model_id, what, readable_size(need),
                        readable_size(to_free - freed), self.disk_budget_bytes and readable_size(self.disk_budget_bytes),
                        readable_size(shutil.disk_usage(cache_root).free))
                    raise ModelUnavailableError(
                        f"The server has no room to download {what} ({readable_size(need)}) right now. "
                        "Please try again later, or try another model.")
            self._incoming[model_id] = need

    def _remove_least_recently_used(self, scan, to_free: int, keep: set[str]) -> int:
        candidates = sorted(
            (repo for repo in scan.repos if repo.repo_type == "model" and repo.repo_id not in keep),
            key=lambda repo: self.last_used.get(repo.repo_id, repo.last_accessed),
        )
        chosen, freed = [], 0
        for repo in candidates:
            if freed >= to_free:
                break
            chosen.append(repo)
            freed += repo.size_on_disk
        if chosen:
            strategy = scan.delete_revisions(*(revision.commit_hash for repo in chosen for revision in repo.revisions))
            strategy.execute()
            log.info("removed downloads to make room (%s freed): %s", readable_size(strategy.expected_freed_size),
                     ", ".join(repo.repo_id for repo in chosen))
            for repo in chosen:
                self.last_used.pop(repo.repo_id, None)
        return freed


def _default_cache_dir() -> str:
    from huggingface_hub import constants

    return constants.HF_HUB_CACHE


def failure_reason(error: BaseException) -> str:
    """What went wrong with a download, in words a visitor can read (the most telling cause in the chain:
    huggingface_hub wraps a failed request in LocalEntryNotFoundError, a kind of EntryNotFoundError)."""
    import httpx2  # huggingface_hub 2's HTTP client

    chain = [error]
    while (chain[-1].__cause__ or chain[-1].__context__) is not None and len(chain) < 8:
        chain.append(chain[-1].__cause__ or chain[-1].__context__)
    for cause in chain:
        if isinstance(cause, httpx2.TimeoutException):
            return "the model server didn't answer in time"
        if isinstance(cause, httpx2.RemoteProtocolError):
            return "the connection to the model server broke off"
        if isinstance(cause, (httpx2.ConnectError, ConnectionRefusedError)):
            return "the model server can't be reached"
        if isinstance(cause, (RepositoryNotFoundError, RevisionNotFoundError)):
            return "the model server doesn't have this model"
        if isinstance(cause, HfHubHTTPError) and cause.response is not None:
            if cause.response.status_code == 404:
                return "the model server doesn't have this model's files"
            return f"the model server answered with an error (HTTP {cause.response.status_code})"
        if isinstance(cause, OSError) and "Consistency check failed" in str(cause):
            return "the file arrived incomplete"
    return "the model server couldn't provide it"


def read_json(path: str) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))
