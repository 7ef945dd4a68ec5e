"""Loading what the real repos hold: .bin-only checkpoints, never arbitrary pickle, never the conversion
service, one commit per model (adapters too), revision pins, and a status that tells the truth."""

import logging
import shutil
import threading
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.torch import load_file, save_file

from modules import identify, speak, transcribe, translate
from modules.config import ModelUnavailableError, UserInputError
from modules.models import (
    CATALOG,
    PROCESSOR_FILES,
    READY,
    UNAVAILABLE,
    WEIGHT_FILES,
    ModelCache,
    read_model_sources,
)
from tests.hub_cache import add_snapshot, fake_commit

LID = "facebook/mms-lid-126"
MMS = "facebook/mms-1b-all"
NOISE = (np.random.default_rng(0).standard_normal(16000) * 0.1).astype(np.float32)


@pytest.fixture(scope="module")
def tiny(override_map):
    paths = read_model_sources(str(override_map)).paths
    return lambda model_id: Path(paths[model_id])


def copy_without(source: Path, target: Path, *names: str) -> Path:
    shutil.copytree(source, target, ignore=lambda directory, entries: [e for e in entries if e in names])
    return target


# -- weights: safetensors, else .bin through weights_only; never arbitrary pickle ---------------------


def test_bin_only_checkpoint_loads_and_equals_its_safetensors_twin(tiny, tmp_path, speech_16k):
    bin_only = copy_without(tiny(LID), tmp_path / "bin-only", "model.safetensors")  # as mms-lid-126 before 53da6e3
    both = ModelCache({LID: str(tiny(LID))}).get(LID, "identify").model
    pickled = ModelCache({LID: str(bin_only)}).get(LID, "identify").model
    assert all(torch.equal(a, b) for a, b in zip(both.state_dict().values(), pickled.state_dict().values()))
    with torch.inference_mode():
        inputs = torch.from_numpy(speech_16k)[None]
        assert torch.equal(both(inputs).logits, pickled(inputs).logits)


