"""Issue 22, in Debian's Chromium at desktop (1366×900) and phone (390×844) size: a language is found by the name a
person types and Enter takes it; messages belong to what they are about; output-only boxes take no uploads;
choices the app had to change come back; every tab is reachable on a phone."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import REPO_ROOT

EXAMPLES = REPO_ROOT / "examples"
TIMEOUT_MS = 30_000
SIZES = {"desktop": (1366, 900), "phone": (390, 844)}


@pytest.fixture(params=list(SIZES))
def sized_page(request, page):
    width, height = SIZES[request.param]
    page.set_viewport_size({"width": width, "height": height})
    return page


def open_tab(page, name: str) -> None:
    page.get_by_role("tab", name=name).click()


def open_every_section(page) -> None:
    """Open the folded sections of the tab in sight (Gradio renders their contents once opened)."""
    for _ in range(3):  # sections inside sections
        closed = page.locator("button.label-wrap:not(.open):visible")
        for index in range(closed.count()):
            closed.nth(0).click()


def type_and_enter(page, elem_id: str, typed: str):
    """Type into a language box as a visitor does (one key at a time) and press Enter at once."""
    box = page.locator(f"#{elem_id} input")
    box.click()
    box.fill("")
    box.press_sequentially(typed)
    box.press("Enter")
    return box


# What a first-time visitor types, and the language they mean, in each tab's box (the tab's model's own id).
TYPED = {
    ("Speak", "speak-language"): [("English", "eng"), ("Hindi", "hin"), ("espanol", "spa"), ("हिंदी", "hin"),
                                  ("francais", "fra"), ("limba română", "ron"), ("farsi", "fas")],
    ("Transcribe", "transcribe-language"): [("English", "eng"), ("Hindi", "hin"), ("Chinese", "cmn-script_simplified"),
                                            ("espanol", "spa"), ("हिंदी", "hin"), ("mandarin", "cmn-script_simplified"),
                                            ("Malay", "zlm")],
    ("Align", "align-language"): [("English", "eng"), ("Chinese", "cmn-script_simplified"), ("romana", "ron")],
}


@pytest.mark.parametrize("tab, elem_id", list(TYPED))
def test_typing_a_language_and_pressing_enter_picks_it(sized_page, app_url, tab, elem_id):
    page = sized_page
    page.goto(app_url)
    open_tab(page, tab)
    for typed, code in TYPED[(tab, elem_id)]:
        box = type_and_enter(page, elem_id, typed)
        expect(box).to_have_value(re.compile(rf"\({re.escape(code)}\)"), timeout=10_000)
        expect(page.locator(f"#{elem_id}-note")).to_be_hidden()


def test_the_line_under_the_box_names_what_enter_will_take(page, app_url):
    page.goto(app_url)
    open_tab(page, "Speak")
    box = page.locator("#speak-language input")
    box.click()
    box.press_sequentially("espanol")
    expect(page.locator("#speak-language-note")).to_have_text("Enter: Spanish (spa)", timeout=10_000)
    box.fill("")
    box.press_sequentially("Malay")
    expect(page.locator("#speak-language-note")).to_have_text("Enter: Malay (zlm)", timeout=10_000)
    box.press("Enter")
    expect(box).to_have_value(re.compile(r"^Malay \(zlm\)"))
    expect(page.locator("#speak-language-note")).to_be_hidden()


def test_translate_boxes_find_languages_by_any_name(page, app_url):
    page.goto(app_url)
    open_tab(page, "Translate")
    page.locator("#translate-kind").get_by_label("Text").check()
    for elem_id, typed, code in [("translate-source", "Chinese", "cmn"), ("translate-source", "espanol", "spa"),
                                 ("translate-target", "हिंदी", "hin"), ("translate-target", "English", "eng"),
                                 ("translate-target", "farsi", "pes")]:
        expect(type_and_enter(page, elem_id, typed)).to_have_value(re.compile(rf"\({code}\)"), timeout=10_000)


def test_a_language_without_a_voice_is_said_so_and_never_becomes_english(sized_page, app_url):
    page = sized_page
    page.goto(app_url)
    open_tab(page, "Speak")
    box = page.locator("#speak-language input")
    box.click()
    box.press_sequentially("Igbo")
    expect(page.locator("#speak-language-note")).to_contain_text("Igbo (ibo): no voice yet", timeout=10_000)
    box.press("Enter")
    expect(page.locator("#speak-language-note")).to_contain_text("Igbo: no voice yet", timeout=10_000)
    page.locator("#speak-text textarea").click()  # leave the box: Igbo stays what the visitor chose
    expect(box).to_have_value(re.compile(r"^Igbo \(ibo\)"))
    expect(box).not_to_have_value(re.compile("English"))


def test_switching_back_restores_the_visitors_language(page, app_url):
    page.goto(app_url)
    open_tab(page, "Transcribe")
    box = type_and_enter(page, "transcribe-language", "Romanian")
    expect(box).to_have_value(re.compile(r"\(ron\)"), timeout=10_000)
    model = page.locator("#transcribe-model input")
    model.click()
    page.get_by_role("option", name=re.compile("wav2vec2 base")).click()
    expect(page.locator("#transcribe-language-note")).to_contain_text("doesn't know Romanian")
    expect(box).to_have_value(re.compile(r"\(eng\)"))
    model.click()
    page.get_by_role("option", name=re.compile("^MMS")).click()
    expect(box).to_have_value(re.compile(r"\(ron\)"), timeout=10_000)
    expect(page.locator("#transcribe-language-note")).to_be_hidden()


def test_also_speak_comes_back_with_a_speakable_target(page, app_url):
    page.goto(app_url)
    open_tab(page, "Translate")
    page.locator("#translate-kind").get_by_label("Text").check()
    speech = page.locator("#translate-speech input")
    speech.check()
    expect(type_and_enter(page, "translate-target", "Yoruba")).to_have_value(re.compile(r"\(yor\)"), timeout=10_000)
    expect(speech).not_to_be_checked()
    expect(page.locator("#translate-speech-note")).to_contain_text("Yoruba can't be spoken")
    expect(type_and_enter(page, "translate-target", "French")).to_have_value(re.compile(r"\(fra\)"), timeout=10_000)
    expect(speech).to_be_checked()
    expect(page.locator("#translate-speech-note")).to_be_hidden()
    speech.uncheck()  # the visitor's own unticking is kept through later changes
    expect(type_and_enter(page, "translate-target", "German")).to_have_value(re.compile(r"\(deu\)"), timeout=10_000)
    expect(speech).not_to_be_checked()


# Every box that only hands something out, by tab (issue 22: Align's download box took a dropped transcript).
OUTPUT_BOXES = {
    "Transcribe": ["transcribe-files", "transcribe-live-files", "transcribe-batch-download", "test-set-download",
                   "transcribe-hear-audio"],
    "Identify": ["identify-batch-download"],
    "Align": ["align-files", "align-player"],
    "Speak": ["speak-audio", "speak-check-audio"],
    "Translate": ["translate-file", "translate-audio-out"],
}


def test_output_boxes_take_no_uploads(page, app_url):
    page.goto(app_url)
    for tab, boxes in OUTPUT_BOXES.items():
        open_tab(page, tab)
        open_every_section(page)
        if tab == "Translate":
            page.locator("#translate-speech input").check()  # the spoken translation's player shows
        for elem_id in boxes:
            expect(page.locator(f"#{elem_id}"), elem_id).to_have_count(1)
            expect(page.locator(f"#{elem_id} input[type=file]"), elem_id).to_have_count(0)
            expect(page.locator(f"#{elem_id}"), elem_id).not_to_contain_text("Drop File Here")
    # The boxes that do take files still do.
    open_tab(page, "Align")
    expect(page.locator("#align-file input[type=file]")).to_have_count(1)
