"""Shared fixtures: tiny real-architecture models (built once per run), real speech clips, a running app."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
UPLOAD_LIMIT = "20mb"
BROWSER_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]


def pytest_configure(config):
    """Build every tiny model before any test module imports the app, and point the override map at them.

    The environment is set here, so the app's own configuration path (POLYGLOT_MODEL_PATHS) is what
    the tests exercise; HF_HUB_OFFLINE guarantees nothing is ever fetched.
    """
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"
    # Small enough that the suite can send a file over it; the hour of FLAC in the corpus is 7.5 MB.
    os.environ["POLYGLOT_MAX_FILE_SIZE"] = UPLOAD_LIMIT
    from tests.tiny_models import build_all

    # Gradio's upload folder, this test process's own: tests count what requests leave there, and a second
    # process (pytest -n 2) must not add to what they count.
    config._gradio_temp = tempfile.mkdtemp(prefix="polyglot-gradio-")
    os.environ["GRADIO_TEMP_DIR"] = config._gradio_temp
    root = Path(tempfile.mkdtemp(prefix="polyglot-tiny-models-"))
    os.environ["POLYGLOT_MODEL_PATHS"] = str(build_all(root))
    config._tiny_models_root = root


def pytest_unconfigure(config):
    for folder in (getattr(config, "_tiny_models_root", None), getattr(config, "_gradio_temp", None)):
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def override_map() -> Path:
    return Path(os.environ["POLYGLOT_MODEL_PATHS"])


@pytest.fixture
def cache(override_map):
    """A fresh cache over the tiny models, through the same override-map reader as the app."""
    from modules.models import ModelCache, read_model_sources

    return ModelCache(read_model_sources(str(override_map)).paths)


def run(*command: str) -> None:
    subprocess.run(command, check=True, capture_output=True)


@pytest.fixture(scope="session")
def speech_dir(tmp_path_factory) -> Path:
    """Real speech from espeak-ng in many formats, rates and channel layouts."""
    out = tmp_path_factory.mktemp("speech")
    source = out / "source.wav"  # 22050 Hz mono
    run("espeak-ng", "-v", "en-us", "-w", str(source), "Testing one two three, the audio module.")
    run("sox", str(source), "-r", "16000", str(out / "mono16k.wav"))
    run("sox", str(source), "-r", "44100", "-c", "2", str(out / "stereo44k.flac"))
    run("sox", str(source), "-r", "48000", str(out / "vorbis48k.ogg"))
    run("sox", str(source), "-r", "22050", str(out / "speech.mp3"))
    run("sox", str(source), "-r", "8000", "-b", "16", str(out / "telephone8k.wav"))
    run("sox", str(source), "-r", "96000", "-c", "8", str(out / "eight96k.wav"))
    run("sox", str(source), "-b", "32", "-e", "floating-point", str(out / "float32.wav"))
    run("ffmpeg", "-loglevel", "error", "-i", str(source), "-c:a", "libopus", "-ar", "48000", str(out / "speech.opus"))
    run("ffmpeg", "-loglevel", "error", "-i", str(source), "-c:a", "aac", str(out / "speech.m4a"))
    return out


@pytest.fixture(scope="session")
def bad_audio_dir(tmp_path_factory) -> Path:
    from tests.bad_inputs import write_audio_corpus

    return write_audio_corpus(tmp_path_factory.mktemp("bad-audio"))


@pytest.fixture(scope="session")
def speech_16k(speech_dir):
    """The reference clip as 16 kHz mono float32 samples."""
    from modules.audio import load_audio_16k

    return load_audio_16k(str(speech_dir / "mono16k.wav")).samples


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def app_process(env: dict[str, str], log: Path):
    """`python app.py` as a Space runs it, with `env` (None values removed from this process's environment);
    yields its gradio_client Client once it serves, and stops it after."""
    import sys

    from gradio_client import Client

    port = free_port()
    environment = {**os.environ, "GRADIO_SERVER_NAME": "127.0.0.1", "GRADIO_SERVER_PORT": str(port), **env}
    environment = {key: value for key, value in environment.items() if value is not None}
    with open(log, "w") as output:
        server = subprocess.Popen([sys.executable, "app.py"], cwd=REPO_ROOT, env=environment, stdout=output,
                                  stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("app.py did not start:\n" + log.read_text())
                time.sleep(0.2)
        yield Client(f"http://127.0.0.1:{port}/", verbose=False)
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


@pytest.fixture(scope="session")
def app_url():
    """The real app, launched in this process on 127.0.0.1 over the tiny models."""
    import app

    port = free_port()
    app.demo.queue(default_concurrency_limit=app.SETTINGS.concurrency, max_size=app.SETTINGS.queue_size).launch(
        server_name="127.0.0.1",
        server_port=port,
        prevent_thread_lock=True,
        ssr_mode=False,
        quiet=True,
        **app.LAUNCH_OPTIONS,
    )
    yield f"http://127.0.0.1:{port}/"
    app.demo.close()


@pytest.fixture(scope="session")
def browser_type_launch_args():
    """pytest-playwright: Debian's Chromium, never a downloaded browser."""
    return {"executable_path": "/usr/bin/chromium", "headless": True, "args": BROWSER_ARGS}
