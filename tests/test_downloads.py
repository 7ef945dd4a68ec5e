"""Models downloaded on first use, as on a Space: `python app.py` with an EMPTY Hugging Face cache and HF_ENDPOINT
at a Hub-compatible server on 127.0.0.1 (tests/hub_server.py: olah serving the tiny repos under their real ids
from git repositories, behind a front that logs every request and fails on demand). Every tab is driven
through gradio_client, as a visitor's browser or a script would."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
import soundfile
from gradio_client import handle_file
from gradio_client.exceptions import AppError
from safetensors.torch import load_file, save_file

from modules.models import read_model_sources
from tests.conftest import REPO_ROOT, app_process
from tests.hub_server import HubServer
from tests.tiny_models import build_lid

EXAMPLES = REPO_ROOT / "examples"
LID_4017 = "facebook/mms-lid-4017"
LID4017_CODES = [line.split("\t")[0] for line in
                 (REPO_ROOT / "modules/data/mms_lid4017_langs.tsv").read_text(encoding="utf-8").splitlines()[1:]]
FRENCH_VOICE = "facebook/mms-tts-fra"
ENGLISH_ASR = "facebook/wav2vec2-base-960h"
OMNI_CTC = "hf-audio/omniasr-ctc-300m-v2"
SERVED = ["facebook/mms-1b-all", ENGLISH_ASR, OMNI_CTC, *(f"facebook/mms-tts-{lang}" for lang in ("fra", "ron", "rus", "kor", "eng"))]


def _changed_weights(source: Path, out: Path, factor: float) -> Path:
    """The same tensors (names, shapes) with other values: a later commit's weights."""
    tensors = load_file(str(source))
    save_file({name: tensor * factor for name, tensor in tensors.items()}, str(out))
    return out


@pytest.fixture(scope="module")
def hub(tmp_path_factory, override_map):
    """The server, holding the tiny mms-1b-all, five voices and MMS-LID-4017 (its 4,017 labels), one commit each;
    the French voice has a second commit on main with other weights (its first is pinned in the model file)."""
    root = tmp_path_factory.mktemp("hub")
    built = {model_id: Path(path) for model_id, path in read_model_sources(str(override_map)).paths.items()}
    server = HubServer(root / "server")
    commits = {model_id: [server.repo(model_id).commit(built[model_id], "Upload the model")] for model_id in SERVED}
    lid = build_lid(root / "lid-4017", labels=LID4017_CODES)
    commits[LID_4017] = [server.repo(LID_4017).commit(lid, "Upload the model")]
    voice = built[FRENCH_VOICE]
    later = {"model.safetensors": _changed_weights(voice / "model.safetensors", root / "model.safetensors", 1.1)}
    commits[FRENCH_VOICE].append(server.repo(FRENCH_VOICE).commit(voice, "Update the weights", replace=later))
    server.start()
    server.commits = commits
    server.built = built
    yield server
    server.stop()


@pytest.fixture(scope="module")
def hub_app(hub, tmp_path_factory):
    """The app with an empty cache, the Hub at `hub`, short download timeouts, and a memory budget so small that
    each model loaded evicts the others (a second use then loads from the disk cache, not the server)."""
    home = tmp_path_factory.mktemp("hf-home")
    model_file = home / "models.toml"
    model_file.write_text(f'["{FRENCH_VOICE}"]\nrevision = "{hub.commits[FRENCH_VOICE][0]}"\n')
    env = {
        "HF_HOME": str(home), "HF_HUB_CACHE": str(home / "hub"), "HF_ENDPOINT": hub.front.url, "HF_HUB_OFFLINE": None,
        "HF_HUB_DOWNLOAD_TIMEOUT": "1", "HF_HUB_ETAG_TIMEOUT": "1", "POLYGLOT_HUB_CHECK_TIMEOUT": "1",
        "POLYGLOT_MODEL_PATHS": str(model_file), "POLYGLOT_CACHE_BUDGET_GB": "0.0001",
    }
    log = home / "server.log"
    with app_process(env, log) as client:
        yield client, home / "hub", log


