"""What a notebook shows the reader: the page heading, the synthetic-data banner, headline
sentences, tables with suppression, and plain notes. HTML is built here so notebooks stay thin.
"""

from __future__ import annotations

import base64
import html
import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

import altair as alt
import polars as pl
from IPython.display import HTML, display

from analysis.core import disclosure, suppression
from analysis.core.disclosure import show_count
from analysis.core.periods import long_month, parse_period
from analysis.load.inputs import Inputs
from analysis.sections import charts, exports
from analysis.sections.small_counts import row_hidden
from analysis.sections.tables import html_table

#: The page being rendered in this kernel: the source line printed under every exported chart.
_page = {"source": ""}

SYNTHETIC_BANNER = (
    '<div class="rp-banner" role="note"><strong>Synthetic data.</strong> Every figure on this page '
    "comes from made-up data, built to resemble Herefordshire's published figures. It describes no "
    "real child, family or worker, and must not be quoted as the council's performance.</div>"
)


#: Third-party warnings that may print into a page during a build, where no one can act on them:
#: (category, the warning's module as a regex). Silenced only in a build's kernels (`quiet_build`); an
#: analyst's kernel in JupyterLab keeps every warning, their own included.
KNOWN_WARNINGS: tuple[tuple[type[Warning], str], ...] = (
    (DeprecationWarning, r"(altair|narwhals|pandas|vl_convert|jsonschema|IPython|ipykernel|jupyter_client|zmq)\b"),
    (PendingDeprecationWarning, r"(altair|narwhals|pandas|IPython|ipykernel|jupyter_client|zmq)\b"),
    (FutureWarning, r"(altair|narwhals|pandas|great_expectations)\b"),
)


def quiet_build() -> None:
    """Silence `KNOWN_WARNINGS`, and only those, for the rest of this kernel: a build's notebook kernel.

    Called by `Review.open` when the build hands a notebook its computed review (`review_file`),
    so it never runs in an analyst's own session. Idempotent.
    """
    for category, module in KNOWN_WARNINGS:
        warnings.filterwarnings("ignore", category=category, module=module)


def start(inputs: Inputs, period: str, title: str, intro: str = "") -> None:
    """Set up charts, then show the page heading (and the banner if synthetic).

    Warnings are left alone: a build silences known third-party ones (`quiet_build`); in JupyterLab
    every warning shows, the analyst's own included.
    """
    charts.setup()
    disclosure.set_policy(inputs.authority.disclosure)
    parts = []
    if inputs.authority.synthetic:
        parts.append(SYNTHETIC_BANNER)
    if not inputs.authority.disclosure.suppress:
        parts.append(disclosure.UNSUPPRESSED_BANNER)
    parts.append(f"<h1>{html.escape(title)}</h1>")
    parts.append(
        f'<p class="rp-sub">{html.escape(inputs.authority.name)} · review period {long_month(parse_period(period))}</p>'
    )
    if intro:
        parts.append(f"<p>{html.escape(intro)}</p>")
    kind = "synthetic data" if inputs.authority.synthetic else "SSDA903 return and local records"
    _page["source"] = (
        f"Source: {inputs.authority.name} review pack, {long_month(parse_period(period))}, from {kind}. "
        + (f'Counts of 1 to {disclosure.threshold()} shown as "c".' if disclosure.threshold() else "Not suppressed.")
    )
    display(HTML("\n".join(parts)))


def headlines(sentences: Iterable[str]) -> None:
    """The headline box: one plain-English sentence per line, built from computed figures."""
    items = "".join(f"<li>{html.escape(s)}</li>" for s in sentences)
    display(HTML(f'<div class="rp-headlines"><h2>Headlines</h2><ul>{items}</ul></div>'))


def heading(text: str, level: int = 2) -> None:
    """A section heading."""
    display(HTML(f"<h{level}>{html.escape(text)}</h{level}>"))


def note(text: str) -> None:
    """A short plain note under a chart or table."""
    display(HTML(f'<p class="rp-note">{html.escape(text)}</p>'))


def missing(what: str, needs: str) -> None:
    """Say plainly that a section cannot be shown, and what input it needs."""
    display(
        HTML(
            f'<div class="rp-missing"><strong>{html.escape(what)} is not shown.</strong> '
            f"It needs {html.escape(needs)}, which this review's data does not include.</div>"
        )
    )


