"""Timed text for the whole app: subtitle cues from timed words, and the .txt / .srt / .vtt / .json files.

One cue builder serves Transcribe, Align and Translate (and later live captions): cues end at pauses
and sentence ends; a cue that gets too long to read (characters per line x lines, or seconds) is cut
at its best inner break (a clause mark, else the longest pause) rather than at whatever word comes
last; words are never split. Pieces that carry several words without word times (Seamless) are spread
over their piece by length first (`spread_words`).

Praat TextGrids (praatio) and ELAN .eaf files (pympi-ling) hold the same times as tiers, for linguists: words,
cues (sentences) and, from Align, letters.

SRT and VTT are written here, not with pysubs2: pysubs2 drops any text in {braces} (ASS override tags)
and doesn't escape & < > for VTT, which would silently change a transcript. The tests read every file
back with webvtt-py and pysubs2.
"""

from __future__ import annotations

import datetime
import html
import json
import re
import textwrap
from dataclasses import asdict, dataclass
from pathlib import Path

import srt
import webvtt

from modules.config import UserInputError


@dataclass
class TimedText:
    start: float  # seconds
    end: float
    text: str


@dataclass(frozen=True)
class CueSettings:
    max_line_chars: int = 42  # the common broadcast limit (BBC, Netflix: 42 for Latin scripts)
    max_lines: int = 2
    max_seconds: float = 7.0
    pause_seconds: float = 0.6  # a silence at least this long ends a cue
    # Reading speed: at most this many characters per second of cue (0: no rule). Broadcasters ask 15-17 for
    # adults (Netflix 17, BBC ~15 as 160-180 words a minute); a cue read too fast is kept on screen longer, into
    # the silence after it, as subtitle editors' "extend to reading speed" does.
    max_chars_per_second: float = 0.0
    # The least time between two cues (0: none); 2 frames at 25 fps (0.08 s) is the common broadcast rule.
    min_gap_seconds: float = 0.0

    # What a user or API caller may set, and the ranges accepted.
    RANGES = {"max_line_chars": (10, 200), "max_lines": (1, 4), "max_seconds": (1.0, 30.0),
              "max_chars_per_second": (0.0, 50.0), "min_gap_seconds": (0.0, 1.0)}


_SENTENCE_END = re.compile(r"[.!?。！？؟।॥։።]['\"”’»)]*$")
_CLAUSE_END = re.compile(r"[,;:、，；：–—]['\"”’»)]*$")


def build_cues(words: list[TimedText], settings: CueSettings = CueSettings()) -> list[TimedText]:
    """Subtitle cues from timed words; a cue's lines are joined by "\\n"."""
    cues: list[list[TimedText]] = []
    current: list[TimedText] = []
    for word in words:
        if current and (word.start - current[-1].end >= settings.pause_seconds or _SENTENCE_END.search(current[-1].text)):
            cues.append(current)
            current = []
        current.append(word)
        while len(current) > 1 and not _fits(current, settings):
            cut = _best_cut(current[:-1]) if _fits(current[:-1], settings) else len(current) - 1
            cues.append(current[:cut])
            current = current[cut:]
    if current:
        cues.append(current)
    built = [TimedText(cue[0].start, cue[-1].end, "\n".join(_lines(cue, settings.max_line_chars))) for cue in cues]
    return _paced(built, settings)


# The shortest a cue is made by the gap rule (`_paced`): half a second, about two short words.
SHORTEST_CUE_SECONDS = 0.5


