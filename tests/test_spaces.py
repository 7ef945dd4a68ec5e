"""The Spaces metadata in README.md's front matter: it parses, and its preload names catalogued models and
files of their real repo layouts (tests/tiny_models.py REAL, each fact with its source)."""

from __future__ import annotations

import fnmatch

import yaml

from modules.models import CATALOG, DEFAULT_MODELS, MODEL_REVISIONS, PROCESSOR_FILES, preload_entries
from tests.conftest import REPO_ROOT
from tests.tiny_models import REAL


def front_matter() -> dict:
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert text.startswith("---\n")
    return yaml.safe_load(text.split("---\n", 2)[1])


def test_front_matter_is_what_the_app_computes():
    meta = front_matter()
    assert meta["sdk"] == "gradio" and meta["app_file"] == "app.py"
    assert meta["preload_from_hub"] == preload_entries()
    assert meta["suggested_hardware"] and meta["startup_duration_timeout"] == "1h"
    assert set(DEFAULT_MODELS) <= set(meta["models"])


def test_each_preload_names_a_catalogued_model_and_real_files():
    for entry in front_matter()["preload_from_hub"]:
        parts = entry.split()
        model_id, files = parts[0], parts[1].split(",")
        assert CATALOG[model_id] == DEFAULT_MODELS[model_id]
        real = REAL[model_id]["files"].value
        for name in files:
            assert any(fnmatch.fnmatch(name, pattern.replace("<lang>", "*")) for pattern in real), (model_id, name)
        # What the loader checks for is all there: config, the task's processor files, weights.
        for needed in ("config.json", *PROCESSOR_FILES[CATALOG[model_id]]):
            alternatives = (needed,) if isinstance(needed, str) else needed
            assert any(name in files for name in alternatives), (model_id, needed)
        assert any(name.endswith(".safetensors") for name in files)
        # A pin, when there is one, comes from the app's one place for them.
        assert parts[2:] == ([MODEL_REVISIONS[model_id]] if model_id in MODEL_REVISIONS else [])


def test_apt_packages_for_the_space():
    assert (REPO_ROOT / "packages.txt").read_text().split() == ["ffmpeg"]
