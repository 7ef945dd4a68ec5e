"""Polyglot Speech Studio: composes the page from one module per tab (ui/), then queues and launches."""

from __future__ import annotations

import logging
import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from modules import gpu  # noqa: E402, F401  (first: on ZeroGPU it imports `spaces` before anything touches CUDA)
import gradio as gr  # noqa: E402
from gradio.utils import _parse_file_size  # noqa: E402

from modules import live, warmup  # noqa: E402
from ui import align, carry, compare, identify, languages, speak, transcribe, translate  # noqa: E402
from ui.gradio_fixes import (  # noqa: E402
    end_idle_streams, fix_mcp_tool_arguments, keep_sessions_to_the_apps_components, limit_url_downloads,
)
from ui.common import PAGE_SCRIPT, SETTINGS  # noqa: E402

TABS = [
    ("Identify", identify), ("Transcribe", transcribe), ("Align", align), ("Speak", speak), ("Translate", translate),
    ("Languages", languages),
]

HEADER = (
    "# Polyglot Speech Studio\n"
    "Try Meta's massively multilingual speech models: find out which language is spoken, write it down, "
    "hear text read aloud in over a thousand languages, and translate speech and text."
)
TERMS = (
    "<small>**About the models.** Each model's licence is named beside it. MMS and SeamlessM4T-v2 are Meta research "
    "models licensed CC-BY-NC-4.0: for non-commercial use only. Omnilingual ASR (Meta, 2025) is licensed "
    "Apache-2.0: its results may be used commercially. MMS learned most of its languages from recorded readings of "
    "religious texts, so everyday speech, names and numbers may come out less well — judge results with that in mind. "
    f"**Your audio and text** are processed on this server and deleted within {SETTINGS.keep_files_minutes} "
    "minutes; nothing is kept after that.</small>"
)
# Errors and notices next to the result they are about; upload notes in a calmer tone.
CSS = """
.error-box { border-left: 4px solid #d93025; padding: 4px 10px; background: #fdecea; border-radius: 4px; }
.availability { border-left: 4px solid #e37400; padding: 4px 10px; background: #fef7e0; border-radius: 4px; }
.upload-note { font-size: 0.9em; }
/* Words in a table header break between words only ("Spea k" at 1366 px). */
#languages-table th { word-break: normal !important; overflow-wrap: normal !important; }
/* A chosen option's text ends before the dropdown's arrow, with an ellipsis when too long for a phone. */
.language-picker input, .block input[role="combobox"] { text-overflow: ellipsis; padding-right: 1.8em; }
/* A failed run is explained once, in the tab's error line; no "Error" badge in each output box. */
[data-testid="status-tracker"] .error { display: none !important; }
""" + compare.CSS


def build_demo() -> gr.Blocks:
    keep = SETTINGS.keep_files_minutes * 60
    # Files Gradio holds for this app (uploads, recordings, results) are deleted once older than `keep`.
    with gr.Blocks(title="Polyglot Speech Studio", delete_cache=(max(60, keep // 4), keep)) as demo:
        gr.Markdown(HEADER)
        handles = {}
        # On a phone the tabs wrap onto a second row: every tab stays in sight, none behind a "•••" menu.
        with gr.Tabs(overflow_behavior="wrap") as tabs:
            for title, tab in TABS:
                with gr.Tab(title, id=title.lower()):
                    handles[title.lower()] = tab.render()
        carry.connect(tabs, handles["identify"], handles["transcribe"], handles["speak"], handles["translate"])
        carry.connect_languages(tabs, handles["languages"], handles["transcribe"], handles["align"], handles["speak"], handles["translate"])
        gr.Markdown(TERMS, elem_id="terms")
    return demo


keep_sessions_to_the_apps_components()  # else every request grows its session's state (see the module)
limit_url_downloads(_parse_file_size(SETTINGS.max_file_size))  # files given by URL (MCP) obey the upload limit
fix_mcp_tool_arguments()  # MCP: lists of files can be passed; a wrong argument is named (see the module)
end_idle_streams(live.IDLE_SECONDS)  # a live-caption stream whose page left frees its slot (see the module)
demo = build_demo()
# What every launch of this page passes (the tests launch it the same way).
LAUNCH_OPTIONS = dict(
    css=CSS, head=PAGE_SCRIPT, max_file_size=SETTINGS.max_file_size, state_session_capacity=SETTINGS.sessions_kept, mcp_server=SETTINGS.mcp
)

if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    warmup.start_up(SETTINGS.warmup)
    # Host and port come from GRADIO_SERVER_NAME / GRADIO_SERVER_PORT (127.0.0.1:7860 by default).
    demo.queue(default_concurrency_limit=SETTINGS.concurrency, max_size=SETTINGS.queue_size).launch(**LAUNCH_OPTIONS)
