"""Transcribe tab: speech recognition with MMS, English wav2vec2, Seamless and W2V-BERT. API: /transcribe."""

from __future__ import annotations

import gradio as gr
import soundfile

from modules import audio as audio_module
from modules import batch, compare, languages, live, subtitles, transcribe, validation
from modules.config import ModelUnavailableError, UserInputError
from modules.models import (
    ENGLISH_ASR_MODEL, MMS_ASR_MODEL, OMNI_CTC_MODELS, OMNI_LLM_MODELS, SEAMLESS_MODEL, W2V_BERT_MODELS, licence,
)
from ui import compare as compare_section
from ui import round_trip as round_trip_section
from ui.common import (
    MODEL_EVENT,
    batch_section,
    PRIVATE,
    SETTINGS,
    audio_input,
    availability_box,
    checked_by_handler,
    checks_upload,
    cue_settings,
    in_request_scope,
    LanguageList,
    language_picker,
    searches_as_typed,
    download_box,
    uploaded_name,
    download_stem,
    error_box,
    example_path,
    load_clip,
    model_event,
    output_directory,
    progress_reporter,
    run_batch,
    shows_errors,
    speech_check_box,
    subtitle_section,
    watch_availability,
)

INTRO = (
    f"Turn speech into text, with word timings and subtitles. **MMS** knows {languages.MMS_ASR.language_count:,} "
    f"languages ({len(languages.MMS_ASR):,} with their script and dialect variants): pick one, or let the app "
    f"detect it. **Omnilingual ASR**, Meta's newer models, knows {languages.OMNILINGUAL.language_count:,} and may be "
    "used commercially (Apache-2.0). The English-only and Seamless models are there to compare."
)


def _model_label(name: str, model_id: str) -> str:
    """A model's name in the list, with what its licence allows (modules/models.py LICENCES)."""
    found = licence(model_id)
    if found is None:
        return name
    return f"{name} · {found.name}" + ("" if found.commercial_use else ", non-commercial")


ASR_MODELS = [
    (_model_label(f"MMS ({languages.MMS_ASR.language_count:,} languages) — the default", MMS_ASR_MODEL), MMS_ASR_MODEL),
    *[(_model_label(f"Omnilingual ASR, CTC {compare.ASR_NAMES[m].rsplit(' ', 1)[1]} ({languages.OMNILINGUAL.language_count:,} "
                    "languages, no language needed; quick)", m), m) for m in OMNI_CTC_MODELS],
    *[(_model_label(f"Omnilingual ASR, LLM {compare.ASR_NAMES[m].rsplit(' ', 1)[1]} ({languages.OMNILINGUAL.language_count:,} "
                    "languages, told the language; slower)", m), m) for m in OMNI_LLM_MODELS],
    ("wav2vec2 base (English only, small and quick)", ENGLISH_ASR_MODEL),
    (_model_label(f"SeamlessM4T v2 ({languages.SEAMLESS_TEXT_OUT.language_count} languages)", SEAMLESS_MODEL), SEAMLESS_MODEL),
    *[
        (f"Wav2Vec2-BERT ({languages.language_name(code)} only)", model_id)
        for model_id, code in W2V_BERT_MODELS.items()
    ],
]
MODEL_NAMES = compare.ASR_NAMES  # the short names, the same in the Compare table
AUTO_DETECT = ("Detect the language automatically", transcribe.AUTO)
# What the first choice means for a model that takes no language.
ANY_LANGUAGE = ("Any language (this model needs none)", transcribe.AUTO)


