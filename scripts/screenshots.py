"""Screenshots of every tab for the README, in Debian's Chromium, over the tiny models.

    .venv/bin/python -m scripts.screenshots

Each tab is shown after running its first example (Languages: after finding and picking Persian; desktop, 1280 px) and as it opens on a phone
(390 x 844). `docs/screenshots/page-hash.txt` records the page's source they show;
tests/test_screenshots.py fails when app.py or ui/ change without new screenshots.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
OUT = REPO_ROOT / "docs" / "screenshots"
TABS = ["Identify", "Transcribe", "Align", "Speak", "Translate", "Languages"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def page_hash() -> str:
    """What the screenshots depend on: the page's own source files."""
    digest = hashlib.sha256()
    for path in [REPO_ROOT / "app.py", *sorted((REPO_ROOT / "ui").glob("*.py"))]:
        digest.update(path.relative_to(REPO_ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def pick_a_language(page) -> None:
    """What a visitor does in the Languages tab: find Persian by another name, pick it, use it everywhere."""
    page.locator("#languages-query textarea").fill("Farsi")
    page.wait_for_timeout(1500)
    page.locator("#languages-table").get_by_text("Iranian Persian", exact=True).last.click()
    page.locator("#languages-use").click()


def main() -> None:
    os.environ.update(GRADIO_ANALYTICS_ENABLED="False", HF_HUB_OFFLINE="1")
    from tests.tiny_models import build_all

    os.environ["POLYGLOT_MODEL_PATHS"] = str(build_all(Path(tempfile.mkdtemp(prefix="polyglot-shots-"))))
    import app
    from playwright.sync_api import sync_playwright

    from tests.conftest import BROWSER_ARGS, free_port

    port = free_port()
    app.demo.queue().launch(
        server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, ssr_mode=False, quiet=True,
        **app.LAUNCH_OPTIONS,
    )
    url = f"http://127.0.0.1:{port}/"
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=BROWSER_ARGS)
        desktop = browser.new_page(viewport=DESKTOP)
        desktop.goto(url)
        for tab in TABS:
            desktop.get_by_role("tab", name=tab).click()
            if tab == "Languages":
                pick_a_language(desktop)
            else:
                panel = desktop.get_by_role("tabpanel")
                panel.locator(".gallery-item, tbody tr").first.click()  # the first example
                desktop.locator(f"#{tab.lower()}-button").click()
            desktop.wait_for_timeout(2500)
            desktop.screenshot(path=str(OUT / f"{tab.lower()}.png"), full_page=True)
        phone = browser.new_page(viewport=PHONE)
        phone.goto(url)
        phone.get_by_role("tab", name=TABS[0]).wait_for()
        for tab in TABS:
            if not phone.get_by_role("tab", name=tab).is_visible():
                # A phone is too narrow for six tabs: Gradio puts the last ones under "More tabs".
                phone.get_by_role("button", name="More tabs").click()
                phone.locator(".overflow-dropdown button", has_text=tab).click()
            else:
                phone.get_by_role("tab", name=tab).click()
            phone.wait_for_timeout(500)
            phone.screenshot(path=str(OUT / f"{tab.lower()}-phone.png"), full_page=True)
        browser.close()
    app.demo.close()
    (OUT / "page-hash.txt").write_text(page_hash() + "\n")
    print(f"wrote {len(TABS) * 2} screenshots to {OUT}")


if __name__ == "__main__":
    main()
