"""Warm-up loads and runs every tab's default model once, and starts anyway when one is missing."""

from modules import warmup
from modules.models import ModelCache


def test_warm_up_loads_every_default_model(cache):
    report = warmup.warm_up(cache)
    assert set(report) == {"identify", "transcribe", "speak", "translate"}
    assert all(isinstance(seconds, float) for seconds in report.values()), report
    assert set(cache.loaded_ids()) == {
        "facebook/mms-lid-126",
        "facebook/mms-1b-all",
        "facebook/mms-tts-eng",
        "facebook/seamless-m4t-v2-large",
    }


def test_warm_up_reports_missing_models_instead_of_failing(cache):
    only_tts = ModelCache({"facebook/mms-tts-eng": cache.overrides["facebook/mms-tts-eng"]})
    report = warmup.warm_up(only_tts)
    assert isinstance(report["speak"], float)
    assert "facebook/mms-lid-126 isn't available on this server" in report["identify"]


def test_warm_up_is_on_for_cuda_only_by_default():
    assert warmup.should_warm_up("auto", "cuda") and not warmup.should_warm_up("auto", "cpu")
    assert warmup.should_warm_up("on", "cpu") and not warmup.should_warm_up("off", "cuda")
