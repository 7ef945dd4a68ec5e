"""Real-size random models built from the public configs (../shared/reference/model-configs.md).

Random weights, real shapes: timings and memory are those of the real checkpoints.
"""

from pathlib import Path

from tests.tiny_models import ADAPTER_CHARS, build_mms_asr, build_seamless, build_tts
from tests.tiny_models import build_lid as build_lid_model

# facebook/mms-1b-all: Wav2Vec2ForCTC, 48 x 1280, adapters of dim 16 (965 M parameters, 3.7 GB fp32).
MMS_1B = dict(
    hidden_size=1280,
    num_hidden_layers=48,
    num_attention_heads=16,
    intermediate_size=5120,
    conv_dim=(512,) * 7,
    conv_bias=True,
    num_conv_pos_embeddings=128,
    num_conv_pos_embedding_groups=16,
    adapter_attn_dim=16,
)
# wav2vec2-base size (94 M) with MMS-style adapters: cheap enough for long-audio runs on 2 cores.
BASE_WITH_ADAPTERS = dict(
    hidden_size=768,
    num_hidden_layers=12,
    num_attention_heads=12,
    intermediate_size=3072,
    conv_dim=(512,) * 7,
    num_conv_pos_embeddings=128,
    num_conv_pos_embedding_groups=16,
    adapter_attn_dim=16,
)


# facebook/mms-lid-126: the same 1B backbone with a 1024-wide classifier over 126 languages.
MMS_LID = MMS_1B | dict(classifier_proj_size=1024, feat_extract_norm="layer", do_stable_layer_norm=True)


def build_lid(out: Path) -> Path:
    if (out / "config.json").is_file():
        return out
    return build_lid_model(out, size=MMS_LID, pytorch_bin=False)


def build_mms(out: Path, size: dict, languages=("eng", "fra")) -> Path:
    if (out / "config.json").is_file():
        return out  # built by an earlier run
    return build_mms_asr(out, langs={code: ADAPTER_CHARS[code] for code in languages}, size=size)


def build_vits(out: Path) -> Path:
    """facebook/mms-tts-eng shape: transformers' VitsConfig defaults (documented as that checkpoint's)."""
    if (out / "config.json").is_file():
        return out
    return build_tts(out, "eng", size={})


# A small SeamlessM4T-v2 (hidden 256, 2 layers per stack): the real 2.3 B model does not fit a 2-core
# benchmark run, but this keeps every stage (speech encoder, text decoder, t2u, vocoder) non-trivial.
SEAMLESS_SMALL = dict(
    hidden_size=256,
    encoder_layers=2,
    decoder_layers=2,
    encoder_ffn_dim=1024,
    decoder_ffn_dim=1024,
    encoder_attention_heads=4,
    decoder_attention_heads=4,
    speech_encoder_layers=2,
    speech_encoder_attention_heads=4,
    speech_encoder_intermediate_size=1024,
    conv_depthwise_kernel_size=31,
    t2u_encoder_layers=2,
    t2u_decoder_layers=2,
    t2u_encoder_ffn_dim=1024,
    t2u_decoder_ffn_dim=1024,
    t2u_encoder_attention_heads=4,
    t2u_decoder_attention_heads=4,
    t2u_variance_predictor_embed_dim=256,
    t2u_variance_predictor_hidden_dim=256,
    upsample_initial_channel=256,
    unit_embed_dim=256,
)


def build_seamless_small(out: Path) -> Path:
    if (out / "config.json").is_file():
        return out
    return build_seamless(out, size=SEAMLESS_SMALL)


def build_seamless_large(out: Path) -> Path:
    """facebook/seamless-m4t-v2-large shape (2.3 B; SeamlessM4Tv2Config defaults), with the tiny tokenizer."""
    from transformers import SeamlessM4Tv2Config

    from tests.tiny_models import TINY_SEAMLESS

    if (out / "config.json").is_file():
        return out
    defaults = SeamlessM4Tv2Config().to_dict()
    size = {key: defaults[key] for key in TINY_SEAMLESS if key in defaults} | {"vocab_size": defaults["vocab_size"]}
    return build_seamless(out, size=size)


def build_real_size_set(workdir: Path, seamless_large: bool = False) -> dict[str, str]:
    """Override map {model id: dir} of real-size random models for the default model of each tab.

    Seamless defaults to the small stand-in (hidden 256): the 2.3 B model is too big for 2 cores;
    seamless_large builds the real shape (for GPU machines).
    """
    seamless = build_seamless_large(workdir / "seamless-large") if seamless_large else (
        build_seamless_small(workdir / "seamless-small")
    )
    return {
        "facebook/mms-lid-126": str(build_lid(workdir / "mms-lid-126-size")),
        "facebook/mms-1b-all": str(build_mms(workdir / "mms-1b-size", MMS_1B)),
        "facebook/mms-tts-eng": str(build_vits(workdir / "vits-real-size")),
        "facebook/seamless-m4t-v2-large": str(seamless),
    }


def default_model_bytes(bytes_per_parameter: int = 2) -> dict[str, int]:
    """Weight bytes of each tab's default model at its real size, from the public configs.

    Built on PyTorch's meta device: shapes only, no memory, no download.
    """
    import torch
    from transformers import (
        SeamlessM4Tv2Config,
        SeamlessM4Tv2Model,
        VitsConfig,
        VitsModel,
        Wav2Vec2Config,
        Wav2Vec2ForCTC,
        Wav2Vec2ForSequenceClassification,
    )

    mms = dict(MMS_1B, feat_extract_norm="layer", do_stable_layer_norm=True)
    configs = {
        "facebook/mms-lid-126": (Wav2Vec2ForSequenceClassification, Wav2Vec2Config(**MMS_LID, num_labels=126)),
        "facebook/mms-1b-all": (Wav2Vec2ForCTC, Wav2Vec2Config(**mms, vocab_size=154)),
        "facebook/mms-tts-eng": (VitsModel, VitsConfig(vocab_size=38)),
        "facebook/seamless-m4t-v2-large": (SeamlessM4Tv2Model, SeamlessM4Tv2Config()),
    }
    sizes = {}
    with torch.device("meta"):
        for model_id, (model_class, config) in configs.items():
            model = model_class(config)
            sizes[model_id] = sum(t.numel() for t in [*model.parameters(), *model.buffers()]) * bytes_per_parameter
    return sizes
