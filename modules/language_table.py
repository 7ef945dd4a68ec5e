"""Every language any model here knows, in one table: which models identify, transcribe, speak and translate
it, found by any name or code. Built from the shipped catalogs (modules/languages.py), never a second list.

A language appears once per ISO 639-3 code. Where models use different codes for one language (MMS says
"fas" for Persian, Seamless "pes"; MMS-LID says "ara", Seamless "arb"), each row lists the models under
whichever code they use (`Catalog.matching`: the macrolanguage and its members), and names the related codes.
MMS-LID-256 … 2048 publish no language list: until one of them is loaded, its languages are not known (each
row says so), and once loaded its own `id2label` is read.
"""

from __future__ import annotations

import functools
from dataclasses import asdict, dataclass

from modules import languages, transcribe
from modules.compare import ASR_NAMES
from modules.models import LID_MODELS, ModelCache

TASKS = ("identify", "transcribe", "speak", "translate")
# The language lists shipped with the app: the two MMS-LID checkpoints whose model card or coverage table
# lists its languages (modules/data/README.md).
LISTED_LID = {LID_MODELS[0]: languages.MMS_LID_126, LID_MODELS[-1]: languages.MMS_LID_4017}
TRAINING_NOTE = (
    "MMS (identify, transcribe, speak) learned most of its 1,100+ languages from recordings of people "
    "reading religious texts, mostly the New Testament (Pratap et al. 2023, \"Scaling Speech Technology to "
    "1,000+ Languages\"): expect everyday speech, names and numbers to come out less well than read text. "
    "Omnilingual ASR (2025) was trained on over 4.3 million hours in 1,600+ languages, including recordings "
    "collected with speakers of languages no model had before; the error rates shown for it are Meta's published "
    "figures for its largest model (7B LLM-ASR, from facebookresearch/omnilingual-asr), not for the smaller models "
    "this page runs. SeamlessM4T v2 was trained on a broader mix of speech and text. Meta publishes SeamlessM4T v2's "
    "evaluation results (https://dl.fbaipublicfiles.com/seamless/metrics/seamlessM4T_large_v2.zip, linked from "
    "the seamless_communication README); they are not copied here, as they could not be fetched and checked "
    "when this page was built. For your own figures, compare the models on your recordings (Transcribe)."
)


@dataclass(frozen=True)
class LanguageRow:
    code: str  # ISO 639-3
    name: str
    other_names: str  # other names people use, and the native name
    identify: tuple[str, ...]  # MMS-LID models, "MMS-LID-126"
    transcribe: tuple[str, ...]  # "MMS (fas)": the model and its own id for the language
    speak: tuple[str, ...]  # MMS-TTS voice ids (script variants are separate voices)
    translate: tuple[str, ...]  # "from speech", "to text", "to speech" (SeamlessM4T v2)
    related: tuple[str, ...]  # macrolanguage / member codes that models may use for it
    # Meta's published figures for its 7B Omnilingual LLM-ASR model (not the smaller models run here), or None.
    omnilingual_cer: float | None = None  # character error rate, %
    omnilingual_hours: float | None = None  # training hours

    def has(self, task: str) -> bool:
        return bool(getattr(self, task))

    def record(self) -> dict:
        return {key: list(value) if isinstance(value, tuple) else value for key, value in asdict(self).items()}


def lid_name(model_id: str) -> str:
    return "MMS-LID-" + model_id.rsplit("-", 1)[1]


@functools.lru_cache(maxsize=1)
def _codes() -> tuple[str, ...]:
    return tuple(sorted(languages.known_codes()))


