"""The default models of all four tabs fit together in 16 GB of GPU memory in half precision."""

import torch
from transformers import AutoConfig, Wav2Vec2ForSequenceClassification

from benchmarks.real_size import default_model_bytes
from modules.config import load_settings
from modules.models import default_budget_bytes, machine_memory_bytes

GIB = 2**30


def test_default_models_fit_in_16_gb_in_half_precision():
    sizes = default_model_bytes(bytes_per_parameter=2)
    assert set(sizes) == {
        "facebook/mms-lid-126",
        "facebook/mms-1b-all",
        "facebook/mms-tts-eng",
        "facebook/seamless-m4t-v2-large",
    }
    assert 1.6 * GIB < sizes["facebook/mms-1b-all"] < 2.0 * GIB  # ~965 M parameters
    assert 4.0 * GIB < sizes["facebook/seamless-m4t-v2-large"] < 4.8 * GIB  # ~2.3 B parameters
    assert sum(sizes.values()) < 16 * GIB
    assert sum(sizes.values()) < default_budget_bytes("cuda", 16 * GIB)  # the default budget on a GPU keeps all four


def test_the_automatic_budget_follows_the_device_and_the_memory():
    assert load_settings().cache_budget_bytes is None  # "auto" unless the operator sets a size
    assert default_budget_bytes("cuda", 8 * GIB) == 16 * GIB  # GPU memory, not the machine's
    cpu_basic = default_budget_bytes("cpu", 16 * GIB)  # a "CPU basic" Space: 16 GB
    float32 = default_model_bytes(bytes_per_parameter=4)
    assert float32["facebook/mms-lid-126"] + float32["facebook/mms-1b-all"] + float32["facebook/mms-tts-eng"] < cpu_basic
    assert float32["facebook/seamless-m4t-v2-large"] < cpu_basic < sum(float32.values())
    assert default_budget_bytes("cpu", 256 * GIB) == 16 * GIB
    assert 0 < machine_memory_bytes() < 2**50


def test_the_cache_counts_bytes_the_same_way(cache):
    entry = cache.get("facebook/mms-lid-126", "identify")
    config = AutoConfig.from_pretrained(cache.overrides["facebook/mms-lid-126"])
    with torch.device("meta"):
        shapes_only = Wav2Vec2ForSequenceClassification(config)
    expected = sum(t.numel() for t in [*shapes_only.parameters(), *shapes_only.buffers()]) * 4  # float32 on CPU
    assert entry.nbytes == expected
