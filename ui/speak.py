"""Speak tab: text to speech with MMS-TTS, one voice per language. API: /speak."""

from __future__ import annotations

import gradio as gr

from modules import languages, speak, text, validation
from modules.models import tts_model_id
from ui import round_trip as round_trip_section
from ui.common import (
    PRIVATE,
    SETTINGS,
    availability_box,
    character_counter_js,
    checked_by_handler,
    error_box,
    LanguageList,
    language_picker,
    searches_as_typed,
    model_event,
    progress_reporter,
    shows_errors,
    speech_file,
    tell_user,
    watch_availability,
)

INTRO = (
    f"Type text and hear it read by one of {len(languages.MMS_TTS):,} voices in {languages.MMS_TTS.language_count:,} "
    "languages (MMS-TTS, one voice per language or script). "
    "The box under the player shows exactly what the voice read."
)
DEFAULT_EXPRESSIVENESS = 0.667  # MMS-TTS checkpoints' noise_scale


def about_reading(prepared: text.PreparedText, language: str) -> str:
    """One quiet line on what the voice did with the text: numbers it can't say, romanised, words in letters it
    lacks, signs that carry meaning it skipped ("$", "%" where the language has no rule to say them)."""
    name = languages.language_name(language)
    notes = []
    if prepared.digits_kept:
        notes.append(
            f"numbers stay as digits: there is no rule yet for saying numbers in {name}, "
            "so the voice reads only the digits it knows"
        )
    if prepared.romanized:
        notes.append("written in Latin letters first (uroman), as this voice was trained")
    if words := prepared.skipped_words:
        shown = " ".join(words[:12]) + (" …" if len(words) > 12 else "")
        notes.append(f"“{shown}” can't be read by the {name} voice (its letters aren't in the voice's alphabet), so it "
                     "skipped them")
    elif missing := prepared.missing_letters:
        notes.append("this voice has no " + " ".join(missing) + ", so it skipped them")
    if symbols := prepared.missing_symbols:
        notes.append(f"this voice can't say {' '.join(symbols)}, so it skipped "
                     + ("it" if len(symbols) == 1 else "them"))
    return ("Note: " + "; ".join(notes) + ".") if notes else ""


@shows_errors
def speak_text(
    input_text: str,
    language: str,
    seed: float = 0,
    speed: float = 1.0,
    expressiveness: float = DEFAULT_EXPRESSIVENESS,
    progress=gr.Progress(),
):
    """Text to speech in 1,137 languages (Meta's MMS-TTS voices), up to 2,000 characters.

    Args:
        input_text: the text to read; numbers are read as words where the language has rules for them.
        language: the voice, as an ISO 639-3 code (e.g. 'eng', 'ron', 'urd-script_latin'); /languages lists every voice (its speak field).
        seed: 0 to 4,294,967,295; the same text, seed and settings give the same audio.
        speed: 0.5 to 2 (1 = the voice's own pace).
        expressiveness: 0 to 1 (the voice's own is 0.667).

    Returns:
        A 16 kHz WAV file, and the text exactly as the voice read it.
    """
    cleaned = text.clean_text(validation.text("input_text", input_text), SETTINGS.max_text_chars)
    language = validation.text("language", language)
    progress(0.0, desc="Getting the voice ready (the first time takes longest)…")
    # seed, speed and expressiveness are checked by speak.synthesize, with the same messages.
    speech = speak.synthesize(
        cleaned, language, seed=seed, speed=speed, expressiveness=expressiveness, progress=progress_reporter(progress)
    )
    tell_user(about_reading(speech.prepared, language))
    return speech_file(speech.waveform, speech.sampling_rate, f"speech.{language}.wav"), speech.prepared.text


def voice(language: str) -> tuple[str, str] | None:
    """The model behind a voice, and how to name it; None for a language with no voice (its picker says so)."""
    if language not in languages.MMS_TTS.codes:
        return None
    return tts_model_id(language), f"the {languages.language_name(language)} voice"


VOICES = LanguageList(languages.MMS_TTS, missing="no voice yet")


def render() -> dict:
    """The tab's widgets and events, inside the caller's `gr.Tab`; returns what other tabs connect to."""
    gr.Markdown(INTRO)
    availability = availability_box()
    with gr.Row():
        with gr.Column():
            tts_text = gr.Textbox(
                label="Text",
                lines=4,
                info=f"Up to {SETTINGS.max_text_chars:,} characters; long text is read sentence by sentence.",
                elem_id="speak-text",
            )
            counter = gr.Markdown(f"0 / {SETTINGS.max_text_chars:,} characters", elem_id="speak-counter")
            tts_language, language_note = language_picker(VOICES, "eng", "Voice language", "speak-language")
            with gr.Accordion("Voice settings", open=False):
                tts_speed = gr.Slider(*speak.SPEED_RANGE, value=1.0, step=0.05, label="Speed", info="1 = the voice's own pace")
                tts_expressiveness = gr.Slider(
                    *speak.EXPRESSIVENESS_RANGE,
                    value=DEFAULT_EXPRESSIVENESS,
                    step=0.01,
                    label="Expressiveness",
                    info="0 = flat, 1 = lively (VITS noise scale; the voice's own is 0.667)",
                )
                tts_seed = gr.Number(
                    0, precision=0, minimum=speak.SEED_RANGE[0], maximum=speak.SEED_RANGE[1], label="Variation", info="Each number gives a different take; the same number gives the same audio"
                )
            checked_by_handler(tts_text, tts_seed, tts_speed, tts_expressiveness)
            tts_button = gr.Button("Speak", variant="primary", elem_id="speak-button")
            # The tab's one error line, under the button the visitor pressed (on a phone too).
            errors = error_box("speak-error")
            gr.Examples(
                [
                    ["The quick brown fox jumps over the lazy dog.", "eng"],
                    ["Bonjour tout le monde, comment allez-vous ?", "fra"],
                    ["Привет, как дела?", "rus"],
                    ["Bună ziua, ce mai faceți?", "ron"],
                ],
                inputs=[tts_text, tts_language],
                label="Try an example",
            )
        with gr.Column():
            tts_audio = gr.Audio(label="Speech", type="filepath", buttons=["download"], elem_id="speak-audio", interactive=False)
            tts_read = gr.Textbox(label="What the voice read", lines=3, elem_id="speak-read")
            reading_note = gr.Markdown(visible=False, elem_id="speak-note")
            round_trip_section.render_for_speak(tts_text, tts_language)
    model_event(
        tts_button, speak_text, [tts_text, tts_language, tts_seed, tts_speed, tts_expressiveness], [tts_audio, tts_read],
        "speak", errors, reading_note,
    )
    # Counted in the browser as people type: no server round trip.
    tts_text.change(None, tts_text, counter, js=character_counter_js(SETTINGS.max_text_chars), **PRIVATE)
    searches_as_typed(tts_language, language_note, lambda _: VOICES)
    watch_availability(availability, voice, [tts_language], [tts_button])
    return dict(text=tts_text, language=tts_language)
