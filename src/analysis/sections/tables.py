"""One HTML table builder for every table in the pack (notebook tables and the pack's own pages)."""

from __future__ import annotations

import html
from collections.abc import Sequence

#: A cell: its text, and whether it is a number (right-aligned).
Cell = tuple[str, bool]


def html_table(caption: str, header: Sequence[str], rows: Sequence[Sequence[Cell]]) -> str:
    """An accessible table: a caption, column headers with scope, numbers right-aligned."""
    head = "".join(f'<th scope="col">{html.escape(h)}</th>' for h in header)
    body = "".join(
        "<tr>"
        + "".join(f'<td class="num">{html.escape(t)}</td>' if num else f"<td>{html.escape(t)}</td>" for t, num in row)
        + "</tr>"
        for row in rows
    )
    return (
        f'<table class="rp-table"><caption>{html.escape(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )
