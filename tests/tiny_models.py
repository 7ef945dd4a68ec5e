"""Tiny, randomly initialised models of every architecture the app loads.

Each builder writes a directory that `from_pretrained` reads exactly like a Hub
checkpoint (config, safetensors weights, tokenizer / processor files, MMS adapter
files), so the app's real loading code runs against them offline.

    python -m tests.tiny_models OUT_DIR     # builds all of them + OUT_DIR/models.json

Then `POLYGLOT_MODEL_PATHS=OUT_DIR/models.json python app.py` runs the whole app offline
(outputs are random, of course).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import torch
from safetensors.torch import save_file
import transformers
from transformers import (
    SeamlessM4TFeatureExtractor,
    SeamlessM4TProcessor,
    SeamlessM4TTokenizer,
    SeamlessM4Tv2Config,
    SeamlessM4Tv2Model,
    VitsConfig,
    VitsModel,
    VitsTokenizer,
    Wav2Vec2BertConfig,
    Wav2Vec2BertForCTC,
    Wav2Vec2BertProcessor,
    Wav2Vec2Config,
    Wav2Vec2CTCTokenizer,
    Wav2Vec2FeatureExtractor,
    Wav2Vec2ForCTC,
    Wav2Vec2ForSequenceClassification,
    Wav2Vec2Processor,
)

transformers.logging.set_verbosity_error()
transformers.utils.logging.disable_progress_bar()

# Make the test file self-contained: the real label order of mms-lid-126 is the order
# of the model card list, which is what the app's catalog ships too.
REPO_ROOT = Path(__file__).resolve().parents[1]
LID126_CODES = [
    line.split("\t")[0]
    for line in (REPO_ROOT / "modules/data/mms_lid126_langs.tsv").read_text(encoding="utf-8").splitlines()[1:]
]

TINY_WAV2VEC2 = dict(
    hidden_size=16,
    num_hidden_layers=2,
    num_attention_heads=2,
    intermediate_size=32,
    conv_dim=(16,) * 7,
    num_conv_pos_embeddings=16,
    num_conv_pos_embedding_groups=2,
    classifier_proj_size=8,
)

LATIN = list("abcdefghijklmnopqrstuvwxyz'")
# Characters each tiny MMS adapter knows; the languages the tiny mms-1b-all offers.
ADAPTER_CHARS = {
    "eng": LATIN,
    "fra": LATIN + list("éèêàçôù"),
    "deu": LATIN + list("äöüß"),
    "spa": LATIN + list("ñáéíóú"),
    "rus": list("абвгдеёжзийклмнопрстуфхцчшщъыьэюя"),
}
CTC_SPECIALS = ["<pad>", "<s>", "</s>", "<unk>", "|"]

# Tiny MMS-TTS checkpoints: language -> (characters, is_uroman as the real tokenizer says)
TTS_LANGS = {
    "eng": (list("abcdefghijklmnopqrstuvwxyz '-"), False),
    "fra": (list("abcdefghijklmnopqrstuvwxyz '-éèêàçôù"), False),
    "ron": (list("abcdefghijklmnopqrstuvwxyz '-ăâîşţ"), False),
    "rus": (list("abcdefghijklmnopqrstuvwxyz '-"), True),
}

TINY_VITS = dict(
    hidden_size=16,
    num_hidden_layers=1,
    ffn_dim=16,
    flow_size=8,
    spectrogram_bins=17,
    upsample_initial_channel=16,
    upsample_rates=[8, 8, 2, 2],
    upsample_kernel_sizes=[16, 16, 4, 4],
    resblock_kernel_sizes=[3],
    resblock_dilation_sizes=[[1]],
    duration_predictor_filter_channels=16,
    duration_predictor_num_flows=2,
    prior_encoder_num_flows=1,
    prior_encoder_num_wavenet_layers=1,
    posterior_encoder_num_wavenet_layers=1,
    depth_separable_num_layers=1,
    # Random duration predictors make very long audio; speak fast to keep tests quick.
    speaking_rate=4.0,
)

# Seamless languages with text tokens; the subset that also has speech output.
SEAMLESS_TEXT_LANGS = ["eng", "fra", "deu", "spa", "rus", "cmn", "arb", "hin"]
SEAMLESS_SPEECH_LANGS = ["eng", "fra", "deu", "spa"]


def _seed(seed: int) -> None:
    torch.manual_seed(seed)


def build_lid(out: Path, labels: list[str] | None = None, size: dict | None = None) -> Path:
    """Wav2Vec2ForSequenceClassification with the real mms-lid-126 label set (`size`: real-size benchmarks)."""
    _seed(0)
    labels = labels or LID126_CODES
    config = Wav2Vec2Config(
        **(size or TINY_WAV2VEC2),
        num_labels=len(labels),
        id2label=dict(enumerate(labels)),
        label2id={code: i for i, code in enumerate(labels)},
    )
    Wav2Vec2ForSequenceClassification(config).save_pretrained(out)
    Wav2Vec2FeatureExtractor(sampling_rate=16000, do_normalize=True, return_attention_mask=True).save_pretrained(out)
    return out


def _adapter_state(model: Wav2Vec2ForCTC, vocab_size: int) -> dict[str, torch.Tensor]:
    """Random weights with exactly the keys of `model._get_adapters()`, lm_head sized to one language."""
    state = {}
    for name, param in model._get_adapters().items():
        shape = list(param.shape)
        if name.startswith("lm_head"):
            shape[0] = vocab_size
        state[name] = torch.randn(shape) * 0.5
    return state


def build_mms_asr(
    out: Path, langs: dict[str, list[str]] | None = None, local_only: bool = False, size: dict | None = None
) -> Path:
    """Wav2Vec2ForCTC with MMS language adapters, like facebook/mms-1b-all.

    local_only: no attention layers and no whole-input normalisation, so every output frame depends
    only on nearby audio; then chunked and unchunked transcription must give the very same ids.
    size: Wav2Vec2Config sizes replacing the tiny ones (benchmarks build real-size models with it).
    """
    _seed(1)
    langs = langs or ADAPTER_CHARS
    out.mkdir(parents=True, exist_ok=True)
    vocab = {lang: {tok: i for i, tok in enumerate(CTC_SPECIALS + chars)} for lang, chars in langs.items()}
    (out / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    default = "eng" if "eng" in langs else next(iter(langs))
    tokenizer = Wav2Vec2CTCTokenizer(str(out / "vocab.json"), target_lang=default)
    feature_extractor = Wav2Vec2FeatureExtractor(
        sampling_rate=16000, do_normalize=not local_only, return_attention_mask=True
    )
    sizes = size or (TINY_WAV2VEC2 | {"num_hidden_layers": 0, "adapter_attn_dim": 8} if local_only else TINY_WAV2VEC2)
    config = Wav2Vec2Config(
        **({"adapter_attn_dim": 8} | sizes),
        vocab_size=len(vocab[default]),
        feat_extract_norm="layer",
        do_stable_layer_norm=True,
        pad_token_id=0,
        bos_token_id=1,
        eos_token_id=2,
    )
    model = Wav2Vec2ForCTC(config)
    for lang in langs:
        save_file(_adapter_state(model, len(vocab[lang])), str(out / f"adapter.{lang}.safetensors"))
    model.save_pretrained(out)
    Wav2Vec2Processor(feature_extractor=feature_extractor, tokenizer=tokenizer).save_pretrained(out)
    return out


def build_english_ctc(out: Path) -> Path:
    """Wav2Vec2ForCTC with a flat character vocabulary, like facebook/wav2vec2-base-960h."""
    _seed(2)
    out.mkdir(parents=True, exist_ok=True)
    chars = CTC_SPECIALS + list("ETAONIHSRDLUMWCFGYPBVK'XJQZ")
    (out / "vocab.json").write_text(json.dumps({c: i for i, c in enumerate(chars)}), encoding="utf-8")
    tokenizer = Wav2Vec2CTCTokenizer(str(out / "vocab.json"))
    feature_extractor = Wav2Vec2FeatureExtractor(sampling_rate=16000, do_normalize=True, return_attention_mask=False)
    config = Wav2Vec2Config(**TINY_WAV2VEC2, vocab_size=len(chars), feat_extract_norm="group")
    Wav2Vec2ForCTC(config).save_pretrained(out)
    Wav2Vec2Processor(feature_extractor=feature_extractor, tokenizer=tokenizer).save_pretrained(out)
    return out


def build_w2v_bert_ctc(out: Path) -> Path:
    """Wav2Vec2BertForCTC (a fine-tune of facebook/w2v-bert-2.0)."""
    _seed(3)
    out.mkdir(parents=True, exist_ok=True)
    chars = CTC_SPECIALS + LATIN
    (out / "vocab.json").write_text(json.dumps({c: i for i, c in enumerate(chars)}), encoding="utf-8")
    tokenizer = Wav2Vec2CTCTokenizer(str(out / "vocab.json"))
    feature_extractor = SeamlessM4TFeatureExtractor(feature_size=80, num_mel_bins=80, stride=2)
    config = Wav2Vec2BertConfig(
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        output_hidden_size=16,
        conv_depthwise_kernel_size=3,
        add_adapter=True,
        num_adapter_layers=1,
        adapter_kernel_size=3,
        adapter_stride=2,
        vocab_size=len(chars),
        pad_token_id=0,
    )
    Wav2Vec2BertForCTC(config).save_pretrained(out)
    Wav2Vec2BertProcessor(feature_extractor=feature_extractor, tokenizer=tokenizer).save_pretrained(out)
    return out


def build_tts(out: Path, lang: str = "eng", size: dict | None = None) -> Path:
    """VitsModel + VitsTokenizer, like facebook/mms-tts-<lang>; `size` {} gives the real VitsConfig sizes."""
    _seed(4)
    chars, is_uroman = TTS_LANGS[lang]
    out.mkdir(parents=True, exist_ok=True)
    vocab = {c: i for i, c in enumerate(chars)}
    vocab["<unk>"] = len(vocab)
    (out / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    tokenizer = VitsTokenizer(
        str(out / "vocab.json"), language=lang, add_blank=True, normalize=True, phonemize=False, is_uroman=is_uroman
    )
    config = VitsConfig(vocab_size=len(vocab), sampling_rate=16000, **(TINY_VITS if size is None else size))
    VitsModel(config).save_pretrained(out)
    tokenizer.save_pretrained(out)
    return out


TINY_SEAMLESS = dict(
    t2u_vocab_size=24,
    char_vocab_size=64,
    hidden_size=16,
    encoder_layers=1,
    decoder_layers=1,
    encoder_ffn_dim=32,
    decoder_ffn_dim=32,
    encoder_attention_heads=2,
    decoder_attention_heads=2,
    speech_encoder_layers=1,
    speech_encoder_attention_heads=2,
    speech_encoder_intermediate_size=32,
    conv_depthwise_kernel_size=3,
    t2u_encoder_layers=1,
    t2u_decoder_layers=1,
    t2u_encoder_ffn_dim=32,
    t2u_decoder_ffn_dim=32,
    t2u_encoder_attention_heads=2,
    t2u_decoder_attention_heads=2,
    t2u_variance_predictor_embed_dim=16,
    t2u_variance_predictor_hidden_dim=16,
    variance_predictor_kernel_size=3,
    t2u_variance_predictor_kernel_size=3,
    upsample_initial_channel=32,
    unit_hifi_gan_vocab_size=20,
    unit_embed_dim=16,
    lang_embed_dim=8,
    spkr_embed_dim=8,
    vocoder_num_langs=len(SEAMLESS_SPEECH_LANGS),
    vocoder_num_spkrs=4,
    max_new_tokens=24,
    t2u_max_new_tokens=24,
    pad_token_id=0,
    bos_token_id=2,
    eos_token_id=3,
    decoder_start_token_id=3,
    t2u_bos_token_id=0,
    t2u_pad_token_id=1,
    t2u_eos_token_id=2,
    t2u_decoder_start_token_id=2,
)


def build_seamless(out: Path, size: dict | None = None) -> Path:
    """SeamlessM4Tv2Model with a character-level tokenizer, like facebook/seamless-m4t-v2-large.

    size: SeamlessM4Tv2Config values replacing the tiny ones (benchmarks use it).
    """
    _seed(5)
    out.mkdir(parents=True, exist_ok=True)
    lang_tokens = [f"__{code}__" for code in SEAMLESS_TEXT_LANGS]
    chars = sorted(set("abcdefghijklmnopqrstuvwxyz.,!?'") | set("éèàçäöüñабвгдежзиклмнопрстуфхцчшщыэюя"))
    vocab = {"<pad>": 0, "<unk>": 1, "<s>": 2, "</s>": 3, "▁": 4}
    for token in chars + lang_tokens:
        vocab[token] = len(vocab)
    tokenizer = SeamlessM4TTokenizer(
        vocab=vocab, merges=[], src_lang="eng", tgt_lang="fra", additional_special_tokens=lang_tokens
    )
    feature_extractor = SeamlessM4TFeatureExtractor(feature_size=80, num_mel_bins=80, stride=2)
    processor = SeamlessM4TProcessor(feature_extractor=feature_extractor, tokenizer=tokenizer)

    config = SeamlessM4Tv2Config(**({"vocab_size": len(vocab)} | TINY_SEAMLESS | (size or {})))
    model = SeamlessM4Tv2Model(config)
    with torch.no_grad():
        # Random unit ids 0..3 fall below the vocoder offset and index out of range (see FACTS).
        model.t2u_model.lm_head.weight[[0, 1, 2, 3]] = 0.0
    gen = model.generation_config
    gen.text_decoder_lang_to_code_id = {code: vocab[f"__{code}__"] for code in SEAMLESS_TEXT_LANGS}
    gen.t2u_lang_code_to_id = {code: i for i, code in enumerate(SEAMLESS_SPEECH_LANGS)}
    gen.vocoder_lang_code_to_id = {code: i for i, code in enumerate(SEAMLESS_SPEECH_LANGS)}
    gen.id_to_text = {str(i): tok for tok, i in vocab.items()}
    gen.char_to_id = {c: i + 4 for i, c in enumerate(chars[:60])}
    gen.bos_token_id, gen.eos_token_id, gen.pad_token_id = 2, 3, 0
    gen.decoder_start_token_id = 3
    gen.max_new_tokens = 24
    # Otherwise from_pretrained rebuilds the generation config from the model config and drops the maps.
    gen._from_model_config = False
    model.save_pretrained(out)
    processor.save_pretrained(out)
    return out


# Model id the app asks for -> builder. This is the catalog the tests run against.
BUILDERS = {
    "facebook/mms-lid-126": build_lid,
    "facebook/mms-1b-all": build_mms_asr,
    "facebook/wav2vec2-base-960h": build_english_ctc,
    "facebook/seamless-m4t-v2-large": build_seamless,
    "hf-audio/wav2vec2-bert-CV16-en": build_w2v_bert_ctc,
    **{f"facebook/mms-tts-{lang}": (lambda out, lang=lang: build_tts(out, lang)) for lang in TTS_LANGS},
}


def build_all(root: Path) -> Path:
    """Build every tiny model under `root`; write and return the override map `root/models.json`."""
    root.mkdir(parents=True, exist_ok=True)
    paths = {}
    for model_id, build in BUILDERS.items():
        directory = root / model_id.replace("/", "__")
        build(directory)
        paths[model_id] = str(directory)
    override_map = root / "models.json"
    override_map.write_text(json.dumps(paths, indent=2), encoding="utf-8")
    return override_map


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "tiny-models")
    print(build_all(target))
