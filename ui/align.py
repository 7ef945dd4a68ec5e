"""Align tab: when each word of a known transcript is said (MMS forced alignment). API: /align."""

from __future__ import annotations

import json
from pathlib import Path

import gradio as gr

from modules import align, languages, subtitles, transcribe, validation
from modules.config import UserInputError
from modules.models import MMS_ASR_MODEL
from ui.common import (
    LanguageList,
    PRIVATE,
    SETTINGS,
    audio_input,
    availability_box,
    checked_by_handler,
    checks_upload,
    cue_settings,
    download_stem,
    download_box,
    uploaded_name,
    error_box,
    example_path,
    load_clip,
    language_picker,
    model_event,
    output_directory,
    progress_reporter,
    searches_as_typed,
    shows_errors,
    speech_check_box,
    subtitle_section,
    watch_availability,
)

INTRO = (
    "Have a recording **and** what is said in it? Align finds when each word is said, in any of "
    f"{languages.MMS_ASR.language_count:,} languages: for subtitles, word-by-word (karaoke) timing, or "
    "language-learning material. Play the audio below the result to see each word as it is spoken."
)
TABLE_HEADERS = ["word", "start (s)", "end (s)", "fit (0-1)", "note"]
# A .txt transcript is read whole; more bytes than the longest accepted transcript can't be one.
MAX_TRANSCRIPT_BYTES = 4 * align.MAX_TRANSCRIPT_CHARS


