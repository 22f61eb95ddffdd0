"""Errors that name the file, row and column, so a bad input can be fixed quickly."""

from __future__ import annotations

from pathlib import Path


class InputError(Exception):
    """An input cannot be used. The message says which file, row and column, and what to do."""

    def __init__(
        self,
        file: Path | str,
        message: str,
        *,
        column: str | None = None,
        rows: list[int] | None = None,
    ) -> None:
        self.file = str(file)
        self.column = column
        self.rows = rows or []
        where = [f"file {self.file}"]
        if self.rows:
            shown = ", ".join(str(r) for r in self.rows[:5])
            more = f" and {len(self.rows) - 5} more" if len(self.rows) > 5 else ""
            where.append(f"row{'s' if len(self.rows) > 1 else ''} {shown}{more}")
        if column:
            where.append(f"column {column}")
        self.detail = message
        super().__init__(f"{', '.join(where)}: {message}")


class BuildError(Exception):
    """The pack could not be built; the last good pack is untouched."""


class InvalidInputs(BuildError):
    """The inputs failed validation, so nothing was built."""
