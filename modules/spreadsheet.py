""".csv files the app writes for people to open in a spreadsheet, safe to open there.

A spreadsheet runs a cell that starts with = + - @ (and, in some, a tab or a carriage return) as a formula:
a file name "=HYPERLINK(...).wav" or a reference transcript "@SUM(...)" written as it is would run in the
reader's spreadsheet. As OWASP's "CSV Injection" page recommends, such a text cell gets a leading
apostrophe ('), which spreadsheets show as text and don't display; numbers are written as they are.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value):
    """`value` as a spreadsheet reads it as text, never as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_rows(path: Path, rows: Iterable[Iterable]) -> Path:
    """Each row's cells, made safe, as one .csv (UTF-8)."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        for row in rows:
            writer.writerow([cell(value) for value in row])
    return path
