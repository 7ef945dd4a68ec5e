"""Catalogs against the reference lists in ../shared/reference (and the copies the app ships)."""

import csv
from pathlib import Path

import pycountry
import pytest

from modules import languages

SHIPPED = Path(languages.DATA_DIR)
REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference"


def rows(filename):
    with open(SHIPPED / filename, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


@pytest.mark.skipif(not REFERENCE.is_dir(), reason="../shared/reference is not beside this checkout")
@pytest.mark.parametrize("filename", sorted(p.name for p in SHIPPED.glob("*.tsv")))
def test_shipped_tables_are_the_reference_tables(filename):
    assert (SHIPPED / filename).read_bytes() == (REFERENCE / filename).read_bytes()


def test_catalog_sizes_match_the_reference_lists():
    assert len(languages.MMS_ASR) == 1198
    assert len({language.code.split("-")[0] for language in languages.MMS_ASR}) == 1159
    # 1143 TTS ids, of which 6 with accented letters have no valid Hub repo name.
    assert len(rows("mms_tts_langs.tsv")) == 1143
    assert len(languages.MMS_TTS) == 1137
    assert len(languages.MMS_LID_126) == 126
    assert len(languages.MMS_LID_4017) == 4018
    assert len(languages.SEAMLESS_SPEECH_IN) == 103


def test_seamless_modalities_follow_the_table_and_the_hf_token_maps():
    table = rows("seamless_m4t_v2_langs.tsv")
    text_out = {r["code"] for r in table if r["text_out"] == "1" and r["hf_text_lang_token"] == "1"}
    speech_out = {r["code"] for r in table if r["speech_out"] == "1" and r["hf_vocoder_lang"] == "1"}
    assert languages.SEAMLESS_TEXT_OUT.codes == text_out
    assert languages.SEAMLESS_SPEECH_OUT.codes == speech_out
    assert len(speech_out) == 36
    assert {"eng", "fra", "cmn", "arb"} <= speech_out
    assert "afr" not in speech_out and "afr" in text_out
    # Languages without a text token in the HF conversion can't be asked for.
    assert "zsm" not in languages.SEAMLESS_TEXT_OUT.codes


def test_labels_are_name_then_code_and_sorted_by_name():
    french = languages.MMS_ASR.find("fra")
    assert french.label == "French (fra)"
    names = [language.name.lower() for language in languages.MMS_TTS]
    assert names == sorted(names)
    assert ("French (fra)", "fra") in languages.MMS_TTS.choices()


def test_script_and_dialect_ids_are_kept_verbatim_and_named():
    codes = languages.MMS_ASR.codes
    assert "azj-script_latin" in codes
    assert "cmn-script_simplified" in codes
    assert languages.MMS_TTS.find("azj-script_latin").label == (
        "Azerbaijani, North, Latin script (azj-script_latin)"
    )
    assert languages.MMS_ASR.find("urd-script_devanagari").name == "Urdu, Devanagari script"
    assert languages.MMS_ASR.find("cak-dialect_central").name == "Kaqchikel, Central dialect"
    labels = [language.label for language in languages.MMS_ASR]
    names = [language.name for language in languages.MMS_ASR]
    assert len(set(labels)) == len(labels)
    assert len(set(names)) == len(names), "every variant has a name of its own"


def test_names_fall_back_to_pycountry_then_to_the_code():
    known = languages._names()
    missing = next(lang.alpha_3 for lang in pycountry.languages if lang.alpha_3 not in known)
    assert languages.language_name(missing) == pycountry.languages.get(alpha_3=missing).name
    assert languages.language_name("qqq") == "qqq"
