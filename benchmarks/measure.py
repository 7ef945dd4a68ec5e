"""Measuring helpers: peak memory of a block (sampled: ru_maxrss is inherited from the parent process), and timing."""

import statistics
import threading
import time

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
