"""One way to carry a clip and a language between tabs: from Identify's result, one click opens
Transcribe, Speak or Translate with the clip and the language already set; from the Languages tab, one
click sets the picked language in Transcribe, Align, Speak and Translate. Both go through the same
functions from a language code to each tab's own id for it (`asr_choice`, `voice_for`)."""

from __future__ import annotations

import re

import gradio as gr
import langcodes

from modules import languages
from modules.models import MMS_ASR_MODEL, SEAMLESS_MODEL
from ui.common import PRIVATE
from ui.translate import INPUT_SPEECH

# Identify's ranking labels end with the language id: "Iranian Persian (pes)".
_CODE = re.compile(r"\(([^()]+)\)$")


def top_language(ranking: dict[str, float] | None) -> str | None:
    """The most likely language id of Identify's ranking ({label: probability}, as gr.Label hands it
    to a function), or None."""
    if not ranking:
        return None
    match = _CODE.search(max(ranking, key=ranking.get))
    return match[1] if match else None


def suggested_sentence(code: str) -> str:
    """Something to hear in that language: its own name for itself (CLDR), when known."""
    native = langcodes.Language.get(languages.base_code(code)).autonym()
    return "" if native.startswith("Unknown") else native


def asr_choice(code: str) -> tuple[str, str] | None:
    """(model, its id for the language) that Transcribe should use for `code`: MMS when it has the
    language, else SeamlessM4T v2, else None."""
    for model_id, catalog in ((MMS_ASR_MODEL, languages.MMS_ASR), (SEAMLESS_MODEL, languages.SEAMLESS_TEXT_OUT)):
        if found := catalog.matching(code):
            return model_id, found[0]
    return None


def offers(ranking: dict | None):
    """The carry buttons for the identified language: shown, and named, only where they can work."""
    code = top_language(ranking)
    if code is None:
        return gr.update(visible=False), gr.update(visible=False), gr.update(visible=False)
    name, found = languages.language_name(code), languages.support(code)
    return (
        gr.update(value=f"Transcribe this clip ({name})", visible=bool(found.transcribe)),
        gr.update(value=f"Hear {name} (Speak)", visible=bool(found.speak)),
        gr.update(value="Translate this clip", visible=found.translate_from_speech),
    )


def connect(tabs: gr.Tabs, source: dict, transcribe: dict, speak: dict, translate: dict) -> None:
    """Wire Identify's carry buttons (`source`: audio, ranking, and the three buttons) to the other tabs'
    inputs; the tab ids are the lower-case tab titles."""
    ranking = source["ranking"]
    ranking.change(offers, ranking, [source["to_transcribe"], source["to_speak"], source["to_translate"]], **PRIVATE)

    def to_transcribe(clip, ranking_value):
        model_id, language = asr_choice(top_language(ranking_value)) or (MMS_ASR_MODEL, "auto")
        return gr.Tabs(selected="transcribe"), clip, model_id, language

    def to_speak(ranking_value):
        code = top_language(ranking_value)
        return gr.Tabs(selected="speak"), suggested_sentence(code), languages.voice_for(code)

    def to_translate(clip):
        return gr.Tabs(selected="translate"), INPUT_SPEECH, clip

    # "Transcribe this clip" does it: once the clip, model and language are in place, the tab's own button runs
    # (pressed in the page, so the run is the visitor's own, with its progress, errors and greyed-out button).
    source["to_transcribe"].click(
        to_transcribe, [source["audio"], ranking],
        [tabs, transcribe["audio"], transcribe["model"], transcribe["language"]], **PRIVATE,
    ).then(None, js="() => setTimeout(() => document.querySelector('#transcribe-button')?.click(), 500)")
    source["to_speak"].click(to_speak, ranking, [tabs, speak["text"], speak["language"]], **PRIVATE)
    source["to_translate"].click(to_translate, source["audio"], [tabs, translate["kind"], translate["audio"]], **PRIVATE)


def use_everywhere(code: str | None):
    """The picked language set in every tab that has it, and a line saying where it was and wasn't."""
    skip = gr.skip()
    if not code:
        return skip, skip, skip, skip, skip, gr.update(visible=False)
    name = languages.language_name(code)
    asr = asr_choice(code)
    align_language = next(iter(languages.MMS_ASR.matching(code)), None)
    voice = languages.voice_for(code)
    target = next(iter(languages.SEAMLESS_TEXT_OUT.matching(code)), None)
    placed = {"Transcribe": asr, "Align": align_language, "Speak": voice, "Translate (into)": target}
    done = [tab for tab, value in placed.items() if value]
    missing = [tab for tab, value in placed.items() if not value]
    line = f"{name} is now chosen in {', '.join(done)}." if done else f"No tab here can use {name}."
    if missing and done:
        line += f" Not in {', '.join(missing)}: no model there has it."
    return (
        asr[0] if asr else skip, asr[1] if asr else skip,
        align_language or skip, voice or skip, target or skip,
        gr.update(value=line, visible=True),
    )


def connect_languages(tabs: gr.Tabs, source: dict, transcribe: dict, align: dict, speak: dict, translate: dict) -> None:
    """Wire the Languages tab's buttons (`source`: the picked code, the two buttons, the result line) to the
    tabs: "use" sets the language everywhere; "compare" does too, then opens Transcribe's Compare section."""
    targets = [transcribe["model"], transcribe["language"], align["language"], speak["language"], translate["target"],
               source["carried"]]
    source["use"].click(use_everywhere, source["code"], targets, **PRIVATE)

    def to_compare(code):
        return *use_everywhere(code), gr.Tabs(selected="transcribe"), gr.Accordion(open=True)

    source["compare"].click(to_compare, source["code"], [*targets, tabs, transcribe["compare"]], **PRIVATE)
