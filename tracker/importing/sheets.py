"""Rows of a spreadsheet, one at a time: CSV (UTF-8) or Excel .xlsx (openpyxl, read-only).

Neither reader holds the whole file: a CSV is read line by line, and openpyxl's read-only
mode parses the sheet's XML as it goes, so a file of any length costs the memory of a row.
"""

from __future__ import annotations

import csv
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

Cell = str | date | datetime | int | float | None


class NotASpreadsheet(Exception):
    """The file is neither a CSV text file nor an .xlsx workbook."""


def read_rows(path: Path) -> Iterator[tuple[int, list[Cell]]]:
    """(row number as a spreadsheet shows it, cells), the header row first (row 1)."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _xlsx_rows(path)
    if path.suffix.lower() in (".csv", ".txt"):
        return _csv_rows(path)
    raise NotASpreadsheet(f"{path.name} is not a .csv or .xlsx file")


def _csv_rows(path: Path) -> Iterator[tuple[int, list[Cell]]]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as text:
            for number, row in enumerate(csv.reader(text), start=1):
                if any("\x00" in cell for cell in row):
                    raise NotASpreadsheet(f"{path.name} is not a CSV text file (row {number} "
                                          "holds binary data)")
                yield number, list(row)
    except UnicodeDecodeError:
        raise NotASpreadsheet(f"{path.name} is not a CSV text file in UTF-8") from None
    except csv.Error as error:
        raise NotASpreadsheet(f"{path.name} is not a readable CSV file: {error}") from None


def _xlsx_rows(path: Path) -> Iterator[tuple[int, list[Cell]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise NotASpreadsheet(f"{path.name} is not an .xlsx workbook ({error})") from None
    try:
        sheet = workbook.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_cell(value) for value in row]
    finally:
        workbook.close()


def _cell(value: object) -> Cell:
    if value is None or isinstance(value, str | date | int | float):
        return value
    return str(value)


def count_rows(path: Path) -> int:
    """About how many rows follow the header (for a progress bar); 0 when unknown."""
    try:
        if path.suffix.lower() in (".csv", ".txt"):
            with path.open("rb") as data:
                lines = sum(chunk.count(b"\n") for chunk in iter(lambda: data.read(1 << 20), b""))
            return max(lines - 1, 0)
        from openpyxl import load_workbook

        workbook = load_workbook(path, read_only=True)
        try:
            return max((workbook.worksheets[0].max_row or 1) - 1, 0)
        finally:
            workbook.close()
    except Exception:  # the real read says what is wrong with the file
        return 0
