"""Timed text: grouping words into subtitle lines, and writing .srt / .txt."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class TimedText:
    start: float  # seconds
    end: float
    text: str


def group_words(
    words: list[TimedText], max_seconds: float = 6.0, max_chars: int = 60, max_gap: float = 0.8
) -> list[TimedText]:
    """Subtitle lines from timed words: a new line at a pause, or when a line gets too long to read."""
    lines: list[TimedText] = []
    for word in words:
        line = lines[-1] if lines else None
        if (
            line is None
            or word.start - line.end > max_gap
            or word.end - line.start > max_seconds
            or len(line.text) + 1 + len(word.text) > max_chars
        ):
            lines.append(TimedText(word.start, word.end, word.text))
        else:
            line.end = word.end
            line.text += " " + word.text
    return lines


def srt_time(seconds: float) -> str:
    millis = int(round(max(seconds, 0.0) * 1000))
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d},{millis:03d}"


def to_srt(lines: list[TimedText]) -> str:
    blocks = [
        f"{number}\n{srt_time(line.start)} --> {srt_time(line.end)}\n{line.text}\n"
        for number, line in enumerate(lines, start=1)
    ]
    return "\n".join(blocks)


def write_text_files(text: str, lines: list[TimedText], directory: Path, stem: str) -> list[Path]:
    """`stem.txt` (plain text), and `stem.srt` (timed lines) when there are times, in `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    txt = directory / f"{stem}.txt"
    txt.write_text(text + "\n", encoding="utf-8")
    if not lines:
        return [txt]
    srt = directory / f"{stem}.srt"
    srt.write_text(to_srt(lines), encoding="utf-8")
    return [txt, srt]