def cached_files(hub_cache: Path, model_id: str) -> list[str]:
    """Every file of `model_id` in the app's cache, as <snapshot commit>/<name> (and any partial download)."""
    repo = hub_cache / f"models--{model_id.replace('/', '--')}"
    return sorted(str(path.relative_to(repo / "snapshots")) for path in repo.glob("snapshots/*/*")) + \
        sorted(path.name for path in repo.glob("blobs/*.incomplete"))


def speak(client, text: str, language: str):
    return client.predict(text, language, 0, api_name="/speak")


def test_a_pinned_voice_downloads_at_its_pin_on_first_use_then_loads_from_the_disk(hub, hub_app):
    client, hub_cache, log = hub_app
    pinned, main = hub.commits[FRENCH_VOICE]
    audio, read = speak(client, "Bonjour à tous", "fra")
    assert soundfile.info(audio).samplerate == 16000 and read == "bonjour à tous"
    fetched = hub.front.asked("GET", f"/{FRENCH_VOICE}/resolve/")
    # What from_pretrained reads, once each, at the pinned commit only (main has moved on); not the .bin beside it.
    assert sorted(path.rsplit("/", 1)[1] for path in fetched) == [
        "config.json", "model.safetensors", "special_tokens_map.json", "tokenizer_config.json", "vocab.json"]
    assert all(f"/resolve/{pinned}/" in path for path in fetched)
    assert cached_files(hub_cache, FRENCH_VOICE) == [f"{pinned}/{name}" for name in
        ("config.json", "model.safetensors", "special_tokens_map.json", "tokenizer_config.json", "vocab.json")]
    assert main not in log.read_text()
    # Another model evicts the voice from memory (the budget holds one); the voice then loads from the disk.
    client.predict(handle_file(str(EXAMPLES / "english.wav")), LID_4017, 3, api_name="/identify")
    again, _ = speak(client, "Bonjour à tous", "fra")
    assert hub.front.asked("GET", f"/{FRENCH_VOICE}/resolve/") == fetched
    assert soundfile.read(again)[0].tolist() == soundfile.read(audio)[0].tolist()
    assert "facebook/mms-tts-fra" in log.read_text() and "Traceback" not in log.read_text()


def test_a_larger_lid_model_downloads_once_then_loads_from_the_disk(hub, hub_app):
    client, hub_cache, log = hub_app
    commit = hub.commits[LID_4017][0]
    for _ in range(2):
        ranking, _ = client.predict(handle_file(str(EXAMPLES / "english.wav")), LID_4017, 3, api_name="/identify")
        assert len(ranking["confidences"]) == 3 and all(
            re.fullmatch(r".+ \((\S+)\)", row["label"])[1] in LID4017_CODES for row in ranking["confidences"])
        speak(client, "Hello", "fra")  # evicts the LID model from memory: the next identify loads it again
    assert len(hub.front.asked("GET", f"/{LID_4017}/resolve/{commit}/model.safetensors")) == 1
    assert not hub.front.asked("GET", f"/{LID_4017}/resolve/{commit}/pytorch_model.bin")
    assert f"{commit}/model.safetensors" in cached_files(hub_cache, LID_4017)


