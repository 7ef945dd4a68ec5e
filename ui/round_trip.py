"""Round trips, one click each, beside the result they check: in Speak, "transcribe it back" (how
intelligible is this voice) and "does Identify recognise it"; in Transcribe, "hear the transcript".
One API endpoint for all three: /round_trip."""

from __future__ import annotations

import html

import gradio as gr

from modules import languages, round_trip, validation
from modules.config import UserInputError
from ui.common import SETTINGS, error_box, load_clip, model_event, shows_errors, speech_file
from ui.compare import marked



def summary(trip: round_trip.RoundTrip) -> str:
    name = languages.language_name(trip.language)
    models = " → ".join(trip.models)
    if trip.kind == round_trip.SPEAK_TRANSCRIBE:
        score = trip.score
        return (
            f"**Heard back** ({name}): {html.escape(trip.transcript) or '(nothing)'}\n\n"
            f"Word error rate **{score.wer:.0%}**, character error rate **{score.cer:.0%}** against the text the "
            f"voice read (numbers as words). Differences: {marked(score.differences)}\n\n<small>Models: {models}</small>"
        )
    if trip.kind == round_trip.SPEAK_IDENTIFY:
        top = ", ".join(f"{guess.name} ({guess.probability:.0%})" for guess in trip.guesses[:3])
        place = (f"**{name} came {_ordinal(trip.rank)}**" if trip.rank else
                 f"**{name} was not among the {len(trip.guesses)} most likely languages**")
        return f"{place} of the languages Identify heard in this voice. Most likely: {top}.\n\n<small>Models: {models}</small>"
    return f"**Read aloud** in the {name} voice: {html.escape(trip.text)}\n\n<small>Models: {models}</small>"


def _ordinal(place: int) -> str:
    return {1: "first", 2: "second", 3: "third"}.get(place, f"number {place}")


@shows_errors
def run_round_trip(kind: str, input_text: str = "", audio_file: str | None = None, language: str = "eng", speech_check: bool = True,
                   progress=gr.Progress()):
    """A quick quality check with the app's own models, no recording of your own needed.

    Args:
        kind: "speak-transcribe" (speak input_text with the language's MMS-TTS voice and transcribe it back with MMS: error rates say how intelligible the voice is), "speak-identify" (speak input_text and ask MMS-LID-126 which language it hears), or "transcribe-speak" (transcribe audio_file with MMS, then read the transcript aloud).
        input_text: the text to speak (speak-transcribe, speak-identify), up to 2,000 characters.
        audio_file: the recording (transcribe-speak): a file, a public http(s) URL, or base64 as a data: URL (under 3 MB).
        language: an ISO 639-3 code (see /languages); for transcribe-speak also "auto".
        speech_check: transcribe-speak: refuse audio without speech with a message; false skips the check.

    Returns:
        The speech made (16 kHz-or-voice-rate WAV), and a summary: the transcript with error rates and marked differences, Identify's ranking, or the transcript read.
    """
    kind, language = validation.text("kind", kind), validation.text("language", language)
    speech_check = validation.flag("speech_check", speech_check)  # checked whatever the kind uses
    if kind not in round_trip.KINDS:
        raise UserInputError(f"kind must be one of {', '.join(round_trip.KINDS)}. Got {kind!r}.")
    if kind == round_trip.TRANSCRIBE_SPEAK:
        clip = load_clip(audio_file, SETTINGS.max_transcribe_seconds, speech_check, progress)
        trip = round_trip.transcribe_then_speak(clip.samples, language)
    elif kind == round_trip.SPEAK_TRANSCRIBE:
        trip = round_trip.speak_then_transcribe(validation.text("input_text", input_text), language)
    else:
        trip = round_trip.speak_then_identify(validation.text("input_text", input_text), language)
    return speech_file(trip.waveform, trip.sampling_rate, f"{kind}.{trip.language}.wav"), summary(trip)


def _kind(value: str) -> gr.Textbox:
    return gr.Textbox(value, visible=False)


def render_for_speak(text: gr.Textbox, language: gr.Dropdown) -> None:
    """Inside the Speak tab: check the voice on the tab's own text."""
    with gr.Accordion("Check this voice", open=False, elem_id="speak-check"):
        gr.Markdown("Synthesize the text above, then let the app's own models listen to it: transcribe it back "
                    "(how intelligible is the voice?) or identify its language (does MMS-LID recognise it?).")
        with gr.Row():
            back = gr.Button("Transcribe it back", elem_id="speak-check-transcribe")
            identify = gr.Button("Which language does Identify hear?", elem_id="speak-check-identify")
        errors = error_box("speak-check-error")
        audio = gr.Audio(label="The speech checked", type="filepath", elem_id="speak-check-audio", interactive=False)
        result = gr.Markdown(elem_id="speak-check-result")
    # Hidden, not gr.State: the API and MCP tool take every argument (a State would be left out of both).
    no_audio = gr.Audio(type="filepath", visible=False)
    speech_check = gr.Checkbox(True, visible=False)
    model_event(back, run_round_trip, [_kind(round_trip.SPEAK_TRANSCRIBE), text, no_audio, language, speech_check],
                [audio, result], "round_trip", errors)
    model_event(identify, run_round_trip, [_kind(round_trip.SPEAK_IDENTIFY), text, no_audio, language, speech_check],
                [audio, result], "round_trip", errors, in_api=False)


def render_for_transcribe(audio_input: gr.Audio, language: gr.Dropdown, speech_check: gr.Checkbox) -> None:
    """Inside the Transcribe tab: hear the transcript of the tab's clip."""
    with gr.Row():
        hear = gr.Button("Hear the transcript (MMS, then the language's voice)", size="sm", elem_id="transcribe-hear")
    errors = error_box("transcribe-hear-error")
    audio = gr.Audio(label="The transcript, read aloud", type="filepath", visible=True, elem_id="transcribe-hear-audio", interactive=False)
    result = gr.Markdown(elem_id="transcribe-hear-result")
    model_event(hear, run_round_trip, [_kind(round_trip.TRANSCRIBE_SPEAK), gr.Textbox("", visible=False), audio_input, language, speech_check],
                [audio, result], "round_trip", errors, in_api=False)