def _paced(cues: list[TimedText], settings: CueSettings) -> list[TimedText]:
    """The reading-speed and gap rules: a cue too fast to read stays on screen longer, up to the next cue less the
    gap and the longest cue allowed; then every cue ends at least the gap before the next begins (shortened, or
    where it is already short, the next one starts later)."""
    paced = [TimedText(cue.start, cue.end, cue.text) for cue in cues]
    for index, cue in enumerate(paced):
        following = paced[index + 1].start if index + 1 < len(paced) else None
        if settings.max_chars_per_second > 0:
            needed = len(cue.text.replace("\n", " ")) / settings.max_chars_per_second
            latest = cue.start + max(settings.max_seconds, cue.end - cue.start)
            if following is not None:
                latest = min(latest, following - settings.min_gap_seconds)
            cue.end = max(cue.end, min(cue.start + needed, latest))
        if following is not None and settings.min_gap_seconds > 0 and following - cue.end < settings.min_gap_seconds:
            # Shortened, but not below what can be read (half a second, or the cue's own length if shorter);
            # where that isn't enough, the next cue starts a little later.
            cue.end = max(cue.start + min(cue.end - cue.start, SHORTEST_CUE_SECONDS), following - settings.min_gap_seconds)
            after = paced[index + 1]
            after.start = min(max(after.start, cue.end + settings.min_gap_seconds), after.end)
    return paced


def _fits(cue: list[TimedText], settings: CueSettings) -> bool:
    if len(cue) == 1:
        return True
    return (
        cue[-1].end - cue[0].start <= settings.max_seconds
        and len(_lines(cue, settings.max_line_chars)) <= settings.max_lines
    )


def _lines(cue: list[TimedText], max_chars: int) -> list[str]:
    lines: list[str] = []
    for word in cue:
        if lines and len(lines[-1]) + 1 + len(word.text) <= max_chars:
            lines[-1] += " " + word.text
        else:
            lines.append(word.text)
    return lines