class RunsCode:
    """A pickle that would create a file when unpickled by an unsafe loader."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def test_a_pickle_that_runs_code_is_refused(tiny, tmp_path, caplog):
    evil = copy_without(tiny(LID), tmp_path / "evil", "model.safetensors")
    marker = tmp_path / "code-ran"
    torch.save({"wav2vec2.masked_spec_embed": RunsCode(marker)}, evil / "pytorch_model.bin")
    with pytest.raises(ModelUnavailableError, match="isn't available on this server"):
        ModelCache({LID: str(evil)}).get(LID, "identify")
    assert not marker.exists()
    assert "its files are there but don't load" in caplog.text


def test_the_safetensors_conversion_service_is_never_called(tiny, tmp_path, monkeypatch):
    import transformers.modeling_utils as modeling_utils

    calls = []
    monkeypatch.setattr(modeling_utils, "auto_conversion", lambda *args, **kwargs: calls.append(args))
    monkeypatch.setattr(modeling_utils, "is_offline_mode", lambda: False)  # as if online,
    monkeypatch.setattr(modeling_utils, "has_file", lambda *args, **kwargs: False)  # with a .bin-only repo
    hub = tmp_path / "hub"
    add_snapshot(hub, LID, copy_without(tiny(LID), tmp_path / "bin-only", "model.safetensors"), fake_commit(LID))

    def load_and_wait():
        ModelCache(hub_cache_dir=str(hub)).get(LID, "identify")
        for thread in threading.enumerate():
            if thread.name == "Thread-auto_conversion":
                thread.join()

    load_and_wait()
    assert calls == []
    monkeypatch.delenv("DISABLE_SAFETENSORS_CONVERSION")  # what modules.models sets; without it:
    load_and_wait()
    assert len(calls) == 1


def test_bin_adapter_loads_through_weights_only(tiny, tmp_path, speech_16k):
    copy = copy_without(tiny(MMS), tmp_path / "mms", "adapter.fra.safetensors")
    weights = load_file(str(tiny(MMS) / "adapter.fra.safetensors"))
    torch.save(weights, copy / "adapter.fra.bin")
    cache = ModelCache({MMS: str(copy)})
    transcribe.transcribe(speech_16k, language="fra", cache=cache)
    assert torch.equal(cache.get(MMS, "ctc").model.lm_head.weight, weights["lm_head.weight"])


@pytest.mark.parametrize("first", [None, "fra"])
def test_a_failed_adapter_switch_keeps_the_tokenizer_on_the_weights_alphabet(tiny, tmp_path, speech_16k, first):
    """Before any switch (the checkpoint's own English head) and after one: a language whose adapter file is
    missing is refused, and the tokenizer stays on the alphabet the weights still have."""
    copy = copy_without(tiny(MMS), tmp_path / "mms", "adapter.deu.safetensors")
    cache = ModelCache({MMS: str(copy)})
    entry = cache.get(MMS, "ctc")
    if first:
        transcribe.apply_adapter(entry, first, cache)
    before = (entry.processor.tokenizer.target_lang, entry.model.lm_head.weight.shape)
    with pytest.raises(ModelUnavailableError, match=r"The German \(deu\) part of facebook/mms-1b-all isn't available"):
        transcribe.apply_adapter(entry, "deu", cache)
    assert (entry.processor.tokenizer.target_lang, entry.model.lm_head.weight.shape) == before
    assert len(entry.processor.tokenizer) == entry.model.lm_head.weight.shape[0]


# -- one commit per model; operators' pins ---------------------------------------------------------


def test_adapters_come_from_the_commit_the_base_model_loaded_from(tiny, tmp_path, speech_16k):
    hub, old, new = tmp_path / "hub", fake_commit(MMS, "old"), fake_commit(MMS, "new")
    add_snapshot(hub, MMS, tiny(MMS), old)
    newer = copy_without(tiny(MMS), tmp_path / "newer")
    retrained = {name: tensor + 1 for name, tensor in load_file(str(newer / "adapter.fra.safetensors")).items()}
    save_file(retrained, str(newer / "adapter.fra.safetensors"))

    cache = ModelCache(hub_cache_dir=str(hub))
    transcribe.transcribe(speech_16k, language="eng", cache=cache)
    add_snapshot(hub, MMS, newer, new)  # the repo moves on while the server runs
    transcribe.transcribe(speech_16k, language="fra", cache=cache)
    entry = cache.get(MMS, "ctc")
    assert entry.revision == old
    original = load_file(str(tiny(MMS) / "adapter.fra.safetensors"))
    assert torch.equal(entry.model.lm_head.weight, original["lm_head.weight"])

    restarted = ModelCache(hub_cache_dir=str(hub))  # a new server start takes the new commit, whole
    transcribe.transcribe(speech_16k, language="fra", cache=restarted)
    assert restarted.get(MMS, "ctc").revision == new
    assert torch.equal(restarted.get(MMS, "ctc").model.lm_head.weight, retrained["lm_head.weight"])


def test_a_pinned_revision_loads_that_commit(tiny, tmp_path):
    hub, early, main = tmp_path / "hub", fake_commit(LID, "5a91eb9"), fake_commit(LID)
    add_snapshot(hub, LID, copy_without(tiny(LID), tmp_path / "bin-only", "model.safetensors"), early, ref="v0")
    add_snapshot(hub, LID, tiny(LID), main)
    assert ModelCache(hub_cache_dir=str(hub)).get(LID, "identify").revision == main
    for pin in (early, "v0"):  # a commit id or a tag / branch the cache knows
        cache = ModelCache(hub_cache_dir=str(hub), revisions={LID: pin})
        assert cache.missing_files(LID) == []
        assert cache.get(LID, "identify").revision == early


def test_an_unknown_pin_is_a_clear_error(tiny, tmp_path, caplog):
    hub = tmp_path / "hub"
    add_snapshot(hub, LID, tiny(LID), fake_commit(LID))
    cache = ModelCache(hub_cache_dir=str(hub), revisions={LID: "no-such-tag"})
    with pytest.raises(ModelUnavailableError, match="isn't available on this server"):
        cache.get(LID, "identify")
    assert "revision no-such-tag isn't known in the Hugging Face cache" in caplog.text


# -- status tells the truth ---------------------------------------------------------------------------


def test_status_says_stored_only_when_every_file_the_loader_reads_is_there(tiny, tmp_path, caplog):
    hub = tmp_path / "hub"
    add_snapshot(hub, LID, tiny(LID), fake_commit(LID), skip=("model.safetensors", "pytorch_model.bin"))
    seamless = "facebook/seamless-m4t-v2-large"
    add_snapshot(hub, seamless, tiny(seamless), fake_commit(seamless), skip=("model-00002-of-00002.safetensors",))
    add_snapshot(hub, MMS, tiny(MMS), fake_commit(MMS))
    cache = ModelCache(hub_cache_dir=str(hub))
    with caplog.at_level(logging.WARNING):
        assert cache.availability(LID) == UNAVAILABLE
        assert cache.availability(seamless) == UNAVAILABLE
    assert cache.missing_files(LID) == ["model.safetensors or pytorch_model.bin"]
    assert cache.missing_files(seamless) == ["model-00002-of-00002.safetensors"]
    assert "lacks model.safetensors or pytorch_model.bin" in caplog.text
    assert "lacks model-00002-of-00002.safetensors" in caplog.text
    assert cache.availability(MMS) == READY
    with pytest.raises(ModelUnavailableError):
        cache.get(LID, "identify")


# What each task's loader needs: a fingerprint of correct behaviour, equal with the full repo.
def fingerprint(cache: ModelCache, model_id: str):
    task = CATALOG[model_id]
    if task == "identify":
        return [(guess.code, round(guess.probability, 6)) for guess in identify.identify_language(NOISE, cache=cache).guesses]
    if task in ("ctc", "w2v-bert-ctc"):
        language = "fra" if model_id == MMS else "eng"
        result = transcribe.transcribe(NOISE, language=language, model_id=model_id, cache=cache)
        return result.text, [(w.start, w.end, w.text) for w in result.words]
    if task == "speak":  # the Korean voice: uroman and its alphabet come from the tokenizer files
        speech = speak.synthesize("이봐 무슨 일이야", model_id.rsplit("-", 1)[1], cache=cache)
        return speech.prepared.text, speech.waveform.tobytes()
    settings = translate.GenerationSettings(max_new_tokens=16)
    tokenizer = cache.get(model_id, task).processor.tokenizer
    return translate.translate_text("hello there", "eng", "fra", settings, cache=cache).text, tokenizer(
        "bonjour", src_lang="fra"
    )["input_ids"]


FAMILIES = {
    "identify": [LID],
    "ctc": [MMS, "facebook/wav2vec2-base-960h"],
    "w2v-bert-ctc": ["hf-audio/wav2vec2-bert-CV16-en"],
    "speak": ["facebook/mms-tts-kor"],
    "seamless": ["facebook/seamless-m4t-v2-large"],
}


@pytest.mark.parametrize("task", list(FAMILIES))
def test_processor_files_are_exactly_what_the_loader_needs(tiny, tmp_path, task):
    """Both ways: config.json + PROCESSOR_FILES + the weights give the full repo's behaviour, and without
    any one of them some checkpoint of the task fails or behaves differently in transformers itself
    (the cache's own missing-file check is switched off for that half, or it would prove nothing)."""

    def behaviour(model_id, directory, check_files=True):
        cache = ModelCache({model_id: str(directory)})
        if not check_files:
            cache.missing_files = lambda *args, **kwargs: []
        try:
            return fingerprint(cache, model_id)
        except (ModelUnavailableError, UserInputError) as error:
            return type(error).__name__

    needed = [(name,) if isinstance(name, str) else name for name in PROCESSOR_FILES[task]]
    full_behaviour = {model_id: behaviour(model_id, tiny(model_id)) for model_id in FAMILIES[task]}
    for model_id, expected in full_behaviour.items():
        full = tiny(model_id)
        assert isinstance(expected, tuple | list), expected
        weights = next(name for name in WEIGHT_FILES if (full / name).exists())
        keep = {"config.json", weights, *(names[0] for names in needed)}
        keep |= {p.name for p in [*full.glob("model-0*.safetensors"), *full.glob("adapter.*")]}
        minimal = copy_without(full, tmp_path / f"{model_id}-minimal", *(p.name for p in full.iterdir() if p.name not in keep))
        assert behaviour(model_id, minimal) == expected, model_id
    for names in needed:  # all the files that stand in for each other go together
        broken = [
            model_id
            for model_id in FAMILIES[task]
            if behaviour(model_id, copy_without(tiny(model_id), tmp_path / f"{model_id}-no-{names[0]}", *names), False)
            != full_behaviour[model_id]
        ]
        assert broken, f"{task}: nothing needs {names}"


def test_missing_files_fail_fast_with_their_names(tiny, tmp_path, caplog):
    """Without config.json transformers builds and randomly initialises the full-size default model
    before it fails (~25 s and GBs for Seamless); the cache names the file at once instead."""
    seamless = "facebook/seamless-m4t-v2-large"
    broken = copy_without(tiny(seamless), tmp_path / "seamless", "config.json")
    with pytest.raises(ModelUnavailableError):
        ModelCache({seamless: str(broken)}).get(seamless, "seamless")
    assert f"the local directory {broken} lacks config.json" in caplog.text
