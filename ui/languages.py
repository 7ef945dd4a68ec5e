"""Languages tab: every language any model here knows, found by any name, with what each model does with it;
a picked language can be used in the other tabs in one click (ui/carry.py). API: /languages."""

from __future__ import annotations

import gradio as gr

from modules import language_table, validation
from modules.config import UserInputError
from modules.models import default_cache
from ui.common import PRIVATE

INTRO = (
    "Type your language's name — in English, in the language itself, another name it goes by, or its code — "
    "to see everything the models here can do with it. Pick a row to use that language in the other tabs, or "
    "to compare the speech-recognition models on a recording of your own."
)
COLUMNS = ["Language", "Code", "Other names", "Identify", "Transcribe", "Speak", "Translate",
           "Error rate, Omnilingual (Meta's 7B figure)"]
TASK_CHOICES = [("Identify", "identify"), ("Transcribe", "transcribe"), ("Speak", "speak"), ("Translate", "translate")]
ROWS_SHOWN = 200  # the page shows this many matches; the API returns all


def _cells(row: language_table.LanguageRow) -> list[str]:
    return [row.name, row.code, row.other_names, ", ".join(row.identify), ", ".join(row.transcribe),
            ", ".join(row.speak), ", ".join(row.translate), published(row)]


def published(row: language_table.LanguageRow) -> str:
    """Meta's figure for its 7B LLM-ASR model, said as what it is."""
    if row.omnilingual_cer is None:
        return ""
    return f"{row.omnilingual_cer:g}% CER ({row.omnilingual_hours:,.0f} h of training audio)"


def _tasks(task: str) -> list[str]:
    chosen = [part.strip().lower() for part in validation.text("task", task).split(",") if part.strip()]
    return [] if chosen in ([], ["all"]) else chosen


def list_languages(query: str = "", task: str = "all", max_cer: float | None = None) -> list[dict]:
    """Every language the models here know (about 4,000, most only identifiable), found by any name or code,
    with what each model can do with it.

    Args:
        query: part of any name or code of the language: English, native or other names, ISO 639-3 or 639-1 codes ("Farsi", "fas", "fa", "فارسی"); empty for all.
        task: "all", or the tasks every row must have, comma-separated: identify, transcribe, speak, translate.
        max_cer: only languages whose published Omnilingual character error rate (%) is at most this (optional; Meta's figures for its 7B LLM-ASR model, not the smaller models run here).

    Returns:
        One object per language: code (ISO 639-3, what the other tools' language arguments take, or one of the
        ids named in `transcribe` and `speak`), name, other_names, identify (MMS-LID models), transcribe ("MMS (fas)":
        model and its own id), speak (MMS-TTS voice ids), translate ("from speech", "to text", "to speech"),
        related (macrolanguage or member codes that models use for the same language), omnilingual_cer and
        omnilingual_hours (Meta's published character error rate in % and training hours of its 7B LLM-ASR model;
        null where Meta published none).
    """
    try:
        if max_cer is not None:
            max_cer = validation.number("max_cer", max_cer, 0, 1000)
        rows = language_table.search(validation.text("query", query, optional=True) or "", _tasks(task), default_cache(),
                                     max_cer)
    except UserInputError as error:
        raise gr.Error(str(error), print_exception=False) from None
    return [row.record() for row in rows]


def counts_line(shown: int, found: int) -> str:
    counts = language_table.counts()
    models = " · ".join(f"{name}: {count:,}" for name, count in counts.items() if name != "languages")
    unknown = language_table.unknown_lid(default_cache())
    note = f" {', '.join(unknown)} publish no language list: their languages are known once loaded." if unknown else ""
    head = f"**{found:,} of {counts['languages']:,} languages**" + (f" (the first {shown} shown; type to narrow)" if shown < found else "")
    return f"{head}. Languages per model, from each model's own list: {models}.{note}"


# The page's choices of Meta's published error rate (the API takes any number).
CER_CHOICES = [("Any", "any"), ("below 5 %", "5"), ("below 10 %", "10"), ("below 20 %", "20"), ("below 30 %", "30")]


