"""The bad-input corpus through the API, upload limits, path injection, GPU out-of-memory recovery."""

import re

import httpx
import pytest
import soundfile
import torch
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError

from modules import identify
from modules.config import ModelUnavailableError
from modules.models import LID_MODELS
from tests.bad_inputs import AUDIO_CASES, TEXT_CASES, TEXTS, write_oversized
from tests.conftest import REPO_ROOT

LID = LID_MODELS[0]


@pytest.fixture(scope="module")
def client(app_url):
    return Client(app_url, verbose=False)


def still_serving(client):
    _, read = client.predict("still here", "eng", 0, api_name="/speak")
    assert read == "still here"


@pytest.mark.parametrize("case", AUDIO_CASES, ids=lambda case: case.name)
def test_audio_corpus_through_the_api(client, bad_audio_dir, case):
    upload = handle_file(str(bad_audio_dir / case.name))
    if case.error:
        with pytest.raises(AppError, match=re.escape(case.error)):
            client.predict(upload, LID, 3, api_name="/identify")
    else:
        label, summary = client.predict(upload, LID, 3, api_name="/identify")
        assert len(label["confidences"]) == 3 and "classified the whole clip" in summary
    still_serving(client)


def test_an_hour_is_transcribed_in_bounded_chunks(client, bad_audio_dir):
    text, notes, table, files = client.predict(
        handle_file(str(bad_audio_dir / "hour.flac")), "facebook/mms-1b-all", "eng", api_name="/transcribe"
    )
    srt = open(next(f for f in files if f.endswith(".srt")), encoding="utf-8").read()
    assert isinstance(text, str) and notes == "Language: English (eng)."
    starts = [float(row[0]) for row in table["data"]]
    assert starts == sorted(starts) and all(0 <= start <= 3600 for start in starts)
    ends = [line.split(" --> ")[1] for line in srt.splitlines() if " --> " in line]
    assert len(ends) == len(set(ends)) and all(end <= "01:00:00,000" for end in ends)


@pytest.mark.parametrize("case", TEXT_CASES, ids=lambda case: case.name)
def test_text_corpus_through_the_api(client, case):
    if case.error:
        with pytest.raises(AppError, match=re.escape(case.error)):
            client.predict(TEXTS[case.name], "eng", 0, api_name="/speak")
    else:
        audio, read = client.predict(TEXTS[case.name], "eng", 0, api_name="/speak")
        assert soundfile.info(audio).frames > 0
        # mixed-scripts: the recipe filters "мир 世界" and keeps the spaces around them.
        expected = "hello   world" if case.name == "mixed-scripts" else "hello world"
        assert read == expected
    still_serving(client)


def test_mixed_scripts_read_only_what_the_voice_has(client):
    _, read = client.predict(TEXTS["mixed-scripts"], "eng", 0, api_name="/speak")
    # The training recipe filters characters and keeps the spaces around them (VitsTokenizer, fairseq);
    # the page says beside it which letters were skipped (tests/test_browser.py).
    assert read == "hello   world"


@pytest.mark.parametrize(
    "api_name, args, message",
    [
        # Language boxes take typed text (issue 22: Enter resolves a name on the server), so the handler refuses.
        ("/speak", ("hello", "xx-unknown", 0), "There is no MMS-TTS voice for 'xx-unknown'"),
        ("/translate", ("Text", None, "hello", "qqq", "fra", False), "'qqq' is not a supported source language"),
        ("/translate", ("Text", None, "hello", "eng", "qqq", False), "'qqq' is not a supported target language"),
        ("/translate", ("Morse", None, "hello", "eng", "fra", False), "not in the list of choices"),
        ("/identify", (handle_file(str(REPO_ROOT / "examples/english.wav")), "../../etc/passwd", 3), "not in the list"),
    ],
)
def test_unknown_codes_and_model_ids(client, api_name, args, message):
    with pytest.raises(AppError, match=message):
        client.predict(*args, api_name=api_name)
    still_serving(client)


