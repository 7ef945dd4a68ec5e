"""Compare models, a section of the Transcribe tab: the tab's clip through every speech-recognition model
that has its language, side by side, scored against a reference when one is typed; and a test set of one's
own (clips and a .tsv of their transcripts) scored per model. API: /compare, /score_test_set."""

from __future__ import annotations

import html

import gradio as gr

from modules import compare, languages, request, validation
from ui.common import (
    download_box,
    SETTINGS, batch_limits, checked_by_handler, error_box, given_files, load_clip, model_event, output_directory, progress_reporter,
    shows_errors,
)

HEADERS = ["model", "revision", "seconds", "WER", "CER", "transcript"]
TEST_SET_HEADERS = ["model", "revision", "clips scored", "WER", "CER", "seconds", "clips failed"]
# Differences, marked in the browser: words a model got wrong, added, or missed.
CSS = """
.diff-wrong { background: #fde2e1; text-decoration: underline wavy #d93025; }
.diff-extra { background: #fef3c7; }
.diff-missing { color: #888; text-decoration: line-through; }
"""


def _rate(value: float | None) -> str:
    return "" if value is None else f"{value:.1%}"


def _lead(main_figure: str) -> str:
    if main_figure == "cer":
        return "This language is written without spaces between words, so the character error rate (CER) is the figure to read."
    return "Lower is better: WER counts wrong, missing and extra words; CER counts characters."


def marked(differences: list[tuple[str, str | None]]) -> str:
    """A transcript's words as HTML, each mistake marked (CSS above): wrong, extra, missing."""
    return " ".join(
        html.escape(words) if kind is None else f'<span class="diff-{kind}" title="{kind}">{html.escape(words)}</span>'
        for words, kind in differences
    )


def _differences(result: compare.ModelResult) -> str:
    name = html.escape(compare.ASR_NAMES.get(result.model_id, result.model_id))
    if result.error:
        return f"<p><b>{name}</b>: {html.escape(result.error)}</p>"
    if result.score is None:
        return f"<p><b>{name}</b>: {html.escape(result.text) or '<i>(nothing heard)</i>'}</p>"
    return f"<p><b>{name}</b> (WER {_rate(result.score.wer)}, CER {_rate(result.score.cer)}): {marked(result.score.differences)}</p>"


@shows_errors
def compare_models(audio_file: str | None, language: str, reference: str = "", speech_check: bool = True, progress=gr.Progress()):
    """One recording through every speech-recognition model that has its language, side by side: text, time
    taken and, given what is said, word and character error rates. Models run one after another.

    Args:
        audio_file: the recording: a file, a public http(s) URL, or base64 as a data: URL (under 3 MB). Its length times the number of models may be at most the server's compare limit (10 minutes by default: 2.5 minutes for English's four models).
        language: the language spoken, as an ISO 639-3 code ('eng', 'fra', 'fas'; see /languages), or "auto" to detect it.
        reference: what is said, to score each model against (optional). Both texts are compared after NFKC, case folding and removing punctuation.
        speech_check: refuse audio without speech with a message; false skips the check.

    Returns:
        A table (model, revision, seconds, WER, CER, transcript), the differences marked per model (HTML), and a note.
    """
    language = validation.text("language", language)
    reference = validation.text("reference", reference, optional=True) or ""
    clip = load_clip(audio_file, SETTINGS.max_transcribe_seconds, speech_check, progress)
    result = compare.compare(clip.samples, language, reference, progress=progress_reporter(progress))
    table = [
        [r.model_id, r.revision, "" if r.seconds is None else f"{r.seconds:.3f}",
         _rate(r.score.wer if r.score else None), _rate(r.score.cer if r.score else None), r.text or r.error]
        for r in result.results
    ]
    notes = " ".join([*result.notes, f"Language: {languages.language_name(result.language)} ({result.language}).",
                      _lead(result.main_figure) if reference.strip() else "Type what is said to score the models."])
    return table, "".join(_differences(r) for r in result.results), notes


@shows_errors
def score_test_set(files: list[str] | None, language: str, progress=gr.Progress()):
    """Your own test set, scored per model: clips with their reference transcripts, through every
    speech-recognition model that has the language.

    Args:
        files: audio files and one .tsv (file name, a tab, the transcript; or Common Voice's "path" and "sentence" columns), or a .zip holding them; at most 50 files.
        language: the language of the clips, as an ISO 639-3 code (see /languages).

    Returns:
        Per model: clips scored, WER and CER over the whole set (all errors over all reference words), seconds; and a .csv with every clip's transcript and scores.
    """
    language = validation.text("language", language)
    files = given_files(files, "the clips and their .tsv, or a .zip of them")
    scope = request.require()
    scope.budget = batch_limits().budget()
    clips = compare.read_test_set(files, scope.scratch("unpacked"), scope.budget)
    report = compare.score_test_set(clips, language, progress=progress_reporter(progress))
    path = compare.write_report(report, output_directory())
    table = [[t.model_id, t.revision, t.clips, _rate(t.wer), _rate(t.cer), f"{t.seconds:.1f}", t.failed] for t in report.totals]
    return table, str(path)


def render(audio: gr.Audio, language: gr.Dropdown, speech_check: gr.Checkbox) -> gr.Accordion:
    """Inside the Transcribe tab: compares on the tab's own clip, language and speech check; returns the
    section (the Languages tab opens it)."""
    with gr.Accordion("Compare the models on this recording", open=False, elem_id="compare") as section:
        gr.Markdown(
            "Every speech-recognition model here that knows the language above transcribes the recording, one "
            "after another. Type what is said to see each one's word and character error rates, with its "
            "mistakes marked. Each result names the model and the exact revision it came from."
        )
        reference = gr.Textbox(label="What is said (optional)", lines=2, elem_id="compare-reference")
        checked_by_handler(reference)  # an object sent as the reference is refused, not scored as its text
        button = gr.Button("Compare the models", elem_id="compare-button")
        errors = error_box("compare-error")
        notes = gr.Markdown(elem_id="compare-notes")
        table = gr.Dataframe(headers=HEADERS, interactive=False, wrap=True, elem_id="compare-table")
        marked = gr.HTML(elem_id="compare-differences")
    # A section of its own: many clips of the visitor's, not the recording above (its language is the one above).
    with gr.Accordion("Score the models on a test set of your own", open=False, elem_id="test-set"):
        gr.Markdown("Several clips and a .tsv with each clip's transcript (file name, a tab, the transcript; Common "
                    "Voice's files work as they are), or a .zip of them, in the language chosen above. Each model's "
                    "word and character error rates (WER, CER: the share of words or letters it got wrong).")
        files = gr.File(file_count="multiple", type="filepath", label="Clips and their .tsv, or a .zip", elem_id="test-set-files")
        set_button = gr.Button("Score the test set", elem_id="test-set-button")
        set_errors = error_box("test-set-error")
        set_table = gr.Dataframe(headers=TEST_SET_HEADERS, interactive=False, elem_id="test-set-table")
        set_download = download_box("Every clip's transcript and scores (.csv)", "test-set-download", multiple=False)
    model_event(button, compare_models, [audio, language, reference, speech_check], [table, marked, notes], "compare", errors)
    model_event(set_button, score_test_set, [files, language], [set_table, set_download], "score_test_set", set_errors)
    return section
