"""Peak memory of a block of code, sampled (ru_maxrss is inherited from the parent, so it can't be used)."""

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
