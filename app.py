"""Polyglot Speech Studio: the Gradio UI. Builds the page and wires events; the work happens in modules/."""

from __future__ import annotations

import functools
import logging
import os
import tempfile
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402
from gradio.utils import get_upload_folder as gradio_upload_folder  # noqa: E402

from modules import audio, identify, languages, speak, subtitles, text, transcribe, translate, warmup  # noqa: E402
from modules.config import ModelUnavailableError, UserInputError, load_settings  # noqa: E402
from modules.models import (  # noqa: E402
    ENGLISH_ASR_MODEL,
    LID_MODELS,
    MMS_ASR_MODEL,
    SEAMLESS_MODEL,
    W2V_BERT_MODELS,
    default_cache,
    tts_model_id,
)

SETTINGS = load_settings()
EXAMPLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "examples")
log = logging.getLogger("polyglot")

ASR_MODELS = [
    ("MMS 1B all (1,162 languages)", MMS_ASR_MODEL),
    ("wav2vec2 base 960h (English)", ENGLISH_ASR_MODEL),
    ("SeamlessM4T v2 large (ASR)", SEAMLESS_MODEL),
    *[
        (f"Wav2Vec2-BERT CTC, {languages.language_name(code)}: {model_id}", model_id)
        for model_id, code in W2V_BERT_MODELS.items()
    ],
]
INPUT_SPEECH, INPUT_TEXT = "Speech", "Text"
AUTO_DETECT = ("Auto-detect (MMS-LID)", transcribe.AUTO)
DEFAULT_EXPRESSIVENESS = 0.667  # MMS-TTS checkpoints' noise_scale


def shows_errors(handler):
    """Turn the modules' errors into messages for the user; anything else is logged, never shown raw.

    A GPU out-of-memory error frees the cached models and runs the request once more.
    """

    @functools.wraps(handler)
    def wrapper(*args, **kwargs):
        try:
            return default_cache().retry_after_out_of_memory(lambda: handler(*args, **kwargs))
        except (UserInputError, ModelUnavailableError) as error:
            raise gr.Error(str(error), duration=None) from error
        except gr.Error:
            raise
        except Exception as error:
            log.exception("unexpected failure in %s", handler.__name__)
            raise gr.Error(f"Something went wrong on the server ({type(error).__name__}). Please try again.") from error

    return wrapper


def load_clip(audio_path: str | None, max_seconds: float) -> audio.Audio16k:
    clip = audio.load_audio_16k(audio_path, max_seconds)
    if clip.notes:
        gr.Info("Audio input: " + "; ".join(clip.notes) + ".")
    return clip


# -- handlers, one per user action -------------------------------------------------------------


def progress_reporter(progress: gr.Progress):
    """The modules report progress as plain (fraction, description) calls."""
    return lambda fraction, description: progress(fraction, desc=description)


def output_directory() -> Path:
    """A fresh folder in Gradio's own temp dir for files the user downloads."""
    return Path(tempfile.mkdtemp(dir=gradio_upload_folder()))


def speech_file(waveform, rate: int, name: str) -> str:
    """Audio outputs go out as our own WAV file: Gradio copies files into its cache atomically, whereas
    numpy outputs are rewritten in place, so two users getting identical audio at once could receive a
    truncated file (seen under load: "Too little data for declared Content-Length")."""
    return audio.write_wav(waveform, rate, output_directory() / name)


def support_line(code: str) -> str:
    found = languages.support(code)
    yes_no = {True: "✓", False: "✗"}
    return (
        f"Transcribe {yes_no[bool(found.transcribe)]} · Speak {yes_no[bool(found.speak)]} · "
        f"Translate: from speech {yes_no[found.translate_from_speech]}, to text {yes_no[found.translate_to_text]}, "
        f"to speech {yes_no[found.translate_to_speech]}"
    )


def model_status(model_id: str) -> str:
    return "Model " + default_cache().describe_source(model_id)


def tts_status(language: str) -> str:
    return model_status(tts_model_id(language))


def asr_language_options(model_id: str) -> list[tuple[str, str]]:
    return [AUTO_DETECT, *transcribe.asr_languages(model_id).choices()]


def asr_language_choices(model_id: str, current: str):
    options = asr_language_options(model_id)
    value = current if current in {code for _, code in options} else "eng"
    return gr.Dropdown(choices=options, value=value)


def target_language_choices(speech_output: bool, current: str):
    catalog = languages.SEAMLESS_SPEECH_OUT if speech_output else languages.SEAMLESS_TEXT_OUT
    value = current if current in catalog.codes else "eng"
    return gr.Dropdown(choices=catalog.choices(), value=value)


def show_translate_input(input_kind: str):
    """Speech needs no source language (Seamless encodes any speech); text does."""
    is_text = input_kind == INPUT_TEXT
    return gr.update(visible=not is_text), gr.update(visible=is_text), gr.update(visible=is_text)


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


# -- the page ----------------------------------------------------------------------------------


def audio_input(elem_id: str) -> gr.Audio:
    # filepath + soundfile decodes without ffmpeg; numpy would route uploads through pydub.
    return gr.Audio(sources=["upload", "microphone"], type="filepath", label="Speech", elem_id=elem_id)


def language_dropdown(catalog, value: str, label: str, elem_id: str, visible: bool = True) -> gr.Dropdown:
    return gr.Dropdown(
        choices=catalog.choices(),
        value=value,
        label=label,
        filterable=True,
        info="Type to search by name or code.",
        elem_id=elem_id,
        visible=visible,
    )


