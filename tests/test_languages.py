"""Catalogs against the reference lists in ../shared/reference (and the copies the app ships)."""

import csv
from pathlib import Path

import pytest

from modules import languages

SHIPPED = Path(languages.DATA_DIR)
REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference"


def rows(filename):
    with open(SHIPPED / filename, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


# Tables made here from other sources (provenance in modules/data/README.md), checked below by their own tests.
MADE_HERE = {"mms_text_normalisation.tsv", "omnilingual_asr_langs.tsv"}


@pytest.mark.skipif(not REFERENCE.is_dir(), reason="../shared/reference is not beside this checkout")
@pytest.mark.parametrize("filename", sorted(p.name for p in SHIPPED.glob("*.tsv") if p.name not in MADE_HERE))
def test_shipped_tables_are_the_reference_tables(filename):
    assert (SHIPPED / filename).read_bytes() == (REFERENCE / filename).read_bytes()


@pytest.mark.skipif(not REFERENCE.is_dir(), reason="../shared/reference is not beside this checkout")
def test_omnilingual_figures_are_metas():
    """Every row of Meta's published 7B LLM-ASR table is in the shipped table, with its very figures."""
    with open(REFERENCE / "omnilingual" / "per_language_results_table_7B_llm_asr.csv", encoding="utf-8") as handle:
        published = {row["Language"]: (row["Training Hours"], row["CER"]) for row in csv.DictReader(handle)}
    shipped = {row["code"]: (row["training_hours"], row["cer_7b_llm"]) for row in rows("omnilingual_asr_langs.tsv")}
    assert len(published) == 1683 and all(shipped[code] == figures for code, figures in published.items())
    assert len(shipped) == 1693 and sum(1 for figures in shipped.values() if figures == ("", "")) == 10


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
    assert ("French (fra) — Modern French, français", "fra") in languages.MMS_TTS.choices()


def test_script_and_dialect_ids_are_kept_verbatim_and_named():
    codes = languages.MMS_ASR.codes
    assert "azj-script_latin" in codes
    assert "cmn-script_simplified" in codes
    assert languages.MMS_TTS.find("azj-script_latin").label == "North Azerbaijani, Latin script (azj-script_latin)"
    assert languages.MMS_ASR.find("urd-script_devanagari").name == "Urdu, Devanagari script"
    assert languages.MMS_ASR.find("cak-dialect_central").name == "Kaqchikel, Central dialect"
    for catalog in (languages.MMS_ASR, languages.MMS_TTS, languages.SEAMLESS_TEXT_OUT):
        names = [language.name for language in catalog]
        assert len(set(names)) == len(names), "every variant has a name of its own"
    assert languages.SEAMLESS_TEXT_OUT.find("cmn_Hant").name == "Mandarin Chinese, Traditional script"
    assert languages.SEAMLESS_TEXT_OUT.find("cmn").name == "Mandarin Chinese"


def test_one_language_has_one_name_in_every_tab():
    catalogs = [languages.MMS_ASR, languages.MMS_TTS, languages.MMS_LID_126, languages.SEAMLESS_TEXT_OUT,
                languages.SEAMLESS_SPEECH_IN, languages.MMS_LID_4017]
    names = {}
    for catalog in catalogs:
        for language in catalog:
            assert names.setdefault(language.code, language.name) == language.name, language.code
    assert names["sun"] == "Sundanese" and names["ina"] == "Interlingua" and names["tgl"] == "Tagalog"


def test_other_names_and_native_names_are_searchable():
    label = dict((code, label) for label, code in languages.SEAMLESS_TEXT_OUT.choices())
    assert "Farsi" in label["pes"] and "فارسی" in label["pes"]
    assert "Putonghua" in label["cmn"] and "中文" in label["cmn"]
    assert "Deutsch" in label["deu"] and "español" in label["spa"]


@pytest.mark.parametrize(
    "member, macro",
    [("pes", "fas"), ("arb", "ara"), ("cmn", "zho"), ("zsm", "msa"), ("uzn", "uzb"), ("khk", "mon"), ("lvs", "lav"),
     ("gaz", "orm")],
)
def test_macrolanguages_link_their_members(member, macro):
    assert languages.macrolanguage(member) == macro
    assert member in languages.same_language(macro) and macro in languages.same_language(member)


def test_support_finds_a_language_under_the_code_each_model_uses():
    # Identify (MMS-LID-126) says "fas"; Seamless calls Persian "pes": it can be translated.
    assert "fas" in languages.MMS_LID_126.codes and "fas" not in languages.SEAMLESS_TEXT_OUT.codes
    persian = languages.support("fas")
    assert persian.translate_to_text and persian.translate_to_speech and persian.translate_from_speech
    assert languages.support("pes").translate_to_text
    assert languages.SEAMLESS_TEXT_OUT.matching("fas") == ["pes"]
    assert languages.MMS_ASR.matching("cmn") == ["cmn-script_simplified"]


def test_names_fall_back_to_the_shipped_lists_then_pycountry_then_the_code():
    assert languages.language_name("aae") == "Arbëreshë Albanian"  # langcodes (IANA registry)
    listed = languages._listed_names()
    assert languages.language_name("qqq") == "qqq"
    unnamed = next(code for code in listed if languages.langcodes.Language.get(code).display_name().startswith("Unknown"))
    assert languages.language_name(unnamed) == listed[unnamed]


# Issue 22: what first-time visitors type, and the language they mean, in each model's own list.
FIRST_TRY = [
    ("English", "eng", "eng", "eng"), ("Hindi", "hin", "hin", "hin"), ("espanol", "spa", "spa", "spa"),
    ("हिंदी", "hin", "hin", "hin"), ("francais", "fra", "fra", "fra"), ("romana", "ron", "ron", "ron"),
    ("limba română", "ron", "ron", "ron"), ("farsi", "fas", "fas", "pes"), ("Malay", "zlm", "zlm", None),
    ("mandarin", "cmn-script_simplified", None, "cmn"), ("Chinese", "cmn-script_simplified", "nan", "cmn"),
    ("Arabic", "ara", "ara", "arb"), ("ENGLISH", "eng", "eng", "eng"), ("  Español ", "spa", "spa", "spa"),
    ("himdi", "hin", "hin", "hin"),  # a misspelling, found as a near miss
]


@pytest.mark.parametrize("typed, asr, tts, text_out", FIRST_TRY)
def test_the_language_a_person_types_is_ranked_first(typed, asr, tts, text_out):
    for catalog, expected in ((languages.MMS_ASR, asr), (languages.MMS_TTS, tts), (languages.SEAMLESS_TEXT_OUT, text_out)):
        found = catalog.search(typed, 1)
        if expected is not None:
            assert [language.code for language in found] == [expected], (typed, catalog)


def test_ranking_exact_before_starting_before_containing_then_speakers():
    # "English" itself, not Belize Kriol English; "Hindi" before Dogri ("— Hindi Dogri"); Achinese is not Chinese.
    found = [language.code for language in languages.MMS_TTS.search("English")]
    assert found[0] == "eng" and "bzj" in found
    assert found.index("eng") < found.index("bzj")
    hindi = [language.code for language in languages.MMS_TTS.search("Hindi")]
    assert hindi.index("hin") < hindi.index("dgo")
    # Macrolanguage names count after the language's own: "Malay" is Malay before Central Malay.
    malay = [language.code for language in languages.MMS_ASR.search("Malay")]
    assert malay.index("zlm") < malay.index("pse")
    # Near misses only where nothing matches as typed: "farsi" is not also Arosi.
    assert [language.code for language in languages.MMS_TTS.search("farsi")] == ["fas"]
    assert languages.MMS_TTS.search("zzqqxx") == []


def test_folding_is_anyascii_and_unicode_normalisation():
    assert languages.fold("Español") == "espanol"
    assert languages.fold("limba  ROMÂNĂ!") == "limba romana"
    assert languages.fold("हिन्दी") == "hindi"
    assert languages.fold("ｆｒａｎçａｉｓ") == "francais"  # full-width letters (NFKC)
    assert languages.fold("中文") == "zhongwen"


def test_speakers_follow_cldr_and_its_macrolanguage_where_cldr_counts_only_that():
    import langcodes

    assert languages.speakers("eng") == langcodes.Language.get("en").speaking_population() > 10**9
    assert languages.speakers("cmn") == langcodes.Language.get("zh").speaking_population()  # CLDR: cmn is zh
    assert languages.speakers("bzj") < languages.speakers("eng")
