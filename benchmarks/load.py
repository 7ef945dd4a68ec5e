"""Load test: N concurrent gradio_client sessions across all four tabs against the app on 127.0.0.1.

    .venv/bin/python -m benchmarks.load --clients 16 --seconds 60
    .venv/bin/python -m benchmarks.load --soak --clients 8 --seconds 1800     # 30 minutes, with abuse

--soak mixes in what a public Space also gets: requests cancelled by their client mid-way (a translation, a
many-files transcription), over-long text, translations over the work budget, hour-long audio, test sets and
batches refused after unpacking (each must be refused with its message, and is counted as refused, not as
an error), live-caption sessions over HTTP (finished, and abandoned after one piece), and reports the server's
RSS at the start and the end and the files its requests still hold at the end (must be none).

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
from gradio_client.exceptions import AppError

REPO_ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = REPO_ROOT / "examples"


def _identify(client):
    label, summary = client.predict(handle_file(str(EXAMPLES / "english.wav")), "facebook/mms-lid-126", 3, api_name="/identify")
    assert len(label["confidences"]) == 3 and "classified the whole clip" in summary


def _transcribe(client):
    text, notes, table, files = client.predict(
        handle_file(str(EXAMPLES / "french.flac")), "facebook/mms-1b-all", "fra", api_name="/transcribe"
    )
    # .txt .srt .vtt, and with timed words a Praat .TextGrid and an ELAN .eaf
    assert isinstance(text, str) and notes == "Language: French (fra)." and len(files) == (5 if table["data"] else 3)


def _align(client):
    audio, table, files, notes = client.predict(
        handle_file(str(EXAMPLES / "english.wav")), "Hello, this is a test of multilingual speech recognition.", "eng",
        api_name="/align",
    )
    assert len(table["data"]) == 9 and len(files) == 6 and notes.startswith("⚠ Language: English (eng).")  # + .TextGrid .eaf


def _speak(client):
    audio, read = client.predict("Hello from the load test.", "eng", 0, api_name="/speak")
    assert read.startswith("hello from the load test") and soundfile.info(audio).samplerate == 16000


def _translate(client):
    text, audio, files = client.predict("Text", None, "good morning", "eng", "fra", False, api_name="/translate")
    assert isinstance(text, str) and audio is None and len(files) == 1


REQUESTS = [("identify", _identify), ("transcribe", _transcribe), ("align", _align), ("speak", _speak),
            ("translate", _translate)]


class Refused(Exception):
    """An oversized request got the refusal it should: counted apart from errors."""


def _refused(call, expected: str) -> None:
    try:
        call()
    except AppError as error:
        if expected in str(error):
            raise Refused from None
        raise
    raise AssertionError(f"not refused: expected {expected!r}")


def _too_long_text(client):
    _refused(lambda: client.predict("word " * 10_000, "eng", 0, api_name="/speak"), "characters; at most")


def _over_budget(client):
    many = " ".join(f"Sentence number {n}." for n in range(300))
    _refused(
        lambda: client.predict("Text", None, many[:1999], "eng", "fra", False, 0, 5, 512, api_name="/translate"),
        "decoder steps, over its limit",
    )


def _hour_of_audio(client):
    _refused(
        lambda: client.predict(handle_file(str(HOUR)), "facebook/mms-lid-126", 3, api_name="/identify"),
        "this tab accepts at most",
    )


def _cancelled(client):
    """A long translation its client walks away from after a moment."""
    job = client.submit("Text", None, "Good morning to you all. " * 40, "eng", "fra", True, 0, 5, 64, api_name="/translate")
    time.sleep(0.5)
    job.cancel()
    raise Refused


def _failed_test_set(client):
    """Unpacked, then refused (an unknown language): its unpacked clips must not stay behind."""
    _refused(lambda: client.predict([handle_file(str(TEST_SET))], "xx", api_name="/score_test_set"),
             "No speech-recognition model here has 'xx'")


def _failed_batch(client):
    """Refused by the request's file budget, after its first archive was unpacked."""
    _refused(lambda: client.predict([handle_file(str(TEST_SET))] * 20, "facebook/mms-lid-126", True,
                                    api_name="/identify_files"), "at most 50 are accepted at once")


def _cancelled_batch(client):
    """A many-files transcription its client walks away from while it runs."""
    job = client.submit([handle_file(str(TEST_SET))] * 4, "facebook/mms-1b-all", "eng", api_name="/transcribe_files")
    time.sleep(0.7)
    job.cancel()
    raise Refused


def _live(client):
    """A live-caption session over HTTP as the page drives it: pieces of speech every second, then Stop."""
    from tests.live_client import LiveClient

    session = LiveClient(client.src)
    session.start("facebook/mms-1b-all", "eng")
    for piece in _speech_pieces():
        session.send(piece)
        time.sleep(1.0)
    final = session.stop()["data"]
    assert isinstance(final[0], str) and sorted(Path(f["path"]).suffix for f in final[1]) in (
        [".srt", ".txt", ".vtt", ".wav"], [".TextGrid", ".eaf", ".srt", ".txt", ".vtt", ".wav"])


def _abandoned_live(client):
    """A visitor who closes the tab after one piece: the slot and the recording must be freed by the server."""
    from tests.live_client import LiveClient

    session = LiveClient(client.src)
    session.start("facebook/mms-1b-all", "eng")
    session.send(_speech_pieces()[0], listen=False)
    raise Refused


def _speech_pieces() -> list:
    import soxr

    samples, rate = soundfile.read(str(EXAMPLES / "english.wav"), dtype="float32")
    at_48k = soxr.resample(samples, rate, 48_000)
    return [at_48k[start : start + 48_000] for start in range(0, len(at_48k), 48_000)]


