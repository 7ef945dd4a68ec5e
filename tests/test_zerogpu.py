"""The ZeroGPU path on a machine without one: which mode a machine gets, where models load, and every task
run as ZeroGPU runs it, with a stand-in for `spaces.GPU` that does what spaces 0.51 does with a call
(spaces/zero/wrappers.py): the duration is asked from the call's arguments, the arguments cross to a
forked worker by pickle, the task runs there, and the result comes back by pickle; whatever the worker
loaded or switched is gone with it. Results must equal running in-process, with no model loaded twice."""

from __future__ import annotations

import os
import pickle

import numpy as np
import pytest
import torch

from modules import align, budget, gpu, identify, live, models, speak, transcribe, translate, warmup
from modules.config import UserInputError
from modules.models import LID_MODELS, MMS_ASR_MODEL, SEAMLESS_MODEL, ModelCache, tts_model_id


class ForkedGpuCalls:
    """Stands in for `spaces.GPU(duration=...)`: each call runs in a forked process, as on ZeroGPU, and an
    error comes back as spaces hands it back (zero/wrappers.py `exception_result`): a gr.Error as it is,
    anything else as gr.Error("<class name>", title="ZeroGPU worker error")."""

    def __init__(self):
        self.durations: list[int] = []
        self.loads_in_worker: list[int] = []

    def __call__(self, duration):
        def decorate(task):
            def run(*args, **kwargs):
                self.durations.append(duration(*args, **kwargs))
                payload = pickle.dumps((args, kwargs))  # what can't be pickled can't reach a ZeroGPU worker
                read, write = os.pipe()
                pid = os.fork()
                if pid == 0:  # the worker
                    os.close(read)
                    # GNU OpenMP's thread pool doesn't survive a fork (the first parallel op would wait for
                    # the parent's threads forever); a real worker computes on CUDA.
                    torch.set_num_threads(1)
                    try:
                        caches = list(models._caches.values())
                        before = sum(sum(c.load_counts.values()) for c in caches)
                        args_, kwargs_ = pickle.loads(payload)
                        outcome = ("ok", task(*args_, **kwargs_))
                        loads = sum(sum(c.load_counts.values()) for c in caches) - before
                    except BaseException as error:  # noqa: BLE001 - handed back, as ZeroGPU does
                        import gradio as gr

                        if not isinstance(error, gr.Error):
                            error = gr.Error(type(error).__name__, title="ZeroGPU worker error")
                        outcome, loads = ("error", error), 0
                    with os.fdopen(write, "wb") as pipe:
                        pickle.dump((outcome, loads), pipe)
                    os._exit(0)
                os.close(write)
                with os.fdopen(read, "rb") as pipe:
                    (kind, value), loads = pickle.load(pipe)
                os.waitpid(pid, 0)
                self.loads_in_worker.append(loads)
                if kind == "error":
                    raise value
                return value

            return run

        return decorate


@pytest.fixture
def zerogpu():
    calls = ForkedGpuCalls()
    with gpu.as_on_zerogpu(calls):
        yield calls


def test_modes():
    assert gpu.resolve_mode("auto", zero_gpu_space=True, cuda_available=False) == "zerogpu"
    assert gpu.resolve_mode("auto", zero_gpu_space=False, cuda_available=True) == "cuda"
    assert gpu.resolve_mode("auto", zero_gpu_space=False, cuda_available=False) == "cpu"
    assert gpu.resolve_mode("CPU", zero_gpu_space=True, cuda_available=True) == "cpu"
    assert gpu.resolve_mode("zerogpu", zero_gpu_space=True, cuda_available=False) == "zerogpu"
    with pytest.raises(SystemExit, match="only on a ZeroGPU Space"):
        gpu.resolve_mode("zerogpu", zero_gpu_space=False, cuda_available=True)
    with pytest.raises(SystemExit, match="use one of auto, zerogpu, cuda, cpu"):
        gpu.resolve_mode("tpu", zero_gpu_space=False, cuda_available=False)
    assert gpu.mode() == "cpu"  # this machine
    assert not gpu.ZERO_GPU_SPACE and "spaces" not in __import__("sys").modules  # imported only on ZeroGPU


def test_on_zerogpu_models_loaded_after_start_up_stay_on_the_cpu_in_half_precision(override_map, monkeypatch):
    monkeypatch.setattr(gpu, "ZERO_GPU_SPACE", True)
    cache = ModelCache(models.read_model_sources(str(override_map)).paths, device="auto")
    assert cache.zerogpu and cache.device.type == "cuda" and cache.dtype == torch.float16
    assert cache.load_device.type == "cuda"  # start-up loads: ZeroGPU packs them and moves them into each call
    cache.start_serving()
    entry = cache.get(LID_MODELS[0], "identify")
    assert entry.device.type == "cpu" and next(entry.model.parameters()).dtype == torch.float16
    # Elsewhere nothing changes: loads go to the compute device.
    monkeypatch.setattr(gpu, "ZERO_GPU_SPACE", False)
    plain = ModelCache(device="cpu")
    plain.start_serving()
    assert not plain.zerogpu and plain.load_device == plain.device


