"""Widgets and helpers every tab shares: error display, audio input, language pickers, model status, files."""

from __future__ import annotations

import functools
import inspect
import logging
import os
import queue
import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass
import contextvars
from contextvars import ContextVar
from pathlib import Path

import gradio as gr
import pydantic
from gradio.data_classes import FileData, ListFiles
from gradio.utils import get_upload_folder as gradio_upload_folder

from modules import audio, batch, languages, request, subtitles, vad, validation
from modules.config import ModelUnavailableError, UserInputError, load_settings
from modules.models import DOWNLOADS, UNAVAILABLE, default_cache

SETTINGS = load_settings()
EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "examples")
log = logging.getLogger("polyglot")

# Every model event shares one concurrency limit: adapter switches and settings mutate shared models.
MODEL_EVENT = dict(concurrency_id="models")
# UI-only events: not part of the API, answered without queueing.
PRIVATE = dict(api_visibility="private", queue=False)


# Messages for the browser session that made a request: its error, or notes beside the result that are
# not part of the API's answer. Keyed by (session, handler, kind); bounded, since API callers' sessions
# never come back to read theirs.
_MESSAGES: OrderedDict[tuple[str, str, str], str] = OrderedDict()
_MESSAGES_KEPT = 1000
_CURRENT_CALL: ContextVar[tuple[str, str] | None] = ContextVar("current_call", default=None)
_REQUEST = inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, default=None, annotation=gr.Request)


def _keep(key: tuple[str, str] | None, kind: str, message: str) -> None:
    if key is None:
        return
    _MESSAGES[(*key, kind)] = message
    while len(_MESSAGES) > _MESSAGES_KEPT:
        _MESSAGES.popitem(last=False)


def _take(session: str, handler_name: str, kind: str) -> str | None:
    return _MESSAGES.pop((session, handler_name, kind), None)


def tell_user(note: str) -> None:
    """A note for the person who made this request, shown beside the tab's result (`model_event`'s
    `notes`); API callers get the result alone."""
    _keep(_CURRENT_CALL.get(), "note", note)


def shows_errors(handler):
    """Turn the modules' errors into messages for the user; anything else is logged, never shown raw.

    The message is raised as gr.Error (API callers get it as an error, never as a value; the browser
    shows it next to the tab's output, see `model_event`). A GPU out-of-memory error frees the cached
    models and runs the request once more. Gradio hands the wrapper the request (an extra parameter
    it fills by its annotation), so messages can be kept for the browser session that caused them.
    """
    signature = inspect.signature(handler)
    with_request = signature.replace(parameters=[*signature.parameters.values(), _REQUEST])

    @functools.wraps(handler)
    def wrapper(*args, **kwargs):
        arguments = with_request.bind(*args, **kwargs)
        gradio_request = arguments.arguments.pop("request", None)
        session = getattr(gradio_request, "session_hash", None)
        call = (session, handler.__name__) if session is not None else None
        token = _CURRENT_CALL.set(call)
        # Ties the visitor's message to the one line the server log holds about it.
        ref = uuid.uuid4().hex[:8]
        try:
            progress = arguments.arguments.get("progress")
            return in_request_scope(
                lambda: default_cache().retry_after_out_of_memory(lambda: handler(*arguments.args, **arguments.kwargs)),
                progress_reporter(progress) if progress is not None else None,
            )
        except RequestStopped:
            log.info("[ref %s] %s stopped: the request was cancelled or its client left", ref, handler.__name__)
            raise
        except (UserInputError, ModelUnavailableError, gr.Error) as error:
            # Expected: the person can act on it. One line, no traceback.
            message = str(error.message if isinstance(error, gr.Error) else error)
            log.info("[ref %s] %s refused: %s", ref, handler.__name__, message)
        except Exception:
            log.exception("[ref %s] %s failed", ref, handler.__name__)  # a fault: the traceback is wanted
            message = "Something went wrong on the server. Please try again."
        finally:
            _CURRENT_CALL.reset(token)
        _keep(call, "error", message)
        _keep(call, "ref", ref)
        # Not a pop-up: the tab shows it in place, its reference folded away (an API caller gets both, as an error).
        raise gr.Error(f"{message} (ref {ref})", visible=False, print_exception=False)

    wrapper.__signature__ = with_request
    wrapper.__annotations__ = {**handler.__annotations__, "request": gr.Request}
    return wrapper