def test_uploads_over_the_limit_are_refused(client, app_url, tmp_path):
    big = write_oversized(tmp_path / "big.wav", 21)  # the test app's limit is 20 MB
    with pytest.raises(ValueError, match="exceeds the maximum file size"):
        client.predict(handle_file(str(big)), LID, 3, api_name="/identify")
    with open(big, "rb") as handle:
        response = httpx.post(app_url + "gradio_api/upload", files={"files": ("big.wav", handle)}, timeout=60)
    assert response.status_code == 413
    still_serving(client)


def test_server_paths_cannot_be_passed_as_audio(client, app_url):
    """A FileData pointing at a server file is refused by Gradio before the app sees it."""
    payload = {"data": [{"path": "/etc/hostname", "meta": {"_type": "gradio.FileData"}}, LID, 3]}
    event = httpx.post(app_url + "gradio_api/call/identify", json=payload, timeout=30).json()["event_id"]
    stream = httpx.get(app_url + f"gradio_api/call/identify/{event}", timeout=30).text
    assert "event: error" in stream
    assert open("/etc/hostname").read().strip() not in stream.replace("/etc/hostname", "")
    still_serving(client)


def inject_out_of_memory(entry, times: int):
    """Fault injection: the next `times` forwards of this model raise CUDA's out-of-memory error."""
    real_forward = entry.model.forward
    failures = {"left": times}

    def forward(*args, **kwargs):
        if failures["left"]:
            failures["left"] -= 1
            raise torch.OutOfMemoryError("CUDA out of memory (injected)")
        return real_forward(*args, **kwargs)

    entry.model.forward = forward


def test_out_of_memory_evicts_everything_and_retries_once(cache, speech_16k):
    cache.get("facebook/mms-tts-eng", "speak")
    inject_out_of_memory(cache.get(LID, "identify"), times=1)
    result = cache.retry_after_out_of_memory(lambda: identify.identify_language(speech_16k, cache=cache))
    assert len(result.guesses) == 5
    assert cache.loaded_ids() == [LID]  # everything was freed; only what the retry needed came back
    assert cache.load_counts[LID] == 2


def test_out_of_memory_twice_is_reported_clearly(cache, speech_16k):
    def always_out_of_memory():
        inject_out_of_memory(cache.get(LID, "identify"), times=1)
        return identify.identify_language(speech_16k, cache=cache)

    with pytest.raises(ModelUnavailableError, match="ran out of GPU memory"):
        cache.retry_after_out_of_memory(always_out_of_memory)
    assert cache.loaded_ids() == []


def test_identical_concurrent_requests_all_get_complete_audio(app_url):
    """Many users clicking the same example at once get the same audio; every copy must arrive whole."""
    from concurrent.futures import ThreadPoolExecutor

    clients = [Client(app_url, verbose=False) for _ in range(8)]

    def speak(client):
        return [client.predict("Identical request.", "eng", 0, api_name="/speak")[0] for _ in range(3)]

    with ThreadPoolExecutor(8) as pool:
        paths = [path for batch in pool.map(speak, clients) for path in batch]
    contents = {open(path, "rb").read() for path in paths}
    assert len(paths) == 24 and len(contents) == 1
    assert soundfile.info(paths[0]).frames > 0


def test_a_long_session_does_not_grow_the_servers_state(app_url):
    """Gradio 6.31 stores every property update a session receives under a fresh id and never drops it
    (ui/gradio_fixes.py); a session must keep exactly the app's own components however long it runs."""
    import app

    client = Client(app_url, verbose=False)
    for number in range(12):
        # Transcribe reports progress per chunk: each report is a "no change" update to its 4 outputs.
        client.predict(handle_file(str(REPO_ROOT / "examples" / "english.wav")), "facebook/mms-1b-all", "eng",
                       api_name="/transcribe")
        if number == 1:
            session = app.demo.state_holder.session_data[client.session_hash]
            stored_after_two = (len(session.blocks_config.blocks), len(session.config_values))
    session = app.demo.state_holder.session_data[client.session_hash]
    assert len(session.blocks_config.blocks) == len(app.demo.blocks)
    # And the number of sessions kept is the app's setting, not Gradio's 10,000 (~0.4 MB each).
    assert app.demo.state_holder.capacity == app.SETTINGS.sessions_kept == 1000
    assert (len(session.blocks_config.blocks), len(session.config_values)) == stored_after_two