def test_an_adapter_is_fetched_at_the_base_models_commit_after_main_moved(hub, hub_app, tmp_path):
    client, hub_cache, log = hub_app
    mms = "facebook/mms-1b-all"
    base = hub.commits[mms][0]
    text, note, table, files = client.predict(handle_file(str(EXAMPLES / "french.flac")), mms, "eng", api_name="/transcribe")
    assert isinstance(text, str) and files
    # main moves on: the same repo with other adapter weights.
    built = hub.built[mms]
    later = {file.name: _changed_weights(file, tmp_path / file.name, -1.0) for file in built.glob("adapter.*.safetensors")}
    moved = hub.repo(mms).commit(built, "Retrain the adapters", replace=later)
    text, note, table, files = client.predict(handle_file(str(EXAMPLES / "french.flac")), mms, "fra", api_name="/transcribe")
    assert isinstance(text, str) and files
    asked = hub.front.asked("HEAD", f"/{mms}/resolve/") + hub.front.asked("GET", f"/{mms}/resolve/")
    assert f"/{mms}/resolve/{base}/adapter.fra.safetensors" in asked
    assert not [path for path in asked if moved in path]
    assert f"{base}/adapter.fra.safetensors" in cached_files(hub_cache, mms)
    # Only adapters asked for came down (eng, fra here; another test may have asked for one or two more), all at
    # the base commit; not the repo's other languages.
    adapters = [name for name in cached_files(hub_cache, mms) if "adapter." in name]
    assert {f"{base}/adapter.eng.safetensors", f"{base}/adapter.fra.safetensors"} <= set(adapters)
    assert all(name.startswith(f"{base}/") for name in adapters)
    assert len(adapters) <= 4 < len(list(built.glob("adapter.*.safetensors")))
    # Switching away and back reads the adapter from the disk cache: no second download.
    fetched = hub.front.asked("GET", "/adapter.fra.safetensors")
    for language in ("eng", "fra"):
        client.predict(handle_file(str(EXAMPLES / "french.flac")), mms, language, api_name="/transcribe")
    assert hub.front.asked("GET", "/adapter.fra.safetensors") == fetched and len(fetched) == 1


@pytest.mark.parametrize(("language", "fault", "methods", "reason"), [
    ("ron", "404", ("HEAD", "GET"), "the model server doesn't have this model's files"),
    ("rus", "500", ("GET",), "the model server answered with an error (HTTP 500)"),
    ("kor", "cut", ("GET",), "the connection to the model server broke off"),
    ("eng", "slow", ("GET",), "the model server didn't answer in time"),
])
def test_a_failed_download_says_so_leaves_no_partial_file_and_the_next_request_succeeds(
        hub, hub_app, language, fault, methods, reason):
    client, hub_cache, log = hub_app
    voice = f"facebook/mms-tts-{language}"
    name = {"ron": "Romanian", "rus": "Russian", "kor": "Korean", "eng": "English"}[language]
    hub.front.fail(f"/{voice}/resolve/", fault, seconds=3, methods=methods)
    try:
        with pytest.raises(AppError) as refused:
            speak(client, "Hello", language)
    finally:
        hub.front.heal()
    assert str(refused.value).startswith(f"Downloading the {name} voice failed: {reason}. Please try again in a minute")
    assert not [file for file in cached_files(hub_cache, voice) if "model.safetensors" in file or "incomplete" in file]
    audio, _ = speak(client, "Hello", language)
    assert soundfile.info(audio).frames > 0
    assert any(file.endswith("/model.safetensors") for file in cached_files(hub_cache, voice))
    assert "Traceback" not in log.read_text()


def test_the_download_shows_its_size_and_percentage_while_it_runs(hub, hub_app):
    client, hub_cache, log = hub_app
    hub.front.slow_down(f"/{ENGLISH_ASR}/resolve/", 10_000)  # the 53 kB of weights take ~5 s
    try:
        job = client.submit(handle_file(str(EXAMPLES / "english.wav")), ENGLISH_ASR, "eng", api_name="/transcribe")
        seen = []
        while not job.done():
            status = job.status()
            for unit in status.progress_data or []:
                if unit.desc and (not seen or seen[-1] != unit.desc):
                    seen.append(unit.desc)
            time.sleep(0.05)
        text, note, table, files = job.result()
    finally:
        hub.front.heal()
    downloading = [re.fullmatch(r"Downloading wav2vec2-base-960h \(speech recognition\), (\d+) kB — (\d+) %", desc)
                   for desc in seen if desc.startswith("Downloading")]
    assert downloading and all(downloading), seen
    percents = [int(match[2]) for match in downloading]
    assert {match[1] for match in downloading} == {str(round(sum(
        (hub.built[ENGLISH_ASR] / name).stat().st_size for name in ("config.json", "model.safetensors",
        "preprocessor_config.json", "special_tokens_map.json", "tokenizer_config.json", "vocab.json")) / 1e3))}
    assert percents == sorted(percents) and any(0 < percent < 100 for percent in percents), seen
    assert isinstance(text, str) and files


