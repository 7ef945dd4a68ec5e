"""modules/models.py: one load under concurrency, eviction, budget, allow-list, offline errors."""

import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import torch

from modules import models
from modules.config import ModelUnavailableError, UserInputError
from modules.models import ModelCache, read_model_sources

LID = "facebook/mms-lid-126"
TTS_ENG = "facebook/mms-tts-eng"


def test_eight_concurrent_first_calls_load_once(cache):
    start = threading.Barrier(8)

    def first_call(_):
        start.wait()
        return cache.get(LID, "identify")

    with ThreadPoolExecutor(8) as pool:
        entries = list(pool.map(first_call, range(8)))
    assert cache.load_counts == {LID: 1}
    assert all(entry is entries[0] for entry in entries)
    assert entries[0].model.config.num_labels == 126


def test_loaded_model_is_reused_then_evicted_and_reloaded(cache):
    first = cache.get(LID, "identify")
    assert cache.get(LID, "identify") is first
    assert cache.evict(LID)
    assert cache.loaded_ids() == []
    assert cache.get(LID, "identify") is not first
    assert cache.load_counts[LID] == 2


def test_cpu_float32_without_cuda(cache):
    entry = cache.get(LID, "identify")
    assert entry.device.type == "cpu"
    assert next(entry.model.parameters()).dtype == torch.float32
    assert not entry.model.training
    assert entry.nbytes == sum(p.numel() * 4 for p in entry.model.parameters()) + sum(
        b.numel() * b.element_size() for b in entry.model.buffers()
    )


def test_budget_evicts_least_recently_used(override_map):
    overrides = read_model_sources(str(override_map)).paths
    probe = ModelCache(overrides)
    lid_bytes = probe.get(LID, "identify").nbytes
    tts_bytes = max(probe.get(TTS_ENG, "speak").nbytes, probe.get("facebook/mms-tts-fra", "speak").nbytes)
    cache = ModelCache(overrides, budget_bytes=lid_bytes + tts_bytes)
    cache.get(LID, "identify")
    cache.get(TTS_ENG, "speak")
    cache.get(LID, "identify")  # LID is now the most recently used
    cache.get("facebook/mms-tts-fra", "speak")
    assert cache.loaded_ids() == [LID, "facebook/mms-tts-fra"]
    assert cache.loaded_bytes() <= cache.budget_bytes


def test_ids_outside_catalog_and_override_map_are_refused(cache):
    with pytest.raises(UserInputError, match="Unknown model 'someone/evil-model'"):
        cache.get("someone/evil-model", "identify")
    with pytest.raises(UserInputError, match="can't be used for this task"):
        cache.get(LID, "speak")
    assert cache.loaded_ids() == []


def test_offline_catalog_model_gives_a_clear_message(cache, caplog):
    with pytest.raises(ModelUnavailableError) as raised:
        cache.get("facebook/mms-lid-4017", "identify")
    message = str(raised.value)
    assert message.startswith("The model facebook/mms-lid-4017 isn't available on this server right now")
    assert "POLYGLOT_MODEL_PATHS" not in message  # operator details stay in the log
    assert "can't be reached" in caplog.text and "POLYGLOT_MODEL_PATHS" in caplog.text
    # The rest keeps working.
    assert cache.get(LID, "identify").model is not None


def test_missing_local_directory_is_named_in_the_log(tmp_path, caplog):
    cache = ModelCache({LID: str(tmp_path / "nowhere")})
    with pytest.raises(ModelUnavailableError, match="isn't available on this server"):
        cache.get(LID, "identify")
    assert f"the local directory {tmp_path / 'nowhere'} lacks config.json, preprocessor_config.json" in caplog.text
    assert cache.availability(LID) == models.UNAVAILABLE


def test_availability(cache):
    assert cache.availability(LID) == models.READY
    assert cache.availability("facebook/mms-lid-4017") == models.UNAVAILABLE


def test_override_map_json_and_toml_with_relative_paths(tmp_path):
    (tmp_path / "models.json").write_text(json.dumps({LID: "lid"}))
    (tmp_path / "models.toml").write_text(f'"{LID}" = "lid"\n')
    expected = {LID: str((tmp_path / "lid").resolve())}
    assert read_model_sources(str(tmp_path / "models.json")).paths == expected
    assert read_model_sources(str(tmp_path / "models.toml")).paths == expected
    for bad in ("[1, 2]", json.dumps({LID: 3}), json.dumps({LID: {"pathx": "lid"}}), json.dumps({LID: {"path": ""}})):
        (tmp_path / "bad.json").write_text(bad)
        with pytest.raises(SystemExit, match="must map model ids"):
            read_model_sources(str(tmp_path / "bad.json"))


def test_model_file_pins_revisions_of_catalogued_models_only(tmp_path):
    (tmp_path / "models.toml").write_text(
        f'"{LID}" = {{revision = "v1.0"}}\n"{TTS_ENG}" = {{path = "tts", revision = "0123abc"}}\n'
    )
    sources = read_model_sources(str(tmp_path / "models.toml"))
    assert sources.revisions == {LID: "v1.0", TTS_ENG: "0123abc"}
    assert sources.paths == {TTS_ENG: str((tmp_path / "tts").resolve())}
    (tmp_path / "models.json").write_text(json.dumps({"someone/else": {"revision": "main"}}))
    with pytest.raises(SystemExit, match="only for the app's own models"):
        read_model_sources(str(tmp_path / "models.json"))


def test_override_map_may_add_models_outside_the_catalog(override_map):
    overrides = read_model_sources(str(override_map)).paths
    cache = ModelCache({"my-lab/lid-finetune": overrides[LID]})
    assert cache.get("my-lab/lid-finetune", "identify").model.config.num_labels == 126


def test_catalog_covers_every_family():
    assert models.CATALOG[models.MMS_ASR_MODEL] == "ctc"
    assert models.CATALOG["facebook/mms-lid-4017"] == "identify"
    assert models.CATALOG[models.SEAMLESS_MODEL] == "seamless"
    assert models.CATALOG["facebook/mms-tts-fra"] == "speak"
    assert sum(task == "speak" for task in models.CATALOG.values()) == 1137


def test_pick_device_prefers_cuda_in_half_precision(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert models.pick_device("auto") == (torch.device("cuda"), torch.float16)
    assert models.pick_device("cpu") == (torch.device("cpu"), torch.float32)