@shows_errors
def transcribe_audio(
    audio_file: str | None, model_id: str, language: str,
    max_line_chars: int = 42, max_lines: int = 2, max_cue_seconds: float = 7.0, speech_check: bool = True,
    skip_pauses: bool = False, max_chars_per_second: float = 0.0, min_gap_seconds: float = 0.0, progress=gr.Progress(),
):
    """Speech to text with word timings and subtitles (Meta's MMS in 1,159 languages, and others). Up to 1 hour.

    Args:
        audio_file: the recording (WAV, FLAC, OGG, MP3, M4A, WEBM or a video with sound): a file, a public http(s) URL, or base64 as a data: URL (under 3 MB).
        model_id: facebook/mms-1b-all (1,159 languages; CC-BY-NC-4.0, non-commercial), hf-audio/omniasr-ctc-300m-v2
            and hf-audio/omniasr-llm-300m-v2 (Meta's Omnilingual ASR, 1,600+ languages; Apache-2.0, commercial use
            allowed), facebook/wav2vec2-base-960h (English), facebook/seamless-m4t-v2-large (CC-BY-NC-4.0) or
            hf-audio/wav2vec2-bert-CV16-en (English).
        language: the language spoken, as the model's own code: ISO 639-3 for MMS, e.g. 'eng', 'fra', 'cmn-script_simplified'; ISO 639-3 + script for Omnilingual, e.g. 'eng_Latn', 'cmn_Hans' (see /languages); or "auto" to detect it (the Omnilingual CTC model needs no language: "auto" runs no detection).
        max_line_chars: subtitle characters per line, 10 to 200.
        max_lines: subtitle lines per cue, 1 to 4.
        max_cue_seconds: longest subtitle cue, 1 to 30 seconds.
        speech_check: refuse audio without speech with a message; false skips the check.
        skip_pauses: leave out stretches without speech longer than 2 s (times stay those of the recording).
        max_chars_per_second: reading speed, at most this many subtitle characters per second (0, the default: no rule; 15-17 is common): a faster cue stays on screen longer, into the pause after it.
        min_gap_seconds: the least time between two subtitle cues, 0 (default) to 1 s (0.08 is 2 frames at 25 fps).

    Returns:
        The transcript, a note on the language used, word (or segment) timings, and .txt/.srt/.vtt files (and a
        Praat .TextGrid and an ELAN .eaf when words have times).
    """
    model_id, language = validation.text("model_id", model_id), validation.text("language", language)
    settings = cue_settings(max_line_chars, max_lines, max_cue_seconds, max_chars_per_second, min_gap_seconds)
    skip_pauses = validation.flag("skip_pauses", skip_pauses)
    clip = load_clip(audio_file, SETTINGS.max_transcribe_seconds, speech_check, progress)
    progress(0.0, desc="Getting the model ready (the first time takes longest)…")
    result = transcribe.transcribe(
        clip.samples, language=language, model_id=model_id, progress=progress_reporter(progress), skip_pauses=skip_pauses
    )
    rows = result.words or result.segments
    table = [[f"{row.start:.2f}", f"{row.end:.2f}", row.text] for row in rows]
    stem = download_stem("transcript", result.language, model_id)
    words = result.words or subtitles.spread_words(result.segments)
    cues = subtitles.build_cues(words, settings)
    annotation = subtitles.Annotation(words, clip.seconds, uploaded_name(audio_file))
    files = subtitles.write_text_files(result.text, cues, output_directory(), stem, annotation=annotation)
    notes = " ".join(result.notes) or f"Language: {languages.language_name(result.language)} ({result.language})."
    return result.text, notes, table, [str(path) for path in files]


@shows_errors
def transcribe_files(
    files: list[str] | None, model_id: str, language: str,
    max_line_chars: int = 42, max_lines: int = 2, max_cue_seconds: float = 7.0, speech_check: bool = True,
    max_chars_per_second: float = 0.0, min_gap_seconds: float = 0.0,
    progress=gr.Progress(),
):
    """Many files (or a .zip): each transcribed, in one language or each detected.

    Args:
        files: audio files or .zip archives of them (files or public http(s) URLs); at most 50 files and 60 minutes in all.
        model_id: the speech-recognition model, e.g. facebook/mms-1b-all.
        language: the language spoken (ISO 639-3 code), or "auto" to detect it for each file.
        max_line_chars: subtitle characters per line, 10 to 200.
        max_lines: subtitle lines per cue, 1 to 4.
        max_cue_seconds: longest subtitle cue, 1 to 30 seconds.
        speech_check: refuse files without speech; false skips the check.
        max_chars_per_second: reading speed, at most this many subtitle characters per second (0, the default: no rule; 15-17 is common): a faster cue stays on screen longer, into the pause after it.
        min_gap_seconds: the least time between two subtitle cues, 0 (default) to 1 s (0.08 is 2 frames at 25 fps).

    Returns:
        A table (one row per file, with its transcript or its problem) and a .csv and a .zip of .txt/.srt/.vtt.
    """
    model_id, language = validation.text("model_id", model_id), validation.text("language", language)
    settings = cue_settings(max_line_chars, max_lines, max_cue_seconds, max_chars_per_second, min_gap_seconds)
    return run_batch(files, "transcribe", model_id, language, speech_check, progress, settings)


def live_begin(model_id: str, language: str, previous: live.LiveSession | None = None):
    """Recording started: a new live session (its own state) for the chosen model and language; an unfinished
    earlier one of this page is discarded."""
    if previous is not None:
        previous.discard()
    try:
        session = live.start(model_id, language)
    except UserInputError as error:
        return None, "", gr.update(value=f"⚠ {error}", visible=True), None
    return session, "", gr.update(value="", visible=False), None


