"""Speak tab: text to speech with MMS-TTS, one voice per language. API: /speak."""

from __future__ import annotations

import gradio as gr

from modules import languages, speak, text
from modules.models import tts_model_id
from ui.common import (
    MODEL_EVENT,
    SETTINGS,
    language_dropdown,
    model_status,
    status_line,
    progress_reporter,
    shows_errors,
    speech_file,
)

DEFAULT_EXPRESSIVENESS = 0.667  # MMS-TTS checkpoints' noise_scale


@shows_errors
def speak_text(
    input_text: str,
    language: str,
    seed: float = 0,
    speed: float = 1.0,
    expressiveness: float = DEFAULT_EXPRESSIVENESS,
    progress=gr.Progress(),
):
    cleaned = text.clean_text(input_text, SETTINGS.max_text_chars)
    progress(0.0, desc=f"Loading {tts_model_id(language)} (first use only)…")
    speech = speak.synthesize(
        cleaned,
        language,
        seed=int(seed),
        speed=float(speed),
        expressiveness=float(expressiveness),
        progress=progress_reporter(progress),
    )
    read = speech.prepared.text
    if speech.prepared.romanized:
        read += "\n(romanized with uroman)"
    if speech.prepared.dropped:
        read += "\nNot in this voice's alphabet, skipped: " + " ".join(speech.prepared.dropped)
    return speech_file(speech.waveform, speech.sampling_rate, f"speech.{language}.wav"), read


def voice_status(language: str) -> str:
    return model_status(tts_model_id(language))


def render() -> None:
    """The tab's widgets and events, inside the caller's `gr.Tab`."""
    with gr.Row():
        with gr.Column():
            tts_text = gr.Textbox(label="Text", lines=4, elem_id="speak-text")
            tts_language = language_dropdown(languages.MMS_TTS, "eng", "Voice language", "speak-language")
            status_line(voice_status, [tts_language])
            with gr.Accordion("Voice settings", open=False):
                tts_speed = gr.Slider(*speak.SPEED_RANGE, value=1.0, step=0.05, label="Speed")
                tts_expressiveness = gr.Slider(
                    *speak.EXPRESSIVENESS_RANGE,
                    value=DEFAULT_EXPRESSIVENESS,
                    step=0.01,
                    label="Expressiveness (VITS noise scale; 0 = flat)",
                )
                tts_seed = gr.Number(0, precision=0, label="Seed (same text + seed + settings = same audio)")
            tts_button = gr.Button("Speak", variant="primary", elem_id="speak-button")
        with gr.Column():
            tts_audio = gr.Audio(label="Speech", type="filepath", buttons=["download"], elem_id="speak-audio")
            tts_read = gr.Textbox(label="Text the model read", lines=3, elem_id="speak-read")
    gr.Examples(
        [
            ["The quick brown fox jumps over the lazy dog.", "eng"],
            ["Bonjour tout le monde, comment allez-vous ?", "fra"],
            ["Привет, как дела?", "rus"],
            ["Bună ziua, ce mai faceți?", "ron"],
        ],
        inputs=[tts_text, tts_language],
    )
    tts_button.click(
        speak_text,
        [tts_text, tts_language, tts_seed, tts_speed, tts_expressiveness],
        [tts_audio, tts_read],
        api_name="speak",
        **MODEL_EVENT,
    )
