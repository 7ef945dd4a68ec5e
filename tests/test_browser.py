"""One pass through the page in Debian's Chromium: each tab takes input and shows a result."""

import re

from playwright.sync_api import expect

from tests.bad_inputs import AUDIO_CASES, TEXT_CASES, TEXTS
from tests.conftest import REPO_ROOT

EXAMPLES = REPO_ROOT / "examples"
TIMEOUT_MS = 30_000


def test_every_tab_works_in_the_browser(page, app_url):
    page.goto(app_url)

    # Identify: upload a clip, see ranked languages with names.
    page.locator("#identify-audio input[type=file]").set_input_files(str(EXAMPLES / "english.wav"))
    page.locator("#identify-button").click()
    expect(page.locator("#identify-result")).to_contain_text(re.compile(r"\([a-z]{3}\)"), timeout=TIMEOUT_MS)

    # Transcribe: language is searchable by name.
    page.get_by_role("tab", name="Transcribe").click()
    page.locator("#transcribe-audio input[type=file]").set_input_files(str(EXAMPLES / "french.flac"))
    language = page.locator("#transcribe-language input")
    language.click()
    language.fill("")
    language.press_sequentially("French")
    expect(page.get_by_role("option")).to_have_count(3)  # French + two French creoles
    page.get_by_role("option", name="French (fra)").click()
    expect(language).to_have_value("French (fra)")
    page.locator("#transcribe-button").click()
    expect(page.locator("#transcribe-result textarea")).not_to_have_value("", timeout=TIMEOUT_MS)

    # Speak: the text the model read is shown, with what it skipped.
    page.get_by_role("tab", name="Speak").click()
    page.locator("#speak-text textarea").fill("Hello, world!")
    page.locator("#speak-button").click()
    expect(page.locator("#speak-read textarea")).to_have_value(re.compile(r"^hello world"), timeout=TIMEOUT_MS)
    expect(page.locator("#speak-audio audio[src]")).to_have_count(1)

    # Translate: text input reveals the source language; a translation appears.
    page.get_by_role("tab", name="Translate").click()
    page.locator("#translate-kind").get_by_label("Text").check()
    page.locator("#translate-text textarea").fill("good morning")
    page.locator("#translate-button").click()
    expect(page.locator("#translate-result textarea")).not_to_have_value("", timeout=TIMEOUT_MS)

    # Bad input: a clear message, not a traceback.
    page.get_by_role("tab", name="Speak").click()
    page.locator("#speak-text textarea").fill("😀😀")
    page.locator("#speak-button").click()
    expect(page.get_by_text("Nothing in this text can be spoken").first).to_be_visible(timeout=TIMEOUT_MS)


# What the voice reads for the odd-but-valid texts (each differs, so no answer can pass for the next).
SPOKEN = {
    "mixed-scripts": "hello   world\nNot in this voice's alphabet, skipped: м и р 世 界",
    "control-characters": "hello world",
}


def test_bad_input_corpus_in_the_browser(page, app_url, bad_audio_dir):
    """Each bad file and text gets its message on the page; good-but-odd input gets a result."""
    for case in AUDIO_CASES:
        page.goto(app_url)
        page.locator("#identify-audio input[type=file]").set_input_files(str(bad_audio_dir / case.name))
        page.locator("#identify-button").click()
        if case.error:
            expect(page.get_by_text(case.error).first, case.name).to_be_visible(timeout=TIMEOUT_MS)
        else:
            expect(page.locator("#identify-summary"), case.name).to_contain_text("classified", timeout=TIMEOUT_MS)

    page.goto(app_url)
    page.get_by_role("tab", name="Speak").click()
    for number, case in enumerate(TEXT_CASES):
        page.locator("#speak-text textarea").fill(TEXTS[case.name])
        page.locator("#speak-button").click()
        if case.error:
            # Errors stay on screen; count them so an earlier identical message can't pass for this one.
            seen = sum(1 for earlier in TEXT_CASES[:number] if earlier.error == case.error)
            expect(page.get_by_text(case.error), case.name).to_have_count(seen + 1, timeout=TIMEOUT_MS)
        else:
            expect(page.locator("#speak-read textarea"), case.name).to_have_value(
                SPOKEN[case.name], timeout=TIMEOUT_MS
            )