def live_step(chunk, session: live.LiveSession | None):
    """Each piece from the microphone: the text so far."""
    if session is None or chunk is None:
        return session, gr.skip()
    rate, samples = chunk
    try:
        return session, in_request_scope(lambda: live.add(session, rate, samples))
    except UserInputError as error:
        return session, f"{session.text}\n⚠ {error}"


def live_end(session: live.LiveSession | None, max_line_chars=42, max_lines=2, max_cue_seconds=7.0,
             max_chars_per_second=0.0, min_gap_seconds=0.0):
    """Recording stopped: the whole recording transcribed once, its files, and the recording itself. The
    session is dropped (None): after Stop the page keeps only the texts and files it shows."""
    if session is None:
        return gr.skip(), None, gr.skip(), None
    try:
        return in_request_scope(lambda: _finish_live(session, cue_settings(max_line_chars, max_lines, max_cue_seconds,
                                                                                     max_chars_per_second, min_gap_seconds)))
    except (UserInputError, ModelUnavailableError) as error:
        return gr.skip(), None, gr.update(value=f"⚠ {error}", visible=True), None


def _finish_live(session: live.LiveSession, settings: subtitles.CueSettings):
    result, recording = live.finish(session)
    cues = subtitles.build_cues(result.words, settings)
    directory = output_directory()
    stem = download_stem("live", result.language, result.model_id)
    path = directory / f"{stem}.wav"
    annotation = subtitles.Annotation(result.words, len(recording) / audio_module.SAMPLE_RATE, path.name)
    files = subtitles.write_text_files(result.text, cues, directory, stem, annotation=annotation)
    # The recording as the server received it, in float: transcribing it again gives the same text.
    soundfile.write(str(path), recording, audio_module.SAMPLE_RATE, subtype="FLOAT")
    return result.text, [str(file) for file in [*files, path]], gr.update(value="", visible=False), None


def language_list(model_id: str) -> LanguageList:
    """The languages the Transcribe box offers for a model, "detect it" (or "any", for a model needing none) first."""
    first = ANY_LANGUAGE if transcribe.needs_no_language(model_id) else AUTO_DETECT
    return LanguageList(transcribe.asr_languages(model_id), (first,),
                        f"{MODEL_NAMES.get(model_id, model_id)} doesn't know it")


def language_for_model(model_id: str, current: str, chosen: str | None = None, switched: str | None = None):
    """The language list of the chosen model, keeping the language (the visitor's own, if the app had switched
    away from it for a previous model) under the model's own code for it; where the model lacks it, English or
    detection, said in one line beside the picker, and remembered (`switched`) so it can be undone."""
    options = language_list(model_id)
    kept = options.keep(current, chosen, switched)
    if kept is not None:
        # Left alone where unchanged: an example may be setting it at this very moment.
        changed = {} if kept == current else {"value": kept}
        return gr.update(choices=options.choices(), **changed), gr.update(value="", visible=False), None
    value = "eng" if "eng" in options.catalog.codes else transcribe.AUTO
    shown = dict((code, label) for label, code in options.choices())[value]
    name = languages.language_name(current)
    reason = (f"{MODEL_NAMES.get(model_id, model_id)} doesn't know {name}, so the language is now {shown}; "
              f"choosing a model that knows {name} brings it back.")
    return gr.update(choices=options.choices(), value=value), gr.update(value=reason, visible=True), value