def read_transcript_file(path: str) -> str:
    data = Path(path).read_bytes()[: MAX_TRANSCRIPT_BYTES + 1]
    if len(data) > MAX_TRANSCRIPT_BYTES:
        raise UserInputError(
            f"The transcript file is too large; a transcript may have at most {align.MAX_TRANSCRIPT_CHARS:,} characters."
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UserInputError("The transcript file must be plain text (.txt, UTF-8).") from None


def note_for(word: align.AlignedWord) -> str:
    notes = []
    if word.low:
        notes.append("fits poorly")
    if word.how == align.ROMANISED:
        notes.append(f"read as “{word.read_as}”")
    elif word.how == align.APPROXIMATE:
        notes.append(f"approximate (read as “{word.read_as}”)")
    return "; ".join(notes)


@shows_errors
def align_audio(
    audio_file: str | None,
    transcript: str,
    language: str,
    transcript_file: str | None = None,
    characters: bool = False,
    max_line_chars: int = 42,
    max_lines: int = 2,
    max_cue_seconds: float = 7.0,
    speech_check: bool = True,
    model_id: str = MMS_ASR_MODEL,
    max_chars_per_second: float = 0.0,
    min_gap_seconds: float = 0.0,
    progress=gr.Progress(),
):
    """When each word of a known transcript is said (forced alignment with Meta's MMS, 1,159 languages, or Omnilingual ASR's CTC model, 1,600+).

    Args:
        audio_file: the recording, up to 1 hour: a file, a public http(s) URL, or base64 as a data: URL (under 3 MB).
        transcript: what is said in it, all of it, up to 100,000 characters (or leave empty and give transcript_file).
        language: the language spoken, as an ISO 639-3 code, e.g. 'eng', 'fra', 'cmn-script_simplified' (/languages lists them), or "auto" to detect it.
        transcript_file: the transcript as a UTF-8 .txt file instead of the text; or a subtitle file (.srt, .vtt) to re-time: every cue keeps its text, line breaks and number and gets the times of its words, in the same format (cues the audio doesn't hold keep their times and are named in the notes).
        characters: also time each letter.
        max_line_chars: subtitle characters per line, 10 to 200.
        max_lines: subtitle lines per cue, 1 to 4.
        max_cue_seconds: longest subtitle cue, 1 to 30 seconds.
        speech_check: refuse audio without speech with a message; false skips the check.
        model_id: the model that aligns: facebook/mms-1b-all (default; CC-BY-NC-4.0) or hf-audio/omniasr-ctc-300m-v2 (Omnilingual ASR, Apache-2.0; languages as 'fra_Latn').
        max_chars_per_second: reading speed, at most this many subtitle characters per second (0, the default: no rule; 15-17 is common): a faster cue stays on screen longer, into the pause after it.
        min_gap_seconds: the least time between two subtitle cues, 0 (default) to 1 s (0.08 is 2 frames at 25 fps).

    Returns:
        The audio, a table of words (start, end, fit 0-1, note), .srt/.vtt/.json files (and a Praat .TextGrid and an
        ELAN .eaf), and notes (a warning when
        the transcript doesn't fit the audio).
    """
    transcript = validation.text("transcript", transcript, optional=True) or ""
    transcript_file = validation.text("transcript_file", transcript_file, optional=True)
    language = validation.text("language", language)
    model_id = validation.one_of("model_id", model_id, align.ALIGN_MODELS)
    characters = validation.flag("characters", characters)
    settings = cue_settings(max_line_chars, max_lines, max_cue_seconds, max_chars_per_second, min_gap_seconds)
    subtitle_file = None  # (kind, cues) of a subtitle file to re-time
    if transcript_file:
        if transcript.strip():
            raise UserInputError("Give the transcript once: typed in the box or as a file, not both.")
        if Path(transcript_file).suffix.lower().lstrip(".") in subtitles.SUBTITLE_KINDS:
            read_transcript_file(transcript_file)  # the same size limit as a .txt
            subtitle_file = subtitles.read_subtitles(transcript_file)
            transcript = subtitles.subtitle_transcript(subtitle_file[1])
        else:
            transcript = read_transcript_file(transcript_file)
    clip = load_clip(audio_file, SETTINGS.max_transcribe_seconds, speech_check, progress)
    progress(0.0, desc="Getting the model ready (the first time takes longest)…")
    result = align.align(clip.samples, transcript, language, progress=progress_reporter(progress), model_id=model_id)
    rows = []
    for word in result.words:
        rows.append([word.text, f"{word.start:.2f}", f"{word.end:.2f}", f"{word.score:.2f}", note_for(word)])
        if characters:
            rows += [[f"  {c.text}", f"{c.start:.2f}", f"{c.end:.2f}", "", ""] for c in word.characters]
    cues = subtitles.build_cues(result.timed_words, settings)
    stem = download_stem("alignment", result.language, model_id)
    written = " ".join(word.text for word in result.words)
    annotation = subtitles.Annotation(
        result.timed_words, clip.seconds, uploaded_name(audio_file),
        [letter for word in result.words for letter in word.characters] if characters else None,
    )
    files = subtitles.write_text_files(written, cues, output_directory(), stem, details=result.details(),
                                       annotation=annotation)
    retimed_note = []
    if subtitle_file is not None:
        kind, given = subtitle_file
        timed, missing = subtitles.retime(given, result.words)
        name = f"{Path(transcript_file).stem}.retimed.{kind}"
        files.insert(0, subtitles.write_subtitles(kind, timed, output_directory() / name))
        retimed_note.append(f"Re-timed {len(timed) - len(missing)} of {len(timed)} subtitles ({name}).")
        if missing:
            shown = ", ".join(cue.identifier or str(given.index(cue) + 1) for cue in missing[:20])
            retimed_note.append(f"Not found in the audio, so left with their own times: subtitle{'s' if len(missing) > 1 else ''} "
                                f"{shown}{' …' if len(missing) > 20 else ''}.")
    notes = " ".join([f"Language: {languages.language_name(result.language)} ({result.language}).", *retimed_note,
                      *result.notes])
    if result.mismatch:
        notes = "⚠ " + notes
    # The audio goes back as it came (API callers get a file); the page then adds the words (`words_on_player`).
    return audio_file, rows, [str(path) for path in files], notes


def words_on_player(audio_file: str | None, files: list[str] | None):
    """The aligned words as the player's subtitles (Gradio's audio subtitles), one per word: read from the
    .json download, so the API's answer stays plain (a file, not a component update)."""
    details = next((path for path in files or [] if str(path).endswith(".json")), None)
    if not audio_file or details is None:
        return gr.update()
    words = json.loads(Path(details).read_text(encoding="utf-8"))["words"]
    return gr.update(value=audio_file, subtitles=[{"text": w["text"], "timestamp": [w["start"], w["end"]]} for w in words])


# The aligning models, named with what their licence allows.
ALIGN_MODEL_CHOICES = [
    ("MMS (1,159 languages) · CC-BY-NC-4.0, non-commercial", MMS_ASR_MODEL),
    *[(f"Omnilingual ASR, CTC ({languages.OMNILINGUAL.language_count:,} languages) · Apache-2.0", model_id)
      for model_id in align.ALIGN_MODELS[1:]],
]


def language_list(model_id: str) -> LanguageList:
    return LanguageList(transcribe.asr_languages(model_id), (("Detect the language automatically", transcribe.AUTO),),
                        "this model can't align it")


def languages_for(model_id: str, current: str, chosen: str | None = None, switched: str | None = None):
    """The chosen model's language list, keeping the language (the visitor's own, if the app had switched away
    from it) under the model's own code for it (MMS "fra" is Omnilingual's "fra_Latn"); where the model lacks
    it, detection, and a line saying so."""
    options = language_list(model_id)
    kept = options.keep(current, chosen, switched)
    if kept is not None:
        return gr.update(choices=options.choices(), value=kept), gr.update(value="", visible=False), None
    return gr.update(choices=options.choices(), value=transcribe.AUTO), gr.update(
        value=f"This model doesn't know {languages.language_name(current)}, so the language will be detected.",
        visible=True), transcribe.AUTO


def render() -> dict:
    """The tab's widgets and events, inside the caller's `gr.Tab`; returns what other tabs connect to."""
    gr.Markdown(INTRO)
    availability = availability_box()
    with gr.Row():
        with gr.Column():
            al_audio = audio_input("align-audio")
            al_transcript = gr.Textbox(
                label="What is said in the recording", lines=5, max_lines=15, elem_id="align-transcript",
                placeholder="Paste the transcript: all of it, in the order it is spoken.",
            )
            al_file = gr.File(label="…or a file of it: .txt, or subtitles (.srt, .vtt) to re-time to this recording",
                              file_types=[".txt", ".srt", ".vtt"], type="filepath", elem_id="align-file")
            # The list is the chosen model's (MMS ids, or Omnilingual's "fra_Latn"): the handler checks the value.
            al_language, al_language_note = language_picker(language_list(MMS_ASR_MODEL), "eng", "Language spoken",
                                                            "align-language")
            al_model = gr.Dropdown(ALIGN_MODEL_CHOICES, value=MMS_ASR_MODEL, label="Model", elem_id="align-model")
            chosen_language, switched_language = gr.State("eng"), gr.State(None)
            al_characters = gr.Checkbox(False, label="Also time each letter", elem_id="align-characters")
            _, al_cues, al_pace = subtitle_section()
            al_speech = speech_check_box("align-speech-check")
            checked_by_handler(al_transcript, al_characters, *al_cues, al_speech)
            al_button = gr.Button("Align", variant="primary", elem_id="align-button")
            # The tab's one error line, under the button the visitor pressed (on a phone too).
            errors = error_box("align-error")
            checks_upload(al_audio, SETTINGS.max_transcribe_seconds, errors)
            gr.Examples(
                [
                    [example_path("english.wav"), "Hello, this is a test of multilingual speech recognition.", "eng"],
                    [example_path("spanish.mp3"), "Buenos días, me gusta aprender idiomas.", "spa"],
                    [example_path("russian.wav"), "Здравствуйте, как у вас дела?", "rus"],
                ],
                inputs=[al_audio, al_transcript, al_language],
                example_labels=["English", "Spanish", "Russian (telephone quality)"],
                label="Try an example",
            )
        with gr.Column():
            al_player = gr.Audio(label="Play it: each word shows as it is said", type="filepath", interactive=False,
                                 elem_id="align-player")
            al_notes = gr.Markdown(elem_id="align-notes")
            al_files = download_box("Download (.srt, .vtt subtitles; .TextGrid for Praat, .eaf for ELAN; .json with every "
                                    "word and letter)", "align-files")
    al_table = gr.Dataframe(headers=TABLE_HEADERS, label="When each word is said", interactive=False,
                            elem_id="align-table")
    run = model_event(
        al_button, align_audio,
        [al_audio, al_transcript, al_language, al_file, al_characters, *al_cues, al_speech, al_model, *al_pace],
        [al_player, al_table, al_files, al_notes], "align", errors,
    )
    run.success(words_on_player, [al_player, al_files], al_player, **PRIVATE)
    al_model.change(languages_for, [al_model, al_language, chosen_language, switched_language],
                    [al_language, al_language_note, switched_language], **PRIVATE)
    searches_as_typed(al_language, al_language_note, language_list, al_model, chosen_language)
    watch_availability(availability, lambda model: (model, "the speech model that aligns"), [al_model], [al_button])
    return dict(audio=al_audio, language=al_language)
