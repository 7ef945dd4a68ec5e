"""Identify or transcribe a folder (or a list) of audio files from the command line, resumably.

    .venv/bin/python -m scripts.batch transcribe recordings/ --out results/ [--model facebook/mms-1b-all] [--language auto]
    .venv/bin/python -m scripts.batch identify a.wav b.mp3 talks.zip --out results/

Writes one JSON line per file to OUT/results.jsonl as each finishes (file, seconds, language, confidence,
text, error), and for each transcript OUT/<file>.txt, .srt and .vtt. Run it again with the same OUT and
the files already in results.jsonl are skipped: an interrupted run goes on where it stopped. The same
modules and model cache as the app (models by id, or a local copy through POLYGLOT_MODEL_PATHS); the
per-file limits are the app's settings, with no limit on the number of files or their total length.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from modules import batch, subtitles, transcribe
from modules.config import load_settings
from modules.identify import DEFAULT_LID_MODEL
from modules.models import MMS_ASR_MODEL

AUDIO_SUFFIXES = {".wav", ".flac", ".ogg", ".oga", ".opus", ".mp3", ".m4a", ".aac", ".webm", ".mp4", ".mkv", ".zip"}


def finished(results: Path) -> set[str]:
    """Files already done. A last line cut short by an interruption is dropped from the file (that file
    runs again), so the next line starts on a line of its own."""
    done, kept = set(), []
    if results.exists():
        for line in results.read_text(encoding="utf-8").splitlines():
            try:
                done.add(json.loads(line)["file"])
            except (json.JSONDecodeError, KeyError, TypeError):
                continue
            kept.append(line)
        results.write_text("".join(line + "\n" for line in kept), encoding="utf-8")
    return done


def inputs(paths: list[Path], workdir: Path) -> list[batch.Item]:
    items = []
    for path in paths:
        if path.is_dir():
            for file in sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in AUDIO_SUFFIXES):
                items += _items(file, file.relative_to(path).as_posix(), workdir)
        else:
            items += _items(path, path.name, workdir)
    return items


def _items(path: Path, name: str, workdir: Path) -> list[batch.Item]:
    if path.suffix.lower() != ".zip":
        return [batch.Item(name, path)]
    unlimited = batch.Limits(max_files=10**9, max_total_seconds=float("inf"), max_unpacked_bytes=10**15).budget()
    return [batch.Item(name + item.name[len(path.name):], item.path, item.error)
            for item in batch.unpack([path], workdir / name, unlimited)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("task", choices=[batch.IDENTIFY, batch.TRANSCRIBE])
    parser.add_argument("paths", nargs="+", type=Path, help="audio files, .zip archives or folders (searched recursively)")
    parser.add_argument("--out", type=Path, required=True, help="folder for results.jsonl and the subtitles")
    parser.add_argument("--model", help=f"default: {DEFAULT_LID_MODEL} (identify), {MMS_ASR_MODEL} (transcribe)")
    parser.add_argument("--language", default=transcribe.AUTO, help="transcribe: a language code, or auto (default)")
    parser.add_argument("--no-speech-check", action="store_true", help="run the model even on audio without speech")
    args = parser.parse_args(argv)
    settings = load_settings()
    model_id = args.model or (DEFAULT_LID_MODEL if args.task == batch.IDENTIFY else MMS_ASR_MODEL)
    args.out.mkdir(parents=True, exist_ok=True)
    results = args.out / "results.jsonl"
    with tempfile.TemporaryDirectory(prefix="polyglot-batch-") as workdir:
        items = inputs(args.paths, Path(workdir))
        done = finished(results)
        todo = [item for item in items if item.name not in done]
        print(f"{len(items)} files; {len(items) - len(todo)} already done, {len(todo)} to go", flush=True)
        limits = batch.Limits(max_files=10**9, max_total_seconds=float("inf"), max_unpacked_bytes=10**15,
                              max_file_seconds=settings.max_transcribe_seconds)

        def save(row: batch.Row) -> None:
            if row.text or row.words:
                cues = subtitles.build_cues(row.words or subtitles.spread_words(row.segments))
                stem = row.file.replace("/", "__")
                subtitles.write_text_files(row.text, cues, args.out, stem)
            # The line last: a file counts as done only once all its outputs are written.
            with open(results, "a", encoding="utf-8") as out:
                out.write(json.dumps(row.record(args.task), ensure_ascii=False) + "\n")
            print(f"{row.file}: {row.error or row.language}", flush=True)

        batch.run(todo, args.task, model_id, args.language, limits, speech_check=not args.no_speech_check and settings.speech_check,
                  done=save)
    return 0


if __name__ == "__main__":
    sys.exit(main())