def render() -> dict:
    """The tab's widgets and events, inside the caller's `gr.Tab`; returns what other tabs connect to."""
    gr.Markdown(INTRO)
    availability = availability_box()
    with gr.Row():
        with gr.Column():
            asr_audio = audio_input("transcribe-audio")
            asr_model = gr.Dropdown(ASR_MODELS, value=MMS_ASR_MODEL, label="Model", elem_id="transcribe-model")
            # An example sets model and language together: the picker takes any value until the model's list
            # arrives (`language_for_model` then checks it).
            asr_language, language_note = language_picker(
                language_list(MMS_ASR_MODEL), "eng", "Language spoken", "transcribe-language",
                info="Type its name, in any language, or its code (Enter takes the first match), or let the app detect it.",
            )
            chosen_language, switched_language = gr.State("eng"), gr.State(None)
            _, asr_cues, asr_pace = subtitle_section()
            asr_speech = speech_check_box("transcribe-speech-check")
            asr_skip = gr.Checkbox(
                False, label="Leave out long stretches without speech", elem_id="transcribe-skip-pauses",
                info="Quicker for long recordings with music or silence; times still match the original.",
            )
            checked_by_handler(*asr_cues, asr_speech, asr_skip)
            asr_button = gr.Button("Transcribe", variant="primary", elem_id="transcribe-button")
            # The tab's one error line, under the button the visitor pressed (on a phone too).
            errors = error_box("transcribe-error")
            checks_upload(asr_audio, SETTINGS.max_transcribe_seconds, errors)
            gr.Examples(
                [
                    [example_path("english.wav"), MMS_ASR_MODEL, "eng"],
                    [example_path("spanish.mp3"), MMS_ASR_MODEL, "spa"],
                    [example_path("russian.wav"), MMS_ASR_MODEL, "rus"],
                    [example_path("german.ogg"), MMS_ASR_MODEL, transcribe.AUTO],
                ],
                inputs=[asr_audio, asr_model, asr_language],
                example_labels=["English", "Spanish", "Russian (telephone quality)", "German, language detected"],
                label="Try an example",
            )
        with gr.Column():
            asr_text = gr.Textbox(label="Transcript", lines=8, buttons=["copy"], elem_id="transcribe-result")
            asr_notes = gr.Markdown(elem_id="transcribe-notes")
            asr_files = download_box("Download (.txt; .srt and .vtt subtitles; .TextGrid for Praat, .eaf for ELAN)",
                                     "transcribe-files")
            round_trip_section.render_for_transcribe(asr_audio, asr_language, asr_speech)
    asr_times = gr.Dataframe(
        headers=["start (s)", "end (s)", "text"],
        label="When each word was said (lines of text for Seamless)",
        interactive=False,
        elem_id="transcribe-times",
    )
    with gr.Accordion("Live captions from the microphone", open=False, elem_id="transcribe-live"):
        gr.Markdown(
            "Speak and watch the text appear, in the language chosen above (MMS, wav2vec2 and Wav2Vec2-BERT). "
            "When you stop, the whole recording is transcribed once more: that is the final text, with its downloads."
        )
        live_mic = gr.Audio(sources=["microphone"], streaming=True, type="numpy", label="Microphone",
                            elem_id="transcribe-live-mic")
        live_errors = error_box("transcribe-live-error")
        live_text = gr.Textbox(label="Live text", lines=4, elem_id="transcribe-live-text")
        live_files = download_box("Download (.txt, .srt, .vtt, and the recording)", "transcribe-live-files")
        # Dropped by Gradio an hour after the tab closes; its recording file goes long before (modules/live.py).
        live_state = gr.State(None, delete_callback=lambda session: session.discard() if session else None)
    live_mic.start_recording(live_begin, [asr_model, asr_language, live_state], [live_state, live_text, live_errors, live_files],
                             **PRIVATE)
    # Streams run beside model requests (their own limit); each piece takes the model's lock for a moment.
    live_mic.stream(live_step, [live_mic, live_state], [live_state, live_text], stream_every=live.STREAM_SECONDS,
                    time_limit=live.MAX_SECONDS, concurrency_id="live", concurrency_limit=4, api_visibility="private")
    live_mic.stop_recording(live_end, [live_state, *asr_cues, *asr_pace], [live_text, live_files, live_errors, live_state],
                            api_visibility="private", **MODEL_EVENT)
    batch_files, batch_button, batch_errors, batch_table, batch_download = batch_section("transcribe", "transcribe", batch.TRANSCRIBE)
    model_event(
        batch_button, transcribe_files, [batch_files, asr_model, asr_language, *asr_cues, asr_speech, *asr_pace],
        [batch_table, batch_download], "transcribe_files", batch_errors,
    )
    model_event(
        asr_button, transcribe_audio, [asr_audio, asr_model, asr_language, *asr_cues, asr_speech, asr_skip, *asr_pace], [asr_text, asr_notes, asr_times, asr_files],
        "transcribe", errors,
    )
    compare = compare_section.render(asr_audio, asr_language, asr_speech)
    asr_model.change(language_for_model, [asr_model, asr_language, chosen_language, switched_language],
                     [asr_language, language_note, switched_language], **PRIVATE)
    searches_as_typed(asr_language, language_note, language_list, asr_model, chosen_language)
    watch_availability(
        availability, lambda model: (model, f"the {MODEL_NAMES.get(model, model)} speech-recognition model"), [asr_model], [asr_button]
    )
    return dict(audio=asr_audio, model=asr_model, language=asr_language, compare=compare)
