"""tables.xlsx: every table in the pack, one sheet each, with the same suppression, and a notes sheet."""

from __future__ import annotations

import re
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from analysis.core.definitions import METRICS

_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def cell_value(text: str, number: int | float | None) -> str | int | float:
    """A shown cell as Excel should hold it: the number behind it (as shown, already rounded), else its text
    ("c", "–" and words)."""
    return text if number is None else number


def sheet_name(section: str, index: int, used: set[str]) -> str:
    """A unique sheet name of at most 31 characters, e.g. "Children in care 3" (Excel forbids []:*?/\\)."""
    clean = _FORBIDDEN.sub(" ", section)[:24].strip()
    base = f"{clean} {index}"
    name, n = base, 1
    while name in used:
        n += 1
        name = f"{base[:28]}-{n}"
    used.add(name)
    return name


def write_workbook(path: Path, sections: list[tuple[str, list[dict]]], notes: list[tuple[str, str]]) -> list[str]:
    """Write tables.xlsx from the tables each section showed (title, table records from `analysis.sections.exports`).

    The first sheet, "Notes", holds `notes` (label, text), the contents and every metric definition.
    Returns the sheet names in order.
    """
    book = Workbook()
    info = book.active
    info.title = "Notes"
    used = {"Notes"}
    contents: list[tuple[str, str]] = []
    for title, tables in sections:
        for index, table in enumerate(tables, start=1):
            sheet = book.create_sheet(sheet_name(title, index, used))
            sheet.append([table["caption"]])
            sheet["A1"].font = Font(bold=True, size=12)
            sheet.append(table["header"])
            for cell in sheet[2]:
                cell.font = Font(bold=True)
            for row in table["rows"]:
                sheet.append([cell_value(text, number) for text, number in row])
            for col in range(1, len(table["header"]) + 1):
                sheet.column_dimensions[get_column_letter(col)].width = 22
            contents.append((sheet.title, f"{title}: {table['caption']}"))
    info.append(["Review pack tables"])
    info["A1"].font = Font(bold=True, size=14)
    for label, text in notes:
        info.append([label, text])
    info.append([])
    info.append(["Contents"])
    info.cell(row=info.max_row, column=1).font = Font(bold=True)
    for name, caption in contents:
        info.append([name, caption])
    info.append([])
    info.append(["Definitions"])
    info.cell(row=info.max_row, column=1).font = Font(bold=True)
    for m in METRICS.values():
        info.append([m.label, m.definition, m.source])
    info.column_dimensions["A"].width = 40
    info.column_dimensions["B"].width = 100
    for row in info.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for sheet in book.worksheets:
        as_text(sheet)
    book.save(path)
    return book.sheetnames


def as_text(sheet: Worksheet) -> None:
    """Store every string as text, never as a formula: openpyxl reads a string starting with "=" as a
    formula, and a team or blocker name from an input could be one (OWASP: CSV/formula injection)."""
    for row in sheet.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"
