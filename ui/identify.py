"""Identify tab: which language is spoken (MMS-LID). API: /identify."""

from __future__ import annotations

import gradio as gr

from modules import identify, languages
from modules.models import LID_MODELS
from ui.common import (
    MODEL_EVENT,
    SETTINGS,
    audio_input,
    example_path,
    load_clip,
    model_status,
    shows_errors,
    status_line,
)


def support_line(code: str) -> str:
    found = languages.support(code)
    yes_no = {True: "✓", False: "✗"}
    return (
        f"Transcribe {yes_no[bool(found.transcribe)]} · Speak {yes_no[bool(found.speak)]} · "
        f"Translate: from speech {yes_no[found.translate_from_speech]}, to text {yes_no[found.translate_to_text]}, "
        f"to speech {yes_no[found.translate_to_speech]}"
    )


@shows_errors
def identify_language(audio_file: str | None, model_id: str, top_k: float, progress=gr.Progress()):
    clip = load_clip(audio_file, SETTINGS.max_identify_seconds)
    progress(0.2, desc=f"Running {model_id} (loaded on first use)…")
    result = identify.identify_language(clip.samples, model_id=model_id, top_k=int(top_k))
    top = result.guesses[0]
    verdict = "Confident" if result.confident else "Not confident"
    summary = (
        f"**{verdict}**: {top.name} ({top.code}), {top.probability:.0%} "
        f"(threshold {identify.CONFIDENT_PROBABILITY:.0%}); {result.method}.\n\n"
        f"What the app can do with {top.name}: {support_line(top.code)}"
    )
    if not result.confident:
        summary += "\n\nA longer or cleaner clip usually helps; treat the ranking as a guess."
    return {f"{guess.name} ({guess.code})": guess.probability for guess in result.guesses}, summary


def render() -> None:
    """The tab's widgets and events, inside the caller's `gr.Tab`."""
    with gr.Row():
        with gr.Column():
            lid_audio = audio_input("identify-audio")
            lid_model = gr.Dropdown(
                [(f"MMS-LID, {model_id.rsplit('-', 1)[1]} languages", model_id) for model_id in LID_MODELS],
                value=LID_MODELS[0],
                label="Model",
            )
            status_line(model_status, [lid_model])
            lid_top_k = gr.Slider(1, 20, value=5, step=1, label="How many languages to show")
            lid_button = gr.Button("Identify language", variant="primary", elem_id="identify-button")
        with gr.Column():
            lid_result = gr.Label(label="Most likely languages", elem_id="identify-result")
            lid_summary = gr.Markdown(elem_id="identify-summary")
    gr.Examples(
        [[example_path(name)] for name in ("english.wav", "french.flac", "german.ogg")],
        inputs=[lid_audio],
    )
    lid_button.click(
        identify_language, [lid_audio, lid_model, lid_top_k], [lid_result, lid_summary], api_name="identify", **MODEL_EVENT
    )
