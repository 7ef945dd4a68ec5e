"""Polyglot Speech Studio: composes the page from one module per tab (ui/), then queues and launches."""

from __future__ import annotations

import logging
import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402

from modules import warmup  # noqa: E402
from modules.models import default_cache  # noqa: E402
from ui import identify, speak, transcribe, translate  # noqa: E402
from ui.common import SETTINGS  # noqa: E402

TABS = [("Identify", identify), ("Transcribe", transcribe), ("Speak", speak), ("Translate", translate)]


def build_demo() -> gr.Blocks:
    with gr.Blocks(title="Polyglot Speech Studio") as demo:
        gr.Markdown(
            "# Polyglot Speech Studio\n"
            "Try Meta's massively multilingual speech models: identify the language spoken, transcribe it, "
            "speak text in ~1,100 languages, and translate speech and text."
        )
        with gr.Tabs():
            for title, tab in TABS:
                with gr.Tab(title):
                    tab.render()
    return demo


demo = build_demo()

if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    if warmup.should_warm_up(SETTINGS.warmup, default_cache().device.type):
        warmup.warm_up()
    # Host and port come from GRADIO_SERVER_NAME / GRADIO_SERVER_PORT (127.0.0.1:7860 by default).
    demo.queue(default_concurrency_limit=SETTINGS.concurrency, max_size=SETTINGS.queue_size).launch(
        max_file_size=SETTINGS.max_file_size
    )