def test_every_task_gives_the_same_result_through_forked_gpu_calls(cache, speech_16k):
    settings = translate.GenerationSettings(num_beams=1, max_new_tokens=16)
    requests = {
        "identify": lambda: identify.identify_language(speech_16k, cache=cache).guesses,
        "transcribe fra": lambda: transcribe.transcribe(speech_16k, "fra", cache=cache, progress=lambda *_: None).text,
        "transcribe eng": lambda: transcribe.transcribe(speech_16k, "eng", cache=cache).text,
        "transcribe auto": lambda: transcribe.transcribe(speech_16k, transcribe.AUTO, cache=cache).text,
        "seamless asr": lambda: transcribe.transcribe(speech_16k, "eng", SEAMLESS_MODEL, cache=cache).text,
        "align": lambda: [(w.start, w.end) for w in align.align(speech_16k, "testing one two three", "eng", cache=cache).words],
        "speak": lambda: speak.synthesize("Hello there.", "eng", cache=cache).waveform,
        "translate text": lambda: translate.translate_text("Hello.", "eng", "fra", settings, cache=cache).text,
        "translate speech": lambda: translate.translate_speech(speech_16k, "fra", settings, cache=cache).text,
    }
    in_process = {name: request() for name, request in requests.items()}
    loads = dict(cache.load_counts)
    adapter = cache.get(MMS_ASR_MODEL, "ctc").state.get("adapter")
    calls = ForkedGpuCalls()
    with gpu.as_on_zerogpu(calls):
        forked = {name: request() for name, request in requests.items()}
    for name in requests:
        expected, got = in_process[name], forked[name]
        assert (np.array_equal(expected, got) if isinstance(expected, np.ndarray) else expected == got), name
    # One GPU call per request (detection and Seamless ASR ran inside their request's call), nothing loaded
    # twice, nothing loaded in a worker, and the MMS adapter the workers switched is still the server's own.
    assert len(calls.durations) == len(requests) and calls.loads_in_worker == [0] * len(requests)
    assert cache.load_counts == loads
    assert cache.get(MMS_ASR_MODEL, "ctc").state.get("adapter") == adapter


def test_models_a_request_needs_are_loaded_before_its_gpu_call(cache, speech_16k, zerogpu):
    transcribe.transcribe(speech_16k, transcribe.AUTO, cache=cache)
    assert zerogpu.loads_in_worker == [0]
    assert cache.load_counts == {MMS_ASR_MODEL: 1, identify.DEFAULT_LID_MODEL: 1}
    speak.synthesize("Hello.", "eng", cache=cache)
    assert zerogpu.loads_in_worker == [0, 0] and cache.load_counts[tts_model_id("eng")] == 1


def test_the_duration_asked_follows_the_input(cache, speech_16k, zerogpu):
    cache.get(MMS_ASR_MODEL, "ctc"), cache.get(tts_model_id("eng"), "speak")  # loaded: no load time asked
    short, long = speech_16k, np.tile(speech_16k, 200)  # ~10 minutes
    transcribe.transcribe(short, "eng", cache=cache)
    transcribe.transcribe(long, "eng", cache=cache)
    seconds = len(long) / 16000
    assert zerogpu.durations[0] == budget.MIN_GPU_SECONDS
    assert zerogpu.durations[1] == budget.gpu_seconds(budget.gpu_work("ctc audio second", seconds)) > budget.MIN_GPU_SECONDS
    speak.synthesize("Hello.", "eng", cache=cache)
    speak.synthesize("Hello. " * 280, "eng", cache=cache)
    assert zerogpu.durations[2] < zerogpu.durations[3]


def test_a_request_over_the_gpu_time_a_call_may_take_is_refused_before_any(cache, speech_16k, zerogpu, monkeypatch):
    monkeypatch.setenv("POLYGLOT_ZEROGPU_MAX_SECONDS", "30")
    hour = np.tile(speech_16k, 1200)
    with pytest.raises(UserInputError, match=r"about \d+ s of GPU time, and this Space gives one request at most 30 s"):
        transcribe.transcribe(hour, "eng", cache=cache)
    assert zerogpu.durations == [] and cache.load_counts == {}


