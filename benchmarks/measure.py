"""Measuring helpers: peak memory of a block (sampled: ru_maxrss is inherited from the parent process), and timing."""

import json
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil


class PeakRSS:
    """`with PeakRSS() as peak: ...` then peak.before_mb, peak.peak_mb, peak.extra_mb."""

    def __init__(self, interval: float = 0.005):
        self.interval = interval
        self.process = psutil.Process()

    def __enter__(self):
        self.before_mb = self.peak_mb = self.process.memory_info().rss / 2**20
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self):
        while not self._stop.is_set():
            self.peak_mb = max(self.peak_mb, self.process.memory_info().rss / 2**20)
            time.sleep(self.interval)

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak_mb = max(self.peak_mb, self.process.memory_info().rss / 2**20)

    @property
    def extra_mb(self) -> float:
        return self.peak_mb - self.before_mb


def median_seconds(call, repeats: int = 3, synchronize=None) -> tuple[float, object]:
    """Median wall time of `call()` over `repeats` runs, and the last result.

    synchronize: called before and after each run (torch.cuda.synchronize on a GPU, so queued
    kernels are counted where they run).
    """
    times, result = [], None
    for _ in range(repeats):
        if synchronize:
            synchronize()
        started = time.perf_counter()
        result = call()
        if synchronize:
            synchronize()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def in_child(module: str, *arguments) -> dict:
    """Run `python -m module --child ARGUMENTS` in a fresh process (so its peak RSS is its own) and return
    the JSON object it prints last."""
    command = [sys.executable, "-m", module, "--child", *map(str, arguments)]
    out = subprocess.run(command, capture_output=True, text=True, check=True, cwd=Path(__file__).resolve().parents[1]).stdout
    return json.loads(out.strip().splitlines()[-1])