def filtered(query: str, tasks: list[str], max_cer: str = "any"):
    """The table's rows for a search, the line counting them, and the best match as a card (a phone can't show
    the table's answer columns without scrolling sideways) with its buttons to use it elsewhere."""
    limit = None if max_cer in (None, "any") else float(max_cer)
    rows = language_table.search(query or "", tasks or [], default_cache(), limit)
    shown = rows[:ROWS_SHOWN]
    best = rows[0] if rows and (query or "").strip() else None
    return [_cells(row) for row in shown], counts_line(len(shown), len(rows)), *show_row(best)


def describe(row: language_table.LanguageRow) -> str:
    lines = [f"### {row.name} ({row.code})"]
    if row.other_names:
        lines.append(f"Also: {row.other_names}")
    lines.append(f"- **Identify**: {', '.join(row.identify) or 'none of the listed MMS-LID models'}")
    lines.append(f"- **Transcribe**: {', '.join(row.transcribe) or 'no model here'}")
    lines.append(f"- **Speak**: {('MMS-TTS voice ' + ', '.join(row.speak)) if row.speak else 'no voice'}")
    lines.append(f"- **Translate** (SeamlessM4T v2): {', '.join(row.translate) or 'no'}")
    if row.omnilingual_cer is not None:
        lines.append(f"- **Omnilingual ASR, Meta's published figure for its 7B LLM-ASR model** (not the smaller models "
                     f"run here): {published(row)}")
    if row.related:
        lines.append(f"\nModels may name this language by a related code: {', '.join(row.related)} (macrolanguage and its members); the lines above include them.")
    return "\n".join(lines)


def show_row(row: language_table.LanguageRow | None):
    """The card of one language, and the buttons that use it in the other tabs (all hidden for None)."""
    if row is None:
        return None, gr.update(visible=False), gr.update(visible=False), gr.update(visible=False)
    usable = bool(row.transcribe or row.speak or row.translate)
    return (
        row.code,
        gr.update(value=describe(row), visible=True),
        gr.update(value=f"Use {row.name} in the other tabs", visible=usable),
        gr.update(value=f"Compare the models on a recording in {row.name}", visible=bool(row.transcribe)),
    )


def picked(event: gr.SelectData):
    code = event.row_value[1] if event.row_value else None
    return show_row(language_table.row(code, default_cache()) if isinstance(code, str) else None)


def render() -> dict:
    """The tab's widgets and events, inside the caller's `gr.Tab`; returns what other tabs connect to."""
    gr.Markdown(INTRO)
    with gr.Row():
        query = gr.Textbox(label="Find a language", placeholder="e.g. Farsi, Deutsch, yor, 中文", elem_id="languages-query", scale=3)
        tasks = gr.CheckboxGroup(TASK_CHOICES, label="Only languages that can be…", elem_id="languages-tasks", scale=2)
        max_cer = gr.Dropdown(CER_CHOICES, value="any", label="Omnilingual error rate",
                              info="Meta's published character error rate for its largest model (7B).",
                              elem_id="languages-max-cer", scale=1)
    table, count, *_ = filtered("", [])
    count_line = gr.Markdown(count, elem_id="languages-count")
    # The best match's card first, above the table: its answer in full, on a phone too.
    details = gr.Markdown(visible=False, elem_id="languages-details")
    code = gr.State(None)
    with gr.Row():
        use = gr.Button(visible=False, variant="primary", elem_id="languages-use")
        compare = gr.Button(visible=False, elem_id="languages-compare")
    carried = gr.Markdown(visible=False, elem_id="languages-carried")
    rows = gr.Dataframe(
        value=table, headers=COLUMNS, interactive=False, wrap=True, max_height=420, elem_id="languages-table",
    )
    gr.Markdown(f"<small>{language_table.TRAINING_NOTE}</small>", elem_id="languages-training")
    for trigger in (query.change, tasks.change, max_cer.change):
        trigger(filtered, [query, tasks, max_cer], [rows, count_line, code, details, use, compare], show_progress="hidden",
                **PRIVATE)
    rows.select(picked, None, [code, details, use, compare], **PRIVATE)
    gr.api(list_languages, api_name="languages")
    return dict(code=code, use=use, compare=compare, carried=carried)