RequestStopped = request.Stopped


def in_request_scope(call, progress=None):
    """`call()` as one request (modules/request.py): every file it makes goes when it ends unless handed back
    in its result (Gradio serves those, and deletes them after `keep_files_minutes`); the models it uses
    stay pinned until then; `progress` is its progress line (a model downloading on first use reports there)."""
    outermost = request.current() is None
    with request.scope(outputs_root=Path(gradio_upload_folder()), progress=progress) as scope:
        result = call()
        if outermost:
            scope.hand_over(result)
        return result


class _StoppableProgress:
    """Stands in for gr.Progress in a handler run by `stoppable`: forwards every report, wakes the event's
    generator (so Gradio can look whether the client is still there), and is where a stopped request stops.
    The task modules report progress at every piece, chunk and sentence, so that is where work can stop."""

    def __init__(self, progress, stopped: threading.Event, steps: queue.SimpleQueue):
        self.progress, self.stopped, self.steps = progress, stopped, steps

    def __call__(self, fraction, desc: str | None = None, *args, **kwargs):
        if self.stopped.is_set():
            raise RequestStopped
        if self.progress is not None:
            self.progress(fraction, desc, *args, **kwargs)
        self.steps.put(fraction)


_DONE = object()


def stoppable(handler, outputs: int):
    """`handler` as a generator Gradio can stop. A plain handler runs on in its worker thread after Gradio
    cancels the event (it only cancels the asyncio task), holding the model slot; a generator is closed.
    The handler runs in a thread of its own; the generator yields "no change" at each of its progress
    reports, and when Gradio closes it (the client cancelled or left) the handler stops at the next one."""
    signature = inspect.signature(handler)
    unchanged = gr.skip() if outputs == 1 else tuple(gr.skip() for _ in range(outputs))

    def steps(*args, **kwargs):
        arguments = signature.bind(*args, **kwargs)
        stopped, reports = threading.Event(), queue.SimpleQueue()
        arguments.arguments["progress"] = _StoppableProgress(arguments.arguments.get("progress"), stopped, reports)
        outcome = {}

        def work():
            try:
                outcome["result"] = handler(*arguments.args, **arguments.kwargs)
            except BaseException as error:  # handed to the generator, which raises it where Gradio sees it
                outcome["error"] = error
            finally:
                reports.put(_DONE)

        # In this request's context: Gradio finds the event a gr.Warning or progress belongs to there; the
        # modules find `stopped` there too (decoding and the speech check stop at their next block).
        context = contextvars.copy_context()
        context.run(request.stop_when, stopped, lambda: reports.put(None))
        threading.Thread(target=context.run, args=(work,), name=f"{handler.__name__}-work", daemon=True).start()
        try:
            while reports.get() is not _DONE:
                yield unchanged
        finally:
            stopped.set()  # closed early: the handler stops at its next report
        if "error" in outcome:
            raise outcome["error"]
        yield outcome["result"]

    functools.update_wrapper(steps, handler)
    steps.__signature__ = signature
    return steps


def checked_by_handler(*components: gr.components.Component) -> None:
    """Hand these inputs' values to the handler as sent: it checks them (modules/validation.py) with a
    message naming the parameter and the accepted range. Gradio's own conversion would reject NaN or
    text with a bare "ValueError", and turn an object into text."""
    for component in components:
        component.preprocess = lambda payload: payload


