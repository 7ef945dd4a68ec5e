"""Tiny, randomly initialised models that copy the real Hub repositories, only smaller.

Each builder writes a directory with the real repo's file names and the real config, tokenizer
and processor fields and conventions (special tokens, vocabulary order, weight formats), so the
app's production loading code runs against them offline. Only sizes are shrunk (hidden sizes,
layer counts, label and alphabet counts). `REAL` below is the one table of what the real repos
hold, each value with its source; `UNVERIFIED` lists what could not be checked from here (no Hub
access), and the builders say where they fill such a gap.

    python -m tests.tiny_models OUT_DIR     # builds all of them + OUT_DIR/models.json

Then `POLYGLOT_MODEL_PATHS=OUT_DIR/models.json python app.py` runs the whole app offline
(outputs are random, of course). `tests/hub_cache.py` lays the same directories out as a
Hugging Face cache under the real ids.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

import sentencepiece
import torch
import transformers
from safetensors.torch import save_file
from transformers import (
    LlamaConfig,
    OmniASRAudioConfig,
    OmniASRConfig,
    OmniASRCTCConfig,
    OmniASRCTCProcessor,
    OmniASRFeatureExtractor,
    OmniASRForConditionalGeneration,
    OmniASRForCTC,
    OmniASRProcessor,
    ParakeetTokenizer,
    SeamlessM4Tv2Config,
    SeamlessM4Tv2Model,
    VitsConfig,
    VitsModel,
    Wav2Vec2BertConfig,
    Wav2Vec2BertForCTC,
    Wav2Vec2Config,
    Wav2Vec2ForCTC,
    Wav2Vec2ForSequenceClassification,
)
from transformers.convert_slow_tokenizer import OmniASRConverter, import_protobuf
from transformers import TokenizersBackend

transformers.logging.set_verbosity_error()
transformers.utils.logging.disable_progress_bar()

REPO_ROOT = Path(__file__).resolve().parents[1]
LID126_CODES = [
    line.split("\t")[0]
    for line in (REPO_ROOT / "modules/data/mms_lid126_langs.tsv").read_text(encoding="utf-8").splitlines()[1:]
]


@dataclass(frozen=True)
class Fact:
    value: object
    source: str


# -- What the real repositories hold (values used by the builders below) -------------------------
# "HF page" = a stored huggingface.co tree/blob/commit page; "copy" = the same file vendored
# elsewhere. ../shared/reference/model-configs.md has the longer notes behind these rows.
_WAV2VEC2_PREPROCESSOR = {  # 212 bytes as written below
    "do_normalize": True,
    "feature_extractor_type": "Wav2Vec2FeatureExtractor",
    "feature_size": 1,
    "padding_side": "right",
    "padding_value": 0,
    "return_attention_mask": True,
    "sampling_rate": 16000,
}
_VITS_TOKENIZER_CONFIG = {  # + is_uroman, language, pad_token per voice; 287 bytes for eng
    "add_blank": True,
    "clean_up_tokenization_spaces": True,
    "model_max_length": 1000000000000000019884624838656,
    "normalize": True,
    "phonemize": False,
    "tokenizer_class": "VitsTokenizer",
    "unk_token": "<unk>",
}
REAL: dict[str, dict[str, Fact]] = {
    "facebook/mms-lid-126": {
        "files": Fact(
            ["config.json", "langs.txt", "model.safetensors", "preprocessor_config.json", "pytorch_model.bin"],
            "HF page facebook/mms-lid-126/tree/main (head 53da6e3 'make style'); commits 5a91eb9 and 6be6f79 "
            "held pytorch_model.bin only (the .bin-only variant)",
        ),
        "config": Fact(
            dict(feat_extract_norm="layer", do_stable_layer_norm=True, conv_bias=True, adapter_attn_dim=16),
            "HF pages config.json of mms-lid-256 and mms-lid-512; fine-tune configs of mms-lid-126 and -4017",
        ),
        "preprocessor_config.json": Fact(_WAV2VEC2_PREPROCESSOR, "HF page facebook/mms-lid-126 preprocessor_config.json (212 B)"),
        "langs.txt": Fact("one '- xxx' line per label, id2label order, 756 B", "HF raw/blame page mms-lid-126@5a91eb9 langs.txt"),
    },
    "facebook/mms-1b-all": {
        "files": Fact(
            ["config.json", "model.safetensors", "preprocessor_config.json", "special_tokens_map.json",
             "tokenizer_config.json", "vocab.json", "adapter.<lang>.safetensors"],
            "Hub API listing at 3d33597 quoted in ayutaz/vokra@1787818e tools/parity/mms_1b_all/hf_metadata_audit.py; "
            "HF blob pages adapter.<lang>.safetensors",
        ),
        "config": Fact(
            dict(feat_extract_norm="layer", do_stable_layer_norm=True, conv_bias=True, adapter_attn_dim=16,
                 pad_token_id=0, bos_token_id=1, eos_token_id=2),
            "fine-tune configs with _name_or_path facebook/mms-1b-all (shared/reference/model-configs.md)",
        ),
        "vocab.json": Fact(
            "{lang: {'<pad>': 0, '<s>': 1, '</s>': 2, '<unk>': 3, then the symbols of vocabs/<lang>.txt}}, "
            "json indent 4, sort_keys; language ids such as cmn-script_simplified, azj-script_latin. The symbols "
            "are the language's fairseq tokens.txt after its 4 specials, in file order: '|' is among them (id 4 in "
            "most, 5 in hau where 'a' is 4), and so are punctuation, digits and symbols (ces: . , : ; ! ? % \" ' – — / "
            "[ ] & + ×)",
            "repo's create_vocab.py (commit 0e87828); facebook/mms-cclms mms-1b-all/<lang>/tokens.txt (8 copied in "
            "tests/fixtures/mms-1b-all-alphabets, sources there); language ids: facebook/mms-cclms tree and "
            "download_vocabs.sh",
        ),
        "tokenizer_config.json": Fact(
            {"bos_token": "<s>", "clean_up_tokenization_spaces": True, "do_lower_case": False, "eos_token": "</s>",
             "model_max_length": 1000000000000000019884624838656, "pad_token": "<pad>",
             "processor_class": "Wav2Vec2Processor", "replace_word_delimiter_char": " ", "target_lang": "eng",
             "tokenizer_class": "Wav2Vec2CTCTokenizer", "unk_token": "<unk>", "word_delimiter_token": "|"},
            "copies of the file: Xenova/mms-1b-l1107@4e58ff4, rayvvv/mms-1b-multilingual (397 B)",
        ),
        "English head rows": Fact(154, "transformers docs model_doc/mms.md ('found shape [154, 1280]'; fra 314)"),
    },
    "facebook/wav2vec2-base-960h": {
        "files": Fact(
            ["config.json", "model.safetensors", "preprocessor_config.json", "pytorch_model.bin",
             "special_tokens_map.json", "tokenizer_config.json", "vocab.json"],
            "HF tree page ('Adding safetensors variant (#7)'); tf_model.h5 is there too, never read here",
        ),
        "vocab.json": Fact(
            ["<pad>", "<s>", "</s>", "<unk>", "|", *"ETAONIHSRDLUMWCFGYPBVK'XJQZ"],
            "HF page vocab.json (UPPER case, ids in this order)",
        ),
        "config": Fact(dict(feat_extract_norm="group", do_stable_layer_norm=False, conv_bias=False),
                       "Wav2Vec2Config() defaults, documented as similar to wav2vec2-base-960h"),
    },
    "hf-audio/wav2vec2-bert-CV16-en": {
        "vocab.json": Fact(["<pad>", "<s>", "</s>", "<unk>", "|", "'", "-", *"abcdefghijklmnopqrstuvwxyz"],
                           "HF blob page vocab.json @4c43a845 (369 B)"),
        "added_tokens.json": Fact({"</s>": 137, "<s>": 136}, "same commit (odd, but real)"),
        "special_tokens_map.json": Fact(
            {name: {"content": token, "lstrip": True, "normalized": False, "rstrip": True, "single_word": False}
             for name, token in (("bos_token", "<s>"), ("eos_token", "</s>"), ("pad_token", "<pad>"), ("unk_token", "<unk>"))},
            "HF blob page special_tokens_map.json @c7daf06 (544 B)",
        ),
        "preprocessor_config.json": Fact(
            {"do_normalize": True, "feature_extractor_type": "SeamlessM4TFeatureExtractor", "feature_size": 80,
             "num_mel_bins": 80, "padding_side": "right", "padding_value": 1, "processor_class": "Wav2Vec2BertProcessor",
             "return_attention_mask": True, "sampling_rate": 16000, "stride": 2},
            "HF page hf-audio/wav2vec2-bert-CV16-en preprocessor_config.json (shared/reference/model-configs.md)",
        ),
        "config": Fact(dict(add_adapter=True, num_adapter_layers=1, feature_projection_input_dim=160),
                       "HF page hf-audio/wav2vec2-bert-CV16-en config.json (shared/reference/model-configs.md)"),
    },
    "facebook/mms-tts-eng": {
        "files": Fact(["config.json", "model.safetensors", "pytorch_model.bin", "special_tokens_map.json",
                       "tokenizer_config.json", "vocab.json"],
                      "HF page facebook/mms-tts-eng/tree/main (c71de0f); no added_tokens.json"),
        # ␠ below is a space. The same ids are pinned in transformers' test_tokenization_vits.py.
        "symbols": Fact("k ' z y u d h e s w – 3 c p - 1 j m i ␠ f l o 0 b r a 4 2 n _ x v t q 5 6 g",
                        "copy xiajinzhi/MarsCode@962cf6a mms-tts-eng/vocab.json (413 B on the Hub); transformers "
                        "tests/models/vits/test_tokenization_vits.py; transformers issue #28173"),
        "tokenizer_config.json": Fact(_VITS_TOKENIZER_CONFIG | {"is_uroman": False, "language": "eng", "pad_token": "k"},
                                      "copy xiajinzhi/MarsCode@962cf6a, byte for byte (287 B on the Hub)"),
    },
    "facebook/mms-tts-ron": {
        "symbols": Fact("c q u b g _ n – m z i t l ă f ș a 1 î p - h s ' x e j â ␠ r v o ţ d",
                        "inferred, high confidence: id order of the normaliser regex of Xenova/mms-tts-ron@e26400f "
                        "tokenizer.json (the export writes it in id order); 34 symbols and 374 B match the HF page; "
                        "ș U+0219 and ţ U+0163 as in fairseq #5166 / PR #5168"),
        "tokenizer_config.json": Fact(_VITS_TOKENIZER_CONFIG | {"is_uroman": False, "language": "ron", "pad_token": "c"},
                                      "HF page special_tokens_map.json @8b96ee0 (pad 'c'); tokenizer_config 287 B = eng's shape"),
    },
    "facebook/mms-tts-fra": {
        "symbols": Fact("î z - ù u û y è x q c g ô ê _ e i d b a f œ h r é k s v à ␠ – p ë t n o j ü â ç ï ' m l",
                        "facebook/mms-tts-fra commit f55be18 (tokenizer upload: vocab diff, pad, is_uroman); "
                        "Xenova/mms-tts-fra@e7953c6 and Matthijs/mms-tts-fra@1297f7b agree on every id"),
        "tokenizer_config.json": Fact(_VITS_TOKENIZER_CONFIG | {"is_uroman": False, "language": "fra", "pad_token": "î"},
                                      "facebook/mms-tts-fra commit f55be18"),
    },
    "facebook/mms-tts-rus": {
        # Cyrillic, no ё; a few Latin letters (c, m, o, q) from the training text.
        "symbols": Fact("ч ␠ д ь я й с у а о 2 0 ъ ы н л ж х ш з c _ п m ю э р 4 щ o – ф q и ц к 1 е б - т в г м",
                        "facebook/mms-tts-rus commit 53fb6cd (tokenizer upload: 29 of the 44 ids, pad 'ч', is_uroman "
                        "false); Xenova/mms-tts-rus tokenizer.json gives all 44 in id order"),
        "tokenizer_config.json": Fact(_VITS_TOKENIZER_CONFIG | {"is_uroman": False, "language": "rus", "pad_token": "ч"},
                                      "facebook/mms-tts-rus commit 53fb6cd"),
    },
    "facebook/mms-tts-kor": {
        "symbols": Fact("u _ t w s o y a h i j - k b c ' n l d g r ␠ e m p",
                        "vocab of Matthijs/mms-tts-kor (the early conversion), in the id order that transformers' "
                        "pinned kor integration test decodes ('이봐 무슨 일이야' -> uroman 'ibwa museun iliya')"),
        "tokenizer_config.json": Fact(_VITS_TOKENIZER_CONFIG | {"is_uroman": True, "language": "kor", "pad_token": "u"},
                                      "HF page facebook/mms-tts-kor tokenizer_config.json @730590c (286 B)"),
    },
    # Omnilingual ASR (transformers 5.24). No stored Hub page of any hf-audio/omniasr-* repo exists: the layout and
    # values are what transformers' own conversion scripts write (src/transformers/models/omniasr_ctc/
    # convert_omniasr_ctc_to_hf.py @083e3ff1, models/omniasr/convert_omniasr_to_hf.py), checked against the
    # 5.24.0 wheel, its tests (tests/models/omniasr*/ @083e3ff1) and fixtures (tests/fixtures/omniasr/
    # expected_results_*.json), and facebookresearch/omnilingual-asr @81f51e2.
    "hf-audio/omniasr-ctc-300m-v2": {
        "id": Fact("hf-audio/omniasr-ctc-300m-v2", "transformers 5.24.0 configuration_omniasr_ctc.py @auto_docstring checkpoint"),
        "files": Fact(["config.json", "generation_config.json", "model.safetensors", "processor_config.json",
                       "tokenizer.json", "tokenizer_config.json"],
                      "what convert_omniasr_ctc_to_hf.py's push_to_hub writes (save_pretrained in 5.24): no "
                      "preprocessor_config.json (the feature extractor sits inside processor_config.json), no vocab.json"),
        "config": Fact(dict(vocab_size=10288, pad_token_id=1, bos_token_id=0, eos_token_id=2),
                       "convert_omniasr_ctc_to_hf.py (fairseq2 vocab_info); OmniASRCTCConfig defaults (blank_token_id 0, "
                       "the <s> piece); logits_shape [1, 292, 10288] in expected_results_single.json"),
        "audio_config 300M": Fact(dict(hidden_size=1024, num_hidden_layers=24, num_attention_heads=16, intermediate_size=4096,
                                       conv_kernel=(10, 3, 3, 3, 3, 2, 2), conv_stride=(5, 2, 2, 2, 2, 2, 2)),
                                  "OmniASRAudioConfig() defaults = fairseq2 wav2vec2 large_lv60k; parameter count 128 below "
                                  "Meta's published 325,494,996 (the folded weight norm): 320 samples = 20 ms per frame"),
        "tokenizer": Fact("ParakeetTokenizer over a tokenizers JSON converted from Meta's character SentencePiece model "
                          "omniASR_tokenizer_written_v2 (OmniASRConverter); <s> 0 (bos and CTC blank), <pad> 1, </s> 2, "
                          "<unk> 3; a plain space is id 4 between words; real ids of 24 characters pinned (REAL_OMNI_CHAR_IDS)",
                          "transformers convert_slow_tokenizer.OmniASRConverter; expected_results_{single,batch}.json; "
                          "omnilingual-asr cards/models/rc_models_v2.yaml (tokenizer card)"),
        "feature extractor": Fact(dict(feature_size=1, sampling_rate=16000, padding_value=0, do_normalize=True,
                                       return_attention_mask=True),
                                  "convert_omniasr_to_hf.get_feature_extractor: zero mean, unit variance per utterance; "
                                  "input_values (batch, 1, samples)"),
        "licence": Fact("Apache-2.0", "facebookresearch/omnilingual-asr README and LICENSE @81f51e2 (code and models)"),
    },
    "hf-audio/omniasr-llm-300m-v2": {
        "id": Fact("hf-audio/omniasr-llm-300m-v2", "transformers 5.24.0 OmniASRConfig docstring, modeling_omniasr.py example"),
        "files": Fact(["chat_template.jinja", "config.json", "generation_config.json", "model.safetensors",
                       "processor_config.json", "tokenizer.json", "tokenizer_config.json"],
                      "what convert_omniasr_to_hf.py writes (save_pretrained in 5.24)"),
        "text_config": Fact(dict(vocab_size=11984, hidden_size=4096, intermediate_size=2816, num_hidden_layers=12,
                                 num_attention_heads=8, num_key_value_heads=8, max_position_embeddings=8192),
                            "convert_omniasr_to_hf.py; the same Llama decoder for 300M-7B (omnilingual-asr "
                            "wav2vec2_llama/config.py)"),
        "language tokens": Fact("<extra_id_0> 10288 (language marker), <extra_id_1> 10289 (audio), <|lang:auto|> 10290, "
                                "then <|lang:xxx_xxxx|> (lower case) = 10291 + the row of Meta's 1,693-row table "
                                "(modules/data/omnilingual_asr_langs.tsv order): eng_latn 10707",
                                "convert_omniasr_to_hf.py; omnilingual-asr languges_lookup_table.parquet @81f51e2"),
        "generation_config": Fact("suppress_tokens 10288..11983 (no language or audio token is ever generated); no num_beams",
                                  "convert_omniasr_to_hf.py"),
        "licence": Fact("Apache-2.0", "facebookresearch/omnilingual-asr README and LICENSE @81f51e2"),
    },
    "facebook/seamless-m4t-v2-large": {
        "files": Fact(["added_tokens.json", "config.json", "generation_config.json", "model-00001-of-00002.safetensors",
                       "model-00002-of-00002.safetensors", "model.safetensors.index.json", "preprocessor_config.json",
                       "sentencepiece.bpe.model", "special_tokens_map.json", "tokenizer.model", "tokenizer_config.json"],
                      "HF tree page (shards, index, sentencepiece.bpe.model, tokenizer.model, added_tokens.json, "
                      "generation_config.json 9.91 MB); the json tokenizer/processor files: see UNVERIFIED"),
        "language tokens": Fact("__xxx__ = 256001 + position in the conversion script's 98-language list "
                                "(__eng__ 256022, __fra__ 256026), after the SentencePiece pieces",
                                "transformers test_modeling_seamless_m4t_v2.py integration ids @0d7e95d9"),
        "generation_config.json": Fact(
            "text_decoder_lang_to_code_id {code: id of __code__}, t2u_lang_code_to_id {code: 10043 + i}, "
            "vocoder_lang_code_to_id {code: i}, id_to_text, char_to_id, max_new_tokens 256, bos 2, eos 3, pad 0, "
            "decoder_start 3",
            "transformers convert_fairseq2_to_hf.py @15ea02a2; v1 generation_config; SeamlessM4Tv2Config defaults",
        ),
        "config": Fact(dict(vocoder_num_spkrs=200, max_new_tokens=256, bos_token_id=2, eos_token_id=3, pad_token_id=0,
                            decoder_start_token_id=3),
                       "SeamlessM4Tv2Config() = the conversion script's config; HF page config.json excerpt"),
    },
}
UNVERIFIED = [
    "facebook/mms-lid-4017: the order of its 4,017 labels in config.json (tests/test_downloads.py builds the tiny one "
    "in the order of modules/data/mms_lid4017_langs.tsv) and whether its main holds pytorch_model.bin beside "
    "model.safetensors as mms-lid-126's does (the tiny one does).",
    "hf-audio/omniasr-*: every id but omniasr-ctc-300m-v2 and omniasr-llm-300m-v2 (the docs name '4x CTC and 4x LLM "
    "checkpoints' without ids); whether the real weights are sharded and fp32 or bf16; the real tokenizer's pieces "
    "beyond the 24 characters transformers' fixtures pin (invented placeholder letters here), whether it holds upper "
    "case or punctuation, and that the word boundary is a plain ' ' (inferred: the converter has no '▁' handling, "
    "the fixtures' transcripts hold spaces); README.md / .gitattributes of those repos",
    "facebook/mms-1b-all: whether a root pytorch_model.bin exists; special_tokens_map.json and "
    "preprocessor_config.json contents (written like the sibling facebook/mms-1b's 212 B file); the exact "
    "names of the 4 special tokens (inferred from sort order); that vocab.json keeps tokens.txt's symbol order "
    "(inferred from create_vocab.py); the real alphabets of languages other than the 8 in "
    "tests/fixtures/mms-1b-all-alphabets (tiny ones here), and the invisible symbols the stored ces and lav "
    "pages don't show (4 bytes each)",
    "facebook/wav2vec2-base-960h: tokenizer_config.json, special_tokens_map.json and preprocessor_config.json "
    "contents (return_attention_mask false inferred from the file size)",
    "hf-audio/wav2vec2-bert-CV16-en: tokenizer_config.json contents; the CTC head size",
    "facebook/mms-tts-ron: the vocabulary order is inferred (see REAL); facebook/mms-tts-kor: vocabulary taken "
    "from the early Matthijs/mms-tts-kor conversion",
    "facebook/mms-tts-*: whether every one of the 1,137 repos has model.safetensors beside pytorch_model.bin "
    "(seen for eng, bul, tur, fas, uig-script_arabic and others)",
    "facebook/seamless-m4t-v2-large: tokenizer_config.json, special_tokens_map.json, added_tokens.json and "
    "preprocessor_config.json contents (written here as a SentencePiece tokenizer with the 98 language tokens "
    "would save them, processor_class SeamlessM4TProcessor: without it AutoProcessor returns a bare tokenizer)",
]


def symbols(repo_id: str) -> list[str]:
    return [" " if symbol == "␠" else symbol for symbol in REAL[repo_id]["symbols"].value.split(" ")]


def write_json(path: Path, data, indent: int = 2) -> None:
    """JSON as transformers 4.x saved these files: sorted keys, indented, UTF-8, trailing newline."""
    path.write_text(json.dumps(data, indent=indent, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")


def save_weights(model: torch.nn.Module, out: Path, safetensors: bool = True, pytorch_bin: bool = False, **options) -> None:
    """config.json + weights in the formats the real repo holds (`pytorch_model.bin` is a plain state dict,
    as the transformers 4.x conversions wrote it)."""
    model.save_pretrained(out, **options)
    if pytorch_bin:
        torch.save({name: tensor.contiguous() for name, tensor in model.state_dict().items()}, out / "pytorch_model.bin")
    if not safetensors:
        for file in out.glob("model*.safetensors*"):
            file.unlink()


# -- Sizes: the only thing shrunk --------------------------------------------------------------
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
REAL_ALPHABETS = REPO_ROOT / "tests" / "fixtures" / "mms-1b-all-alphabets"


def real_alphabet(language: str) -> list[str]:
    """A language's real mms-1b-all symbols (tokens.txt after its 4 fairseq specials, '|' where the file has
    it), from the copies in tests/fixtures/mms-1b-all-alphabets."""
    lines = (REAL_ALPHABETS / f"{language}.tokens.txt").read_text(encoding="utf-8").split("\n")
    assert lines[:4] == ["<s>", "<pad>", "</s>", "<unk>"], language
    return [line for line in lines[4:] if line]


REAL_ALPHABET_LANGUAGES = sorted(path.name.split(".")[0] for path in REAL_ALPHABETS.glob("*.tokens.txt"))
# Alphabets of the tiny mms-1b-all's languages: tiny ones for the languages the tests speak, and the 8 real
# ones (with their punctuation, digits, symbols and '|' where the real file has it).
ADAPTER_CHARS = {
    "eng": LATIN,
    "fra": LATIN + list("éèêàçôù"),
    "deu": LATIN + list("äöüß"),
    "spa": LATIN + list("ñáéíóú"),
    "rus": list("абвгдеёжзийклмнопрстуфхцчшщъыьэюя"),
    "cmn-script_simplified": list("的一是不了人我在有他这中大来上国个到说们"),
    "azj-script_latin": LATIN + list("əğıöüçş"),
    **{language: real_alphabet(language) for language in REAL_ALPHABET_LANGUAGES},
}
CTC_SPECIALS = ["<pad>", "<s>", "</s>", "<unk>"]

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
TTS_VOICES = ("eng", "fra", "ron", "rus", "kor")

# Seamless languages of the tiny checkpoint, in the conversion script's order (LARGE_SUPPORTED_LANGUAGES
# is alphabetical by code, so ids keep the real relative order); the subset the vocoder speaks.
SEAMLESS_TEXT_LANGS = ["arb", "cmn", "deu", "eng", "fra", "hin", "rus", "spa"]
SEAMLESS_SPEECH_LANGS = ["deu", "eng", "fra", "spa"]
VOCODER_SPEAKERS = 200  # REAL seamless config vocoder_num_spkrs: not shrunk, the app checks speaker ids against it


def _seed(seed: int) -> None:
    torch.manual_seed(seed)


# -- Builders ----------------------------------------------------------------------------------


def build_lid(
    out: Path, labels: list[str] | None = None, size: dict | None = None, bin_only: bool = False, pytorch_bin: bool = True
) -> Path:
    """facebook/mms-lid-126: Wav2Vec2ForSequenceClassification with the real label set, safetensors AND
    pytorch_model.bin as on main (`bin_only`: as the repo's earlier commits; `pytorch_bin=False`: skip the
    .bin, for real-size benchmarks where it would add 3.9 GB); `size`: real-size benchmarks."""
    _seed(0)
    labels = labels or LID126_CODES
    out.mkdir(parents=True, exist_ok=True)
    config = Wav2Vec2Config(
        **(size or TINY_WAV2VEC2),
        **REAL["facebook/mms-lid-126"]["config"].value,
        num_labels=len(labels),
        id2label=dict(enumerate(labels)),
        label2id={code: i for i, code in enumerate(labels)},
        architectures=["Wav2Vec2ForSequenceClassification"],
    )
    save_weights(Wav2Vec2ForSequenceClassification(config), out, safetensors=not bin_only, pytorch_bin=pytorch_bin or bin_only)
    write_json(out / "preprocessor_config.json", _WAV2VEC2_PREPROCESSOR)
    (out / "langs.txt").write_text("".join(f"- {code}\n" for code in labels), encoding="utf-8")
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
    """facebook/mms-1b-all: Wav2Vec2ForCTC with the English head and one adapter file per language.

    local_only: no attention layers and no whole-input normalisation, so every output frame depends
    only on nearby audio; then chunked and unchunked transcription must give the very same ids.
    size: Wav2Vec2Config sizes replacing the tiny ones (benchmarks build real-size models with it).
    """
    _seed(1)
    real = REAL["facebook/mms-1b-all"]
    langs = langs or ADAPTER_CHARS
    out.mkdir(parents=True, exist_ok=True)
    # The tiny alphabets put '|' first, as most real ones do; a real one keeps it where its file has it.
    vocab = {lang: {token: i for i, token in enumerate(CTC_SPECIALS + (chars if "|" in chars else ["|", *chars]))}
             for lang, chars in langs.items()}
    write_json(out / "vocab.json", vocab, indent=4)  # create_vocab.py: json.dump(indent=4, sort_keys=True)
    default = "eng" if "eng" in langs else next(iter(langs))
    write_json(out / "tokenizer_config.json", real["tokenizer_config.json"].value | {"target_lang": default})
    write_json(out / "special_tokens_map.json", {"bos_token": "<s>", "eos_token": "</s>", "pad_token": "<pad>", "unk_token": "<unk>"})
    write_json(out / "preprocessor_config.json", _WAV2VEC2_PREPROCESSOR | {"do_normalize": not local_only})
    sizes = size or (TINY_WAV2VEC2 | {"num_hidden_layers": 0} if local_only else TINY_WAV2VEC2)
    # The real config's facts win over sizes (only the sizes may differ from the real repo).
    config = Wav2Vec2Config(**(sizes | real["config"].value), vocab_size=len(vocab[default]), architectures=["Wav2Vec2ForCTC"])
    model = Wav2Vec2ForCTC(config)
    for lang in langs:
        save_file(_adapter_state(model, len(vocab[lang])), str(out / f"adapter.{lang}.safetensors"))
    save_weights(model, out)
    return out


def build_english_ctc(out: Path) -> Path:
    """facebook/wav2vec2-base-960h: Wav2Vec2ForCTC with the real upper-case character vocabulary."""
    _seed(2)
    real = REAL["facebook/wav2vec2-base-960h"]
    out.mkdir(parents=True, exist_ok=True)
    tokens = real["vocab.json"].value
    write_json(out / "vocab.json", {token: i for i, token in enumerate(tokens)})
    write_json(out / "tokenizer_config.json", {"bos_token": "<s>", "do_lower_case": False, "eos_token": "</s>",
                                               "pad_token": "<pad>", "unk_token": "<unk>", "word_delimiter_token": "|"})
    write_json(out / "special_tokens_map.json", {"bos_token": "<s>", "eos_token": "</s>", "pad_token": "<pad>", "unk_token": "<unk>"})
    write_json(out / "preprocessor_config.json", _WAV2VEC2_PREPROCESSOR | {"return_attention_mask": False})
    config = Wav2Vec2Config(**TINY_WAV2VEC2, **real["config"].value, vocab_size=len(tokens), architectures=["Wav2Vec2ForCTC"])
    save_weights(Wav2Vec2ForCTC(config), out, pytorch_bin=True)
    return out


def build_w2v_bert_ctc(out: Path) -> Path:
    """hf-audio/wav2vec2-bert-CV16-en: Wav2Vec2BertForCTC (a fine-tune of facebook/w2v-bert-2.0)."""
    _seed(3)
    real = REAL["hf-audio/wav2vec2-bert-CV16-en"]
    out.mkdir(parents=True, exist_ok=True)
    tokens = real["vocab.json"].value
    write_json(out / "vocab.json", {token: i for i, token in enumerate(tokens)})
    write_json(out / "added_tokens.json", real["added_tokens.json"].value)
    write_json(out / "special_tokens_map.json", real["special_tokens_map.json"].value)
    write_json(out / "preprocessor_config.json", real["preprocessor_config.json"].value)
    # Unverified: written as Wav2Vec2CTCTokenizer saves itself with these special tokens.
    write_json(out / "tokenizer_config.json", {"bos_token": "<s>", "do_lower_case": False, "eos_token": "</s>",
                                               "pad_token": "<pad>", "processor_class": "Wav2Vec2BertProcessor",
                                               "tokenizer_class": "Wav2Vec2CTCTokenizer", "unk_token": "<unk>",
                                               "word_delimiter_token": "|"})
    config = Wav2Vec2BertConfig(
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        output_hidden_size=16,
        conv_depthwise_kernel_size=3,
        adapter_kernel_size=3,
        adapter_stride=2,
        **real["config"].value,
        vocab_size=len(tokens),
        pad_token_id=0,
        architectures=["Wav2Vec2BertForCTC"],
    )
    save_weights(Wav2Vec2BertForCTC(config), out)
    return out


def build_tts(out: Path, lang: str = "eng", size: dict | None = None) -> Path:
    """facebook/mms-tts-<lang>, as transformers' convert_original_checkpoint.py wrote it: vocab.json = the
    fairseq vocab.txt symbols in line order, pad_token = the FIRST symbol (it doubles as the blank that
    add_blank inserts), `<unk>` outside the vocabulary (id = number of symbols), config vocab_size = number
    of symbols. `size` {} gives the real VitsConfig sizes."""
    _seed(4)
    repo = f"facebook/mms-tts-{lang}"
    real = REAL[repo]
    voice_symbols = symbols(repo)
    out.mkdir(parents=True, exist_ok=True)
    write_json(out / "vocab.json", {symbol: i for i, symbol in enumerate(voice_symbols)})
    tokenizer_config = real["tokenizer_config.json"].value
    write_json(out / "tokenizer_config.json", tokenizer_config)
    write_json(out / "special_tokens_map.json", {"pad_token": tokenizer_config["pad_token"], "unk_token": "<unk>"})
    config = VitsConfig(vocab_size=len(voice_symbols), sampling_rate=16000, **(TINY_VITS if size is None else size))
    save_weights(VitsModel(config), out, pytorch_bin=True)
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
    t2u_bos_token_id=0,
    t2u_pad_token_id=1,
    t2u_eos_token_id=2,
    t2u_decoder_start_token_id=2,
)
# Text the tiny SentencePiece model is trained on: the scripts the tests translate.
_SPM_TEXT = [
    "hello there, how are you? good morning. where is the train station?",
    "bonjour tout le monde, je voudrais un café, s'il vous plaît.",
    "guten morgen, wie geht es dir? schön, dass du da bist. äöüß",
    "buenos días, ¿dónde está la estación? mañana. ñ á é í ó ú",
    "привет, как дела? доброе утро. спасибо большое.",
    "你好，你好吗？谢谢。", "مرحبا كيف حالك", "नमस्ते आप कैसे हैं",
]


def _train_sentencepiece(out: Path) -> int:
    """A tiny BPE model with fairseq's special ids (unk 0, bos 1, eos 2, no pad): transformers shifts
    every id by one and puts <pad> at 0, so pad/unk/bos/eos = 0/1/2/3 as in the real checkpoint."""
    text = out / "spm-training.txt"
    text.write_text("\n".join(_SPM_TEXT * 4), encoding="utf-8")
    sentencepiece.SentencePieceTrainer.train(
        input=str(text), model_prefix=str(out / "sentencepiece.bpe"), model_type="bpe", vocab_size=150,
        character_coverage=1.0, unk_id=0, bos_id=1, eos_id=2, pad_id=-1, minloglevel=2,
    )
    text.unlink()
    (out / "sentencepiece.bpe.vocab").unlink()
    (out / "tokenizer.model").write_bytes((out / "sentencepiece.bpe.model").read_bytes())  # the real repo has both
    return sentencepiece.SentencePieceProcessor(model_file=str(out / "sentencepiece.bpe.model")).get_piece_size()


def build_seamless(out: Path, size: dict | None = None) -> Path:
    """facebook/seamless-m4t-v2-large: SeamlessM4Tv2Model in two safetensors shards, a real SentencePiece
    tokenizer with the language tokens after its pieces, the real generation maps and 200 speakers.

    size: SeamlessM4Tv2Config values replacing the tiny ones (benchmarks use it).
    """
    _seed(5)
    out.mkdir(parents=True, exist_ok=True)
    pieces = _train_sentencepiece(out)
    lang_tokens = [f"__{code}__" for code in SEAMLESS_TEXT_LANGS]
    first_lang_id = pieces + 1  # real: 256001 = 256000 pieces + <pad>
    lang_ids = {code: first_lang_id + i for i, code in enumerate(SEAMLESS_TEXT_LANGS)}
    write_json(out / "added_tokens.json", {f"__{code}__": token_id for code, token_id in lang_ids.items()})
    special = {"bos_token": "<s>", "cls_token": "<s>", "eos_token": "</s>", "pad_token": "<pad>", "sep_token": "</s>",
               "unk_token": "<unk>"}
    write_json(out / "special_tokens_map.json", special | {"additional_special_tokens": lang_tokens})
    write_json(out / "tokenizer_config.json", special | {
        "additional_special_tokens": lang_tokens, "clean_up_tokenization_spaces": True,
        "model_max_length": 1000000000000000019884624838656, "processor_class": "SeamlessM4TProcessor",
        "sp_model_kwargs": {}, "src_lang": "eng", "tgt_lang": "fra", "tokenizer_class": "SeamlessM4TTokenizer",
    })
    write_json(out / "preprocessor_config.json", {
        "feature_extractor_type": "SeamlessM4TFeatureExtractor", "feature_size": 80, "language_code": lang_tokens,
        "num_mel_bins": 80, "padding_side": "right", "padding_value": 0.0, "processor_class": "SeamlessM4TProcessor",
        "return_attention_mask": True, "sampling_rate": 16000, "stride": 2,
    })

    vocab_size = first_lang_id + len(lang_tokens)
    real = REAL["facebook/seamless-m4t-v2-large"]["config"].value
    config = SeamlessM4Tv2Config(**({"vocab_size": vocab_size, "vocoder_num_spkrs": VOCODER_SPEAKERS} | real
                                    | TINY_SEAMLESS | (size or {})))
    model = SeamlessM4Tv2Model(config)
    with torch.no_grad():
        # Random unit ids 0..3 fall below the vocoder offset and index out of range (see FACTS).
        model.t2u_model.lm_head.weight[[0, 1, 2, 3]] = 0.0
    gen = model.generation_config
    gen.text_decoder_lang_to_code_id = lang_ids
    t2u_offset = config.t2u_vocab_size - len(SEAMLESS_SPEECH_LANGS)  # real: 10043 + i in a 10082-unit vocabulary
    gen.t2u_lang_code_to_id = {code: t2u_offset + i for i, code in enumerate(SEAMLESS_SPEECH_LANGS)}
    gen.vocoder_lang_code_to_id = {code: i for i, code in enumerate(SEAMLESS_SPEECH_LANGS)}
    spm = sentencepiece.SentencePieceProcessor(model_file=str(out / "sentencepiece.bpe.model"))
    id_to_text = {"0": "<pad>"} | {str(i + 1): spm.id_to_piece(i) for i in range(pieces)}
    gen.id_to_text = id_to_text | {str(token_id): f"__{code}__" for code, token_id in lang_ids.items()}
    characters = sorted({ch for line in _SPM_TEXT for ch in line})[: config.char_vocab_size - 4]
    gen.char_to_id = {ch: i + 4 for i, ch in enumerate(characters)}
    gen.bos_token_id, gen.eos_token_id, gen.pad_token_id, gen.decoder_start_token_id = 2, 3, 0, 3
    gen.max_new_tokens = 256
    # Otherwise from_pretrained rebuilds the generation config from the model config and drops the maps.
    gen._from_model_config = False
    # Two shards and an index, as the real repo: the loader must read sharded safetensors.
    total = sum(t.numel() * t.element_size() for t in model.state_dict().values())
    save_weights(model, out, max_shard_size=total // 2 + 1)
    return out


# -- Omnilingual ASR (transformers 5.24): built the way transformers' conversion scripts build the real repos --------
OMNI_SPECIALS = ["<s>", "<pad>", "</s>", "<unk>"]  # 0 bos and CTC blank, 1 pad, 2 eos, 3 unk (fairseq2 vocab_info)
OMNI_VOCAB_SIZE = REAL["hf-audio/omniasr-ctc-300m-v2"]["config"].value["vocab_size"]
# Ids pinned by transformers tests/fixtures/omniasr/expected_results_*.json ("mister quilter is the apostle of
# the middle classes ...", "nor is mister quilter's manner ...", "he tells us ... roast beef ..."): real ids.
REAL_OMNI_CHAR_IDS = {
    " ": 4, "'": 7668, "a": 3859, "b": 3425, "c": 40, "d": 7699, "e": 2802, "f": 10104, "g": 4039,
    "h": 8345, "i": 1489, "l": 9354, "m": 1422, "n": 3401, "o": 5262, "p": 7851, "q": 2545, "r": 3270,
    "s": 6500, "t": 276, "u": 9755, "v": 6513, "w": 2917, "y": 5054,
}
OMNI_RESERVED = ["<extra_id_0>", "<extra_id_1>"]  # the language marker and the audio placeholder (convert_omniasr_to_hf.py)
# The decoder prompt `audio | language marker | language | bos`, as convert_omniasr_to_hf.py writes it.
OMNI_CHAT_TEMPLATE = (
    "{%- for message in messages -%}"
    "{%- if message['role'] == 'user' -%}"
    "{%- set ns = namespace(language='auto') -%}"
    "{%- for item in message['content'] -%}"
    "{%- if item['type'] == 'audio' -%}<extra_id_1>"
    "{%- elif item['type'] == 'language' -%}{%- set ns.language = item['language'] | lower -%}"
    "{%- endif -%}"
    "{%- endfor -%}"
    "<extra_id_0><|lang:{{ ns.language }}|><s>"
    "{%- elif message['role'] == 'assistant' -%}"
    "{%- for item in message['content'] if item['type'] == 'text' -%}{{ item['text'] }}{%- endfor -%}</s>"
    "{%- endif -%}"
    "{%- endfor -%}"
)
# Sizes, the only thing shrunk: the real conv kernels and strides (320 samples, 20 ms per frame) stay.
TINY_OMNI_AUDIO = dict(hidden_size=16, num_hidden_layers=1, num_attention_heads=2, intermediate_size=32, conv_dim=(16,) * 7,
                       num_conv_pos_embeddings=16, num_conv_pos_embedding_groups=2)
TINY_OMNI_TEXT = dict(hidden_size=32, intermediate_size=64, num_hidden_layers=1, num_attention_heads=2, num_key_value_heads=2)


def omni_languages() -> list[str]:
    """Meta's 1,693 language codes in its table's order (modules/data/omnilingual_asr_langs.tsv)."""
    lines = (REPO_ROOT / "modules/data/omnilingual_asr_langs.tsv").read_text(encoding="utf-8").splitlines()[1:]
    return [line.split("\t")[0] for line in lines]


def _omni_pieces() -> list[str]:
    """The real-size vocabulary in id order: the specials, the pinned characters at their real ids, j k x z (not in
    the fixtures) at invented ids, and invented letters of several scripts for every other piece (unverified)."""
    pieces: list[str | None] = [None] * OMNI_VOCAB_SIZE
    pieces[:4] = OMNI_SPECIALS
    for character, index in REAL_OMNI_CHAR_IDS.items():
        pieces[index] = character
    for character, index in zip("jkxz", [i for i, piece in enumerate(pieces) if piece is None and i > 10000]):
        pieces[index] = character
    taken = {piece for piece in pieces if piece}
    letters = (chr(c) for lo, hi in ((0xC0, 0x24F), (0x370, 0x3FF), (0x400, 0x4FF), (0x531, 0x587), (0x5D0, 0x5EA),
                                     (0x620, 0x64A), (0x900, 0x97F), (0xE01, 0xE3A), (0x10D0, 0x10FA), (0x1200, 0x137C),
                                     (0x3041, 0x30FF), (0xAC00, 0xD7A3), (0x4E00, 0x9FFF))
               for c in range(lo, hi + 1) if chr(c).isprintable() and not chr(c).isspace() and chr(c) not in taken)
    return [piece if piece is not None else next(letters) for piece in pieces]


def _omni_tokenizer(out: Path, padding_side: str, tokenizer_class):
    """A SentencePiece model with Meta's layout, through transformers' own OmniASRConverter, wrapped as
    convert_omniasr_to_hf.convert_tokenizer wraps the real one."""
    model_pb2 = import_protobuf()
    proto = model_pb2.ModelProto()
    proto.trainer_spec.model_type = model_pb2.TrainerSpec.UNIGRAM  # unverified (for one-character pieces alike)
    proto.trainer_spec.vocab_size = OMNI_VOCAB_SIZE
    proto.trainer_spec.bos_id, proto.trainer_spec.pad_id, proto.trainer_spec.eos_id, proto.trainer_spec.unk_id = 0, 1, 2, 3
    (proto.trainer_spec.bos_piece, proto.trainer_spec.pad_piece, proto.trainer_spec.eos_piece,
     proto.trainer_spec.unk_piece) = OMNI_SPECIALS
    proto.normalizer_spec.name, proto.normalizer_spec.add_dummy_prefix = "identity", False
    proto.normalizer_spec.escape_whitespaces, proto.normalizer_spec.remove_extra_whitespaces = False, True
    kinds = model_pb2.ModelProto.SentencePiece
    for index, piece in enumerate(_omni_pieces()):
        entry = proto.pieces.add()
        entry.piece, entry.score = piece, 0.0 if index < 4 else -float(index)
        entry.type = kinds.UNKNOWN if piece == "<unk>" else kinds.CONTROL if index < 3 else kinds.NORMAL
    model_file = out / "_sentencepiece.model"
    model_file.write_bytes(proto.SerializeToString())
    converter = OmniASRConverter(str(model_file))
    model_file.unlink()
    return tokenizer_class(tokenizer_object=converter.converted(), bos_token="<s>", eos_token="</s>", unk_token="<unk>",
                           pad_token="<pad>", clean_up_tokenization_spaces=False, padding_side=padding_side)


def _omni_feature_extractor() -> OmniASRFeatureExtractor:
    return OmniASRFeatureExtractor(**REAL["hf-audio/omniasr-ctc-300m-v2"]["feature extractor"].value)


def build_omni_ctc(out: Path, size: dict | None = None) -> Path:
    """hf-audio/omniasr-ctc-300m-v2: OmniASRForCTC, its ParakeetTokenizer and processor, in the converted layout.
    `size`: OmniASRAudioConfig sizes ({} = the real 300M shape, for benchmarks)."""
    _seed(6)
    out.mkdir(parents=True, exist_ok=True)
    tokenizer = _omni_tokenizer(out, "right", ParakeetTokenizer)
    config = OmniASRCTCConfig(audio_config=OmniASRAudioConfig(**(TINY_OMNI_AUDIO if size is None else size)),
                              **REAL["hf-audio/omniasr-ctc-300m-v2"]["config"].value)
    OmniASRForCTC(config).save_pretrained(out)
    OmniASRCTCProcessor(feature_extractor=_omni_feature_extractor(), tokenizer=tokenizer).save_pretrained(out)
    return out


def build_omni_llm(out: Path) -> Path:
    """hf-audio/omniasr-llm-300m-v2: OmniASRForConditionalGeneration (wav2vec2 encoder + Llama decoder) with the real
    language tokens (ids as the real ones), chat template and suppressed tokens, in the converted layout."""
    _seed(7)
    out.mkdir(parents=True, exist_ok=True)
    tokenizer = _omni_tokenizer(out, "left", TokenizersBackend)
    languages = ["<|lang:auto|>"] + [f"<|lang:{code.lower()}|>" for code in omni_languages()]
    tokenizer.add_special_tokens({"extra_special_tokens": OMNI_RESERVED + languages})
    text = REAL["hf-audio/omniasr-llm-300m-v2"]["text_config"].value
    config = OmniASRConfig(
        audio_config=OmniASRAudioConfig(**TINY_OMNI_AUDIO),
        text_config=LlamaConfig(vocab_size=text["vocab_size"], max_position_embeddings=text["max_position_embeddings"],
                                tie_word_embeddings=False, rms_norm_eps=1e-5, **TINY_OMNI_TEXT),
        bos_token_id=0, pad_token_id=1, eos_token_id=2, audio_token_id=OMNI_VOCAB_SIZE + 1,
    )
    assert config.text_config.vocab_size == OMNI_VOCAB_SIZE + len(OMNI_RESERVED) + len(languages)
    model = OmniASRForConditionalGeneration(config)
    model.generation_config.suppress_tokens = list(range(OMNI_VOCAB_SIZE, config.text_config.vocab_size))
    processor = OmniASRProcessor(feature_extractor=_omni_feature_extractor(), tokenizer=tokenizer,
                                 chat_template=OMNI_CHAT_TEMPLATE, conv_kernel=list(config.audio_config.conv_kernel),
                                 conv_stride=list(config.audio_config.conv_stride))
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
    "hf-audio/omniasr-ctc-300m-v2": build_omni_ctc,
    "hf-audio/omniasr-llm-300m-v2": build_omni_llm,
    **{f"facebook/mms-tts-{lang}": (lambda out, lang=lang: build_tts(out, lang)) for lang in TTS_VOICES},
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
