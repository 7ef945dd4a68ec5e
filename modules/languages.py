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

import pycountry

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


def _catalog(rows: list[dict[str, str]]) -> list[Language]:
    languages = [Language(row["code"], language_name(row["code"], row["name"] or None)) for row in rows]
    return sorted(languages, key=lambda language: (language.name.lower(), language.code))


def _seamless(column: str, hf_column: str | None) -> list[Language]:
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


def choices(catalog: list[Language]) -> list[tuple[str, str]]:
    """(label, code) pairs for a dropdown."""
    return [(language.label, language.code) for language in catalog]


def codes(catalog: list[Language]) -> set[str]:
    return {language.code for language in catalog}


def find(catalog: list[Language], code: str) -> Language | None:
    return next((language for language in catalog if language.code == code), None)


@dataclass(frozen=True)
class Support:
    """What the app can do with one ISO 639-3 language (any script/dialect variant counts)."""

    transcribe: list[str]  # MMS ASR ids
    speak: list[str]  # MMS-TTS ids
    translate_from_speech: bool
    translate_to_text: bool
    translate_to_speech: bool


def base_code(code: str) -> str:
    return code.split("-")[0]


def support(code: str) -> Support:
    base = base_code(code)
    return Support(
        transcribe=[c.code for c in MMS_ASR if base_code(c.code) == base],
        speak=[c.code for c in MMS_TTS if base_code(c.code) == base],
        translate_from_speech=base in codes(SEAMLESS_SPEECH_IN),
        translate_to_text=base in codes(SEAMLESS_TEXT_OUT),
        translate_to_speech=base in codes(SEAMLESS_SPEECH_OUT),
    )
