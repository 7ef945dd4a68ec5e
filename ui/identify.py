"""Identify tab: which language is spoken (MMS-LID). API: /identify."""

from __future__ import annotations

import gradio as gr

from modules import batch, identify, languages, validation
from modules.models import LID_MODELS
from ui.common import (
    batch_section,
    SETTINGS,
    audio_input,
    availability_box,
    checked_by_handler,
    checks_upload,
    error_box,
    example_path,
    load_clip,
    model_event,
    run_batch,
    shows_errors,
    speech_check_box,
    watch_availability,
)

INTRO = (
    "Find out which language is spoken in a recording. The 126-language model is the quickest and knows the "
    "widely spoken languages; the larger ones also know rarer languages (up to 4,017)."
)
# How sure the model must be before the page says "probably"; below it the page says "not sure".
SURE = identify.CONFIDENT_PROBABILITY
TOP_K_RANGE = (1, 20)


def model_label(model_id: str) -> str:
    count = int(model_id.rsplit("-", 1)[1])
    if count == 126:
        return "126 languages (quickest; widely spoken languages)"
    return f"{count:,} languages" + (" (the most; includes rare languages)" if count == 4017 else "")


def support_line(code: str) -> str:
    found = languages.support(code)
    yes_no = {True: "✓", False: "✗"}
    return (
        f"Transcribe {yes_no[bool(found.transcribe)]} · Speak {yes_no[bool(found.speak)]} · "
        f"Translate: from speech {yes_no[found.translate_from_speech]}, to text {yes_no[found.translate_to_text]}, "
        f"to speech {yes_no[found.translate_to_speech]}"
    )


def verdict(guesses: list[identify.LanguageGuess]) -> str:
    """"Probably X" when the model is sure enough, otherwise "not sure — maybe X, Y or Z"."""
    top = guesses[0]
    if top.probability >= SURE:
        return f"**Probably {top.name}** ({top.probability:.0%} sure)."
    maybe = [guess.name for guess in guesses[:3]]
    listed = maybe[0] if len(maybe) == 1 else ", ".join(maybe[:-1]) + f" or {maybe[-1]}"
    return f"**Not sure** — maybe {listed}. A longer or clearer recording usually helps."


@shows_errors
def identify_language(
    audio_file: str | None, model_id: str, top_k: float, speech_check: bool = True, progress=gr.Progress()
):
    """Which language is spoken in a recording (Meta's MMS-LID). Audio up to 10 minutes, any common format.

    Args:
        audio_file: the recording (WAV, FLAC, OGG, MP3, M4A, WEBM or a video with sound): a file, a public http(s) URL, or base64 as a data: URL (under 3 MB).
        model_id: the MMS-LID model: facebook/mms-lid-126 (quickest) up to facebook/mms-lid-4017 (most languages).
        top_k: how many languages to return, 1 to 20.
        speech_check: refuse audio without speech (noise, music, silence) with a message; false skips the check.

    Returns:
        The most likely languages with probabilities (labels "Name (code)"), and a verdict in words.
    """
    model_id = validation.text("model_id", model_id)
    top_k = validation.whole_number("top_k", top_k, *TOP_K_RANGE)
    clip = load_clip(audio_file, SETTINGS.max_identify_seconds, speech_check, progress)
    progress(0.2, desc="Listening… (the model loads on first use)")
    result = identify.identify_language(clip.samples, model_id=model_id, top_k=top_k)
    top = result.guesses[0]
    summary = (
        f"{verdict(result.guesses)}\n\n"
        f"What the app can do with {top.name}: {support_line(top.code)}\n\n"
        f"<small>{model_label(model_id).split(' (')[0]} model; {result.method}.</small>"
    )
    return {f"{guess.name} ({guess.code})": guess.probability for guess in result.guesses}, summary


@shows_errors
def identify_files(files: list[str] | None, model_id: str, speech_check: bool = True, progress=gr.Progress()):
    """Many files (or a .zip): the most likely language of each (Meta's MMS-LID).

    Args:
        files: audio files or .zip archives of them (files or public http(s) URLs); at most 50 files and 60 minutes in all.
        model_id: the MMS-LID model, e.g. facebook/mms-lid-126.
        speech_check: refuse files without speech; false skips the check.

    Returns:
        A table (file, duration, language, confidence, transcript, problem: one row per file) and the .csv and .zip.
    """
    model_id = validation.text("model_id", model_id)
    return run_batch(files, "identify", model_id, "", speech_check, progress)


def render() -> dict:
    """The tab's widgets and events, inside the caller's `gr.Tab`; returns what other tabs connect to."""
    gr.Markdown(INTRO)
    availability = availability_box()
    with gr.Row():
        with gr.Column():
            lid_audio = audio_input("identify-audio")
            lid_model = gr.Dropdown(
                [(model_label(model_id), model_id) for model_id in LID_MODELS],
                value=LID_MODELS[0],
                label="How many languages the model knows",
                info="Models that know more languages are larger and slower (MMS-LID).",
            )
            lid_top_k = gr.Slider(*TOP_K_RANGE, value=5, step=1, label="How many languages to show")
            lid_speech = speech_check_box("identify-speech-check")
            checked_by_handler(lid_top_k, lid_speech)
            lid_button = gr.Button("Identify language", variant="primary", elem_id="identify-button")
            # The tab's one error line, under the button the visitor pressed (on a phone too).
            errors = error_box("identify-error")
            checks_upload(lid_audio, SETTINGS.max_identify_seconds, errors)
            gr.Examples(
                [[example_path(name)] for name in ("english.wav", "french.flac", "german.ogg")],
                inputs=[lid_audio],
                label="Try an example",
            )
        with gr.Column():
            lid_summary = gr.Markdown(elem_id="identify-summary")
            with gr.Row():
                to_transcribe = gr.Button(visible=False, size="sm", elem_id="identify-to-transcribe")
                to_speak = gr.Button(visible=False, size="sm", elem_id="identify-to-speak")
                to_translate = gr.Button(visible=False, size="sm", elem_id="identify-to-translate")
            lid_result = gr.Label(label="Most likely languages", show_heading=False, elem_id="identify-result")
    batch_files, batch_button, batch_errors, batch_table, batch_download = batch_section("identify", "identify the language of", batch.IDENTIFY)
    model_event(batch_button, identify_files, [batch_files, lid_model, lid_speech], [batch_table, batch_download],
                "identify_files", batch_errors)
    model_event(lid_button, identify_language, [lid_audio, lid_model, lid_top_k, lid_speech], [lid_result, lid_summary], "identify", errors)
    watch_availability(availability, lambda model: (model, "the language-identification model"), [lid_model], [lid_button])
    return dict(audio=lid_audio, ranking=lid_result, to_transcribe=to_transcribe, to_speak=to_speak, to_translate=to_translate)