def _describe(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def guard_inputs(handler, inputs: list) -> None:
    """Whatever a caller sends for an input, a failure to read it names the parameter (in plain words, as
    a gr.Error every caller sees) instead of Gradio's "has not enabled verbose error reporting": for a
    file, its shape is checked; for everything else, Gradio's own conversion."""
    names = list(inspect.signature(handler).parameters)
    for name, component in zip(names, inputs):
        original = component.preprocess

        def preprocess(payload, original=original, name=name):
            try:
                return original(payload)
            except gr.Error:
                raise
            except Exception:
                raise gr.Error(f"{name} can't be read as given. Got {_describe(payload)}.", print_exception=False)

        component.preprocess = preprocess
        model = getattr(component, "data_model", None)
        if isinstance(model, type) and issubclass(model, (FileData, ListFiles)):
            kind = "an audio file" if isinstance(component, gr.Audio) else "a file"
            kind = "a list of files" if issubclass(model, ListFiles) else kind
            component.data_model = _checked_file_model(model, name, kind)


def _checked_file_model(model: type, name: str, kind: str) -> type:
    class CheckedFile(model):
        @classmethod
        def model_validate(cls, obj, *args, **kwargs):
            try:
                return super().model_validate(obj, *args, **kwargs)
            except pydantic.ValidationError:
                raise gr.Error(
                    f"{name} must be {kind}: upload one, or pass a path or URL through gradio_client's "
                    f"handle_file(). Got {_describe(obj)}.",
                    print_exception=False,
                ) from None

    CheckedFile.__name__ = CheckedFile.__qualname__ = model.__name__  # the API schema keeps its names
    return CheckedFile


def error_text(message: str, ref: str | None) -> str:
    """An error as the page shows it: the sentence, and the server log's reference folded away under "Details"."""
    details = f"\n\n<details><summary>Details</summary>Reference for the server's log: {ref}</details>" if ref else ""
    return f"⚠ {message}{details}"


def error_box(elem_id: str) -> gr.Markdown:
    """Where a tab shows its last error, in plain words, next to its output."""
    return gr.Markdown(visible=False, elem_id=elem_id, elem_classes=["error-box"])


def model_event(
    button: gr.Button,
    handler,
    inputs: list,
    outputs: list,
    api_name: str,
    errors: gr.Markdown,
    notes: gr.Markdown | None = None,
    in_api: bool = True,
):
    """Wire `button` to a model handler: greyed out while it runs (so repeated clicks don't queue runs),
    the previous error cleared, a new one shown in `errors`, the handler's `tell_user` notes in `notes`.
    in_api=False: a second button for a handler another button already offers under `api_name`."""
    name = handler.__name__
    extra = [notes] if notes is not None else []

    def show_result(request: gr.Request):
        note = _take(request.session_hash, name, "note") or ""
        enabled = gr.update(interactive=True)
        # One output takes the value as it is: a 1-tuple would become the button's label.
        return (enabled, gr.update(value=note, visible=bool(note))) if extra else enabled

    def show_error(request: gr.Request):
        _take(request.session_hash, name, "note")
        message = _take(request.session_hash, name, "error") or "That didn't work. Check the inputs and try again."
        shown = error_text(message, _take(request.session_hash, name, "ref"))
        hidden = [gr.update(value="", visible=False)] * len(extra)  # the last run's notes are not about this one
        return gr.update(interactive=True), gr.update(value=shown, visible=True), *hidden

    hide = gr.update(value="", visible=False)
    started = button.click(
        lambda: (gr.update(interactive=False), hide, *[hide] * len(extra)), None, [button, errors, *extra], **PRIVATE
    )
    # A new input (file, text, choice) makes what was said about the last run stale; uploads are spoken for by
    # their own check.
    changed = [component.change for component in inputs if hasattr(component, "change")
               and not isinstance(component, gr.State) and component._id not in _UPLOAD_CHECKED]
    if changed:
        # One output takes the value as it is: a 1-tuple would be the Markdown's text.
        gr.on(changed, lambda: (hide, *[hide] * len(extra)) if extra else hide, None, [errors, *extra], **PRIVATE)
    guard_inputs(handler, inputs)
    offered = dict(api_name=api_name) if in_api else dict(api_visibility="private")
    run = started.then(stoppable(handler, len(outputs)), inputs, outputs, **offered, **MODEL_EVENT)
    run.success(show_result, None, [button, *extra], **PRIVATE)
    run.failure(show_error, None, [button, errors, *extra], **PRIVATE)
    return run


def load_clip(audio_path: str | None, max_seconds: float, speech_check=True, progress=None) -> audio.Audio16k:
    """The upload as 16 kHz mono; refused when it has no speech (unless the caller or the server turned
    the check off). Each step is named in `progress` (a gr.Progress), so a long file's wait has a reason."""
    speech_check = validation.flag("speech_check", speech_check)
    if progress is not None:
        progress(0.0, desc="Checking the file…")
    clip = audio.load_audio_16k(audio_path, max_seconds)
    if speech_check and SETTINGS.speech_check:
        if progress is not None:
            progress(0.0, desc=f"Checking for speech ({clip.seconds:.0f} s of audio)…")
        vad.require_speech(clip.samples)
    if clip.warnings:  # only what may change the result; routine resampling is not news
        gr.Warning("About this audio: " + "; ".join(clip.warnings) + ".", duration=8)
    return clip


# The results table of each task: only the columns it fills.
BATCH_HEADERS = {
    batch.IDENTIFY: ["file", "duration (s)", "language", "confidence", "problem"],
    batch.TRANSCRIBE: ["file", "duration (s)", "language", "transcript", "problem"],
}


def batch_section(prefix: str, what: str, task: str):
    """Many files at once, folded away under the one-clip controls: (files, button, errors, table, download)."""
    with gr.Accordion("Many files at once", open=False, elem_id=f"{prefix}-batch"):
        gr.Markdown(
            f"Drop several audio files, or a .zip of them, to {what} each (at most {SETTINGS.max_batch_files} files "
            f"and {SETTINGS.max_batch_seconds / 60:.0f} minutes in all). A file that can't be used gets its reason "
            "in its row; the others go on."
        )
        files = gr.File(file_count="multiple", type="filepath", label="Audio files or a .zip", elem_id=f"{prefix}-batch-files")
        button = gr.Button("Run on all files", elem_id=f"{prefix}-batch-button")
        errors = error_box(f"{prefix}-batch-error")
        table = gr.Dataframe(headers=BATCH_HEADERS[task], interactive=False, label="Results", elem_id=f"{prefix}-batch-table")
        download = download_box("Download (.csv, and a .zip with it)", f"{prefix}-batch-download")
    return files, button, errors, table, download


def given_files(files, what: str = "audio files, or a .zip of them") -> list[str]:
    """The paths of a multiple-file input (one path alone counts), or a message saying what to drop."""
    if isinstance(files, str):
        files = [files]
    if not files or not isinstance(files, list) or not all(isinstance(path, str) for path in files):
        raise UserInputError(f"No files were given. Drop {what}.")
    return files


def batch_limits() -> batch.Limits:
    return batch.Limits(SETTINGS.max_batch_files, SETTINGS.max_batch_seconds, max_file_seconds=SETTINGS.max_transcribe_seconds)


def run_batch(files, task: str, model_id: str, language: str, speech_check, progress, cues=None):
    """The shared body of the tabs' batch handlers: rows for the table, and the .csv and .zip."""
    speech_check = validation.flag("speech_check", speech_check)
    files = given_files(files)
    limits = batch_limits()
    scope = request.require()
    scope.budget = limits.budget()
    items = batch.unpack(files, scope.scratch("unpacked"), scope.budget)
    rows = batch.run(items, task, model_id, language, limits, speech_check and SETTINGS.speech_check,
                     progress=progress_reporter(progress), budget=scope.budget)
    table, archive = batch.write_outputs(rows, output_directory(), task, cues or subtitles.CueSettings())

    def name(code: str) -> str:
        return f"{languages.language_name(code)} ({code})" if code else ""

    def result(row: batch.Row) -> str:
        return row.text if task == batch.TRANSCRIBE else "" if row.confidence is None else f"{row.confidence:.0%}"

    shown = [[r.file, "" if r.seconds is None else f"{r.seconds:.1f}", name(r.language), result(r), r.error] for r in rows]
    return shown, [str(table), str(archive)]


def speech_check_box(elem_id: str) -> gr.Checkbox:
    """The per-request switch for the speech check (API: `speech_check`, last)."""
    return gr.Checkbox(
        True, label="Check for speech first", elem_id=elem_id, visible=SETTINGS.speech_check,
        info="Says so when there is no speech in the audio; untick it if it's wrong about yours.",
    )


UPLOAD_CHECKS_AT_ONCE = 2


# Audio inputs whose upload check speaks for them (`checks_upload`): `model_event` leaves their changes to it.
_UPLOAD_CHECKED: set[int] = set()


def checks_upload(audio_component: gr.Audio, max_seconds: float, errors: gr.Markdown) -> gr.Markdown:
    """As soon as a file arrives, the tab's error line (`errors`) says whether it can be used, and a note (made
    here, so placed under that line) says what else matters about it (a low sample rate). A new file, or none,
    clears what was said about the previous one."""
    note = gr.Markdown(visible=False, elem_classes=["upload-note"])
    _UPLOAD_CHECKED.add(audio_component._id)
    # Whether the error line now holds this check's refusal: a good file clears only that, never the error of a
    # run that finished while the check was still decoding (Identify's "Transcribe this clip" starts both).
    refused = gr.State(False)

    def check(path: str | None, refused_before: bool):
        hidden = gr.update(value="", visible=False)
        cleared = hidden if refused_before else gr.skip()
        if not path:
            return hidden, cleared, False
        try:
            clip = audio.load_audio_16k(path, max_seconds)
        except UserInputError as error:
            return hidden, gr.update(value=f"⚠ {error}", visible=True), True
        if clip.warnings:
            return gr.update(value="Note: " + "; ".join(clip.warnings) + ".", visible=True), cleared, False
        return hidden, cleared, False

    # Queued, two at a time: each check decodes the upload, and a burst of uploads must not decode unbounded
    # in parallel outside the queue (as a UI-only event without the queue did).
    gr.on([audio_component.change], check, [audio_component, refused], [note, errors, refused], api_visibility="private",
          concurrency_id="upload-check", concurrency_limit=UPLOAD_CHECKS_AT_ONCE)
    return note


def progress_reporter(progress: gr.Progress):
    """The modules report progress as plain (fraction, description) calls."""
    return lambda fraction, description: progress(fraction, desc=description)


def output_directory() -> Path:
    """A fresh folder for files handed to the visitor: the request's own (modules/request.py), in Gradio's
    temp dir, removed with the request unless they are part of its result."""
    return request.require().outputs()


def uploaded_name(path) -> str | None:
    """The name of an uploaded file as the visitor named it (Gradio keeps it in its cache folder), for a file that
    links to the recording (ELAN's .eaf)."""
    return Path(path).name if isinstance(path, str) and path else None


def download_stem(kind: str, language: str, model_id: str) -> str:
    """Download names that say what they hold: transcript.spa.mms-1b-all(.txt)."""
    return f"{kind}.{language}.{model_id.rsplit('/', 1)[-1]}"


def speech_file(waveform, rate: int, name: str) -> str:
    """Audio outputs go out as our own WAV file: Gradio copies files into its cache atomically, whereas
    numpy outputs are rewritten in place, so two users getting identical audio at once could receive a
    truncated file (seen under load: "Too little data for declared Content-Length")."""
    return audio.write_wav(waveform, rate, output_directory() / name)


def download_box(label: str, elem_id: str, multiple: bool = True) -> gr.File:
    """Where a tab hands files out: download only. Without `interactive=False` Gradio offers "Drop File Here"
    on a box that an event also reads (Align's), and a visitor dropped their transcript there."""
    return gr.File(label=label, file_count="multiple" if multiple else "single", interactive=False, elem_id=elem_id)


def availability_box() -> gr.Markdown:
    """Where a tab says, in visitor words, that its model can't be had (empty and hidden otherwise)."""
    return gr.Markdown(visible=False, elem_classes=["availability"])


def watch_availability(box: gr.Markdown, describe, inputs: list | None, buttons: list[gr.Button]) -> None:
    """On page load and whenever `inputs` change: `describe(*inputs)` gives (model id, what it is in plain
    words, e.g. "the French voice"), or None where no model is chosen yet (a language still being typed, or one
    the tab's picker says it lacks); an unavailable model fills `box` and disables `buttons`."""

    def refresh(*values):
        described = describe(*values)
        model_id, what = described if described else (None, "")
        state = default_cache().availability(model_id) if model_id else None
        if state == UNAVAILABLE:
            message = f"⚠ This demo can't load {what} right now, so this part can't run. Please try again later."
        elif state == DOWNLOADS:
            message = f"The first request downloads {what}, which can take a few minutes; later ones are quick."
        else:
            message = ""
        usable = gr.update(interactive=state != UNAVAILABLE)
        return gr.update(value=message, visible=bool(message)), *(usable for _ in buttons)

    gr.on(None, refresh, inputs=inputs, outputs=[box, *buttons], **PRIVATE)


def audio_input(elem_id: str, label: str = "Speech (upload a file or record)") -> gr.Audio:
    # filepath + soundfile decodes without ffmpeg; numpy would route uploads through pydub.
    return gr.Audio(sources=["upload", "microphone"], type="filepath", label=label, elem_id=elem_id)


# Keys that move in the list or leave it: they don't change what was typed.
_NAVIGATION_KEYS = {"Enter", "Tab", "Escape", "ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight", "Home", "End",
                    "PageUp", "PageDown", "Shift", "Control", "Alt", "Meta"}


@dataclass(frozen=True)
class LanguageList:
    """What one language box offers at a given moment: the model's catalog, fixed first choices ("Detect the
    language automatically") and how a language the model lacks is described ("no voice yet")."""

    catalog: languages.Catalog
    first: tuple[tuple[str, str], ...] = ()
    missing: str = "not available here"

    def choices(self) -> list[tuple[str, str]]:
        """The list, the most widely spoken languages first (the browser keeps this order as it filters)."""
        return [*self.first, *self.catalog.choices()]

    def has(self, value) -> bool:
        return value in self.catalog.codes or any(value == code for _, code in self.first)

    def best(self, typed: str) -> str | None:
        """The language `typed` names best (modules/languages.search), among this list's and, where the model
        lacks it, every language known here ("Igbo" in Speak is Igbo, which has no voice, not a voice whose name
        looks like it); None where nothing matches."""
        for code in languages.search(self.catalog.codes | languages.known_codes(), typed, 5):
            if code in self.catalog.codes or not self.catalog.matching(code):
                return code
        return None

    def label(self, code: str) -> str:
        found = self.catalog.find(code)
        return found.label if found else f"{languages.language_name(code)} ({code}) — {self.missing}"

    def hint(self, typed: str) -> str:
        """What the line under the box says while `typed` is in it: the language Enter will take."""
        if not languages.fold(typed):
            return ""
        code = self.best(typed)
        if code is None:
            return f"No language called “{typed}” is known here."
        if code not in self.catalog.codes:
            return f"⚠ {languages.language_name(code)} ({code}): {self.missing}."
        return f"Enter: **{self.label(code)}**"

    def keep(self, current, chosen=None, switched=None) -> str | None:
        """The value to show once this list replaces another (a new model): the visitor's own last choice
        (`chosen`) if the app had switched away from it (`switched`, the value it switched to, still shown);
        else the current one; each under this list's own code for the language ("fra" -> "fra_Latn"). None where
        this list lacks the language."""
        candidates = ([chosen] if switched is not None and current == switched and chosen else []) + [current]
        for candidate in candidates:
            if self.has(candidate):
                return candidate
            if isinstance(candidate, str) and (same := self.catalog.matching(candidate)):
                return same[0]
        return None

    def settle(self, value) -> tuple[str | None, str]:
        """The value a box ends with once the visitor leaves it, and a note: a listed choice stays; typed text
        becomes its best-ranked language; a language the model lacks stays chosen and is said to be missing."""
        if not isinstance(value, str) or self.has(value):
            return value, ""
        if value in languages.known_codes():
            name = languages.language_name(value)
            return value, (f"⚠ {name}: {self.missing}. Choose another language, or see the Languages tab for what "
                           f"the models here can do with {name}.")
        if (code := self.best(value)) is not None:
            return self.settle(code)
        return value, (f"⚠ No language called “{value}” is known here. Type a language's name (in English or in the "
                       "language itself) or its code.")

    def choices_with(self, value) -> list[tuple[str, str]]:
        """The list, with a language the model lacks added (as such) while it is the value, so the box names it."""
        if self.has(value) or not isinstance(value, str) or value not in languages.known_codes():
            return self.choices()
        return [(self.label(value), value), *self.choices()]


def language_picker(
    options: LanguageList, value: str, label: str, elem_id: str, visible: bool = True,
    info: str = "Type its name, in any language, or its code, and press Enter.",
) -> tuple[gr.Dropdown, gr.Markdown]:
    """The one language box of every tab, and the line under it for what the box has to say. Connect it with
    `searches_as_typed` once the components its list depends on exist."""
    dropdown = gr.Dropdown(
        choices=options.choices(), value=value, label=label, info=info, filterable=True,
        # The box holds what the visitor types until it is settled (`LanguageList.settle`); every handler checks
        # its language against the model's own list anyway.
        allow_custom_value=True, elem_id=elem_id, visible=visible, elem_classes=["language-picker"],
    )
    note = gr.Markdown(visible=False, elem_id=f"{elem_id}-note", elem_classes=["picker-note"])
    return dropdown, note


# Enter in a language box hands the typed text to the server's ranking (`LanguageList.settle`, the language the
# line under the box names) instead of taking the first option the browser lists: its filter keeps the list's
# order and knows only the labels' letters ("Malay" would be Malayalam, "espanol" nothing). Leaving the box does
# it (Gradio keeps typed text as the value, since the box takes custom values). After arrow keys, Enter takes
# the option shown.
# Entering the box selects the language shown, so what the visitor types replaces it rather than joining it.
# The same script rewords Gradio's queue position (below).
PAGE_SCRIPT = """
<script>
document.addEventListener("focusin", (event) => {
  const input = event.target;
  if (input.tagName === "INPUT" && input.closest(".language-picker")) input.select();
});
document.addEventListener("keydown", (event) => {
  const input = event.target;
  if (input.tagName !== "INPUT" || !input.closest(".language-picker")) return;
  if (event.key === "ArrowUp" || event.key === "ArrowDown") { input.dataset.navigated = "yes"; return; }
  if (event.key !== "Enter") { if (event.key.length === 1 || event.key === "Backspace") delete input.dataset.navigated; return; }
  if (input.dataset.navigated || !input.value.trim()) return;
  event.preventDefault();
  event.stopImmediatePropagation();
  input.blur();
}, true);
// Gradio's "queue: 2/3 |" in plain words: what the request waits for (the time that follows is the time waited
// and the expected wait).
const QUEUE = /^queue: (\d+)\/\d* \|$/;
function sayQueue(node) {
  const found = node.nodeValue && node.nodeValue.trim().match(QUEUE);
  if (!found || !node.parentElement?.closest('[data-testid="status-tracker"]')) return;
  const ahead = Number(found[1]) - 1;
  node.nodeValue = ahead === 0 ? "Waiting for the request running now to finish | "
    : `Waiting for ${ahead} earlier request${ahead === 1 ? "" : "s"} and the one running | `;
}
new MutationObserver((changes) => {
  for (const change of changes) {
    if (change.type === "characterData") sayQueue(change.target);
    for (const added of change.addedNodes || []) {
      const walker = document.createTreeWalker(added, NodeFilter.SHOW_TEXT);
      if (added.nodeType === Node.TEXT_NODE) sayQueue(added);
      while (walker.nextNode()) sayQueue(walker.currentNode);
    }
  }
}).observe(document.documentElement, { subtree: true, childList: true, characterData: true });
</script>
"""


def searches_as_typed(
    dropdown: gr.Dropdown, note: gr.Markdown, options_for, context: gr.components.Component | None = None,
    chosen: gr.State | None = None,
) -> None:
    """As the visitor types, the line under the box names the language Enter will take (ranked on the server);
    when they press Enter, pick or leave, the value settles (`LanguageList.settle`). The list itself never changes
    while they type: Gradio keeps the chosen option by its place in the list. `options_for(value of context)`
    gives the `LanguageList` of the moment (Transcribe's follows its model); `chosen` keeps the visitor's own
    last choice, for a tab to restore it when its list changes back."""
    context = context if context is not None else gr.State(None)
    chosen = chosen if chosen is not None else gr.State(None)
    # The text each page last sent: every key sends one request, and an older one answering late (the first
    # search after start-up warms caches) must not put back the hint for fewer letters, nor one after the choice.
    latest: OrderedDict[tuple[str, str], str | None] = OrderedDict()

    def page_key(request: gr.Request | None) -> tuple[str, str]:
        return getattr(request, "session_hash", None) or "", dropdown.elem_id

    def hint(value, context_value, event: gr.KeyUpData, request: gr.Request):
        if event.key in _NAVIGATION_KEYS:
            return gr.skip()
        typed, key = event.input_value or "", page_key(request)
        latest[key] = typed
        latest.move_to_end(key)
        while len(latest) > _MESSAGES_KEPT:
            latest.popitem(last=False)
        message = options_for(context_value).hint(typed)
        return gr.skip() if latest.get(key) != typed else gr.update(value=message, visible=bool(message))

    def settle(value, context_value, request: gr.Request):
        latest[page_key(request)] = None
        options = options_for(context_value)
        settled, message = options.settle(value)
        return (gr.update(choices=options.choices_with(settled), value=settled),
                gr.update(value=message, visible=bool(message)), settled)

    dropdown.key_up(hint, [dropdown, context], note, trigger_mode="multiple", show_progress="hidden", **PRIVATE)
    dropdown.input(settle, [dropdown, context], [dropdown, note, chosen], show_progress="hidden", **PRIVATE)


def subtitle_section(elem_id: str | None = None):
    """The cue settings every tab with subtitles offers, folded away (the defaults suit most videos): the section
    (Translate hides it for text input), the three layout settings, and the two pace settings, which come last in
    the handlers' arguments (added later: optional and last in the API)."""
    defaults, ranges = subtitles.CueSettings(), subtitles.CueSettings.RANGES
    with gr.Accordion("Subtitle settings", open=False, elem_id=elem_id) as section:
        layout = [
            gr.Slider(*ranges["max_line_chars"], value=defaults.max_line_chars, step=1, label="Characters per line (at most)"),
            gr.Slider(*ranges["max_lines"], value=defaults.max_lines, step=1, label="Lines per subtitle (at most)"),
            gr.Slider(*ranges["max_seconds"], value=defaults.max_seconds, step=0.5, label="Seconds per subtitle (at most)"),
        ]
        pace = [
            gr.Slider(*ranges["max_chars_per_second"], value=defaults.max_chars_per_second, step=1,
                      label="Reading speed, characters per second (at most; 0 = no rule)",
                      info="Broadcasters ask 15-17 for adults: a faster subtitle stays on screen longer."),
            gr.Slider(*ranges["min_gap_seconds"], value=defaults.min_gap_seconds, step=0.02,
                      label="Gap between subtitles, seconds (at least)", info="2 frames at 25 fps is 0.08 s."),
        ]
    checked_by_handler(*pace)  # the tabs hand the layout settings over with their other inputs
    return section, layout, pace


def cue_settings(max_line_chars, max_lines, max_cue_seconds, max_chars_per_second=0.0, min_gap_seconds=0.0
                 ) -> subtitles.CueSettings:
    ranges = subtitles.CueSettings.RANGES
    return subtitles.CueSettings(
        max_line_chars=validation.whole_number("max_line_chars", max_line_chars, *ranges["max_line_chars"]),
        max_lines=validation.whole_number("max_lines", max_lines, *ranges["max_lines"]),
        max_seconds=validation.number("max_cue_seconds", max_cue_seconds, *ranges["max_seconds"]),
        max_chars_per_second=validation.number("max_chars_per_second", max_chars_per_second,
                                               *ranges["max_chars_per_second"]),
        min_gap_seconds=validation.number("min_gap_seconds", min_gap_seconds, *ranges["min_gap_seconds"]),
    )


def character_counter_js(limit: int) -> str:
    """A counter computed in the browser as people type (no server round trip); text over the limit
    is never cut, the counter says by how much it is too long."""
    return (
        # Characters as Python counts them (code points): an emoji is one, not JavaScript's two UTF-16 units.
        f"(t) => {{ const n = [...t].length; return n <= {limit} ? `${{n.toLocaleString('en')}} / {limit:,} characters` "
        f": `${{n.toLocaleString('en')}} / {limit:,} characters: ${{(n - {limit}).toLocaleString('en')}} too many`; }}"
    )


def example_path(name: str) -> str:
    return os.path.join(EXAMPLES, name)
