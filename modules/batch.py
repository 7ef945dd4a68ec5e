"""Many files at once: Identify or Transcribe each, one results table, a .zip of per-file .txt/.srt and a .csv.

Archives are opened safely: members are never extracted by their own path (each is written to a fresh
folder under its base name only, so "../" and absolute names can't escape), at most `max_files` members
and `max_unpacked_bytes` in all (counted while copying, not from the archive's own claims), and an archive
inside an archive is refused. Each file is its own request: a bad one gets its error in its row and the
others go on. The files' total duration is bounded (`max_total_seconds`): each file may use what is left.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from modules import identify, subtitles, transcribe, vad
from modules.audio import AudioTooLong, load_audio_16k
from modules.config import ModelUnavailableError, UserInputError
from modules.models import ModelCache

ARCHIVE_SUFFIXES = (".zip", ".tar", ".gz", ".tgz", ".bz2", ".xz", ".7z", ".rar")
IDENTIFY, TRANSCRIBE = "identify", "transcribe"

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class Limits:
    max_files: int = 50
    max_total_seconds: float = 3600.0
    max_unpacked_bytes: int = 500_000_000  # an hour of 16 kHz WAV is 115 MB
    max_file_seconds: float = 3600.0


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

    def record(self) -> dict:
        """What the .csv and .jsonl hold (no word list)."""
        out = asdict(self)
        for key in ("words", "segments"):
            out.pop(key)
        return out


@dataclass
class Item:
    name: str  # as the user knows it ("talks.zip/day1/a.wav")
    path: Path | None  # None: refused before any decoding (the error says why)
    error: str = ""


def unpack(paths: Iterable[str | Path], workdir: Path, limits: Limits = Limits()) -> list[Item]:
    """The audio files among `paths`, archives opened safely."""
    items: list[Item] = []
    for path in map(Path, paths):
        if path.suffix.lower() == ".zip":
            items += _unzip(path, workdir, limits, len(items))
        else:
            items.append(Item(path.name, path))
    if len(items) > limits.max_files:
        raise UserInputError(f"{len(items)} files were given; at most {limits.max_files} are accepted at once.")
    return items


def _unzip(archive: Path, workdir: Path, limits: Limits, already: int) -> list[Item]:
    try:
        bundle = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError):
        return [Item(archive.name, None, f"{archive.name} could not be opened as a .zip archive.")]
    items: list[Item] = []
    budget = limits.max_unpacked_bytes
    with bundle:
        members = [member for member in bundle.infolist() if not member.is_dir()]
        if already + len(members) > limits.max_files:
            raise UserInputError(
                f"{archive.name} holds {len(members)} files; at most {limits.max_files} are accepted at once."
            )
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
                    budget -= _copy_at_most(source, sink, budget)
            except _TooBig:
                raise UserInputError(
                    f"{archive.name} unpacks to more than {limits.max_unpacked_bytes / 1e6:,.0f} MB; that is the most accepted."
                ) from None
            except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as error:
                items.append(Item(shown, None, f"This file could not be taken out of the archive ({error})."))
                continue
            items.append(Item(shown, target))
    return items


class _TooBig(Exception):
    pass


def _copy_at_most(source: io.BufferedIOBase, sink, budget: int) -> int:
    copied = 0
    while block := source.read(1 << 20):
        copied += len(block)
        if copied > budget:
            raise _TooBig
        sink.write(block)
    return copied


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
) -> list[Row]:
    """Each item through `task` ("identify" or "transcribe"), one after another; one row per item."""
    progress = progress or (lambda fraction, description: None)
    rows: list[Row] = []
    left = limits.max_total_seconds
    for number, item in enumerate(items):
        progress(number / max(1, len(items)), f"File {number + 1} of {len(items)}: {item.name}")
        row = Row(item.name, error=item.error)
        if item.path is not None:
            try:
                if left <= 0:
                    raise UserInputError(f"Not processed: the files together may last at most {limits.max_total_seconds / 60:.0f} minutes.")
                try:
                    clip = load_audio_16k(str(item.path), min(limits.max_file_seconds, left))
                except AudioTooLong:
                    if left >= limits.max_file_seconds:
                        raise
                    raise UserInputError(
                        f"Not processed: the files together may last at most {limits.max_total_seconds / 60:.0f} "
                        f"minutes, and {left:.0f} s were left for this one."
                    ) from None
                left -= clip.seconds
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


def write_outputs(rows: list[Row], directory: Path, stem: str, cue_settings=subtitles.CueSettings()) -> tuple[Path, Path]:
    """`stem.csv` (every row) and `stem.zip` (that .csv plus each transcript's .txt/.srt/.vtt)."""
    directory.mkdir(parents=True, exist_ok=True)
    table = directory / f"{stem}.csv"
    with open(table, "w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0].record()) if rows else ["file"])
        writer.writeheader()
        for row in rows:
            writer.writerow(row.record())
    archive = directory / f"{stem}.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.write(table, table.name)
        used: set[str] = set()
        for row in rows:
            if row.error or not (row.text or row.words):
                continue
            name = _unique(Path(row.file).stem or "file", used)
            cues = subtitles.build_cues(row.words or subtitles.spread_words(row.segments), cue_settings)
            bundle.writestr(f"{name}.txt", row.text + "\n")
            if cues:
                bundle.writestr(f"{name}.srt", subtitles.to_srt(cues))
                bundle.writestr(f"{name}.vtt", subtitles.to_vtt(cues))
    return table, archive


def _unique(name: str, used: set[str]) -> str:
    candidate, number = name, 1
    while candidate in used:
        number += 1
        candidate = f"{name}-{number}"
    used.add(candidate)
    return candidate


def clear(workdir: Path) -> None:
    shutil.rmtree(workdir, ignore_errors=True)