def _best_cut(cue: list[TimedText]) -> int:
    """Where to end a full cue (the index of the first word of the next): after a clause mark in its
    second half, else at its longest pause in the second half, else after its last word."""
    half = max(1, len(cue) // 2)
    for index in range(len(cue) - 1, half - 1, -1):
        if _CLAUSE_END.search(cue[index].text):
            return index + 1
    gaps = [(cue[index].start - cue[index - 1].end, index) for index in range(half, len(cue))]
    gap, index = max(gaps, default=(0.0, len(cue)))
    return index if gap > 0.15 else len(cue)


def spread_words(pieces: list[TimedText]) -> list[TimedText]:
    """Word times estimated inside each piece, in proportion to the words' lengths (for cues)."""
    words = []
    for piece in pieces:
        parts = piece.text.split()
        total = sum(len(part) for part in parts) + len(parts) - 1  # the piece's characters, spaces included
        position = 0
        for part in parts:
            at = lambda chars: piece.start + (piece.end - piece.start) * chars / total  # noqa: E731
            words.append(TimedText(at(position), at(position + len(part)), part))
            position += len(part) + 1
    return words


def _time(seconds: float, decimal: str) -> str:
    millis = int(round(max(seconds, 0.0) * 1000))
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{decimal}{millis:03d}"


def srt_time(seconds: float) -> str:
    return _time(seconds, ",")


# What makes a subtitle reader take a line of text for a timing line: ffmpeg's SRT reader looks for "-->",
# pysubs2 for two timestamps on one line (pysubs2/formats/subrip.py, time.TIMESTAMP).
_ARROW = "-->"
_TIMESTAMP = re.compile(r"(?<=\d:)(?=\d{1,2}:\d{1,2}[.,]\d)")


def _cue_text(text: str) -> str:
    """A cue's text as it can stand in a subtitle file: no empty line (one ends the cue, and the rest would be
    read as a new cue), no "-->" (its hyphens become U+2011, the same to the eye), and no timestamp a reader
    could take for a timing line (a zero-width space after the hours' colon). Everything else as it is."""
    lines = [line.replace(_ARROW, "\u2011\u2011>") for line in text.splitlines() if line.strip()]
    return "\n".join(_TIMESTAMP.sub("\u200b", line) for line in lines)


def to_srt(cues: list[TimedText]) -> str:
    return "".join(
        f"{number}\n{srt_time(cue.start)} --> {srt_time(cue.end)}\n{_cue_text(cue.text)}\n\n"
        for number, cue in enumerate(cues, 1)
    )


def to_vtt(cues: list[TimedText]) -> str:
    # Cue text is HTML-like in WebVTT: & < > must be escaped (which also keeps "-->" out of it).
    return "WEBVTT\n\n" + "".join(
        f"{number}\n{_time(cue.start, '.')} --> {_time(cue.end, '.')}\n{html.escape(_cue_text(cue.text), quote=False)}\n\n"
        for number, cue in enumerate(cues, 1)
    )


@dataclass(frozen=True)
class Annotation:
    """What a TextGrid and an .eaf are made of: the timed words (and letters, when asked), the recording's length
    and its file name (ELAN links the audio by name; the file itself stays with the visitor)."""

    words: list[TimedText]
    duration: float
    audio_name: str | None = None
    letters: list[TimedText] | None = None


def annotation_tiers(annotation: Annotation, cues: list[TimedText]) -> dict[str, list[TimedText]]:
    """Tier name -> its intervals, in time order, none overlapping the next (a TextGrid's rule) nor past the end."""
    tiers = {"words": annotation.words, "sentences": [TimedText(c.start, c.end, " ".join(c.text.split())) for c in cues]}
    if annotation.letters:
        tiers["letters"] = annotation.letters
    clean = {}
    for name, items in tiers.items():
        kept, last_end = [], 0.0
        for item in sorted(items, key=lambda item: item.start):
            start, end = max(item.start, last_end, 0.0), min(item.end, annotation.duration)
            if end > start and item.text.strip():
                kept.append(TimedText(round(start, 3), round(end, 3), item.text.strip()))
                last_end = kept[-1].end
        clean[name] = kept
    return clean


def write_textgrid(annotation: Annotation, cues: list[TimedText], path: Path) -> Path:
    """A Praat TextGrid (long text format, as Praat writes it) with one interval tier per `annotation_tiers`."""
    from praatio import textgrid
    from praatio.utilities.constants import Interval

    grid = textgrid.Textgrid()
    for name, items in annotation_tiers(annotation, cues).items():
        grid.addTier(textgrid.IntervalTier(name, [Interval(i.start, i.end, i.text) for i in items], 0, annotation.duration))
    grid.save(str(path), format="long_textgrid", includeBlankSpaces=True)
    return path


def write_eaf(annotation: Annotation, cues: list[TimedText], path: Path) -> Path:
    """An ELAN .eaf with the same tiers (times in milliseconds), the recording linked by its file name."""
    import pympi

    document = pympi.Elan.Eaf(author="Polyglot Speech Studio")
    if annotation.audio_name:
        document.add_linked_file(annotation.audio_name, mimetype=_mime_type(annotation.audio_name))
    for name, items in annotation_tiers(annotation, cues).items():
        document.add_tier(name)
        for item in items:
            start, end = round(item.start * 1000), round(item.end * 1000)
            if end > start:
                document.add_annotation(name, start, end, item.text)
    document.remove_tier("default")
    document.to_file(str(path))
    return path


def _mime_type(name: str) -> str:
    import mimetypes

    return mimetypes.guess_type(name)[0] or "audio/x-wav"


def write_text_files(
    text: str, cues: list[TimedText], directory: Path, stem: str, details: dict | None = None,
    annotation: Annotation | None = None,
) -> list[Path]:
    """`stem.txt`, and when there are times `stem.srt` and `stem.vtt`; `stem.json` when `details` are given;
    `stem.TextGrid` and `stem.eaf` when timed words (`annotation`) are."""
    directory.mkdir(parents=True, exist_ok=True)
    txt = directory / f"{stem}.txt"
    txt.write_text(text + "\n", encoding="utf-8")
    files = [txt]
    if cues:
        for suffix, write in (("srt", to_srt), ("vtt", to_vtt)):
            path = directory / f"{stem}.{suffix}"
            path.write_text(write(cues), encoding="utf-8")
            files.append(path)
    if details is not None:
        path = directory / f"{stem}.json"
        path.write_text(json.dumps(details, ensure_ascii=False, indent=1), encoding="utf-8")
        files.append(path)
    if annotation is not None and annotation.words:
        files.append(write_textgrid(annotation, cues, directory / f"{stem}.TextGrid"))
        files.append(write_eaf(annotation, cues, directory / f"{stem}.eaf"))
    return files


SUBTITLE_KINDS = ("srt", "vtt")


@dataclass
class SubtitleCue:
    """One cue of a visitor's subtitle file: its identifier as written (SRT's number, VTT's optional id), its times
    and its text with its line breaks."""

    identifier: str | None
    cue: TimedText


def read_subtitles(path: str) -> tuple[str, list[SubtitleCue]]:
    """An .srt (read with `srt`, numbers kept) or .vtt (webvtt-py, ids kept) file: its kind and cues."""
    kind = Path(path).suffix.lower().lstrip(".")
    if kind not in SUBTITLE_KINDS:
        raise UserInputError("A subtitle file to re-time must be .srt or .vtt.")
    try:
        if kind == "srt":
            parsed = list(srt.parse(Path(path).read_text(encoding="utf-8-sig")))
            cues = [SubtitleCue(str(s.index), TimedText(s.start.total_seconds(), s.end.total_seconds(), s.content))
                    for s in parsed]
        else:
            # Milliseconds, not webvtt-py's `start_in_seconds` (whole seconds: 2.5 s read as 2).
            cues = [SubtitleCue(c.identifier, TimedText(c.start_time.in_milliseconds() / 1000,
                                                        c.end_time.in_milliseconds() / 1000, c.text))
                    for c in webvtt.read(path)]
    except (srt.SRTParseError, webvtt.errors.MalformedFileError, UnicodeDecodeError, ValueError) as error:
        raise UserInputError(f"The subtitle file {Path(path).name} can't be read as .{kind} ({error}).") from None
    cues = [cue for cue in cues if cue.cue.text.split()]
    if not cues:
        raise UserInputError(f"The subtitle file {Path(path).name} holds no text to re-time.")
    return kind, cues


def subtitle_transcript(cues: list[SubtitleCue]) -> str:
    """What is said, for the aligner: every cue's words in order (its words are then the cues' words)."""
    return " ".join(" ".join(cue.cue.text.split()) for cue in cues)


def retime(cues: list[SubtitleCue], words) -> tuple[list[SubtitleCue], list[SubtitleCue]]:
    """The cues with the times of their own words (`words`: the aligner's, one per word of `subtitle_transcript`,
    each with start, end and `low`), and the cues whose words the audio doesn't hold (all fit poorly): those keep
    their times, for the visitor to look at; nothing is invented for them."""
    timed, missing, position = [], [], 0
    for cue in cues:
        count = len(cue.cue.text.split())
        own = words[position : position + count]
        position += count
        if not own or all(word.low for word in own):
            timed.append(cue)
            missing.append(cue)
        else:
            timed.append(SubtitleCue(cue.identifier, TimedText(own[0].start, own[-1].end, cue.cue.text)))
    return timed, missing


def write_subtitles(kind: str, cues: list[SubtitleCue], path: Path) -> Path:
    """The cues in the visitor's own format, numbering and line breaks."""
    if kind == "srt":
        entries = [srt.Subtitle(int(cue.identifier) if (cue.identifier or "").isdigit() else number,
                                datetime.timedelta(seconds=cue.cue.start), datetime.timedelta(seconds=cue.cue.end),
                                cue.cue.text) for number, cue in enumerate(cues, 1)]
        path.write_text(srt.compose(entries, reindex=False), encoding="utf-8")
    else:
        document = webvtt.WebVTT(captions=[
            webvtt.Caption(_time(cue.cue.start, "."), _time(cue.cue.end, "."), cue.cue.text, identifier=cue.identifier)
            for cue in cues])
        document.save(str(path))
    return path


def wrap_lines(text: str, max_chars: int) -> str:
    """A translated cue's text in lines of at most `max_chars` (a longer word alone on its line), joined by "\n"."""
    return "\n".join(textwrap.wrap(" ".join(text.split()), max_chars, break_long_words=False, break_on_hyphens=False))


def as_dicts(items: list[TimedText]) -> list[dict]:
    return [asdict(item) for item in items]
