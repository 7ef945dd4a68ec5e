"""The Languages table: counts and sample rows against the shipped lists (read here straight from the .tsv
files, not through the app's catalogs), search by native and other names and by codes, macrolanguage links,
MMS-LID sizes without a list, and the /languages API."""

from __future__ import annotations

import csv

import pytest
from gradio_client import Client

from modules import language_table, languages
from modules.config import UserInputError
from modules.models import LID_MODELS, ModelCache, read_model_sources


def listed(filename: str, keep=lambda row: True) -> set[str]:
    with open(languages.DATA_DIR / filename, encoding="utf-8", newline="") as handle:
        return {languages.base_code(row["code"]) for row in csv.DictReader(handle, delimiter="\t") if keep(row)}


def test_counts_match_the_shipped_lists():
    counts = language_table.counts()
    assert counts["MMS-LID-126"] == len(listed("mms_lid126_langs.tsv")) == 126
    assert counts["MMS-LID-4017"] == len(listed("mms_lid4017_langs.tsv")) == 4018  # Meta says 4017; its table flags 4018
    assert counts["MMS (transcribe)"] == len(listed("mms_asr_1b_all_langs.tsv")) == 1159
    assert counts["MMS-TTS (speak)"] == len(listed("mms_tts_langs.tsv", lambda row: row["hf_model_id"]))
    seamless = lambda column: listed("seamless_m4t_v2_langs.tsv", lambda row: row[column] == "1")  # noqa: E731
    assert counts["SeamlessM4T v2 from speech"] == len(seamless("speech_in"))
    assert counts["Omnilingual ASR (transcribe)"] == len(listed("omnilingual_asr_langs.tsv")) == 1670
    mms_and_seamless = set().union(*(listed(name) for name in ("mms_lid126_langs.tsv", "mms_lid4017_langs.tsv",
                                   "mms_asr_1b_all_langs.tsv", "mms_tts_langs.tsv", "seamless_m4t_v2_langs.tsv")))
    every = mms_and_seamless | listed("omnilingual_asr_langs.tsv")
    assert counts["languages"] == len(language_table.table()) == len(every) == 4170
    # Languages only Omnilingual knows get their row: 139 that no MMS or Seamless model had.
    assert len(every - mms_and_seamless) == 139


def test_omnilingual_column_and_meta_figures_filter():
    """Each Omnilingual language shows Meta's published 7B LLM-ASR figures (from the .tsv, read here as text), and
    the table filters by them."""
    with open(languages.DATA_DIR / "omnilingual_asr_langs.tsv", encoding="utf-8", newline="") as handle:
        published = {r["code"]: float(r["cer_7b_llm"]) for r in csv.DictReader(handle, delimiter="\t") if r["cer_7b_llm"]}
    french = row("fra")
    assert french.omnilingual_cer == published["fra_Latn"] and "Omnilingual CTC 300M (fra_Latn)" in french.transcribe
    below = language_table.search("", [], None, max_cer=5.0)
    assert below and all(r.omnilingual_cer is not None and r.omnilingual_cer <= 5.0 for r in below)
    # A row counts Omnilingual's figure under whichever code it uses for the language (a macrolanguage row, "ara",
    # shows its member "arb_Arab"'s): the best published figure among them.
    expected = {r.code for r in language_table.table()
                if any(published.get(code, 999) <= 5.0 for code in languages.OMNILINGUAL.matching(r.code))}
    assert {r.code for r in below} == expected and "ara" in expected


def row(code: str) -> language_table.LanguageRow:
    return next(r for r in language_table.table() if r.code == code)


