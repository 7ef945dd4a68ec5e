"""Which language each model family speaks, with one human name per language, searchable by any name.

Built from the official lists shipped in modules/data/ (provenance in modules/data/README.md).
Codes are the models' own ids: ISO 639-3, sometimes with a suffix (`azj-script_latin`,
`cac-dialect_sanmateoixtatan`, Seamless's `cmn_Hant`) that the model needs verbatim.

Names and search data come from maintained libraries, not hand lists: langcodes (CLDR and IANA
names, native names, ISO 639-3 macrolanguages) and language_data's table of Wiktionary's
language names (other names people use: "Farsi" for Persian, "Putonghua" for Mandarin).
"""

from __future__ import annotations

import csv
import functools
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import langcodes
import language_data
import pycountry
from anyascii import anyascii
from langcodes.data_dicts import MACROLANGUAGES, NORMALIZED_MACROLANGUAGES
from rapidfuzz import fuzz, process

DATA_DIR = Path(__file__).parent / "data"
# How many other names a dropdown label carries, so people find a language by the name they know.
ALIASES_SHOWN = 3


@dataclass(frozen=True)
class Language:
    code: str
    name: str

    @property
    def label(self) -> str:
        """How the language is named in text: "French (fra)"."""
        return f"{self.name} ({self.code})"

    @property
    def search_label(self) -> str:
        """What dropdowns show and the browser filters on: the label, then other names people use and
        the native name: "Iranian Persian (pes) — Persian, Farsi, New Persian, فارسی"."""
        aliases = other_names(self.code, self.name)
        return f"{self.label} — {', '.join(aliases)}" if aliases else self.label


def _read_tsv(filename: str) -> list[dict[str, str]]:
    with open(DATA_DIR / filename, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


@functools.lru_cache(maxsize=1)
def _listed_names() -> dict[str, str]:
    """code -> name from the shipped lists, for codes the libraries don't name; later lists win."""
    names = {}
    for filename in ("mms_language_coverage.tsv", "mms_asr_1b_all_langs.tsv", "seamless_m4t_v2_langs.tsv"):
        for row in _read_tsv(filename):
            if row["name"]:
                names[row["code"]] = row["name"]
    return names


@functools.lru_cache(maxsize=1)
def _wiktionary_names() -> dict[str, list[str]]:
    """language tag -> [canonical name, other names, most common first], from language_data's copy of
    Wiktionary's language-code table (data/wiktionary/codes-en.csv: code, name, family, scripts, other names)."""
    path = Path(language_data.__file__).parent / "data" / "wiktionary" / "codes-en.csv"
    names = {}
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle, delimiter="\t"):
            if len(row) >= 5:
                names[row[0]] = [row[1], *(name.strip() for name in row[4].split(",") if name.strip())]
    return names


def base_code(code: str) -> str:
    """The ISO 639-3 part of a model id: "azj-script_latin" -> "azj", "cmn_Hant" -> "cmn"."""
    return re.split(r"[-_]", code, maxsplit=1)[0]


# Seamless marks a script with an ISO 15924 suffix ("cmn_Hant"); MMS spells it out ("-script_latin").
_SCRIPT_NAMES = {"Hant": "Traditional", "Hans": "Simplified"}


@functools.lru_cache(maxsize=None)
def language_name(code: str) -> str:
    """The one human name of a model language id, the same in every tab; a script or dialect suffix is
    named too, so variants are told apart ("Urdu, Latin script", "Mandarin Chinese, Traditional script")."""
    base = base_code(code)
    language = langcodes.Language.get(base)
    # langcodes follows CLDR's replacements (tgl -> fil, "Filipino"): only a name of this very code will do.
    name = language.display_name() if language.to_alpha3() == base else "Unknown language"
    name = re.sub(r" \((individual language|macrolanguage)\)$", "", name)
    if name.startswith("Unknown language"):
        listed = _listed_names()
        name = listed.get(code) or listed.get(base)
        if name is None:
            record = pycountry.languages.get(alpha_3=base)
            name = record.name if record else code
    suffix = code[len(base) + 1 :]
    if suffix.startswith(("script_", "dialect_")):
        kind, _, value = suffix.partition("_")
        return f"{name}, {value.capitalize()} {kind}"
    # A language's usual script (CLDR's likely subtags) goes unsaid: Omnilingual names every language with its
    # script ("fra_Latn"), and "French, Latin script" would only be noise; another script is named ("Serbian,
    # Latin script" beside Cyrillic Serbian).
    if suffix and suffix != langcodes.Language.get(base).maximize().script:
        script = _SCRIPT_NAMES.get(suffix) or langcodes.Language.get(f"und-{suffix}").script_name()
        return f"{name}, {script} script"
    return name


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


