"""Many files at once: Identify or Transcribe each, one results table, a .zip of per-file .txt/.srt and a .csv.

Archives are opened safely: members are never extracted by their own path (each is written to a fresh
folder under its base name only, so "../" and absolute names can't escape), and an archive inside an
archive is refused. What a request may unpack is one budget for all its archives (modules/request.py):
files counted before any is written, bytes checked against what the archive claims before copying and
counted while copying (a bomb lies about its sizes). Each file is its own request: a bad one gets its error
in its row and the others go on. The files' total duration is bounded the same way: each file may use
what the request has left, checked from its header before it is decoded.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from modules import identify, spreadsheet, subtitles, transcribe, vad
from modules.audio import AudioTooLong, load_audio_16k
from modules.config import ModelUnavailableError, UserInputError
from modules.models import ModelCache
from modules.request import Budget

ARCHIVE_SUFFIXES = (".zip", ".tar", ".gz", ".tgz", ".bz2", ".xz", ".7z", ".rar")
IDENTIFY, TRANSCRIBE = "identify", "transcribe"

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class Limits:
    max_files: int = 50
    max_total_seconds: float = 3600.0
    max_unpacked_bytes: int = 500_000_000  # an hour of 16 kHz WAV is 115 MB
    max_file_seconds: float = 3600.0

    def budget(self) -> Budget:
        """A request's budget under these limits, shared by all its archives and files."""
        return Budget(
            files=self.max_files, unpacked_bytes=self.max_unpacked_bytes, seconds=self.max_total_seconds,
            files_rule=f"at most {self.max_files} are accepted at once",
            bytes_rule=f"one request may unpack at most {self.max_unpacked_bytes / 1e6:,.0f} MB in all",
            seconds_rule=f"the files together may last at most {self.max_total_seconds / 60:.0f} minutes",
        )


@dataclass
class Row:
    file: str
    seconds: float | None = None
    language: str = ""
    confidence: float | None = None  # Identify: the top language's probability
    text: str = ""  # Transcribe
    error: str = ""
    words: list[subtitles.TimedText] = field(default_factory=list, repr=False)
    segments: list[subtitles.TimedText] = field(default_factory=list, repr=False)

    def record(self, task: str) -> dict:
        """What the .csv and .jsonl hold for `task`: no word list, and only the columns the task fills (an
        identification has no transcript, a transcription no confidence)."""
        out = asdict(self)
        for key in ("words", "segments", "text" if task == IDENTIFY else "confidence"):
            out.pop(key)
        return out


@dataclass
class Item:
    name: str  # as the user knows it ("talks.zip/day1/a.wav")
    path: Path | None  # None: refused before any decoding (the error says why)
    error: str = ""


def unpack(paths: Iterable[str | Path], workdir: Path, budget: Budget | None = None) -> list[Item]:
    """The audio files among `paths`, archives opened safely, within `budget` (default: `Limits()`'s)."""
    budget = budget or Limits().budget()
    items: list[Item] = []
    for path in map(Path, paths):
        if path.suffix.lower() == ".zip":
            items += _unzip(path, workdir, budget, len(items))
        else:
            budget.spend_files(1, f"{len(items) + 1} files were given")
            items.append(Item(path.name, path))
    if not items:
        raise UserInputError("No files were found: the archive is empty (or holds only folders). Add audio files to it.")
    return items


def _unzip(archive: Path, workdir: Path, budget: Budget, already: int) -> list[Item]:
    try:
        bundle = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError):
        budget.spend_files(1, f"{already + 1} files were given")
        return [Item(archive.name, None, f"{archive.name} could not be opened as a .zip archive.")]
    items: list[Item] = []
    with bundle:
        members = [member for member in bundle.infolist() if not member.is_dir()]
        budget.spend_files(len(members), f"{archive.name} holds {len(members)} files")
        too_big = f"{archive.name} unpacks to more than this request may unpack"
        claimed = sum(member.file_size for member in members)
        if budget.unpacked_bytes is not None and claimed > budget.unpacked_bytes:
            budget.spend_bytes(claimed, too_big)  # refused before anything is written
        for index, member in enumerate(members):
            shown = f"{archive.name}/{member.filename}"
            base = re.sub(r"[^\w.\- ]", "_", Path(member.filename.replace("\\", "/")).name) or "file"
            if base.lower().endswith(ARCHIVE_SUFFIXES):
                items.append(Item(shown, None, "An archive inside an archive is not opened; add its files directly."))
                continue
            target = workdir / f"{already + index:04d}" / base
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                with bundle.open(member) as source, open(target, "wb") as sink:
                    while block := source.read(1 << 20):
                        budget.spend_bytes(len(block), too_big)  # counted as copied: sizes can lie
                        sink.write(block)
            except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as error:
                items.append(Item(shown, None, f"This file could not be taken out of the archive ({error})."))
                continue
            items.append(Item(shown, target))
    return items