def build_demo() -> gr.Blocks:
    with gr.Blocks(title="Polyglot Speech Studio") as demo:
        gr.Markdown(
            "# Polyglot Speech Studio\n"
            "Try Meta's massively multilingual speech models: identify the language spoken, transcribe it, "
            "speak text in ~1,100 languages, and translate speech and text."
        )
        with gr.Tabs():
            with gr.Tab("Identify"):
                lid_status = gr.Markdown()
                with gr.Row():
                    with gr.Column():
                        lid_audio = audio_input("identify-audio")
                        lid_model = gr.Dropdown(
                            [(f"MMS-LID, {model_id.rsplit('-', 1)[1]} languages", model_id) for model_id in LID_MODELS],
                            value=LID_MODELS[0],
                            label="Model",
                        )
                        lid_top_k = gr.Slider(1, 20, value=5, step=1, label="How many languages to show")
                        lid_button = gr.Button("Identify language", variant="primary", elem_id="identify-button")
                    with gr.Column():
                        lid_result = gr.Label(label="Most likely languages", elem_id="identify-result")
                        lid_summary = gr.Markdown(elem_id="identify-summary")
                gr.Examples(
                    [[os.path.join(EXAMPLES, name)] for name in ("english.wav", "french.flac", "german.ogg")],
                    inputs=[lid_audio],
                )

            with gr.Tab("Transcribe"):
                asr_status = gr.Markdown()
                with gr.Row():
                    with gr.Column():
                        asr_audio = audio_input("transcribe-audio")
                        asr_model = gr.Dropdown(ASR_MODELS, value=MMS_ASR_MODEL, label="Model")
                        asr_language = gr.Dropdown(
                            asr_language_options(MMS_ASR_MODEL),
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
                        [os.path.join(EXAMPLES, "english.wav"), "eng"],
                        [os.path.join(EXAMPLES, "spanish.mp3"), "spa"],
                        [os.path.join(EXAMPLES, "russian.wav"), "rus"],
                    ],
                    inputs=[asr_audio, asr_language],
                )

            with gr.Tab("Speak"):
                tts_status_line = gr.Markdown()
                with gr.Row():
                    with gr.Column():
                        tts_text = gr.Textbox(label="Text", lines=4, elem_id="speak-text")
                        tts_language = language_dropdown(languages.MMS_TTS, "eng", "Voice language", "speak-language")
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

            with gr.Tab("Translate"):
                mt_status = gr.Markdown()
                with gr.Row():
                    with gr.Column():
                        mt_kind = gr.Radio([INPUT_SPEECH, INPUT_TEXT], value=INPUT_SPEECH, label="Translate", elem_id="translate-kind")
                        mt_audio = audio_input("translate-audio")
                        mt_text = gr.Textbox(label="Text", lines=4, visible=False, elem_id="translate-text")
                        mt_source = language_dropdown(
                            languages.SEAMLESS_TEXT_IN, "eng", "Source language", "translate-source", visible=False
                        )
                        mt_target = language_dropdown(
                            languages.SEAMLESS_TEXT_OUT, "fra", "Target language", "translate-target"
                        )
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
                        [INPUT_SPEECH, os.path.join(EXAMPLES, "english.wav"), "", "eng", "fra"],
                        [INPUT_TEXT, None, "Where is the train station?", "eng", "spa"],
                        [INPUT_TEXT, None, "Je voudrais un café, s'il vous plaît.", "fra", "deu"],
                    ],
                    inputs=[mt_kind, mt_audio, mt_text, mt_source, mt_target],
                )

        # -- events: the four public API endpoints ---------------------------------------------
        gpu = dict(concurrency_id="models")  # one shared limit: adapter switches mutate shared models
        lid_button.click(
            identify_language, [lid_audio, lid_model, lid_top_k], [lid_result, lid_summary], api_name="identify", **gpu
        )
        asr_button.click(
            transcribe_audio,
            [asr_audio, asr_model, asr_language],
            [asr_text, asr_notes, asr_times, asr_files],
            api_name="transcribe",
            **gpu,
        )
        tts_button.click(
            speak_text,
            [tts_text, tts_language, tts_seed, tts_speed, tts_expressiveness],
            [tts_audio, tts_read],
            api_name="speak",
            **gpu,
        )
        mt_button.click(
            translate_input,
            [mt_kind, mt_audio, mt_text, mt_source, mt_target, mt_speech, mt_speaker, mt_beams, mt_max_tokens],
            [mt_result, mt_audio_out, mt_file],
            api_name="translate",
            **gpu,
        )

        # -- UI-only events (not part of the API) ----------------------------------------------
        private = dict(api_visibility="private", queue=False)
        lid_model.change(model_status, lid_model, lid_status, **private)
        asr_model.change(model_status, asr_model, asr_status, **private)
        asr_model.change(asr_language_choices, [asr_model, asr_language], asr_language, **private)
        tts_language.change(tts_status, tts_language, tts_status_line, **private)
        mt_kind.change(show_translate_input, mt_kind, [mt_audio, mt_text, mt_source], **private)
        mt_speech.change(target_language_choices, [mt_speech, mt_target], mt_target, **private)
        demo.load(
            lambda lid, asr, tts: (model_status(lid), model_status(asr), tts_status(tts), model_status(SEAMLESS_MODEL)),
            [lid_model, asr_model, tts_language],
            [lid_status, asr_status, tts_status_line, mt_status],
            **private,
        )
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