@functools.lru_cache(maxsize=1)
def _members() -> dict[str, list[str]]:
    """ISO 639-3 macrolanguage -> its member languages (ISO 639-3)."""
    members = defaultdict(list)
    for member, macro in MACROLANGUAGES.items():
        members[langcodes.Language.get(macro).to_alpha3()].append(langcodes.Language.get(member).to_alpha3())
    return dict(members)


def same_language(code: str) -> list[str]:
    """ISO 639-3 codes that models may use for this language, nearest first: the code; for a member, its
    macrolanguage (pes -> fas), never its siblings (Mandarin is not Hakka); for a macrolanguage, its members,
    the one CLDR treats as the same language first (fas -> pes, then prs …)."""
    base = base_code(code)
    members = sorted(
        _members().get(base, []),
        key=lambda member: NORMALIZED_MACROLANGUAGES.get(short_tag(member)) != short_tag(base),
    )
    return list(dict.fromkeys([base, *filter(None, [macrolanguage(base)]), *members]))


@functools.lru_cache(maxsize=None)
def other_names(code: str, name: str | None = None) -> tuple[str, ...]:
    """Other names people search for: the macrolanguage's name, Wiktionary's other names (most common
    first), and the native name; none repeating `name`."""
    name = name or language_name(code)
    base = base_code(code)
    tags = [short_tag(base)]
    macro = macrolanguage(base)
    found = []
    if macro:
        tags.append(short_tag(macro))
        found.append(language_name(macro))
    wiktionary = _wiktionary_names()
    for tag in tags:
        found += wiktionary.get(tag, [])[:ALIASES_SHOWN]
    shown = [alias for alias in dict.fromkeys(found) if alias.casefold() not in name.casefold()][:ALIASES_SHOWN]
    native = langcodes.Language.get(base).autonym()
    if native.casefold() not in name.casefold() and not native.startswith("Unknown") and native not in shown:
        shown.append(native)
    return tuple(shown)


# How a typed text matches a language, best first (search below).
EXACT, STARTS, CONTAINS, NEAR = range(4)
# rapidfuzz's WRatio (0-100) from which a misspelling counts as a near miss ("himdi" for "hindi" is 80).
NEAR_SCORE = 80


def fold(text: str) -> str:
    """A name as searches compare it: Unicode-normalised, transliterated to ASCII by anyascii, lower case, words
    of letters and digits only ("Español" -> "espanol", "limba română" -> "limba romana", "中文" -> "zhongwen")."""
    return " ".join(re.findall(r"[0-9a-z]+", anyascii(unicodedata.normalize("NFKC", text)).lower()))


@functools.lru_cache(maxsize=None)
def search_names(code: str) -> tuple[tuple[str, ...], ...]:
    """Every name a person may type for a language, folded, nearest first: its own (the model id, ISO 639-3, the
    shortest tag, its name, Wiktionary's other names, the native name); its macrolanguage's where CLDR treats
    the language as that macrolanguage ("Chinese" is Mandarin, "Persian" Iranian Persian); any other
    macrolanguage's ("Malay" is Malay before Central Malay, though both belong to Malay)."""
    base = base_code(code)
    wiktionary = _wiktionary_names()
    own = [code, base, short_tag(code), language_name(code), language_name(base), *wiktionary.get(short_tag(base), []),
           langcodes.Language.get(base).autonym()]
    same, related = [], []
    if macro := macrolanguage(base):
        names = [macro, language_name(macro), *wiktionary.get(short_tag(macro), [])]
        if short_tag(base) in NORMALIZED_MACROLANGUAGES:
            same = names
        else:
            related = names
    groups, seen = [], set()
    for group in (own, same, related):
        folded = [name for name in dict.fromkeys(filter(None, map(fold, group))) if name not in seen]
        seen.update(folded)
        groups.append(tuple(folded))
    return tuple(groups)


@functools.lru_cache(maxsize=None)
def speakers(code: str) -> int:
    """How many people speak the language (CLDR's figures, via langcodes). Where CLDR counts only the
    macrolanguage and treats this member as it (Mandarin for Chinese, Standard Arabic for Arabic), the member
    gets the whole's figure, so it isn't ranked as if unspoken."""
    tag = short_tag(code)
    return langcodes.Language.get(NORMALIZED_MACROLANGUAGES.get(tag, tag)).speaking_population()


