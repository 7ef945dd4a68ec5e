"""One scope per request: a folder that owns every file the request makes, one budget for all of its work,
and the models it holds.

Cleanup and limits live here, not at each call site:
- `Scope.scratch()` gives folders for what a request unpacks or converts; `Scope.outputs()` folders for the
  files it hands back. When the scope ends, on every exit (a result, an error, a cancelled request that
  stops at its next step), the scratch folders are removed. Outputs named in the result are handed over
  (to the web server, which deletes them on its own schedule: `keep_files_minutes`); outputs not in the
  result, and every output of a request that failed, are removed with the scratch.
- `Budget` is what the request may still spend: files, bytes unpacked, seconds of audio decoded. Work
  asks it *before* it starts (`spend_*` refuses with a message naming the limit), and every part of a
  request spends from the same budget, so five archives can't each unpack the whole limit.
- Models the request uses are pinned in the model cache until the scope ends (modules/models.py), so the
  cache never evicts a model in use and never loads a second copy of it.
- Its progress line: work done on the request's behalf deep in the model layer (a model downloaded on first
  use) reports there (`Scope.report`), without every task passing a reporter down.

Files live under one folder per server process (`work_root()`), so a process that died leaves nothing
that another one mistakes for its own: the next process removes folders of processes no longer running.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import os
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from modules.config import UserInputError

log = logging.getLogger(__name__)

_ROOT_NAME = "polyglot-work"
_current: contextvars.ContextVar[Scope | None] = contextvars.ContextVar("request_scope", default=None)
_watch: contextvars.ContextVar[_Watch | None] = contextvars.ContextVar("request_watch", default=None)
_root_lock = threading.Lock()
_root: Path | None = None


def work_root() -> Path:
    """This process's folder for request files, made on first use (after removing dead processes' folders)."""
    global _root
    with _root_lock:
        if _root is None or not _root.is_dir():
            base = Path(os.environ.get("POLYGLOT_WORK_DIR") or Path(tempfile.gettempdir()) / _ROOT_NAME)
            base.mkdir(parents=True, exist_ok=True)
            _remove_dead_processes_folders(base)
            _root = base / f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
            _root.mkdir()
        return _root


def _remove_dead_processes_folders(base: Path) -> None:
    for folder in base.iterdir():
        pid = folder.name.split("-", 1)[0]
        if pid.isdigit() and int(pid) != os.getpid() and not _running(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Stopped(Exception):
    """The visitor cancelled or left: the work stops at its next step (block, piece, chunk, sentence)."""


class _Watch:
    """A running request's stop signal, and how to let its server look whether the client is still there."""

    WAKE_EVERY = 0.5  # seconds between wake-ups at most: each one is a message to the client

    def __init__(self, stopped: threading.Event, wake: Callable[[], None] | None):
        self.stopped, self.wake, self.woken_at = stopped, wake, 0.0


def stop_when(stopped: threading.Event, wake: Callable[[], None] | None = None) -> None:
    """In the context the request runs in: `check_stopped` raises once `stopped` is set, and calls `wake`
    now and then (Gradio learns that a client left only when the request reports something)."""
    _watch.set(_Watch(stopped, wake))


def check_stopped() -> None:
    """Where long work can stop (each decoded block, speech-check block, chunk, sentence)."""
    watch = _watch.get()
    if watch is None:
        return
    if watch.stopped.is_set():
        raise Stopped
    if watch.wake is not None and time.monotonic() - watch.woken_at > watch.WAKE_EVERY:
        watch.woken_at = time.monotonic()
        watch.wake()


class BudgetExceeded(UserInputError):
    """A request asked for more than its budget holds (said before the work it bounds)."""