def test_the_check_counts_the_load_allowance_the_duration_asks_for(cache, speech_16k, zerogpu, monkeypatch):
    """A request whose work fits the cap but not with the time a fresh model's load adds is refused by the
    app, in its words; spaces would have refused the duration asked (140 s over a 120 s cap)."""
    monkeypatch.setenv("POLYGLOT_ZEROGPU_MAX_SECONDS", "120")
    clip = np.tile(speech_16k, int(np.ceil(100 / budget.GPU_SECONDS_PER["ctc audio second"] / (len(speech_16k) / 16000))))
    work = budget.gpu_work("ctc audio second", len(clip) / 16000)
    assert budget.gpu_seconds(work) <= 120 < budget.gpu_seconds(work + budget.GPU_LOAD_SECONDS)
    with pytest.raises(UserInputError, match=r"about \d+ s of GPU time, and this Space gives one request at most 120 s"):
        transcribe.transcribe(clip, "eng", cache=cache)
    assert zerogpu.durations == [] and cache.load_counts == {}
    cache.get(MMS_ASR_MODEL, "ctc")  # loaded: no allowance, it fits
    transcribe.transcribe(clip[: 16000 * 60], "eng", cache=cache)
    assert zerogpu.durations and max(zerogpu.durations) <= 120


def test_the_apps_errors_keep_their_message_across_the_worker(cache, speech_16k, zerogpu):
    # Catalogued, absent from the tiny checkpoint's vocabulary: raised inside the GPU call.
    with pytest.raises(UserInputError, match="no vocabulary for 'yor'"):
        transcribe.transcribe(speech_16k, "yor", cache=cache)
    settings = translate.GenerationSettings(num_beams=1, max_new_tokens=16, speaker_id=10_000)
    with pytest.raises(UserInputError, match="speaker"):
        translate.translate_text("Hello.", "eng", "fra", settings, cache=cache)
    assert len(zerogpu.durations) == 2  # both were inside GPU calls


def test_a_model_loaded_just_before_the_call_adds_load_time_to_the_duration(cache, speech_16k, zerogpu):
    transcribe.transcribe(speech_16k, "eng", cache=cache)  # loads MMS in the server first
    transcribe.transcribe(speech_16k, "eng", cache=cache)  # already there
    work = budget.gpu_work("ctc audio second", len(speech_16k) / 16000)
    assert zerogpu.durations == [budget.gpu_seconds(work + budget.GPU_LOAD_SECONDS), budget.gpu_seconds(work)]
    assert zerogpu.durations[0] > zerogpu.durations[1]


def test_live_captions_through_forked_gpu_calls(cache, speech_16k, zerogpu):
    pieces = np.array_split((speech_16k * 32767).astype(np.int16), 6)
    forked = live.start(MMS_ASR_MODEL, "fra")
    texts = [live.add(forked, 16_000, piece, cache=cache) for piece in pieces]
    with gpu.as_on_zerogpu(lambda duration: lambda task: task):  # the same, in-process
        alone = live.start(MMS_ASR_MODEL, "fra")
        expected = [live.add(alone, 16_000, piece, cache=cache) for piece in pieces]
    assert texts == expected and forked.final_ids == alone.final_ids
    assert len(zerogpu.durations) >= 5 and set(zerogpu.loads_in_worker) == {0}


def test_start_up_off_loads_nothing_and_starts_serving(cache):
    assert warmup.start_up("off", cache) == {} and cache.loaded_ids() == []
    assert cache.load_device == cache.device


def test_a_comparison_is_one_gpu_call(cache, speech_16k):
    from modules import compare

    expected = [(r.model_id, r.text, r.score) for r in compare.compare(speech_16k, "eng", "testing one two", cache=cache).results]
    calls = ForkedGpuCalls()
    with gpu.as_on_zerogpu(calls):
        got = [(r.model_id, r.text, r.score) for r in compare.compare(speech_16k, "eng", "testing one two", cache=cache).results]
    assert got == expected and len(calls.durations) == 1 and calls.loads_in_worker == [0]


def test_out_of_memory_in_a_worker_evicts_nothing_here(cache):
    """On ZeroGPU an out-of-memory error comes back from a worker's GPU; the server's models (packed, or on the
    CPU) are not what filled it: nothing is evicted, the call is tried once more, then said in words."""
    cache.get(MMS_ASR_MODEL, "ctc")
    cache.zerogpu = True
    calls = []

    def fails():
        calls.append(1)
        raise torch.OutOfMemoryError("CUDA out of memory")

    with pytest.raises(models.ModelUnavailableError, match="ran out of GPU memory"):
        cache.retry_after_out_of_memory(fails)
    assert len(calls) == 2 and cache.loaded_ids() == [MMS_ASR_MODEL]
    cache.zerogpu = False
    with pytest.raises(models.ModelUnavailableError):
        cache.retry_after_out_of_memory(fails)
    assert cache.loaded_ids() == []  # a GPU of this process: the cache is freed for the retry