def _match(names: tuple[str, ...], query: str) -> tuple[int, float] | None:
    if query in names:
        return EXACT, 100.0
    if any(name.startswith(query) for name in names):
        return STARTS, 100.0
    if any(query in name for name in names):
        return CONTAINS, 100.0
    # Near misses score whole words (rapidfuzz's token set ratio), so a name inside the query counts
    # ("limba romana" finds Romanian) but a fragment inside a word does not ("mandarin" is not Dari).
    best = process.extractOne(query, [name for name in names if len(name) >= 3], scorer=fuzz.token_set_ratio,
                              score_cutoff=NEAR_SCORE)
    return (NEAR, best[1]) if best else None


def match(code: str, query: str) -> tuple | None:
    """How well the folded `query` names the language, as a sort key (smaller is better), or None: the kind
    of match (EXACT, STARTS, CONTAINS, NEAR), whether by its own name rather than its macrolanguage's, and
    the closeness of a near miss; among languages found by their macrolanguage's name, those whose own name
    holds the text too ("Ayacucho Quechua" for "Quechua")."""
    groups = search_names(code)
    found = [(hit[0], by_relation, -hit[1]) for by_relation, names in enumerate(groups) if (hit := _match(names, query))]
    return (*min(found), not any(query in name for name in groups[0])) if found else None


def rank_key(code: str, found: tuple) -> tuple:
    """Best match first; then the more widely spoken language; then by name."""
    return *found, -speakers(code), language_name(code).lower(), code


def search(codes, query: str, limit: int | None = None) -> list[str]:
    """The codes among `codes` that `query` names (any name, code or native name, any case, accents or script,
    near misses), ranked as people expect: the exact name or code first ("English" is eng, not Belize Kriol
    English); then names starting with it; then names containing it; ties by speakers. Near misses ("himdi",
    "limba romana") only where nothing matches as typed."""
    query = fold(query)
    if not query:
        return []
    found = {code: hit for code in codes if (hit := match(code, query))}
    # Near misses are for misspellings: where the text names languages as typed, they would only be noise.
    if any(hit[0] != NEAR for hit in found.values()):
        found = {code: hit for code, hit in found.items() if hit[0] != NEAR}
    return sorted(found, key=lambda code: rank_key(code, found[code]))[:limit]


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

    @property
    def language_count(self) -> int:
        """Distinct languages (ISO 639-3 codes), counting script and dialect variants once."""
        return len(self._by_base)

    def __getitem__(self, index: int) -> Language:
        return self.languages[index]

    def choices(self) -> list[tuple[str, str]]:
        """(label with other names, code) pairs for a dropdown the browser filters by any of those names, the
        most widely spoken first: while the server ranks what was typed, the browser keeps this order."""
        return [(language.search_label, language.code) for language in self.by_speakers]

    @functools.cached_property
    def by_speakers(self) -> tuple[Language, ...]:
        return tuple(sorted(self.languages, key=lambda language: (-speakers(language.code), language.name.lower())))

    def search(self, query: str, limit: int | None = None) -> list[Language]:
        """This catalog's languages that `query` names, best first (see `search`)."""
        return [self._by_code[code] for code in search(self.codes, query, limit)]

    def find(self, code: str) -> Language | None:
        return self._by_code.get(code)

    def variants(self, code: str) -> list[str]:
        """Ids sharing the ISO base code of `code` (cmn -> [cmn-script_simplified]), sorted."""
        return self._by_base.get(base_code(code), [])

    def matching(self, code: str) -> list[str]:
        """Ids of this catalog for the language `code` names, even where models use different codes for
        it: its own variants, else those of its macrolanguage or of the macrolanguage's members
        (Identify says "fas", Seamless and MMS say "pes": both are Persian). An id this catalog has comes
        first, so a chosen script or dialect is kept ("tuk-script_latin" is not swapped for Arabic script)."""
        for related in same_language(code):
            if found := self.variants(related):
                # The id itself first, then ids in the same script however they spell it (MMS's
                # "tuk-script_latin" is Omnilingual's "tuk_Latn", not "tuk_Arab").
                return sorted(found, key=lambda variant: (variant != code, script_of(variant) != script_of(code)))
        return []


def _catalog(rows: list[dict[str, str]]) -> Catalog:
    return Catalog([Language(row["code"], language_name(row["code"])) for row in rows])


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
# Omnilingual ASR: Meta's language table (ISO 639-3 + script), the LLM-ASR models' language tokens.
OMNILINGUAL = _catalog(_read_tsv("omnilingual_asr_langs.tsv"))




