"""Translate tab: SeamlessM4T-v2, speech or text in, text and speech out. API: /translate."""

from __future__ import annotations

from pathlib import Path

import gradio as gr

from modules import languages, subtitles, text, translate, validation
from modules.config import UserInputError
from modules.models import SEAMLESS_MODEL
from ui.common import (
    download_box,
    PRIVATE,
    SETTINGS,
    audio_input,
    availability_box,
    checked_by_handler,
    checks_upload,
    cue_settings,
    download_stem,
    error_box,
    example_path,
    LanguageList,
    language_picker,
    searches_as_typed,
    load_clip,
    model_event,
    output_directory,
    progress_reporter,
    shows_errors,
    speech_check_box,
    speech_file,
    subtitle_section,
    watch_availability,
)

INTRO = (
    f"Translate speech from {languages.SEAMLESS_SPEECH_IN.language_count} languages or text from "
    f"{languages.SEAMLESS_TEXT_IN.language_count} into {languages.SEAMLESS_TEXT_OUT.language_count}, and hear the "
    f"translation in {languages.SEAMLESS_SPEECH_OUT.language_count} of them (SeamlessM4T-v2). For speech, the "
    "language spoken is recognised by itself."
)
INPUT_SPEECH, INPUT_TEXT, INPUT_SUBTITLES = "Speech", "Text", "Subtitles"


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
    max_line_chars: int = 42,
    max_lines: int = 2,
    max_cue_seconds: float = 7.0,
    speech_check: bool = True,
    max_chars_per_second: float = 0.0,
    min_gap_seconds: float = 0.0,
    subtitle_file: str | None = None,
    progress=gr.Progress(),
):
    """Translate speech, text or a subtitle file into another language, as text and optionally speech (SeamlessM4T v2).

    Args:
        input_kind: "Speech" (audio_file, up to 10 minutes), "Text" (input_text, up to 2,000 characters) or "Subtitles" (subtitle_file).
        audio_file: the recording, when input_kind is "Speech": a file, a public http(s) URL, or base64 as a data: URL (under 3 MB).
        input_text: the text, when input_kind is "Text".
        source_language: the language of the text, as an ISO 639-3 code (e.g. 'eng'); unused for speech.
        target_language: the language to translate into, as an ISO 639-3 code (e.g. 'fra'); 36 of them can be spoken.
        speech_output: also return the translation as speech.
        speaker: the voice of the spoken output, 0 to 199.
        beams: 1 (fastest) to 5 (best, the default).
        max_new_tokens: longest translation per sentence or piece, 16 to 512 tokens.
        max_line_chars: subtitle characters per line, 10 to 200.
        max_lines: subtitle lines per cue, 1 to 4.
        max_cue_seconds: longest subtitle cue, 1 to 30 seconds.
        speech_check: refuse audio without speech with a message; false skips the check.
        max_chars_per_second: reading speed, at most this many subtitle characters per second (0, the default: no rule; 15-17 is common): a faster cue stays on screen longer, into the pause after it.
        min_gap_seconds: the least time between two subtitle cues, 0 (default) to 1 s (0.08 is 2 frames at 25 fps).
        subtitle_file: an .srt or .vtt file, when input_kind is "Subtitles": translated cue by cue (each cue alone, so a sentence running across cues is translated in parts), every cue keeping its times and number or id, in the same format; source_language is the cues' language; at most 2,000 characters in all.

    Returns:
        The translation, a WAV file when speech_output is true, and .txt (and for speech .srt/.vtt) files.
    """
    input_kind = validation.one_of("input_kind", input_kind, (INPUT_SPEECH, INPUT_TEXT, INPUT_SUBTITLES))
    target_language = validation.text("target_language", target_language)
    settings = translate.GenerationSettings(
        validation.flag("speech_output", speech_output),
        validation.whole_number("speaker", speaker, 0, translate.VOCODER_SPEAKERS - 1),
        validation.whole_number("beams", beams, translate.FASTEST_BEAMS, translate.DEFAULT_BEAMS),
        validation.whole_number("max_new_tokens", max_new_tokens, *translate.MAX_NEW_TOKENS_RANGE),
    )
    cues_settings = cue_settings(max_line_chars, max_lines, max_cue_seconds, max_chars_per_second, min_gap_seconds)
    speech_check = validation.flag("speech_check", speech_check)  # checked for text input too
    report = progress_reporter(progress)
    progress(0.0, desc="Getting the model ready (the first time takes longest)…")
    if input_kind == INPUT_SPEECH:
        clip = load_clip(audio_file, SETTINGS.max_translate_seconds, speech_check, progress)
        result = translate.translate_speech(clip.samples, target_language, settings, progress=report)
    elif input_kind == INPUT_SUBTITLES:
        return _translate_subtitles(validation.text("subtitle_file", subtitle_file, optional=True),
                                    validation.text("source_language", source_language), target_language, settings,
                                    cues_settings, report)
    else:
        cleaned = text.clean_text(validation.text("input_text", input_text), SETTINGS.max_text_chars)
        source_language = validation.text("source_language", source_language)
        result = translate.translate_text(cleaned, source_language, target_language, settings, progress=report)
    speech = None
    stem = download_stem("translation", target_language, SEAMLESS_MODEL)
    if result.waveform is not None:
        speech = speech_file(result.waveform, result.sampling_rate, f"{stem}.wav")
    # Speech input gives timed pieces: the translation comes as subtitles (.srt, .vtt) too.
    cues = subtitles.build_cues(subtitles.spread_words(result.segments), cues_settings)
    files = subtitles.write_text_files(result.text, cues, output_directory(), stem)
    return result.text, speech, [str(path) for path in files]


