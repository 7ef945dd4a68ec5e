"""The README's screenshots show the page as it is: they are remade (scripts/screenshots.py) whenever
app.py or ui/ change."""

from pathlib import Path

from scripts.screenshots import OUT, TABS, page_hash

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_screenshots_are_of_the_current_page():
    recorded = (OUT / "page-hash.txt").read_text().strip()
    assert recorded == page_hash(), "the page changed: run `.venv/bin/python -m scripts.screenshots` and commit"


def test_the_readme_shows_every_tab():
    for tab in TABS:
        for name in (f"{tab.lower()}.png", f"{tab.lower()}-phone.png"):
            assert (OUT / name).stat().st_size > 10_000
        assert f"docs/screenshots/{tab.lower()}.png" in README