@functools.lru_cache(maxsize=None)
def _row(code: str, loaded_lid: frozenset[tuple[str, frozenset[str]]]) -> LanguageRow:
    name = languages.language_name(code)
    same = set(languages.same_language(code))
    lid = _listed_lid_bases() | dict(loaded_lid)
    identified = tuple(lid_name(model_id) for model_id in LID_MODELS if model_id in lid and same & lid[model_id])
    transcribed = tuple(
        f"{ASR_NAMES[model_id]} ({ids[0]})" if len(ids) == 1 else f"{ASR_NAMES[model_id]} ({', '.join(ids)})"
        for model_id in ASR_NAMES
        if (ids := transcribe.asr_languages(model_id).matching(code))
    )
    found = languages.support(code)
    translated = tuple(
        label for label, yes in (
            ("from speech", found.translate_from_speech), ("to text", found.translate_to_text),
            ("to speech", found.translate_to_speech),
        ) if yes
    )
    related = tuple(other for other in languages.same_language(code) if other != code and other in _code_set())
    published = languages.omnilingual_result(code)
    return LanguageRow(code, name, ", ".join(languages.other_names(code, name)), identified, transcribed,
                       tuple(found.speak), translated, related,
                       published.cer if published else None, published.training_hours if published else None)


@functools.lru_cache(maxsize=1)
def _listed_lid_bases() -> dict[str, frozenset[str]]:
    return {model_id: frozenset(map(languages.base_code, catalog.codes)) for model_id, catalog in LISTED_LID.items()}


@functools.lru_cache(maxsize=1)
def _code_set() -> frozenset[str]:
    return frozenset(_codes())


def _loaded_lid(cache: ModelCache | None) -> frozenset[tuple[str, frozenset[str]]]:
    """The label lists of MMS-LID checkpoints that are loaded and have no shipped list."""
    if cache is None:
        return frozenset()
    found = []
    for model_id in LID_MODELS:
        entry = cache.peek(model_id) if model_id not in LISTED_LID else None
        if entry is not None:
            labels = entry.model.config.id2label.values()
            found.append((model_id, frozenset(map(languages.base_code, labels))))
    return frozenset(found)


def unknown_lid(cache: ModelCache | None = None) -> list[str]:
    """MMS-LID models whose languages are not known until they are loaded."""
    known = {model_id for model_id, _ in _loaded_lid(cache)} | set(LISTED_LID)
    return [lid_name(model_id) for model_id in LID_MODELS if model_id not in known]


def table(cache: ModelCache | None = None) -> list[LanguageRow]:
    loaded = _loaded_lid(cache)
    return [_row(code, loaded) for code in _codes()]


def row(code: str, cache: ModelCache | None = None) -> LanguageRow | None:
    """One language's row, or None for a code no model here knows."""
    return _row(code, _loaded_lid(cache)) if code in _code_set() else None


def search(
    query: str = "", tasks: list[str] | tuple[str, ...] = (), cache: ModelCache | None = None, max_cer: float | None = None,
) -> list[LanguageRow]:
    """Rows that `query` names (any name, code or native name, any case, accents or script, near misses; empty:
    all, by name) that have every one of `tasks` (and, with `max_cer`, a published Omnilingual character error
    rate at most that), ranked as the language pickers rank (languages.search)."""
    unknown = [task for task in tasks if task not in TASKS]
    if unknown:
        from modules.config import UserInputError

        raise UserInputError(f"Unknown task {unknown[0]!r}: use one of {', '.join(TASKS)}.")
    rows = {row.code: row for row in table(cache) if all(row.has(task) for task in tasks)
            and (max_cer is None or (row.omnilingual_cer is not None and row.omnilingual_cer <= max_cer))}
    if not languages.fold(query):
        return sorted(rows.values(), key=lambda row: (row.name.casefold(), row.code))
    return [rows[code] for code in languages.search(rows, query)]


def counts() -> dict[str, int]:
    """How many languages (ISO 639-3 codes, script variants once) each model's own list has, and the rows."""
    return {
        "languages": len(_codes()),
        "MMS-LID-126": languages.MMS_LID_126.language_count,
        "MMS-LID-4017": languages.MMS_LID_4017.language_count,
        "MMS (transcribe)": languages.MMS_ASR.language_count,
        "Omnilingual ASR (transcribe)": languages.OMNILINGUAL.language_count,
        "MMS-TTS (speak)": languages.MMS_TTS.language_count,
        "SeamlessM4T v2 from speech": languages.SEAMLESS_SPEECH_IN.language_count,
        "SeamlessM4T v2 to text": languages.SEAMLESS_TEXT_OUT.language_count,
        "SeamlessM4T v2 to speech": languages.SEAMLESS_SPEECH_OUT.language_count,
    }