def _translate_subtitles(path: str | None, source_language: str, target_language: str,
                         settings: translate.GenerationSettings, cues_settings: subtitles.CueSettings, report):
    """A subtitle file translated cue by cue into the same format, times and numbering; its lines re-wrapped to the
    subtitle settings' characters per line."""
    if not path:
        raise UserInputError("No subtitle file was given: upload an .srt or .vtt file.")
    # Bounded before it is parsed: its text may hold at most max_text_chars, and timings and numbers rarely
    # take more than the text itself (4 bytes a character of UTF-8, then as much again for the timings).
    if Path(path).stat().st_size > 8 * SETTINGS.max_text_chars:
        raise UserInputError(f"The subtitle file is too large: its text may have at most {SETTINGS.max_text_chars:,} "
                             "characters. Split it into shorter files.")
    kind, given = subtitles.read_subtitles(path)
    text.clean_text(" ".join(cue.cue.text for cue in given), SETTINGS.max_text_chars)  # the text length limit
    result = translate.translate_cues([cue.cue.text for cue in given], source_language, target_language, settings,
                                      progress=report)
    wrapped = [subtitles.wrap_lines(piece.text, cues_settings.max_line_chars) for piece in result.segments]
    translated = [subtitles.SubtitleCue(cue.identifier, subtitles.TimedText(cue.cue.start, cue.cue.end, lines))
                  for cue, lines in zip(given, wrapped)]
    stem = download_stem(Path(path).stem, target_language, SEAMLESS_MODEL)
    directory = output_directory()
    files = [subtitles.write_subtitles(kind, translated, directory / f"{stem}.{kind}"),
             *subtitles.write_text_files(result.text, [], directory, stem)]
    speech = speech_file(result.waveform, result.sampling_rate, f"{stem}.wav") if result.waveform is not None else None
    return result.text, speech, [str(path) for path in files]


def speech_output_for(target: str, wanted: bool):
    """Spoken output as the visitor wants it, for the target chosen: on where the target can be spoken; where it
    can't, off, saying why. The wish itself is kept, so a speakable target chosen later turns it back on."""
    if not wanted:
        return gr.update(value=False), gr.update(value="", visible=False)
    if target in languages.SEAMLESS_SPEECH_OUT.codes:
        return gr.update(value=True), gr.update(value="", visible=False)
    reason = (
        f"{languages.language_name(target)} can't be spoken by this model, so spoken output is off until you "
        f"choose a language it speaks ({len(languages.SEAMLESS_SPEECH_OUT)} languages, e.g. English, French, "
        "Spanish, Hindi)."
    )
    return gr.update(value=False), gr.update(value=reason, visible=True)


def show_translate_input(input_kind: str):
    """Speech needs no source language (Seamless encodes any speech); text and subtitles do. Settings only speech
    input uses (subtitle layout, the speech check) are shown with it alone; a subtitle file keeps its own times."""
    is_text, is_subtitles = input_kind == INPUT_TEXT, input_kind == INPUT_SUBTITLES
    speech_only = gr.update(visible=input_kind == INPUT_SPEECH)
    return (speech_only, gr.update(visible=is_text), gr.update(visible=is_text or is_subtitles), speech_only,
            speech_only, gr.update(visible=is_subtitles))


SOURCES = LanguageList(languages.SEAMLESS_TEXT_IN, missing="SeamlessM4T doesn't translate from it")
TARGETS = LanguageList(languages.SEAMLESS_TEXT_OUT, missing="SeamlessM4T doesn't translate into it")


