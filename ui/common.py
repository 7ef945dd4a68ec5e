"""Widgets and helpers every tab shares: error display, audio input, language pickers, model status, files."""

from __future__ import annotations

import functools
import logging
import os
import tempfile
from pathlib import Path

import gradio as gr
from gradio.utils import get_upload_folder as gradio_upload_folder

from modules import audio
from modules.config import ModelUnavailableError, UserInputError, load_settings
from modules.models import default_cache

SETTINGS = load_settings()
EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "examples")
log = logging.getLogger("polyglot")

# Every model event shares one concurrency limit: adapter switches and settings mutate shared models.
MODEL_EVENT = dict(concurrency_id="models")
# UI-only events: not part of the API, answered without queueing.
PRIVATE = dict(api_visibility="private", queue=False)


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


def model_status(model_id: str) -> str:
    return "Model " + default_cache().describe_source(model_id)


def status_line(describe, inputs: list | None = None) -> gr.Markdown:
    """A line that `describe(*inputs)` fills on page load and whenever an input changes (not in the API)."""
    line = gr.Markdown()
    gr.on(None, describe, inputs=inputs, outputs=line, **PRIVATE)
    return line


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


def example_path(name: str) -> str:
    return os.path.join(EXAMPLES, name)