def run(
    items: list[Item],
    task: str,
    model_id: str,
    language: str = transcribe.AUTO,
    limits: Limits = Limits(),
    speech_check: bool = True,
    progress: Progress | None = None,
    done: Callable[[Row], None] | None = None,
    cache: ModelCache | None = None,
    budget: Budget | None = None,
) -> list[Row]:
    """Each item through `task` ("identify" or "transcribe"), one after another; one row per item. The
    seconds decoded come out of `budget` (default: a fresh one of `limits`)."""
    progress = progress or (lambda fraction, description: None)
    budget = budget or limits.budget()
    rows: list[Row] = []
    for number, item in enumerate(items):
        progress(number / max(1, len(items)), f"File {number + 1} of {len(items)}: {item.name}")
        row = Row(item.name, error=item.error)
        if item.path is not None:
            try:
                left = budget.seconds_left()
                if left is not None and left <= 0:
                    raise UserInputError(f"Not processed: {budget.seconds_rule}.")
                allowed = limits.max_file_seconds if left is None else min(limits.max_file_seconds, left)
                try:
                    clip = load_audio_16k(str(item.path), allowed)
                except AudioTooLong:
                    if allowed >= limits.max_file_seconds:
                        raise
                    raise UserInputError(
                        f"Not processed: {budget.seconds_rule}, and {left:.0f} s were left for this one."
                    ) from None
                budget.spend_seconds(clip.seconds, "Not processed")
                row.seconds = round(clip.seconds, 2)
                if speech_check:
                    vad.require_speech(clip.samples)
                if task == IDENTIFY:
                    top = identify.identify_language(clip.samples, model_id=model_id, top_k=1, cache=cache).guesses[0]
                    row.language, row.confidence = top.code, round(top.probability, 4)
                else:
                    result = transcribe.transcribe(clip.samples, language=language, model_id=model_id, cache=cache)
                    row.language, row.text, row.words, row.segments = result.language, result.text, result.words, result.segments
            except (UserInputError, ModelUnavailableError) as error:
                row.error = str(error)
        rows.append(row)
        if done is not None:
            done(row)
    progress(1.0, "Done")
    return rows


def write_outputs(
    rows: list[Row], directory: Path, task: str, cue_settings=subtitles.CueSettings()
) -> tuple[Path, Path]:
    """`<task>-results.csv` (every row) and `<task>-results.zip` (that .csv plus each transcript's .txt/.srt/.vtt,
    named after its file with its extension, in the folders it came in: clip.flac.txt beside clip.mp3.txt)."""
    directory.mkdir(parents=True, exist_ok=True)
    stem = f"{task}-results"
    header = list(Row("").record(task))
    table = spreadsheet.write_rows(directory / f"{stem}.csv", [header, *(list(row.record(task).values()) for row in rows)])
    archive = directory / f"{stem}.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.write(table, table.name)
        used: set[str] = set()
        for row in rows:
            if row.error or not (row.text or row.words):
                continue
            name = _unique(_output_name(row.file), used)
            cues = subtitles.build_cues(row.words or subtitles.spread_words(row.segments), cue_settings)
            bundle.writestr(f"{name}.txt", row.text + "\n")
            if cues:
                bundle.writestr(f"{name}.srt", subtitles.to_srt(cues))
                bundle.writestr(f"{name}.vtt", subtitles.to_vtt(cues))
    return table, archive


def _output_name(shown: str) -> str:
    """A file's name as the user knows it ("talks.zip/day1/a.wav") as a safe relative path in the download:
    no "..", no absolute path, no odd characters (whoever unpacks it can't be made to write elsewhere)."""
    parts = [re.sub(r"[^\w.\- ]", "_", part) for part in re.split(r"[\\/]", shown) if part not in ("", ".", "..")]
    return "/".join(part for part in parts if part.strip(".")) or "file"


def _unique(name: str, used: set[str]) -> str:
    candidate, number = name, 1
    while candidate in used:
        number += 1
        candidate = f"{name}-{number}"
    used.add(candidate)
    return candidate
