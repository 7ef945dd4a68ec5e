"""The tiny fixtures hold what the real repositories hold (tests/tiny_models.py REAL, with sources):
file names, file sizes where the real size is known, config fields, special tokens, vocabularies."""

import json
from pathlib import Path

import pytest
import sentencepiece
from transformers import AutoConfig, GenerationConfig

from modules.models import read_model_sources
from tests.tiny_models import REAL_ALPHABET_LANGUAGES, real_alphabet, LID126_CODES, REAL, TTS_VOICES, UNVERIFIED, symbols


@pytest.fixture(scope="module")
def repo(override_map):
    paths = read_model_sources(str(override_map)).paths
    return lambda model_id: Path(paths[model_id])


def files(directory: Path) -> set[str]:
    return {path.name for path in directory.iterdir()}


def test_every_fact_names_its_source_and_the_gaps_are_listed():
    for repo_id, facts in REAL.items():
        for name, fact in facts.items():
            assert len(fact.source) > 20, (repo_id, name)
    assert len(UNVERIFIED) >= 5


@pytest.mark.parametrize(
    "model_id",
    ["facebook/mms-lid-126", "facebook/wav2vec2-base-960h", "facebook/mms-tts-eng", "facebook/seamless-m4t-v2-large"],
)
def test_file_names_are_the_real_repos(repo, model_id):
    assert files(repo(model_id)) == set(REAL[model_id]["files"].value)


def test_mms_1b_all_files_and_adapters(repo):
    directory = repo("facebook/mms-1b-all")
    real = set(REAL["facebook/mms-1b-all"]["files"].value) - {"adapter.<lang>.safetensors"}
    vocab = json.loads((directory / "vocab.json").read_text(encoding="utf-8"))
    assert files(directory) == real | {f"adapter.{lang}.safetensors" for lang in vocab}
    assert {"cmn-script_simplified", "azj-script_latin", "eng"} <= set(vocab)
    for language, tokens in vocab.items():
        ordered = [token for token, i in sorted(tokens.items(), key=lambda item: item[1])]
        assert ordered[:4] == ["<pad>", "<s>", "</s>", "<unk>"] and "|" in ordered
        if language in REAL_ALPHABET_LANGUAGES:  # the real alphabets: their symbols in file order, '|' where it is
            assert ordered[4:] == real_alphabet(language)
    assert vocab["hau"]["|"] == 5 and vocab["ces"]["|"] == 4
    config = json.loads((directory / "tokenizer_config.json").read_text())
    assert config == REAL["facebook/mms-1b-all"]["tokenizer_config.json"].value


# Sizes in bytes of real files the fixtures copy verbatim (sources in REAL and in shared/reference).
REAL_SIZES = {
    ("facebook/mms-tts-eng", "vocab.json"): 413,
    ("facebook/mms-tts-eng", "tokenizer_config.json"): 287,
    ("facebook/mms-tts-eng", "special_tokens_map.json"): 47,
    ("facebook/mms-tts-ron", "vocab.json"): 374,
    ("facebook/mms-tts-ron", "tokenizer_config.json"): 287,
    ("facebook/mms-tts-ron", "special_tokens_map.json"): 47,
    ("facebook/mms-tts-kor", "vocab.json"): 268,
    ("facebook/mms-tts-kor", "tokenizer_config.json"): 286,
    ("facebook/mms-lid-126", "preprocessor_config.json"): 212,
    ("facebook/mms-lid-126", "langs.txt"): 756,
    ("facebook/mms-1b-all", "tokenizer_config.json"): 397,
    ("hf-audio/wav2vec2-bert-CV16-en", "vocab.json"): 369,
    ("hf-audio/wav2vec2-bert-CV16-en", "special_tokens_map.json"): 544,
}


@pytest.mark.parametrize("model_id, name", list(REAL_SIZES))
def test_copied_files_have_the_real_size(repo, model_id, name):
    assert (repo(model_id) / name).stat().st_size == REAL_SIZES[(model_id, name)]


def test_lid_config_labels_and_weights(repo):
    directory = repo("facebook/mms-lid-126")
    config = AutoConfig.from_pretrained(directory)
    for field, value in REAL["facebook/mms-lid-126"]["config"].value.items():
        assert getattr(config, field) == value, field
    assert [config.id2label[i] for i in range(126)] == LID126_CODES
    assert (directory / "langs.txt").read_text().splitlines() == [f"- {code}" for code in LID126_CODES]
    assert {"model.safetensors", "pytorch_model.bin"} <= files(directory)


@pytest.mark.parametrize("voice", TTS_VOICES)
def test_tts_vocabulary_pad_and_unk_follow_the_conversion_script(repo, voice):
    directory = repo(f"facebook/mms-tts-{voice}")
    real_symbols = symbols(f"facebook/mms-tts-{voice}")
    vocab = json.loads((directory / "vocab.json").read_text(encoding="utf-8"))
    assert sorted(vocab, key=vocab.get) == real_symbols
    tokenizer_config = json.loads((directory / "tokenizer_config.json").read_text(encoding="utf-8"))
    assert tokenizer_config["pad_token"] == real_symbols[0]  # the first symbol, doubling as the blank
    assert json.loads((directory / "special_tokens_map.json").read_text(encoding="utf-8")) == {
        "pad_token": real_symbols[0], "unk_token": "<unk>"
    }
    assert "<unk>" not in vocab and AutoConfig.from_pretrained(directory).vocab_size == len(real_symbols)


def test_romanian_alphabet_is_the_real_mixed_one(repo):
    vocab = json.loads((repo("facebook/mms-tts-ron") / "vocab.json").read_text(encoding="utf-8"))
    assert "\u0219" in vocab and "\u0163" in vocab  # ș comma below, ţ cedilla
    assert "\u015f" not in vocab and "\u021b" not in vocab  # ş cedilla, ț comma below


def test_seamless_tokenizer_generation_and_vocoder(repo):
    directory = repo("facebook/seamless-m4t-v2-large")
    spm = sentencepiece.SentencePieceProcessor(model_file=str(directory / "sentencepiece.bpe.model"))
    assert (spm.unk_id(), spm.bos_id(), spm.eos_id(), spm.pad_id()) == (0, 1, 2, -1)
    assert (directory / "tokenizer.model").read_bytes() == (directory / "sentencepiece.bpe.model").read_bytes()
    added = json.loads((directory / "added_tokens.json").read_text())
    assert min(added.values()) == spm.get_piece_size() + 1  # language tokens right after the pieces (+ <pad>)
    assert sorted(added, key=added.get) == sorted(added)  # in the conversion script's (alphabetical) order
    config = AutoConfig.from_pretrained(directory)
    assert config.vocoder_num_spkrs == 200 and config.max_new_tokens == 256
    generation = GenerationConfig.from_pretrained(directory)
    assert generation.max_new_tokens == 256
    assert generation.text_decoder_lang_to_code_id == {token.strip("_"): i for token, i in added.items()}
    index = json.loads((directory / "model.safetensors.index.json").read_text())
    assert set(index["weight_map"].values()) == {"model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"}