def table_cells(
    frame: pl.DataFrame,
    *,
    counts: Sequence[str] = (),
    protect: Sequence[str] = (),
    decimals: dict[str, int] | None = None,
    labels: dict[str, str] | None = None,
    rolling: dict[str, str] | None = None,
    figures: Mapping[str, disclosure.FigureSpec] | None = None,
    parts: Sequence[Sequence[str]] = (),
) -> tuple[list[str], list[list[tuple[str, bool]]]]:
    """The header and the display text of every cell (with a flag for numbers), suppression applied.

    Counts show "c" for 1 to the policy's threshold, with thousands separators; `protect` columns
    are parts of a total shown elsewhere, so they get complementary suppression too
    (`disclosure.protect`); `rolling` maps a rolling 12-month column to the monthly column it sums
    (rows in date order), and further cells of both are hidden until no hidden month can be worked
    out from the sums beside it (`analysis.core.suppression`). `figures` names the pack figure in each cell of a
    column (`disclosure.FigureSpec`: (metric, breakdown) with the period from the row's date): such a cell is
    hidden exactly where the pack-wide decision hides it (metrics.csv, every page and tables.xlsx alike), and
    shown where it is shown. `parts`: groups of count columns that add up, in each row, to a total shown
    elsewhere (routes beside "all"): protected row by row (`small_counts.row_hidden`). Dates are written out."""
    decimals = decimals or {}
    labels = labels or {}
    shown = frame
    for column in protect:
        shown = disclosure.protect(shown, column).with_columns(pl.col(f"{column}_label").alias(column))
    pack_wide = disclosure.figures_hidden(frame, figures or {})
    # A rolling pair the pack-wide decision covers cell by cell (every cell with a value: a month before the
    # first whole 12 months has no sum to cover) needs no protection of its own.
    def covered(column: str) -> bool:
        flags = pack_wide.get(column)
        return flags is not None and all(
            f is not None or v is None for f, v in zip(flags, frame[column].to_list(), strict=True)
        )

    local = {
        summed: monthly for summed, monthly in (rolling or {}).items() if not (covered(summed) and covered(monthly))
    }
    held = _rolling_hidden(frame, local)
    for group in parts:
        flags = row_hidden(frame, list(group))
        held |= {(r, c) for c in group for r, h in enumerate(flags[f"{c}_hidden"].to_list()) if h}
    rows = []
    for r, (row, raw) in enumerate(zip(shown.select(frame.columns).iter_rows(), frame.iter_rows(), strict=True)):
        cells = []
        for c, v, original in zip(frame.columns, row, raw, strict=True):
            text = v if c in protect else _cell(c, v, counts, decimals)
            if (r, c) in held:
                text = disclosure.SUPPRESSED
            decided = pack_wide[c][r] if c in pack_wide else None
            if decided is True:
                text = disclosure.SUPPRESSED
            elif decided is False and text == disclosure.SUPPRESSED and original is not None:
                # The pack shows it (metrics.csv too): so does the page.
                text = f"{round(original):,}" if c in counts or c in protect else _cell(c, original, (), decimals)
            cells.append((text, _number(original, text, decimals.get(c, 1)) if frame.schema[c].is_numeric() else None))
        rows.append(cells)
    return [labels.get(c, c) for c in frame.columns], rows


def _rolling_hidden(frame: pl.DataFrame, rolling: dict[str, str]) -> set[tuple[int, str]]:
    """(row, column) cells to hide so that no hidden month is recoverable from the rolling sums beside it."""
    held: set[tuple[int, str]] = set()
    for summed, monthly in rolling.items():
        cells = suppression.Cells()
        months = [cells.add((r, monthly), v) for r, v in enumerate(frame[monthly].to_list())]
        sums = [cells.add((r, summed), v) for r, v in enumerate(frame[summed].to_list())]
        relations = [
            suppression.total(sums[r], months[r - 11 : r + 1])
            for r in range(11, frame.height)
            if frame[summed][r] is not None
        ]
        held |= suppression.keyed(suppression.protect(cells, relations, disclosure.policy()), cells)  # type: ignore[arg-type]
    return held


def _number(value: object, text: str, decimals: int) -> int | float | None:
    """The number behind a shown cell, rounded as shown; None where the cell shows no number ("c", "–")."""
    if value is None or not any(ch.isdigit() for ch in text) or text.strip() == "c":
        return None
    if isinstance(value, float):
        rounded = round(value, decimals)
        return int(rounded) if decimals == 0 else rounded
    return value  # type: ignore[return-value]


def table_parts(frame: pl.DataFrame, *, caption: str, **cell_kwargs: object) -> tuple[str, dict]:
    """An HTML table of `table_cells`, and its record for tables.xlsx (see `analysis.sections.exports`)."""
    header, rows = table_cells(frame, **cell_kwargs)  # type: ignore[arg-type]
    numeric = [frame.schema[c].is_numeric() for c in frame.columns]
    shown = [[(text, num) for (text, _), num in zip(row, numeric, strict=True)] for row in rows]
    return html_table(caption, header, shown), exports.table_record(caption, header, rows)


def table_html(frame: pl.DataFrame, *, caption: str, **cell_kwargs: object) -> str:
    """An HTML table of `table_cells`."""
    return table_parts(frame, caption=caption, **cell_kwargs)[0]


