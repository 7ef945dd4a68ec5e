"""Which language each model family speaks, with human names.

Built from the official lists shipped in modules/data/ (provenance in modules/data/README.md).
Codes are the models' own ids: ISO 639-3, sometimes with a suffix
(`azj-script_latin`, `cac-dialect_sanmateoixtatan`) that the model needs verbatim.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from pathlib import Path

import langcodes
import pycountry
from langcodes.data_dicts import MACROLANGUAGES

DATA_DIR = Path(__file__).parent / "data"


@dataclass(frozen=True)
class Language:
    code: str
    name: str

    @property
    def label(self) -> str:
        """What dropdowns show and search: "French (fra)"."""
        return f"{self.name} ({self.code})"


def _read_tsv(filename: str) -> list[dict[str, str]]:
    with open(DATA_DIR / filename, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


@functools.lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    """code -> name from the shipped lists; later lists win for the codes they share."""
    names = {}
    for filename in ("mms_language_coverage.tsv", "mms_asr_1b_all_langs.tsv", "seamless_m4t_v2_langs.tsv"):
        for row in _read_tsv(filename):
            if row["name"]:
                names[row["code"]] = row["name"]
    return names


def language_name(code: str, listed_name: str | None = None) -> str:
    """Human name of a model language id; a `-script_latin` / `-dialect_x` suffix is named too,
    so that variants of one language are told apart ("Urdu, Latin script")."""
    base, _, suffix = code.partition("-")
    names = _names()
    name = listed_name or names.get(code) or names.get(base)
    if name is None:
        record = pycountry.languages.get(alpha_3=base)
        name = record.name if record else code
    if suffix:
        kind, _, value = suffix.partition("_")
        name = f"{name}, {value.capitalize()} {kind}" if value else f"{name}, {suffix}"
    return name


class Catalog:
    """The languages of one model family (or modality), sorted by name, with fast lookups."""

    def __init__(self, languages: list[Language]):
        self.languages = tuple(sorted(languages, key=lambda language: (language.name.lower(), language.code)))
        self.codes = frozenset(language.code for language in self.languages)
        self._by_code = {language.code: language for language in self.languages}
        self._by_base: dict[str, list[str]] = {}
        for code in sorted(self.codes):
            self._by_base.setdefault(base_code(code), []).append(code)

    def __iter__(self):
        return iter(self.languages)

    def __len__(self) -> int:
        return len(self.languages)

    def __getitem__(self, index: int) -> Language:
        return self.languages[index]

    def choices(self) -> list[tuple[str, str]]:
        """(label, code) pairs for a dropdown."""
        return [(language.label, language.code) for language in self.languages]

    def find(self, code: str) -> Language | None:
        return self._by_code.get(code)

    def variants(self, code: str) -> list[str]:
        """Ids sharing the ISO base code of `code` (cmn -> [cmn-script_simplified]), sorted."""
        return self._by_base.get(base_code(code), [])


def base_code(code: str) -> str:
    return code.split("-")[0]


@functools.lru_cache(maxsize=None)
def short_tag(code: str) -> str:
    """The shortest standard tag of a model language id: "fra" -> "fr", "azj-script_latin" -> "azj"."""
    return langcodes.standardize_tag(base_code(code))


@functools.lru_cache(maxsize=None)
def macrolanguage(code: str) -> str | None:
    """The ISO 639-3 macrolanguage an individual language belongs to ("pes" -> "fas", "arb" -> "ara",
    "cmn" -> "zho"), or None. Data: ISO 639-3 macrolanguage mappings as carried by langcodes."""
    macro = MACROLANGUAGES.get(base_code(code))
    return langcodes.Language.get(macro).to_alpha3() if macro else None


def _catalog(rows: list[dict[str, str]]) -> Catalog:
    return Catalog([Language(row["code"], language_name(row["code"], row["name"] or None)) for row in rows])


def _seamless(column: str, hf_column: str | None) -> Catalog:
    """Seamless languages of one modality that the Hugging Face conversion can actually serve."""
    rows = _read_tsv("seamless_m4t_v2_langs.tsv")
    return _catalog([r for r in rows if r[column] == "1" and (hf_column is None or r[hf_column] == "1")])


MMS_ASR = _catalog(_read_tsv("mms_asr_1b_all_langs.tsv"))
# Six TTS ids carry accented letters, which are not valid Hub repo names: their checkpoints can't be named.
MMS_TTS = _catalog([r for r in _read_tsv("mms_tts_langs.tsv") if r["hf_model_id"]])
MMS_LID_126 = _catalog(_read_tsv("mms_lid126_langs.tsv"))
MMS_LID_4017 = _catalog(_read_tsv("mms_lid4017_langs.tsv"))
# Speech input needs no language token (Seamless has no speech LID, none is needed to encode).
SEAMLESS_SPEECH_IN = _seamless("speech_in", None)
SEAMLESS_TEXT_IN = _seamless("text_in", "hf_text_lang_token")
SEAMLESS_TEXT_OUT = _seamless("text_out", "hf_text_lang_token")
SEAMLESS_SPEECH_OUT = _seamless("speech_out", "hf_vocoder_lang")


@dataclass(frozen=True)
class Support:
    """What the app can do with one ISO 639-3 language (any script/dialect variant counts)."""

    transcribe: list[str]  # MMS ASR ids
    speak: list[str]  # MMS-TTS ids
    translate_from_speech: bool
    translate_to_text: bool
    translate_to_speech: bool


def support(code: str) -> Support:
    base = base_code(code)
    return Support(
        transcribe=MMS_ASR.variants(base),
        speak=MMS_TTS.variants(base),
        translate_from_speech=base in SEAMLESS_SPEECH_IN.codes,
        translate_to_text=base in SEAMLESS_TEXT_OUT.codes,
        translate_to_speech=base in SEAMLESS_SPEECH_OUT.codes,
    )