SOAK = REQUESTS + [("too-long", _too_long_text), ("over-budget", _over_budget), ("hour", _hour_of_audio),
                   ("cancelled", _cancelled), ("failed-test-set", _failed_test_set), ("failed-batch", _failed_batch),
                   ("cancelled-batch", _cancelled_batch), ("live", _live), ("abandoned-live", _abandoned_live)]
HOUR = Path(tempfile.gettempdir()) / "polyglot-soak-hour.flac"
TEST_SET = Path(tempfile.gettempdir()) / "polyglot-soak-test-set.zip"


def _write_test_set() -> None:
    import zipfile

    with zipfile.ZipFile(TEST_SET, "w") as bundle:
        for name in ("english.wav", "french.flac", "spanish.mp3"):
            bundle.write(EXAMPLES / name, name)
        bundle.writestr("refs.tsv", "english.wav\thello\nfrench.flac\tbonjour\nspanish.mp3\thola\n")


def _request_files(pid: int) -> tuple[int, int, int]:
    """Files the server's requests hold now (its request folders, modules/request.py); recordings of live
    sessions left without Stop (deleted 5 minutes after their last piece, modules/live.py); and files in result
    folders handed to Gradio (Gradio deletes those after `keep_files_minutes`)."""
    from gradio.utils import get_upload_folder

    roots = list((Path(tempfile.gettempdir()) / "polyglot-work").glob(f"{pid}-*"))
    held = [f for root in roots for f in root.glob("request-*/**/*") if f.is_file()]
    live = [f for root in roots for f in root.glob("live-*/*") if f.is_file()]
    handed = [f for folder in Path(get_upload_folder()).glob("polyglot-*") for f in folder.rglob("*") if f.is_file()]
    return len(held), len(live), len(handed)


@dataclass
class LoadResult:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    refused: int = 0
    seconds: float = 0.0

    @property
    def served(self) -> int:
        return sum(len(values) for values in self.latencies.values())

    def summary(self) -> str:
        every = sorted(v for values in self.latencies.values() for v in values)
        lines = [f"served {self.served} requests in {self.seconds:.1f} s ({self.served / self.seconds:.1f}/s), "
                 f"refused or cancelled as they should be {self.refused}, errors {len(self.errors)}"]
        for name, values in [("all", every), *sorted(self.latencies.items())]:
            if values:
                ordered = sorted(values)
                p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
                lines.append(f"  {name:10s} n={len(values):4d} p50 {statistics.median(values) * 1000:7.0f} ms"
                             f"  p95 {p95 * 1000:7.0f} ms")
        return "\n".join(lines)


def drive(url: str, clients: int, requests_per_client: int, max_seconds: float, requests=REQUESTS) -> LoadResult:
    """Each client cycles through `requests` until it has sent its share or time is up."""
    result = LoadResult({name: [] for name, _ in requests})
    lock = threading.Lock()

    # Connect every client first: the run measures requests, not client set-up.
    sessions = [Client(url, verbose=False) for _ in range(clients)]
    deadline = time.monotonic() + max_seconds

    def session(number: int) -> None:
        client = sessions[number]
        for index in range(requests_per_client):
            if time.monotonic() > deadline:
                return
            name, request = requests[(number + index) % len(requests)]
            started = time.perf_counter()
            try:
                request(client)
            except Refused:
                with lock:
                    result.refused += 1
                continue
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
    parser.add_argument("--soak", action="store_true", help="mix in cancellations and oversized inputs")
    args = parser.parse_args()
    if args.soak and not HOUR.exists():
        subprocess.run(["sox", "-n", "-r", "16000", str(HOUR), "synth", "3600", "sine", "300"], check=True)
    if args.soak:
        _write_test_set()
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
        timeline: list[float] = []  # RSS once a minute, to tell a plateau from a leak
        stop = threading.Event()

        def sample() -> None:
            last = 0.0
            while not stop.is_set():
                rss = process.memory_info().rss / 2**20
                peak["mb"] = max(peak["mb"], rss)
                if time.monotonic() - last >= 60:
                    timeline.append(rss)
                    last = time.monotonic()
                time.sleep(0.05)

        sampler = threading.Thread(target=sample, daemon=True)
        drive(url, 2, len(REQUESTS), 60)  # warm-up: every model loaded once, so start RSS is steady state
        start_mb = process.memory_info().rss / 2**20
        sampler.start()
        result = drive(url, args.clients, args.requests, args.seconds, SOAK if args.soak else REQUESTS)
        stop.set()
        sampler.join()
        end_mb = process.memory_info().rss / 2**20
        time.sleep(5)  # the last requests' exits
        held, live, handed = _request_files(server.pid)
        mode = "soak with cancellations, failures, live captions and oversized inputs" if args.soak else "normal traffic"
        print(f"{args.clients} clients, up to {args.requests} requests each, {args.seconds:.0f} s limit, tiny models, {mode}")
        print(result.summary())
        print(f"server RSS {start_mb:.0f} MB after warm-up, {end_mb:.0f} MB at the end "
              f"({end_mb - start_mb:+.0f} MB), peak {peak['mb']:.0f} MB")
        print("RSS each minute (MB): " + " ".join(f"{mb:.0f}" for mb in timeline))
        print(f"files the server's requests still hold at the end: {held}; recordings of live sessions left without "
              f"Stop (deleted 5 minutes after their last piece): {live}; result files handed to Gradio (deleted by it "
              f"after POLYGLOT_KEEP_FILES_MINUTES): {handed}")
        for error in result.errors[:10]:
            print("  error:", error)
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
