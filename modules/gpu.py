"""Where the models run: this machine's CPU, a dedicated GPU, or ZeroGPU (Hugging Face's shared GPUs).

POLYGLOT_DEVICE says which: "auto" (ZeroGPU on a ZeroGPU Space, else CUDA when present, else CPU), or
"zerogpu", "cuda", "cpu". On the CPU and on a dedicated GPU nothing here changes how a task runs.

ZeroGPU (https://huggingface.co/docs/hub/spaces-zerogpu) works differently, as the `spaces` package
(0.51, zero/wrappers.py) shows: CUDA exists only inside functions decorated with `spaces.GPU`; each call runs
in a worker process forked from the server (an idle worker is used again for later calls), its arguments and
result cross by pickle, and only a gr.Error comes back from it with its message. So on ZeroGPU a task
decorated with `runs_models`:
- loads the models it needs *before* the call, in the server process, where they outlive any worker, and
  downloads them (and an MMS language's adapter) there, with their progress on the page. The
  default models are loaded at start-up onto "cuda" (ZeroGPU packs them and moves them into every worker);
  models loaded later stay on the CPU in half precision and are moved to the GPU inside each call (the
  worker's copy is what moves: `ModelCache.get` does it when `inside_gpu_call()`). A worker forked before
  such a load reads the model from disk itself: the duration asked then includes time for that;
- asks for a GPU duration estimated from its input (`modules/budget.gpu_seconds`), so a short request
  asks for little of a visitor's daily quota, and refuses before any GPU time is spent a request that
  would need more than one call may have;
- carries the app's own errors back as gr.Error titled with their type, and raises them again as what
  they were, so the visitor reads the same message as anywhere else;
- reports no progress from inside the call (the reporter lives in the server process) and can't be
  stopped half-way; the duration bounds it.
A task called from inside another task's call (language detection inside Transcribe) just runs.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import inspect
import os
from collections.abc import Callable, Iterator

# ZeroGPU patches torch when `spaces` is imported, which must happen before CUDA is touched.
ZERO_GPU_SPACE = os.environ.get("SPACES_ZERO_GPU", "").lower() in ("1", "t", "true")
if ZERO_GPU_SPACE:
    import spaces  # noqa: F401

import torch  # noqa: E402

from modules import budget  # noqa: E402
from modules.config import ModelUnavailableError, UserInputError, load_settings  # noqa: E402

MODES = ("auto", "zerogpu", "cuda", "cpu")

_inside = contextvars.ContextVar("inside_gpu_call", default=False)
# Seconds added to the next duration asked: a model was just loaded in the server, which an idle worker
# forked before the load reads from disk itself.
_load_allowance = contextvars.ContextVar("load_allowance", default=0.0)
# Errors that carry a message for the visitor across ZeroGPU's worker boundary (by their class name).
_CARRIED = {error.__name__: error for error in (UserInputError, ModelUnavailableError, torch.OutOfMemoryError)}
_mode_override: str | None = None
# task function -> (the function run inside the GPU call, its duration estimate); each is decorated once,
# at import (ZeroGPU registers decorated functions when the server starts).
_tasks: dict[Callable, tuple[Callable, Callable]] = {}
_gpu_calls: dict[Callable, Callable] = {}


def resolve_mode(setting: str, zero_gpu_space: bool, cuda_available: bool) -> str:
    """"zerogpu", "cuda" or "cpu", from POLYGLOT_DEVICE and what this machine is."""
    setting = setting.strip().lower()
    if setting not in MODES:
        raise SystemExit(f"POLYGLOT_DEVICE={setting!r} isn't a setting: use one of {', '.join(MODES)}.")
    if setting == "auto":
        return "zerogpu" if zero_gpu_space else "cuda" if cuda_available else "cpu"
    if setting == "zerogpu" and not zero_gpu_space:
        raise SystemExit("POLYGLOT_DEVICE=zerogpu works only on a ZeroGPU Space (SPACES_ZERO_GPU=true); use auto.")
    return setting


def mode() -> str:
    if _mode_override is not None:
        return _mode_override
    return _configured_mode()


@functools.lru_cache(maxsize=1)
def _configured_mode() -> str:
    return resolve_mode(load_settings().device, ZERO_GPU_SPACE, torch.cuda.is_available())


def inside_gpu_call() -> bool:
    return _inside.get()


def _spaces_gpu(duration: Callable) -> Callable[[Callable], Callable]:
    import spaces

    return spaces.GPU(duration=duration)


def runs_models(
    models: Callable[[dict], list[tuple[str, str]]], seconds: Callable[[dict], float]
) -> Callable[[Callable], Callable]:
    """Decorate a task function that runs models. `models(arguments)` names the (model id, task) pairs it
    needs; `seconds(arguments)` estimates its GPU time; both get the call's arguments by name."""

    def decorate(function: Callable) -> Callable:
        signature = inspect.signature(function)

        def arguments(args, kwargs) -> dict:
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            return dict(bound.arguments)

        @functools.wraps(function)
        def in_gpu_call(*args, **kwargs):
            token = _inside.set(True)
            try:
                return function(*args, **kwargs)
            except tuple(_CARRIED.values()) as error:
                if mode() != "zerogpu":
                    raise
                import gradio as gr  # only on ZeroGPU, where a gr.Error is the one error that keeps its words

                raise gr.Error(str(error), title=type(error).__name__, print_exception=False) from None
            finally:
                _inside.reset(token)

        def duration(*args, **kwargs) -> int:
            return budget.gpu_seconds(seconds(arguments(args, kwargs)) + _load_allowance.get())

        _tasks[function] = (in_gpu_call, duration)
        _gpu_calls[function] = _spaces_gpu(duration)(in_gpu_call) if mode() == "zerogpu" else in_gpu_call

        @functools.wraps(function)
        def call(*args, **kwargs):
            if mode() != "zerogpu" or inside_gpu_call():
                return function(*args, **kwargs)
            given = arguments(args, kwargs)
            from modules.models import default_cache

            cache = given.get("cache") or default_cache()
            # Only what the catalog allows; for anything else the task itself says, in its words, what is wrong.
            needed = [(model_id, task) for model_id, task in models(given) if cache.is_allowed(model_id)]
            # The check and the duration asked are one figure: the load allowance counts in both (a request
            # that passed the check at 110 s asked spaces for 140 s and got its "illegal duration").
            allowance = budget.GPU_LOAD_SECONDS if any(cache.peek(model_id) is None for model_id, _ in needed) else 0.0
            budget.check_gpu_seconds(seconds(given) + allowance)
            for model_id, task in needed:
                entry = cache.get(model_id, task)  # here, in the server process, where it outlives the call
                if entry.switches_languages:
                    # MMS: the language's adapter is downloaded here too, not in the call (its GPU time is counted).
                    # With language "auto" it is known only inside the call, which downloads it then (~10 MB).
                    cache.fetch_adapter(entry, str(given.get("language")))
            if "progress" in given:
                given["progress"] = None  # a reporter of this process; it can't cross into the worker
            token = _load_allowance.set(allowance)
            try:
                return _gpu_calls[function](**given)
            except Exception as error:
                carried = _CARRIED.get(getattr(error, "title", None))
                if carried is None or type(error).__name__ != "Error":
                    raise
                raise carried(error.message) from None
            finally:
                _load_allowance.reset(token)

        return call

    return decorate


@contextlib.contextmanager
def as_on_zerogpu(gpu_decorator: Callable[[Callable], Callable[[Callable], Callable]]) -> Iterator[None]:
    """Run the tasks as on ZeroGPU with `gpu_decorator(duration)` standing in for `spaces.GPU(duration=...)`:
    how tests/test_zerogpu.py checks the ZeroGPU path on a machine without one."""
    global _mode_override
    saved_mode, saved_calls = _mode_override, dict(_gpu_calls)
    _mode_override = "zerogpu"
    for function, (in_gpu_call, duration) in _tasks.items():
        _gpu_calls[function] = gpu_decorator(duration)(in_gpu_call)
    try:
        yield
    finally:
        _mode_override = saved_mode
        _gpu_calls.update(saved_calls)