def test_a_server_gone_mid_session_gives_a_plain_message_at_once_and_the_next_request_after_it_is_back_succeeds(hub, hub_app):
    """The Hub's address is checked again before a download, so a server gone is said at once (huggingface_hub alone
    retries it for ~25 s), and a server back is used at once."""
    client, hub_cache, log = hub_app
    mms = "facebook/mms-1b-all"
    hub.front.stop()
    try:
        started = time.monotonic()
        with pytest.raises(AppError) as refused:
            client.predict(handle_file(str(EXAMPLES / "french.flac")), mms, "deu", api_name="/transcribe")
        waited = time.monotonic() - started
    finally:
        hub.front.start()
    # Of the adapter; of the model itself when this test runs alone (nothing downloaded yet).
    assert re.match(r"Downloading (the German part of mms-1b-all|mms-1b-all \(speech recognition\)) failed: the model "
                    r"server can't be reached\. Please try again in a minute", str(refused.value)), str(refused.value)
    assert waited < 15, waited
    assert not [file for file in cached_files(hub_cache, mms) if "adapter.deu" in file or "incomplete" in file]
    text, note, table, files = client.predict(handle_file(str(EXAMPLES / "french.flac")), mms, "deu", api_name="/transcribe")
    assert isinstance(text, str) and files
    assert any("adapter.deu.safetensors" in file for file in cached_files(hub_cache, mms))


ZEROGPU_SCRIPT = """
import json, sys
from modules import downloads, gpu, speak, transcribe
from modules.audio import load_audio_16k
from modules.models import ModelCache

seen = []
fetch = downloads.hf_hub_download
def observed(model_id, name, **options):  # the app's one way to fetch a file, watched: where does it run?
    seen.append([model_id, name, gpu.inside_gpu_call()])
    return fetch(model_id, name, **options)
downloads.hf_hub_download = observed

cache = ModelCache(device="cpu")
samples = load_audio_16k("examples/french.flac").samples
with gpu.as_on_zerogpu(lambda duration: lambda task: task):  # spaces.GPU's stand-in, in-process
    transcribe.transcribe(samples, "spa", "facebook/mms-1b-all", cache=cache)
    speak.synthesize("Bonjour", "fra", cache=cache)
json.dump(seen, sys.stdout)
"""


def test_on_zerogpu_models_and_adapters_download_before_the_gpu_call(hub, tmp_path):
    """spaces.GPU gives a call a few seconds of a shared GPU: a download (a voice is 145 MB) must happen before."""
    import json
    import os
    import subprocess
    import sys

    env = {**os.environ, "HF_ENDPOINT": hub.front.url, "HF_HUB_CACHE": str(tmp_path / "hub"), "HF_HOME": str(tmp_path)}
    for name in ("HF_HUB_OFFLINE", "POLYGLOT_MODEL_PATHS"):
        env.pop(name, None)
    done = subprocess.run([sys.executable, "-c", ZEROGPU_SCRIPT], cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout)
    fetched = {(model_id, name) for model_id, name, inside in seen}
    assert {("facebook/mms-1b-all", "adapter.spa.safetensors"), ("facebook/mms-1b-all", "model.safetensors"),
            (FRENCH_VOICE, "model.safetensors")} <= fetched
    assert not [entry for entry in seen if entry[2]], "downloaded inside the GPU call"


