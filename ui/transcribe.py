"""Transcribe tab: speech recognition with MMS, English wav2vec2, Seamless and W2V-BERT. API: /transcribe."""

from __future__ import annotations

import gradio as gr

from modules import languages, subtitles, transcribe
from modules.models import ENGLISH_ASR_MODEL, MMS_ASR_MODEL, SEAMLESS_MODEL, W2V_BERT_MODELS
from ui.common import (
    MODEL_EVENT,
    PRIVATE,
    SETTINGS,
    audio_input,
    example_path,
    load_clip,
    model_status,
    status_line,
    output_directory,
    progress_reporter,
    shows_errors,
)

ASR_MODELS = [
    ("MMS 1B all (1,162 languages)", MMS_ASR_MODEL),
    ("wav2vec2 base 960h (English)", ENGLISH_ASR_MODEL),
    ("SeamlessM4T v2 large (ASR)", SEAMLESS_MODEL),
    *[
        (f"Wav2Vec2-BERT CTC, {languages.language_name(code)}: {model_id}", model_id)
        for model_id, code in W2V_BERT_MODELS.items()
    ],
]
AUTO_DETECT = ("Auto-detect (MMS-LID)", transcribe.AUTO)


@shows_errors
def transcribe_audio(audio_file: str | None, model_id: str, language: str, progress=gr.Progress()):
    clip = load_clip(audio_file, SETTINGS.max_transcribe_seconds)
    progress(0.0, desc=f"Loading {model_id} (first use only)…")
    result = transcribe.transcribe(
        clip.samples, language=language, model_id=model_id, progress=progress_reporter(progress)
    )
    rows = result.words or result.segments
    table = [[f"{row.start:.2f}", f"{row.end:.2f}", row.text] for row in rows]
    files = subtitles.write_text_files(result.text, result.segments, output_directory(), "transcript")
    notes = " ".join(result.notes) or f"Language: {languages.language_name(result.language)} ({result.language})."
    return result.text, notes, table, [str(path) for path in files]


def language_options(model_id: str) -> list[tuple[str, str]]:
    return [AUTO_DETECT, *transcribe.asr_languages(model_id).choices()]


def language_choices(model_id: str, current: str):
    options = language_options(model_id)
    value = current if current in {code for _, code in options} else "eng"
    return gr.Dropdown(choices=options, value=value)


def render() -> None:
    """The tab's widgets and events, inside the caller's `gr.Tab`."""
    with gr.Row():
        with gr.Column():
            asr_audio = audio_input("transcribe-audio")
            asr_model = gr.Dropdown(ASR_MODELS, value=MMS_ASR_MODEL, label="Model")
            status_line(model_status, [asr_model])
            asr_language = gr.Dropdown(
                language_options(MMS_ASR_MODEL),
                value="eng",
                label="Language",
                info="Type to search by name or code, or let MMS-LID detect it.",
                filterable=True,
                elem_id="transcribe-language",
            )
            asr_button = gr.Button("Transcribe", variant="primary", elem_id="transcribe-button")
        with gr.Column():
            asr_text = gr.Textbox(label="Transcript", lines=8, buttons=["copy"], elem_id="transcribe-result")
            asr_notes = gr.Markdown(elem_id="transcribe-notes")
            asr_files = gr.File(label="Download (.txt, .srt)", file_count="multiple", elem_id="transcribe-files")
    asr_times = gr.Dataframe(
        headers=["start (s)", "end (s)", "text"],
        label="Timestamps (words for CTC models, segments for Seamless)",
        interactive=False,
        elem_id="transcribe-times",
    )
    gr.Examples(
        [
            [example_path("english.wav"), "eng"],
            [example_path("spanish.mp3"), "spa"],
            [example_path("russian.wav"), "rus"],
        ],
        inputs=[asr_audio, asr_language],
    )
    asr_button.click(
        transcribe_audio,
        [asr_audio, asr_model, asr_language],
        [asr_text, asr_notes, asr_times, asr_files],
        api_name="transcribe",
        **MODEL_EVENT,
    )
    asr_model.change(language_choices, [asr_model, asr_language], asr_language, **PRIVATE)