def render() -> dict:
    """The tab's widgets and events, inside the caller's `gr.Tab`; returns what other tabs connect to."""
    gr.Markdown(INTRO)
    availability = availability_box()
    with gr.Row():
        with gr.Column():
            mt_kind = gr.Radio([INPUT_SPEECH, INPUT_TEXT, INPUT_SUBTITLES], value=INPUT_SPEECH, label="Translate",
                               elem_id="translate-kind")
            mt_audio = audio_input("translate-audio")
            mt_text = gr.Textbox(
                label="Text", lines=4, visible=False, elem_id="translate-text",
                info=f"Up to {SETTINGS.max_text_chars:,} characters.",
            )
            mt_subtitle_file = gr.File(label="Subtitles to translate (.srt, .vtt): same times and numbering, cue by cue",
                                       file_types=[".srt", ".vtt"], type="filepath", visible=False,
                                       elem_id="translate-subtitle-file")
            mt_source, source_note = language_picker(SOURCES, "eng", "Language of the text", "translate-source", visible=False)
            mt_target, target_note = language_picker(TARGETS, "fra", "Translate into", "translate-target")
            mt_speech = gr.Checkbox(
                False, label=f"Also speak the translation ({len(languages.SEAMLESS_SPEECH_OUT)} languages)",
                elem_id="translate-speech",
            )
            speech_note = gr.Markdown(visible=False, elem_id="translate-speech-note")
            with gr.Accordion("More settings", open=False):
                mt_speaker = gr.Slider(
                    0, translate.VOCODER_SPEAKERS - 1, value=0, step=1, label="Voice",
                    info=f"One of {translate.VOCODER_SPEAKERS} voices of the speech output (vocoder speaker id)",
                )
                mt_beams = gr.Slider(
                    translate.FASTEST_BEAMS,
                    translate.DEFAULT_BEAMS,
                    value=translate.DEFAULT_BEAMS,
                    step=1,
                    label="Care taken: 5 = best quality (as Meta's demo), 1 = fastest",
                    info="How many candidate translations are weighed (beam search); fewer answer sooner.",
                )
                mt_max_tokens = gr.Slider(
                    *translate.MAX_NEW_TOKENS_RANGE, value=translate.DEFAULT_MAX_NEW_TOKENS, step=16,
                    label="Longest translation per sentence",
                    info="In word pieces (tokens); raise it if long sentences come out cut short.",
                )
            mt_subtitles, mt_cues, mt_pace = subtitle_section("translate-subtitles")
            mt_speech_check = speech_check_box("translate-speech-check")
            checked_by_handler(mt_text, mt_speech, mt_speaker, mt_beams, mt_max_tokens, *mt_cues, mt_speech_check)
            mt_button = gr.Button("Translate", variant="primary", elem_id="translate-button")
            # The tab's one error line, under the button the visitor pressed (on a phone too).
            errors = error_box("translate-error")
            checks_upload(mt_audio, SETTINGS.max_translate_seconds, errors)
            gr.Examples(
                [
                    [INPUT_SPEECH, example_path("english.wav"), "", "eng", "fra", False],
                    [INPUT_TEXT, None, "Where is the train station?", "eng", "spa", True],
                    [INPUT_TEXT, None, "Je voudrais un café, s'il vous plaît.", "fra", "deu", False],
                ],
                inputs=[mt_kind, mt_audio, mt_text, mt_source, mt_target, mt_speech],
                # Short labels instead of a six-column table, which a phone can't show.
                example_labels=[
                    "English speech → French text",
                    "“Where is the train station?” → Spanish, spoken",
                    "French text → German",
                ],
                label="Try an example",
            )
        with gr.Column():
            mt_result = gr.Textbox(label="Translation", lines=6, buttons=["copy"], elem_id="translate-result")
            mt_audio_out = gr.Audio(
                label="Spoken translation", type="filepath", buttons=["download"], visible=False, interactive=False,
                elem_id="translate-audio-out",
            )
            mt_file = download_box("Download (.txt; .srt and .vtt subtitles for speech input)", "translate-file")
    model_event(
        mt_button, translate_input,
        [mt_kind, mt_audio, mt_text, mt_source, mt_target, mt_speech, mt_speaker, mt_beams, mt_max_tokens, *mt_cues,
         mt_speech_check, *mt_pace, mt_subtitle_file],
        [mt_result, mt_audio_out, mt_file], "translate", errors,
    )
    searches_as_typed(mt_source, source_note, lambda _: SOURCES)
    searches_as_typed(mt_target, target_note, lambda _: TARGETS)
    mt_kind.change(show_translate_input, mt_kind,
                   [mt_audio, mt_text, mt_source, mt_subtitles, mt_speech_check, mt_subtitle_file], **PRIVATE)
    # Ticking (by the visitor or an example) is a wish the box keeps following as the target changes; only the
    # visitor's own unticking ends it (the app's unticking for an unspeakable target does not).
    speech_wanted = gr.State(False)
    mt_speech.change(lambda ticked: True if ticked else gr.skip(), mt_speech, speech_wanted, **PRIVATE)
    mt_speech.input(lambda ticked: ticked, mt_speech, speech_wanted, **PRIVATE).then(
        speech_output_for, [mt_target, speech_wanted], [mt_speech, speech_note], **PRIVATE)
    speech_wanted.change(speech_output_for, [mt_target, speech_wanted], [mt_speech, speech_note], **PRIVATE)
    mt_target.change(speech_output_for, [mt_target, speech_wanted], [mt_speech, speech_note], **PRIVATE)
    mt_speech.change(lambda speech_output: gr.update(visible=speech_output), mt_speech, mt_audio_out, **PRIVATE)
    watch_availability(availability, lambda: (SEAMLESS_MODEL, "the translation model"), None, [mt_button])
    return dict(kind=mt_kind, audio=mt_audio, target=mt_target)