@functools.lru_cache(maxsize=1)
def known_codes() -> frozenset[str]:
    """Every language (ISO 639-3) some model here knows, script and dialect variants once: the Languages tab's
    rows, and what a search names when the model at hand lacks a language ("Igbo: no voice yet")."""
    catalogs = [MMS_LID_126, MMS_LID_4017, MMS_ASR, MMS_TTS, OMNILINGUAL, SEAMLESS_SPEECH_IN, SEAMLESS_TEXT_IN,
                SEAMLESS_TEXT_OUT, SEAMLESS_SPEECH_OUT]
    return frozenset(base_code(language.code) for catalog in catalogs for language in catalog)


@dataclass(frozen=True)
class PublishedResult:
    """Meta's published figures for one language: its **7B LLM-ASR** model's character error rate (%) and
    training hours (facebookresearch/omnilingual-asr per_language_results_table_7B_llm_asr.csv). Not the
    figures of the smaller models this app runs: every place that shows them says so."""

    cer: float
    training_hours: float


OMNILINGUAL_RESULTS_SOURCE = "Meta's published figures for its 7B LLM-ASR model (not the smaller models run here)"


@functools.lru_cache(maxsize=1)
def _omnilingual_results() -> dict[str, PublishedResult]:
    return {row["code"]: PublishedResult(float(row["cer_7b_llm"]), float(row["training_hours"]))
            for row in _read_tsv("omnilingual_asr_langs.tsv") if row["cer_7b_llm"]}


def omnilingual_result(code: str) -> PublishedResult | None:
    """Meta's 7B LLM-ASR figures for the language `code` names (its best-published Omnilingual id for it)."""
    found = [_omnilingual_results()[variant] for variant in OMNILINGUAL.matching(code) if variant in _omnilingual_results()]
    return min(found, key=lambda result: result.cer) if found else None


def voice_for(code: str) -> str | None:
    """The MMS-TTS voice for the language `code` names (its own script first), or None."""
    return next(iter(MMS_TTS.matching(code)), None)


@dataclass(frozen=True)
class Support:
    """What the app can do with one ISO 639-3 language (any script/dialect variant counts)."""

    transcribe: list[str]  # MMS ASR ids
    speak: list[str]  # MMS-TTS ids
    translate_from_speech: bool
    translate_to_text: bool
    translate_to_speech: bool


def support(code: str) -> Support:
    """What each model family can do with this language, under whichever code it uses for it."""
    return Support(
        transcribe=MMS_ASR.matching(code),
        speak=MMS_TTS.matching(code),
        translate_from_speech=bool(SEAMLESS_SPEECH_IN.matching(code)),
        translate_to_text=bool(SEAMLESS_TEXT_OUT.matching(code)),
        translate_to_speech=bool(SEAMLESS_SPEECH_OUT.matching(code)),
    )


# Scripts written without spaces between words: Unicode's line-breaking rules (UAX #14) class Thai, Lao,
# Khmer, Myanmar, Tai Tham and others as "complex context" (SA) for this reason, and CJK ideographs and
# kana break between any two characters; Tibetan marks syllables, not words.
SCRIPTS_WITHOUT_SPACES = {"Hans", "Hant", "Hani", "Jpan", "Hira", "Kana", "Thai", "Laoo", "Khmr", "Mymr", "Lana",
                          "Tavt", "Talu", "Tibt", "Bali", "Java"}


@functools.lru_cache(maxsize=None)
def script_of(code: str) -> str | None:
    """The ISO 15924 script of a model id: the one it names ("cmn_Hant", "tuk-script_latin"), else the language's
    usual one (CLDR likely subtags)."""
    suffix = code[len(base_code(code)) + 1 :]
    script = suffix if len(suffix) == 4 and suffix.istitle() else None
    if suffix.startswith("script_"):
        script = {"latin": "Latn", "cyrillic": "Cyrl", "arabic": "Arab", "simplified": "Hans",
                  "traditional": "Hant"}.get(suffix.removeprefix("script_"), None)
    return script or langcodes.Language.get(base_code(code)).maximize().script


def written_without_spaces(code: str) -> bool:
    """Whether the language (in the script its id names, else its usual one) is written without spaces between
    words, so error rates should count characters, not words."""
    return script_of(code) in SCRIPTS_WITHOUT_SPACES
