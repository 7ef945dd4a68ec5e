"""Load test: N concurrent gradio_client sessions across all four tabs against the app on 127.0.0.1.

    .venv/bin/python -m benchmarks.load --clients 16 --seconds 60

Starts `app.py` in a subprocess over freshly built tiny models (unless --url is given), drives it for
a bounded number of requests and time, checks every answer, and prints requests served, errors,
p50/p95 latency and the server's peak RSS. Only ever talks to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import soundfile
from gradio_client import Client, handle_file

REPO_ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = REPO_ROOT / "examples"


def _identify(client):
    label, summary = client.predict(handle_file(str(EXAMPLES / "english.wav")), "facebook/mms-lid-126", 3, api_name="/identify")
    assert len(label["confidences"]) == 3 and "classified the whole clip" in summary


def _transcribe(client):
    text, notes, table, files = client.predict(
        handle_file(str(EXAMPLES / "french.flac")), "facebook/mms-1b-all", "fra", api_name="/transcribe"
    )
    assert isinstance(text, str) and notes == "Language: French (fra)." and len(files) == 2


def _speak(client):
    audio, read = client.predict("Hello from the load test.", "eng", 0, api_name="/speak")
    assert read.startswith("hello from the load test") and soundfile.info(audio).samplerate == 16000


def _translate(client):
    text, audio, files = client.predict("Text", None, "good morning", "eng", "fra", False, api_name="/translate")
    assert isinstance(text, str) and audio is None and len(files) == 1


REQUESTS = [("identify", _identify), ("transcribe", _transcribe), ("speak", _speak), ("translate", _translate)]


@dataclass
class LoadResult:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def served(self) -> int:
        return sum(len(values) for values in self.latencies.values())

    def summary(self) -> str:
        every = sorted(v for values in self.latencies.values() for v in values)
        lines = [f"served {self.served} requests in {self.seconds:.1f} s ({self.served / self.seconds:.1f}/s), "
                 f"errors {len(self.errors)}"]
        for name, values in [("all", every), *sorted(self.latencies.items())]:
            if values:
                ordered = sorted(values)
                p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
                lines.append(f"  {name:10s} n={len(values):4d} p50 {statistics.median(values) * 1000:7.0f} ms"
                             f"  p95 {p95 * 1000:7.0f} ms")
        return "\n".join(lines)


def drive(url: str, clients: int, requests_per_client: int, max_seconds: float) -> LoadResult:
    """Each client cycles through the four tabs until it has sent its requests or time is up."""
    result = LoadResult({name: [] for name, _ in REQUESTS})
    lock = threading.Lock()

    # Connect every client first: the run measures requests, not client set-up.
    sessions = [Client(url, verbose=False) for _ in range(clients)]
    deadline = time.monotonic() + max_seconds

    def session(number: int) -> None:
        client = sessions[number]
        for index in range(requests_per_client):
            if time.monotonic() > deadline:
                return
            name, request = REQUESTS[(number + index) % len(REQUESTS)]
            started = time.perf_counter()
            try:
                request(client)
            except Exception as error:  # every failure is counted and shown, none is fatal
                with lock:
                    result.errors.append(f"{name}: {type(error).__name__}: {error}")
                continue
            with lock:
                result.latencies[name].append(time.perf_counter() - started)

    started = time.perf_counter()
    threads = [threading.Thread(target=session, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - started
    return result


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--requests", type=int, default=1000, help="per client")
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    sys.path.insert(0, str(REPO_ROOT))
    from tests.tiny_models import build_all

    port = _free_port()
    env = dict(os.environ, GRADIO_ANALYTICS_ENABLED="False", HF_HUB_OFFLINE="1", GRADIO_SERVER_PORT=str(port),
               POLYGLOT_MODEL_PATHS=str(build_all(Path(tempfile.mkdtemp(prefix="polyglot-load-")))))
    server = subprocess.Popen([sys.executable, "app.py"], cwd=REPO_ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(120):
            try:
                Client(url, verbose=False)
                break
            except Exception:
                time.sleep(0.5)
        process = psutil.Process(server.pid)
        peak = {"mb": 0.0}
        stop = threading.Event()

        def sample() -> None:
            while not stop.is_set():
                peak["mb"] = max(peak["mb"], process.memory_info().rss / 2**20)
                time.sleep(0.05)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        result = drive(url, args.clients, args.requests, args.seconds)
        stop.set()
        sampler.join()
        print(f"{args.clients} clients, up to {args.requests} requests each, {args.seconds:.0f} s limit, tiny models")
        print(result.summary())
        print(f"server peak RSS {peak['mb']:.0f} MB")
        for error in result.errors[:10]:
            print("  error:", error)
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
