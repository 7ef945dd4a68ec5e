"""Many files at once: safe unpacking of .zip archives, one row per file (a bad file doesn't stop the
others), downloads, limits; through the module and the API."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError

from modules import batch, subtitles
from modules.config import UserInputError
from tests.conftest import REPO_ROOT

EXAMPLES = REPO_ROOT / "examples"


def make_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, data in members.items():
            bundle.writestr(name, data)
    return path


def test_unpacking_never_leaves_its_folder(tmp_path):
    english = (EXAMPLES / "english.wav").read_bytes()
    archive = make_zip(tmp_path / "talks.zip", {
        "../../escaped.wav": english, "/etc/absolute.wav": english, "day1\\..\\a.wav": english,
        "inner.zip": b"PK\x05\x06" + bytes(18), "notes.txt": b"hello",
    })
    workdir = tmp_path / "work"
    items = batch.unpack([archive], workdir)
    assert [item.name for item in items] == [
        "talks.zip/../../escaped.wav", "talks.zip//etc/absolute.wav", "talks.zip/day1\\..\\a.wav",
        "talks.zip/inner.zip", "talks.zip/notes.txt"]
    written = [item.path for item in items if item.path is not None]
    assert all(path.resolve().is_relative_to(workdir.resolve()) for path in written)
    assert [path.name for path in written] == ["escaped.wav", "absolute.wav", "a.wav", "notes.txt"]
    assert not (tmp_path / "escaped.wav").exists() and not Path("/etc/absolute.wav").exists()
    assert items[3].path is None and "archive inside an archive" in items[3].error


def test_archive_limits(tmp_path):
    many = make_zip(tmp_path / "many.zip", {f"{n}.wav": b"x" for n in range(6)})
    with pytest.raises(UserInputError, match="holds 6 files; at most 5"):
        batch.unpack([many], tmp_path / "w1", batch.Limits(max_files=5).budget())
    # A bomb: 50 MB of zeros compresses to ~50 KB; the copy stops at the limit, whatever the archive claims.
    bomb = make_zip(tmp_path / "bomb.zip", {"zeros.wav": bytes(50_000_000)})
    assert bomb.stat().st_size < 200_000
    with pytest.raises(UserInputError, match="bomb.zip unpacks to more than this request may unpack; one request "
                                             "may unpack at most 10 MB in all"):
        batch.unpack([bomb], tmp_path / "w2", batch.Limits(max_unpacked_bytes=10_000_000).budget())
    # Refused from what it claims, before anything was written.
    assert not any(f.is_file() for f in (tmp_path / "w2").rglob("*"))
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"not a zip at all")
    assert "could not be opened as a .zip" in batch.unpack([broken], tmp_path / "w3")[0].error


def test_the_unpacked_size_is_one_budget_for_the_whole_request(tmp_path):
    """Five zips of 3 MB under a 10 MB limit: each alone fits, together they don't (the cap used to be per
    archive: five small zips unpacked five times the limit)."""
    zips = [make_zip(tmp_path / f"part{n}.zip", {f"{n}.wav": bytes(3_000_000)}) for n in range(5)]
    workdir = tmp_path / "w"
    with pytest.raises(UserInputError, match="part3.zip unpacks to more than this request may unpack"):
        batch.unpack(zips, workdir, batch.Limits(max_unpacked_bytes=10_000_000).budget())
    assert sum(f.stat().st_size for f in workdir.rglob("*") if f.is_file()) <= 10_000_000


def test_an_archive_that_lies_about_its_sizes_writes_no_more_than_it_claims(tmp_path):
    """A member claiming 1,000 bytes that holds 12 MB: the claim is what the budget is checked against, and no
    more than it is written (zipfile stops at the claimed size; the member then fails its CRC and gets its row)."""
    archive = make_zip(tmp_path / "liar.zip", {"zeros.wav": bytes(12_000_000)})
    data = bytearray(archive.read_bytes())
    # Rewrite the claimed size (local header and central directory) to 1,000 bytes.
    with zipfile.ZipFile(archive) as bundle:
        info = bundle.infolist()[0]
    claimed = info.file_size.to_bytes(4, "little")
    assert data.count(claimed) == 2
    archive.write_bytes(bytes(data).replace(claimed, (1000).to_bytes(4, "little")))
    items = batch.unpack([archive], tmp_path / "w", batch.Limits(max_unpacked_bytes=10_000_000).budget())
    assert items[0].path is None and "could not be taken out of the archive" in items[0].error
    assert sum(f.stat().st_size for f in (tmp_path / "w").rglob("*") if f.is_file()) <= 1000


def test_an_empty_archive_is_said_to_be_empty(tmp_path):
    empty = tmp_path / "empty.zip"
    with zipfile.ZipFile(empty, "w") as bundle:
        bundle.writestr("folder/", b"")
    with pytest.raises(UserInputError, match="No files were found: the archive is empty"):
        batch.unpack([empty], tmp_path / "w")


def test_a_bad_file_gets_its_row_and_the_others_go_on(cache, tmp_path):
    (tmp_path / "broken.wav").write_bytes(b"RIFF....not audio")
    paths = [EXAMPLES / "english.wav", tmp_path / "broken.wav", EXAMPLES / "french.flac"]
    items = batch.unpack(paths, tmp_path / "w")
    rows = batch.run(items, batch.IDENTIFY, "facebook/mms-lid-126", cache=cache)
    assert [row.file for row in rows] == ["english.wav", "broken.wav", "french.flac"]
    assert rows[0].language and 0 < rows[0].confidence <= 1 and not rows[0].error
    assert rows[1].error.startswith("The file broken.wav is not audio that can be read.") and rows[1].language == ""
    assert rows[2].language and rows[2].seconds == pytest.approx(3.5, abs=0.5)
    # The total duration is bounded: a file past what is left is refused by its header, undecoded.
    rows = batch.run(items[:1] + items[2:], batch.IDENTIFY, "facebook/mms-lid-126", cache=cache,
                     limits=batch.Limits(max_total_seconds=5.0))
    assert not rows[0].error
    assert rows[1].error == "Not processed: the files together may last at most 0 minutes, and 2 s were left for this one."


def test_outputs_hold_every_row_and_each_transcript(tmp_path):
    rows = [
        batch.Row("a.wav", 1.0, "eng", None, "hello world",
                  words=[batch.subtitles.TimedText(0, 0.4, "hello"), batch.subtitles.TimedText(0.5, 0.9, "world")]),
        batch.Row("b.wav", error="The file b.wav is empty (0 bytes)."),
        batch.Row("sub/a.wav", 2.0, "eng", None, "again", segments=[batch.subtitles.TimedText(0, 2, "again")]),
    ]
    table, archive = batch.write_outputs(rows, tmp_path, batch.TRANSCRIBE)
    read = list(csv.DictReader(io.StringIO(table.read_text(encoding="utf-8"))))
    assert [r["file"] for r in read] == ["a.wav", "b.wav", "sub/a.wav"] and read[1]["error"].startswith("The file b.wav")
    with zipfile.ZipFile(archive) as bundle:
        assert sorted(bundle.namelist()) == ["a.wav.srt", "a.wav.txt", "a.wav.vtt", "sub/a.wav.srt", "sub/a.wav.txt",
                                             "sub/a.wav.vtt", "transcribe-results.csv"]
        assert bundle.read("a.wav.txt").decode() == "hello world\n"
        assert "hello world" in bundle.read("a.wav.srt").decode()
    # clip.flac and clip.mp3 are told apart by name, not only by row order; a name can't climb out of the zip.
    rows = [batch.Row(name, 1.0, "eng", None, "text", words=[subtitles.TimedText(0, 1, "text")])
            for name in ("clip.flac", "clip.mp3", "talks.zip/../../evil.wav", "/etc/x.wav", "clip.flac")]
    _, archive = batch.write_outputs(rows, tmp_path / "two", batch.TRANSCRIBE)
    with zipfile.ZipFile(archive) as bundle:
        assert sorted(name for name in bundle.namelist() if name.endswith(".txt")) == [
            "clip.flac-2.txt", "clip.flac.txt", "clip.mp3.txt", "etc/x.wav.txt", "talks.zip/evil.wav.txt"]


@pytest.fixture(scope="module")
def client(app_url):
    return Client(app_url, verbose=False)


def test_batch_through_the_api(client, tmp_path):
    (tmp_path / "empty.wav").write_bytes(b"")
    archive = make_zip(tmp_path / "clips.zip", {
        "spanish.mp3": (EXAMPLES / "spanish.mp3").read_bytes(), "nested.zip": b"PK"})
    files = [handle_file(str(EXAMPLES / "english.wav")), handle_file(str(tmp_path / "empty.wav")), handle_file(str(archive))]
    table, downloads = client.predict(files, "facebook/mms-lid-126", api_name="/identify_files")
    # Only the columns a task fills (identification had an always-empty transcript column).
    assert table["headers"] == ["file", "duration (s)", "language", "confidence", "problem"]
    rows = {row[0]: row for row in table["data"]}
    assert list(rows) == ["english.wav", "empty.wav", "clips.zip/spanish.mp3", "clips.zip/nested.zip"]
    assert rows["english.wav"][2].endswith(")") and rows["english.wav"][3].endswith("%") and not rows["english.wav"][4]
    assert "empty (0 bytes)" in rows["empty.wav"][4] and "archive inside an archive" in rows["clips.zip/nested.zip"][4]
    assert sorted(Path(path).suffix for path in downloads) == [".csv", ".zip"]

    table, downloads = client.predict(
        [handle_file(str(EXAMPLES / "english.wav")), handle_file(str(tmp_path / "empty.wav"))],
        "facebook/mms-1b-all", "eng", api_name="/transcribe_files")
    assert table["headers"] == ["file", "duration (s)", "language", "transcript", "problem"]
    assert [row[0] for row in table["data"]] == ["english.wav", "empty.wav"]
    assert table["data"][0][3] and not table["data"][0][4] and table["data"][1][4]
    with zipfile.ZipFile(next(p for p in downloads if p.endswith(".zip"))) as bundle:
        assert sorted(bundle.namelist()) == ["english.wav.srt", "english.wav.txt", "english.wav.vtt", "transcribe-results.csv"]
    with pytest.raises(AppError, match="No files were given"):
        client.predict([], "facebook/mms-lid-126", api_name="/identify_files")
    with pytest.raises(AppError, match="files must be a list of files"):  # found by tests/test_fuzz.py
        client.predict(False, "facebook/mms-lid-126", api_name="/identify_files")


def test_the_command_line_writes_jsonl_and_subtitles_and_resumes(tmp_path):
    import json
    import os
    import shutil
    import subprocess
    import sys

    folder = tmp_path / "recordings"
    (folder / "day1").mkdir(parents=True)
    shutil.copy(EXAMPLES / "english.wav", folder / "day1" / "a.wav")
    shutil.copy(EXAMPLES / "spanish.mp3", folder / "b.mp3")
    (folder / "c.wav").write_bytes(b"")
    out = tmp_path / "out"
    command = [sys.executable, "-m", "scripts.batch", "transcribe", str(folder), "--out", str(out), "--language", "eng"]

    def run() -> str:
        return subprocess.run(command, cwd=REPO_ROOT, env=os.environ, capture_output=True, text=True, check=True,
                              timeout=300).stdout

    first = run()
    assert first.startswith("3 files; 0 already done, 3 to go")
    lines = [json.loads(line) for line in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [line["file"] for line in lines] == ["b.mp3", "c.wav", "day1/a.wav"]
    assert lines[0]["language"] == "eng" and lines[0]["text"] and "empty (0 bytes)" in lines[1]["error"]
    assert {p.name for p in out.iterdir()} >= {"b.mp3.srt", "b.mp3.txt", "b.mp3.vtt", "day1__a.wav.txt", "day1__a.wav.srt"}
    # Interrupted while writing the last line: that file runs again, the others are skipped.
    text = (out / "results.jsonl").read_text(encoding="utf-8")
    (out / "results.jsonl").write_text(text[: text.rindex('{"file": "day1/a.wav"') + 20], encoding="utf-8")
    second = run()
    assert second.startswith("3 files; 2 already done, 1 to go") and "day1/a.wav: eng" in second
    lines = [json.loads(line) for line in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [line["file"] for line in lines] == ["b.mp3", "c.wav", "day1/a.wav"]  # the cut line replaced, not kept
