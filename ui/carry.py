"""One way to carry a clip and a language between tabs: from Identify's result, one click opens
Transcribe, Speak or Translate with the clip and the language already set."""

from __future__ import annotations

import re

import gradio as gr
import langcodes

from modules import languages
from modules.models import MMS_ASR_MODEL
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
        code = top_language(ranking_value)
        language = (languages.MMS_ASR.matching(code) or ["auto"])[0]
        return gr.Tabs(selected="transcribe"), clip, MMS_ASR_MODEL, language

    def to_speak(ranking_value):
        code = top_language(ranking_value)
        voice = languages.MMS_TTS.matching(code)[0]
        return gr.Tabs(selected="speak"), suggested_sentence(code), voice

    def to_translate(clip):
        return gr.Tabs(selected="translate"), INPUT_SPEECH, clip

    source["to_transcribe"].click(
        to_transcribe, [source["audio"], ranking],
        [tabs, transcribe["audio"], transcribe["model"], transcribe["language"]], **PRIVATE,
    )
    source["to_speak"].click(to_speak, ranking, [tabs, speak["text"], speak["language"]], **PRIVATE)
    source["to_translate"].click(to_translate, source["audio"], [tabs, translate["kind"], translate["audio"]], **PRIVATE)