def test_past_the_disk_budget_the_least_recently_used_download_goes_never_one_in_use(tmp_path, override_map):
    """The disk rule with huggingface_hub's own cache API on a real cache: a model loaded (in use), and each tab's
    default, stay; the least recently used of the others goes; with nothing left to remove, the visitor is told."""
    from huggingface_hub import scan_cache_dir

    from modules.config import ModelUnavailableError
    from modules.downloads import readable_size
    from modules.models import ModelCache
    from tests.hub_cache import add_snapshot, fake_commit

    built = read_model_sources(str(override_map)).paths
    voices = [f"facebook/mms-tts-{lang}" for lang in ("eng", "fra", "ron", "rus", "kor")]
    for model_id in voices:
        add_snapshot(tmp_path, model_id, Path(built[model_id]), fake_commit(model_id))
    size = {repo.repo_id: repo.size_on_disk for repo in scan_cache_dir(tmp_path).repos}
    total = sum(size.values())
    cache = ModelCache(hub_cache_dir=str(tmp_path), disk_budget_bytes=total)
    cache.get("facebook/mms-tts-ron", "speak")  # loaded: in use
    for order, model_id in enumerate(["facebook/mms-tts-fra", "facebook/mms-tts-rus", "facebook/mms-tts-kor"]):
        cache.downloader.last_used[model_id] = 1000.0 + order  # fra least recently used, then rus, then kor
    cache.downloader.last_used["facebook/mms-tts-ron"] = 1.0  # the oldest, but loaded

    # Room for a download of half a voice: the least recently used voice not in use goes (fra), nothing else.
    cache.downloader._make_room("facebook/mms-tts-new", "a new voice", size["facebook/mms-tts-fra"] // 2, cache._protected())
    left = {repo.repo_id for repo in scan_cache_dir(tmp_path).repos}
    assert left == set(voices) - {"facebook/mms-tts-fra"}
    # Room for more than all the others hold: rus and kor go, then there is nothing left to remove but what is in
    # use (ron) and the default voice (eng), and the visitor reads why.
    with pytest.raises(ModelUnavailableError, match=rf"^The server has no room to download the Yoruba voice \({readable_size(total)}\) right now"):
        cache.downloader._make_room("facebook/mms-tts-yor", "the Yoruba voice", total, cache._protected())
    assert {repo.repo_id for repo in scan_cache_dir(tmp_path).repos} == {"facebook/mms-tts-eng", "facebook/mms-tts-ron"}
    assert cache.get("facebook/mms-tts-ron", "speak").model is not None


def test_a_download_larger_than_the_free_disk_is_refused_before_it_starts(tmp_path):
    import shutil

    from modules.config import ModelUnavailableError
    from modules.downloads import Downloader, readable_size

    free = shutil.disk_usage(tmp_path).free
    with pytest.raises(ModelUnavailableError) as refused:
        Downloader(str(tmp_path), None)._make_room("facebook/mms-lid-4017", "MMS-LID-4017", free, set())
    assert str(refused.value).startswith(f"The server has no room to download MMS-LID-4017 ({readable_size(free)})")


@pytest.mark.parametrize(("size", "shown"), [(0, "1 kB"), (12_345, "12 kB"), (9_564_000, "9.6 MB"),
                                              (145_000_000, "145 MB"), (3_860_000_000, "3.9 GB")])
def test_sizes_read_as_the_hub_shows_them(size, shown):
    from modules.downloads import readable_size

    assert readable_size(size) == shown


def test_a_visitor_sees_the_download_on_the_tab(hub, hub_app, page):
    """In Chromium: the tab's progress line names what downloads, its size and how far it is."""
    from playwright.sync_api import expect

    from tests.test_browser import choose_language

    client, hub_cache, log = hub_app
    page.goto(client.src)
    page.get_by_role("tab", name="Transcribe").click()
    page.locator("#transcribe-audio input[type=file]").set_input_files(str(EXAMPLES / "english.wav"))
    choose_language(page, "transcribe-language", "Spanish", "spa")
    hub.front.slow_down("/adapter.spa.safetensors", 1_500)  # the 9 kB adapter takes ~6 s
    try:
        page.locator("#transcribe-button").click()
        shown = page.get_by_text(re.compile(r"Downloading the Spanish part of mms-1b-all, \d+ kB — \d+ %"))
        expect(shown.first).to_be_visible(timeout=60_000)
        expect(page.get_by_role("cell", name="transcript.spa.mms-1b-all.txt")).to_be_visible(timeout=60_000)
    finally:
        hub.front.heal()


def test_the_progress_bar_counts_each_byte_once_over_http_and_over_xet():
    """The Hub serves most large files over Xet (hf_xet), which no local server speaks: its progress reporter, from
    huggingface_hub itself, drives our bar here with the group reports hf_xet hands it (file bytes and network
    bytes; fields as utils/_xet_progress_reporting.py reads them). Each file byte counts once; no call fails."""
    import logging
    from types import SimpleNamespace

    from huggingface_hub.utils.tqdm import _get_progress_bar_context
    from huggingface_hub.utils._xet_progress_reporting import XetDownloadProgressReporter

    from modules.downloads import progress_bar_class

    counted = []
    bar_class = progress_bar_class(counted.append)
    # As file_download.xet_get makes it.
    with XetDownloadProgressReporter(
        reconstruction_desc="model.safetensors: reconstructing file", transfer_desc="model.safetensors: downloading bytes",
        total=1000, log_level=logging.INFO, name="huggingface_hub.xet_get", tqdm_class=bar_class,
        external_reconstruction_bar=None,
    ) as reporter:
        for done, sent in [(100, 60), (400, 200), (1000, 450)]:
            reporter.update_progress(SimpleNamespace(
                total_bytes_completed=done, total_transfer_bytes_completed=sent, total_bytes=1000,
                total_bytes_completion_rate=1e6, total_transfer_bytes_completion_rate=5e5))
        reporter.close()
    assert sum(counted) == 1000 and counted == [100, 300, 600]
    # Plain HTTP (file_download.http_get): the bar as huggingface_hub makes it, and a restart that rewinds it.
    counted.clear()
    with _get_progress_bar_context(desc="model.safetensors", log_level=logging.INFO, total=1000,
                                   name="huggingface_hub.http_get", tqdm_class=bar_class) as bar:
        bar.update(300)
        bar.update(-300)
        bar.update(1000)
    assert sum(counted) == 1000


def test_a_cancelled_download_stops_leaves_nothing_partial_and_the_next_request_succeeds(hub, hub_app):
    """The visitor cancels while a model downloads: the request stops at the download's next progress report (after
    the file in flight), huggingface_hub leaves no partial file, what is left isn't fetched, and the next request
    downloads the rest and runs."""
    client, hub_cache, log = hub_app
    hub.front.slow_down(f"/{OMNI_CTC}/resolve/", 300_000)  # its 743 kB of weights take ~2.5 s
    try:
        job = client.submit(handle_file(str(EXAMPLES / "french.flac")), OMNI_CTC, "auto", api_name="/transcribe")
        deadline = time.monotonic() + 30
        while not hub.front.asked("GET", f"/{OMNI_CTC}/resolve/") and time.monotonic() < deadline:
            time.sleep(0.02)
        job.cancel()
        deadline = time.monotonic() + 30
        while "transcribe_audio stopped" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        hub.front.heal()
    assert "transcribe_audio stopped" in log.read_text()
    assert f"download of omniasr-ctc-300m-v2 (speech recognition) ({OMNI_CTC}) stopped: the request was cancelled" in log.read_text()
    cached = cached_files(hub_cache, OMNI_CTC)
    assert not [name for name in cached if "incomplete" in name] and not any("tokenizer.json" in name for name in cached)
    text, note, table, files = client.predict(handle_file(str(EXAMPLES / "french.flac")), OMNI_CTC, "auto", api_name="/transcribe")
    assert isinstance(text, str) and files
    assert any(name.endswith("/tokenizer.json") for name in cached_files(hub_cache, OMNI_CTC))