def test_sample_rows():
    english = row("eng")
    assert english.identify == ("MMS-LID-126", "MMS-LID-4017")
    assert english.transcribe == ("MMS (eng)", "Omnilingual CTC 300M (eng_Latn)", "Omnilingual LLM 300M (eng_Latn)",
                                  "SeamlessM4T v2 (eng)", "Wav2Vec2-BERT (eng)", "wav2vec2 base (eng)")
    assert english.speak == ("eng",) and english.translate == ("from speech", "to text", "to speech")
    # Persian under two codes: each row finds every model, whichever code the model uses.
    for code in ("fas", "pes"):
        persian = row(code)
        assert persian.transcribe == ("MMS (fas)", "Omnilingual CTC 300M (fas_Arab)", "Omnilingual LLM 300M (fas_Arab)",
                                      "SeamlessM4T v2 (pes)") and persian.speak == ("fas",)
        assert persian.translate == ("from speech", "to text", "to speech")
    assert row("pes").related == ("fas",) and "pes" in row("fas").related
    assert row("ara").transcribe == ("MMS (ara)", "Omnilingual CTC 300M (arb_Arab)", "Omnilingual LLM 300M (arb_Arab)",
                                     "SeamlessM4T v2 (arb)")
    # A language only MMS-LID-4017 knows (Meta's coverage table: Ghotuo, lid only).
    ghotuo = row("aaa")
    assert (ghotuo.name, ghotuo.identify, ghotuo.transcribe, ghotuo.speak, ghotuo.translate) == ("Ghotuo", ("MMS-LID-4017",), (), (), ())
    # Script variants are separate voices and adapters.
    assert len(row("cmn").transcribe[0].split(",")) >= 1 and row("cmn").transcribe[0].startswith("MMS (cmn-script_")


def test_search_by_any_name_or_code():
    assert [r.code for r in language_table.search("Farsi")] == ["fas", "pes"]  # Wiktionary's other name; no near misses
    assert "fas" in [r.code for r in language_table.search("فارسی")]  # the native name
    assert language_table.search("Deutsch")[0].code == "deu"
    assert language_table.search("fa")[0].code in ("fas", "pes")  # ISO 639-1 first
    assert language_table.search("fra")[0].code == "fra"  # ISO 639-3, exact first
    assert language_table.search("  persian ")[0].code == "fas"  # spaces and case don't matter
    assert language_table.search("zzzz-no-such-language") == []
    # Issue 22's spellings, each its language first.
    for typed, code in [("espanol", "spa"), ("francais", "fra"), ("romana", "ron"), ("limba română", "ron"),
                        ("हिंदी", "hin"), ("Chinese", "cmn"), ("English", "eng"), ("Hindi", "hin")]:
        assert language_table.search(typed)[0].code == code, typed


def test_filters_by_task():
    both = language_table.search("", ["speak", "transcribe"])
    assert both and all(r.speak and r.transcribe for r in both)
    assert len(both) < len(language_table.search("", ["transcribe"])) and len(both) <= len(language_table.search("", ["speak"]))
    with pytest.raises(UserInputError, match="Unknown task 'fly'"):
        language_table.search("", ["fly"])


def test_an_mms_lid_size_without_a_list_is_known_once_loaded(override_map):
    lid_126_dir = read_model_sources(str(override_map)).paths[LID_MODELS[0]]
    cache = ModelCache({LID_MODELS[1]: lid_126_dir})  # mms-lid-256, played by the tiny 126 checkpoint
    assert language_table.unknown_lid(cache) == ["MMS-LID-256", "MMS-LID-512", "MMS-LID-1024", "MMS-LID-2048"]
    assert "MMS-LID-256" not in row("eng").identify
    labels = set(cache.get(LID_MODELS[1], "identify").model.config.id2label.values())
    assert language_table.unknown_lid(cache) == ["MMS-LID-512", "MMS-LID-1024", "MMS-LID-2048"]
    rows = {r.code: r for r in language_table.table(cache)}
    assert {code for code, r in rows.items() if "MMS-LID-256" in r.identify} >= labels


def test_the_languages_api(app_url):
    client = Client(app_url, verbose=False)
    found = client.predict("Farsi", "all", api_name="/languages")
    assert [r["code"] for r in found] == ["fas", "pes"]
    assert found[1]["transcribe"] == ["MMS (fas)", "Omnilingual CTC 300M (fas_Arab)", "Omnilingual LLM 300M (fas_Arab)",
                                      "SeamlessM4T v2 (pes)"] and found[1]["related"] == ["fas"]
    assert found[1]["omnilingual_cer"] == 3.4 and found[1]["omnilingual_hours"] == 214.7
    # max_cer, new and last: only languages whose published figure is at most that.
    good = client.predict("", "all", 1.0, api_name="/languages")
    assert good and all(r["omnilingual_cer"] <= 1.0 for r in good)
    both = client.predict("", "speak, transcribe", api_name="/languages")
    assert len(both) == len(language_table.search("", ["speak", "transcribe"]))
    assert len(client.predict(api_name="/languages")) == language_table.counts()["languages"]  # the defaults: all
    with pytest.raises(Exception, match="Unknown task 'fly'"):
        client.predict("", "fly", api_name="/languages")