@dataclass
class Budget:
    """What one request may still spend. None: no limit of that kind. The `*_rule` texts end each refusal
    ("at most 50 files are accepted at once")."""

    files: int | None = None
    unpacked_bytes: int | None = None
    seconds: float | None = None
    files_rule: str = ""
    bytes_rule: str = ""
    seconds_rule: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def spend_files(self, count: int, what: str) -> None:
        with self._lock:
            if self.files is not None and count > self.files:
                raise BudgetExceeded(f"{what}; {self.files_rule}.")
            if self.files is not None:
                self.files -= count

    def spend_bytes(self, count: int, what: str) -> None:
        with self._lock:
            if self.unpacked_bytes is not None and count > self.unpacked_bytes:
                raise BudgetExceeded(f"{what}; {self.bytes_rule}.")
            if self.unpacked_bytes is not None:
                self.unpacked_bytes -= count

    def seconds_left(self) -> float | None:
        return self.seconds

    def spend_seconds(self, seconds: float, what: str) -> None:
        with self._lock:
            if self.seconds is not None and seconds > self.seconds + 1e-6:
                raise BudgetExceeded(f"{what}; {self.seconds_rule}.")
            if self.seconds is not None:
                self.seconds = max(0.0, self.seconds - seconds)


class Scope:
    """A request's folders, budget and pinned models (see the module)."""

    def __init__(self, outputs_root: Path | None = None, budget: Budget | None = None,
                 progress: Callable[[float, str], None] | None = None):
        self.folder = work_root() / f"request-{uuid.uuid4().hex}"
        self.outputs_root = Path(outputs_root) if outputs_root is not None else None
        self.budget = budget or Budget()
        self.progress = progress
        self._outputs: list[Path] = []
        self._pins: list[tuple[object, str]] = []  # (cache, model id), released when the scope ends
        self._lock = threading.Lock()

    def report(self, fraction: float, description: str) -> None:
        """A step of the request's work, on its progress line (when it has one)."""
        if self.progress is not None:
            self.progress(fraction, description)

    def scratch(self, name: str = "scratch") -> Path:
        """A fresh folder for the request's own use, removed when it ends."""
        path = self.folder / f"{name}-{uuid.uuid4().hex[:8]}"
        path.mkdir(parents=True)
        return path

    def outputs(self) -> Path:
        """A fresh folder for files handed back as results (under `outputs_root` when the web server serves
        from there: it then deletes them on its own schedule)."""
        root = self.outputs_root or self.folder
        path = root / f"polyglot-{uuid.uuid4().hex}"
        path.mkdir(parents=True)
        with self._lock:
            self._outputs.append(path)
        return path

    def holds(self, cache, model_id: str) -> bool:
        """Called by the model cache when this request gets `model_id`: True the first time (the cache then
        pins it), False after; every pin is released when the scope ends."""
        with self._lock:
            if any(held is cache and held_id == model_id for held, held_id in self._pins):
                return False
            self._pins.append((cache, model_id))
            return True

    def hand_over(self, result) -> None:
        """The request succeeded with `result`: its output files named there stay; the others go."""
        named = {os.path.realpath(path) for path in _strings(result)}
        for folder in self._outputs:
            for file in sorted(folder.rglob("*"), reverse=True):
                if file.is_file() and os.path.realpath(file) not in named:
                    file.unlink(missing_ok=True)
                elif file.is_dir() and not any(file.iterdir()):
                    file.rmdir()
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
        with self._lock:
            self._outputs.clear()

    def close(self) -> None:
        """Remove the scratch folders and outputs not handed over; release the pins."""
        with self._lock:
            outputs, self._outputs = self._outputs, []
            pins, self._pins = self._pins, []
        for folder in [*outputs, self.folder]:
            shutil.rmtree(folder, ignore_errors=True)
        for cache, model_id in pins:
            cache.unpin(model_id)


def _strings(value) -> Iterator[str]:
    if isinstance(value, (str, os.PathLike)):
        yield os.fspath(value)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)


@contextlib.contextmanager
def scope(outputs_root: Path | None = None, budget: Budget | None = None,
          progress: Callable[[float, str], None] | None = None) -> Iterator[Scope]:
    """A request's scope; nested calls (a task inside another) share the outer one. The result is handed
    over by the caller (`Scope.hand_over`) before the scope ends; anything else is removed."""
    outer = _current.get()
    if outer is not None:
        yield outer
        return
    current = Scope(outputs_root, budget, progress)
    token = _current.set(current)
    try:
        yield current
    finally:
        _current.reset(token)
        current.close()


def current() -> Scope | None:
    return _current.get()


def require() -> Scope:
    """The running request's scope; a file made outside one would never be cleaned up."""
    found = _current.get()
    if found is None:
        raise RuntimeError("No request scope: files can only be made inside modules.request.scope().")
    return found
