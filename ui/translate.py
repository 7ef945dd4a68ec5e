"""Translate tab: SeamlessM4T-v2, speech or text in, text and speech out. API: /translate."""

from __future__ import annotations

import gradio as gr

from modules import languages, subtitles, text, translate
from modules.config import UserInputError
from modules.models import SEAMLESS_MODEL
from ui.common import (
    MODEL_EVENT,
    PRIVATE,
    SETTINGS,
    audio_input,
    example_path,
    language_dropdown,
    load_clip,
    model_status,
    status_line,
    output_directory,
    progress_reporter,
    shows_errors,
    speech_file,
)

INPUT_SPEECH, INPUT_TEXT = "Speech", "Text"


@shows_errors
def translate_input(
    input_kind: str,
    audio_file: str | None,
    input_text: str,
    source_language: str,
    target_language: str,
    speech_output: bool,
    speaker: float = 0,
    beams: float = translate.DEFAULT_BEAMS,
    max_new_tokens: float = translate.DEFAULT_MAX_NEW_TOKENS,
    progress=gr.Progress(),
):
    settings = translate.GenerationSettings(bool(speech_output), int(speaker), int(beams), int(max_new_tokens))
    report = progress_reporter(progress)
    progress(0.0, desc=f"Loading {SEAMLESS_MODEL} (first use only)…")
    if input_kind == INPUT_SPEECH:
        clip = load_clip(audio_file, SETTINGS.max_translate_seconds)
        result = translate.translate_speech(clip.samples, target_language, settings, progress=report)
    elif input_kind == INPUT_TEXT:
        cleaned = text.clean_text(input_text, SETTINGS.max_text_chars)
        result = translate.translate_text(cleaned, source_language, target_language, settings, progress=report)
    else:
        raise UserInputError(f"Input must be {INPUT_SPEECH!r} or {INPUT_TEXT!r}.")
    speech = None
    if result.waveform is not None:
        speech = speech_file(result.waveform, result.sampling_rate, f"translation.{target_language}.wav")
    # Speech input gives timed pieces: the translation comes as subtitles (.srt) too.
    files = subtitles.write_text_files(result.text, result.segments, output_directory(), f"translation.{target_language}")
    return result.text, speech, [str(path) for path in files]


def target_language_choices(speech_output: bool, current: str):
    catalog = languages.SEAMLESS_SPEECH_OUT if speech_output else languages.SEAMLESS_TEXT_OUT
    value = current if current in catalog.codes else "eng"
    return gr.Dropdown(choices=catalog.choices(), value=value)


def show_translate_input(input_kind: str):
    """Speech needs no source language (Seamless encodes any speech); text does."""
    is_text = input_kind == INPUT_TEXT
    return gr.update(visible=not is_text), gr.update(visible=is_text), gr.update(visible=is_text)


def render() -> None:
    """The tab's widgets and events, inside the caller's `gr.Tab`."""
    status_line(lambda: model_status(SEAMLESS_MODEL))
    with gr.Row():
        with gr.Column():
            mt_kind = gr.Radio([INPUT_SPEECH, INPUT_TEXT], value=INPUT_SPEECH, label="Translate", elem_id="translate-kind")
            mt_audio = audio_input("translate-audio")
            mt_text = gr.Textbox(label="Text", lines=4, visible=False, elem_id="translate-text")
            mt_source = language_dropdown(
                languages.SEAMLESS_TEXT_IN, "eng", "Source language", "translate-source", visible=False
            )
            mt_target = language_dropdown(languages.SEAMLESS_TEXT_OUT, "fra", "Target language", "translate-target")
            mt_speech = gr.Checkbox(False, label="Also speak the translation (36 languages)")
            with gr.Accordion("Generation settings", open=False):
                mt_speaker = gr.Slider(
                    0, translate.VOCODER_SPEAKERS - 1, value=0, step=1, label="Voice (vocoder speaker id)"
                )
                mt_beams = gr.Slider(
                    translate.FASTEST_BEAMS,
                    translate.DEFAULT_BEAMS,
                    value=translate.DEFAULT_BEAMS,
                    step=1,
                    label="Search beams: 5 = best quality (as Meta's demo), 1 = fastest",
                    info="Fewer beams answer sooner; more beams usually translate better.",
                )
                mt_max_tokens = gr.Slider(
                    16, 512, value=translate.DEFAULT_MAX_NEW_TOKENS, step=16, label="Max tokens per piece"
                )
            mt_button = gr.Button("Translate", variant="primary", elem_id="translate-button")
        with gr.Column():
            mt_result = gr.Textbox(label="Translation", lines=6, buttons=["copy"], elem_id="translate-result")
            mt_audio_out = gr.Audio(
                label="Spoken translation", type="filepath", buttons=["download"], elem_id="translate-audio-out"
            )
            mt_file = gr.File(
                label="Download (.txt; .srt for speech input)", file_count="multiple", elem_id="translate-file"
            )
    gr.Examples(
        [
            [INPUT_SPEECH, example_path("english.wav"), "", "eng", "fra"],
            [INPUT_TEXT, None, "Where is the train station?", "eng", "spa"],
            [INPUT_TEXT, None, "Je voudrais un café, s'il vous plaît.", "fra", "deu"],
        ],
        inputs=[mt_kind, mt_audio, mt_text, mt_source, mt_target],
    )
    mt_button.click(
        translate_input,
        [mt_kind, mt_audio, mt_text, mt_source, mt_target, mt_speech, mt_speaker, mt_beams, mt_max_tokens],
        [mt_result, mt_audio_out, mt_file],
        api_name="translate",
        **MODEL_EVENT,
    )
    mt_kind.change(show_translate_input, mt_kind, [mt_audio, mt_text, mt_source], **PRIVATE)
    mt_speech.change(target_language_choices, [mt_speech, mt_target], mt_target, **PRIVATE)