def _cell(column: str, value: object, counts: Sequence[str], decimals: dict[str, int]) -> str:
    from datetime import date

    from analysis.core.periods import long_date

    if value is None:
        return "–"
    if column in counts:
        return show_count(value)  # type: ignore[arg-type]
    if isinstance(value, date):
        return long_date(value)
    if isinstance(value, float):
        return f"{value:,.{decimals.get(column, 1)}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def table(frame: pl.DataFrame, **kwargs: object) -> None:
    """Show a table (see `table_html`); its cells go with the output, for tables.xlsx."""
    body, record = table_parts(frame, **kwargs)  # type: ignore[arg-type]
    _show(body, tables=[record])


def _show(body: str, *, tables: Sequence[dict] = (), charts: Sequence[dict] = ()) -> None:
    """Display HTML, carrying in the output's metadata what the build exports from it."""
    display(HTML(body), metadata={exports.KEY: {"tables": list(tables), "charts": list(charts)}})


def svg(chart: alt.TopLevelMixin) -> str:
    """The chart rendered to SVG text by vl-convert, in the kernel, with no network.

    What `chart.save(format="svg")` writes, without checking the specification against the Vega-Lite schema
    first (about a third of the time a chart takes): the charts are built by `analysis.sections.charts`, whose
    tests render every one of them.
    """
    import vl_convert as vlc

    return vlc.vegalite_to_svg(chart.to_dict(validate=False), vl_version=_VL_VERSION)


#: The Vega-Lite version altair writes ("6.4" for schema v6.4.1), as `chart.save` gives it to vl-convert.
_VL_VERSION = alt.SCHEMA_VERSION.lstrip("v").rsplit(".", 1)[0]


def figure_parts(
    chart: alt.TopLevelMixin,
    alt_text: str,
    data: pl.DataFrame | None = None,
    **table_kwargs: object,
) -> tuple[str, list[dict], list[dict]]:
    """A chart as an <img> with a text alternative, and the figures behind it in a closed <details>;
    with the records the build exports (the table behind it, and the chart as a slide)."""
    encoded = base64.b64encode(svg(chart).encode("utf-8")).decode("ascii")
    slide = exports.chart_record(chart, str(table_kwargs.get("caption") or alt_text[:60]), _page["source"])
    tables: list[dict] = []
    parts = [
        '<figure class="rp-figure">',
        f'<img src="data:image/svg+xml;base64,{encoded}" alt="{html.escape(alt_text)}">',
    ]
    if data is not None:
        body, record = table_parts(data, **table_kwargs)  # type: ignore[arg-type]
        tables.append(record)
        parts.append("<details><summary>Show the figures behind this chart</summary>")
        parts.append(body)
        parts.append("</details>")
    parts.append("</figure>")
    return "".join(parts), tables, [slide]


def figure_html(chart: alt.TopLevelMixin, alt_text: str, data: pl.DataFrame | None = None, **kw: object) -> str:
    """The HTML of `figure_parts`."""
    return figure_parts(chart, alt_text, data, **kw)[0]


def chart(
    chart: alt.TopLevelMixin,
    alt_text: str,
    data: pl.DataFrame | None = None,
    **table_kwargs: object,
) -> None:
    """Show a chart (see `figure_parts`); its slide and table go with the output, for the exports."""
    body, tables, slides = figure_parts(chart, alt_text, data, **table_kwargs)
    _show(body, tables=tables, charts=slides)


def figure(fig: charts.Figure) -> None:
    """Show a Figure: the chart, its text alternative, and its figures in a closed <details>."""
    chart(
        fig.chart,
        fig.alt,
        fig.data,
        caption=fig.caption,
        counts=fig.counts,
        protect=fig.protect,
        decimals=fig.decimals,
        labels=fig.labels,
        rolling=dict(fig.rolling),
        figures=dict(fig.figures),
        parts=fig.parts,
    )


def definitions(metric_ids: Sequence[str]) -> None:
    """How the figures on the page are counted, in the words of `analysis.core.definitions`."""
    from analysis.core.definitions import METRICS

    items = "".join(
        f"<dt>{html.escape(METRICS[m].label)}</dt><dd>{html.escape(METRICS[m].definition)} "
        f'<span class="rp-note">Source: {html.escape(METRICS[m].source)}.</span></dd>'
        for m in metric_ids
    )
    display(HTML(f'<dl class="rp-definitions">{items}</dl>'))


class Block(NamedTuple):
    """HTML built by a section module, with the tables in it (records for tables.xlsx)."""

    html: str
    tables: tuple[dict, ...] = ()


def html_block(block: str | Block) -> None:
    """Show HTML built by a section module; a Block's tables go with the output, for tables.xlsx."""
    if isinstance(block, Block):
        _show(block.html, tables=list(block.tables))
    else:
        display(HTML(block))


def sentences(items: Iterable[str], caption: str) -> None:
    """A captioned list of sentences (for reading aloud)."""
    lis = "".join(f"<li>{html.escape(s)}</li>" for s in items)
    display(HTML(f'<h3>{html.escape(caption)}</h3><ul class="rp-sentences">{lis}</ul>'))
