"""The default models of all four tabs fit together in 16 GB of GPU memory in half precision."""

import torch
from transformers import AutoConfig, Wav2Vec2ForSequenceClassification

from benchmarks.real_size import default_model_bytes
from modules.config import load_settings

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
    assert sum(sizes.values()) < load_settings().cache_budget_bytes  # the default budget keeps all four


def test_the_cache_counts_bytes_the_same_way(cache):
    entry = cache.get("facebook/mms-lid-126", "identify")
    config = AutoConfig.from_pretrained(cache.overrides["facebook/mms-lid-126"])
    with torch.device("meta"):
        shapes_only = Wav2Vec2ForSequenceClassification(config)
    expected = sum(t.numel() for t in [*shapes_only.parameters(), *shapes_only.buffers()]) * 4  # float32 on CPU
    assert entry.nbytes == expected
