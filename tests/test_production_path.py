"""The production load path, as on a Space: `python app.py` with HF_HUB_OFFLINE=1, NO override map, and a
Hugging Face cache that holds the tiny repos under their real ids (tests/hub_cache.py), one of them a
.bin-only repo; every tab is driven through gradio_client."""

import os
from pathlib import Path

import pytest
import soundfile
from gradio_client import handle_file

from modules.models import CATALOG, READY, ModelCache, read_model_sources
from tests.conftest import REPO_ROOT, app_process
from tests.hub_cache import add_snapshot, fake_commit

EXAMPLES = REPO_ROOT / "examples"
BIN_ONLY = "facebook/mms-tts-ron"  # whether every mms-tts repo has safetensors is not known


@pytest.fixture(scope="module")
def hf_home(tmp_path_factory, override_map) -> Path:
    home = tmp_path_factory.mktemp("hf-home")
    for model_id, directory in read_model_sources(str(override_map)).paths.items():
        skip = ("model.safetensors",) if model_id == BIN_ONLY else ()
        add_snapshot(home / "hub", model_id, Path(directory), fake_commit(model_id), skip=skip)
    return home


@pytest.fixture(scope="module")
def hub_app(hf_home, tmp_path_factory):
    env = {"HF_HOME": str(hf_home), "HF_HUB_CACHE": str(hf_home / "hub"), "HF_HUB_OFFLINE": "1", "POLYGLOT_MODEL_PATHS": None}
    log = tmp_path_factory.mktemp("hub-app") / "server.log"
    with app_process(env, log) as client:
        yield client, log


def test_every_tiny_repo_in_the_cache_reads_as_ready(hf_home):
    cache = ModelCache(hub_cache_dir=str(hf_home / "hub"))
    for model_id in os.listdir(hf_home / "hub"):
        repo_id = model_id.removeprefix("models--").replace("--", "/")
        assert repo_id in CATALOG
        assert cache.availability(repo_id) == READY, repo_id


def test_identify_and_transcribe_by_repo_id_with_adapters_from_the_cache(hub_app):
    client, log = hub_app
    ranking, verdict = client.predict(handle_file(str(EXAMPLES / "english.wav")), "facebook/mms-lid-126", 3, api_name="/identify")
    assert len(ranking["confidences"]) == 3
    for model_id, language in [
        ("facebook/mms-1b-all", "fra"),
        ("facebook/mms-1b-all", "cmn-script_simplified"),
        ("facebook/mms-1b-all", "auto"),
        ("facebook/wav2vec2-base-960h", "eng"),
        ("hf-audio/wav2vec2-bert-CV16-en", "eng"),
        ("facebook/seamless-m4t-v2-large", "deu"),
    ]:
        text, note, table, files = client.predict(
            handle_file(str(EXAMPLES / "french.flac")), model_id, language, api_name="/transcribe"
        )
        # .txt, .srt, .vtt, and with timed words a TextGrid and an .eaf.
        assert isinstance(text, str) and note and len(files) == (5 if table["data"] else 3), (model_id, language)
    assert "can't be loaded" not in log.read_text()


def test_speak_with_safetensors_a_bin_only_repo_and_uroman(hub_app):
    client, log = hub_app
    for text, language, read in [
        ("Hello, world!", "eng", "hello world"),
        ("Știință și țară", "ron", "știinţă și ţară"),  # the .bin-only repo
        ("이봐 무슨 일이야", "kor", "ibwa museun iliya"),
    ]:
        audio, shown = client.predict(text, language, 0, api_name="/speak")
        assert shown.splitlines()[0] == read
        assert soundfile.info(audio).frames > 0
    assert "can't be loaded" not in log.read_text()


def test_translate_from_sharded_safetensors_and_a_real_sentencepiece_model(hub_app):
    client, log = hub_app
    text, speech, files = client.predict("Text", None, "Good morning", "eng", "fra", True, 0, 1, 16, api_name="/translate")
    assert isinstance(text, str) and soundfile.info(speech).frames > 0
    text, speech, files = client.predict(
        "Speech", handle_file(str(EXAMPLES / "english.wav")), "", "eng", "deu", False, 0, 1, 16, api_name="/translate"
    )
    assert speech is None and [Path(f).suffix for f in files] == [".txt", ".srt", ".vtt"]
    assert "can't be loaded" not in log.read_text()


def test_a_user_error_writes_one_line_to_the_server_log(hub_app):
    import re

    from gradio_client.exceptions import AppError

    client, log = hub_app
    before = log.read_text()
    try:
        client.predict("hello", "eng", -5, api_name="/speak")
    except AppError as error:
        ref = re.search(r"\(ref ([0-9a-f]{8})\)", str(error))[1]
    written = log.read_text()[len(before):]
    assert "Traceback" not in written
    assert [line for line in written.splitlines() if ref in line] == [
        f"INFO:polyglot:[ref {ref}] speak_text refused: seed is out of range; it accepts whole numbers from 0 to "
        "4,294,967,295. Got -5."
    ]


def test_omnilingual_from_the_cache_in_transcribe_and_compare(hub_app):
    """Omnilingual's tiny repos under their real ids (transformers 5.24's layout: processor_config.json, tokenizer.json,
    no preprocessor_config.json), loaded by app.py from the cache: Transcribe with each, and Compare's rows name
    each model's commit."""
    client, log = hub_app
    for model_id, language in [("hf-audio/omniasr-ctc-300m-v2", "auto"), ("hf-audio/omniasr-ctc-300m-v2", "fra_Latn"),
                               ("hf-audio/omniasr-llm-300m-v2", "fra_Latn"), ("hf-audio/omniasr-llm-300m-v2", "auto")]:
        text, note, table, files = client.predict(
            handle_file(str(EXAMPLES / "french.flac")), model_id, language, api_name="/transcribe")
        assert isinstance(text, str) and note and len(files) == (5 if table["data"] else 3), (model_id, language)
        assert Path(files[0]).name.endswith(f".{model_id.rsplit('/', 1)[1]}.txt")
    table, marked, note = client.predict(handle_file(str(EXAMPLES / "french.flac")), "fra", "bonjour", api_name="/compare")
    rows = {row[0]: row for row in table["data"]}
    for model_id in ("hf-audio/omniasr-ctc-300m-v2", "hf-audio/omniasr-llm-300m-v2"):
        assert rows[model_id][1] == fake_commit(model_id) and rows[model_id][3].endswith("%")
    assert "can't be loaded" not in log.read_text()
