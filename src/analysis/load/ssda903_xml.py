"""The SSDA903 return as the DfE XML file (root EXPSSDA903), read into the frames of the CSV form.

Councils' case-management systems export the return for the DfE's COLLECT system as one XML file
per collection year: `EXPSSDA903` > `CHILD` (one per child) > one `HEADER`, then any number of
`EPISODE`. `read_return` turns one file into the text frames `ssda903.read_table` makes from the
CSV files (header, episodes, uasc: the CSV columns, blank as null, plus `_row`), and the other
tables of the file (reviews, missing, oc2, oc3, ad1, placed_for_adoption, previous_permanence),
so the same merge, the same Great Expectations suites and the same 903 rules run on either form.

The mapping (DfE schema, "Expanded SSDA903 Return 2021", v3.3.0; and the Data to Insight 903
validator's reader, `lac_validator/ingress.py`):
- CHILDID becomes CHILD and PL becomes PLACE; every other element has its CSV column's name;
- the uasc table is the HEADER of each child whose UASC flag is "1" (DfE rule 105: 0 or 1), with
  DUC from the same HEADER; an empty or "0" flag is not UASC;
- each EPISODE (and each AREVIEW, AMISSING, ...) takes CHILD (and DOB) from its child's HEADER;
- text is stripped; an absent, empty or blank element is null, as a blank CSV cell.

`_row` is the child's position in the file (the Nth CHILD element, from 1): an XML file often
sits on one line, so line numbers would not help. Every record of a child carries that number.

Checks on the XML itself: a file that is not well-formed, has the wrong root or declares a
DOCTYPE is an `InputError` naming the file and line; an unknown or misplaced element is skipped
and reported (`XmlIssue`) with the element and the child's position, never the child's id.
Dates stay text here and are checked exactly as in the CSV form (`readers.parse_dates`).

Parsing streams (lxml's `iterparse` when lxml is installed, else `xml.etree.ElementTree.iterparse`),
one CHILD at a time, and lets the parser honour the file's declared encoding (us-ascii, UTF-8 with or
without BOM, UTF-16, Windows-1252).
"""

from __future__ import annotations

import functools
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Protocol
from xml.parsers import expat
from xml.sax.saxutils import escape

import polars as pl

from analysis.core.codes import EPISODE_COLUMNS, HEADER_COLUMNS, UASC_COLUMNS
from analysis.core.errors import InputError
from analysis.load.readers import MAX_BYTES, ROW, date_expr

ROOT = "EXPSSDA903"


#: Leaf elements of HEADER (schema order), as CSV names, except CHILDID (-> CHILD).
HEADER_LEAVES = (
    "CHILDID", "UPN", "SEX", "DOB", "ETHNIC", "UASC", "DUC",
    "DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR", "LS_ADOPTR",
    "IN_TOUCH", "ACTIV", "ACCOM", "MOTHER", "MC_DOB",
)  # fmt: skip
#: Leaf elements of EPISODE (schema order); PL becomes PLACE.
EPISODE_LEAVES = (
    "DECOM", "RNE", "LS", "CIN", "PL", "PL_POST", "HOME_POST", "URN", "PLACE_PROVIDER", "DEC", "REC",
    "REASON_PLACE_CHANGE",
)  # fmt: skip
OC2_LEAVES = (
    "SDQ_SCORE", "SDQ_REASON", "CONVICTED", "HEALTH_CHECK", "IMMUNISATIONS", "TEETH_CHECK",
    "HEALTH_ASSESSMENT", "SUBSTANCE_MISUSE", "INTERVENTION_RECEIVED", "INTERVENTION_OFFERED",
)  # fmt: skip
#: Repeating groups inside HEADER: element -> (table name, its leaves). Each row also gets CHILD and DOB.
HEADER_GROUPS = {
    "AMISSING": ("missing", ("MISSING", "MIS_START", "MIS_END")),
    "AREVIEW": ("reviews", ("REVIEW", "REVIEW_CODE")),
    "PERMANENCE": ("previous_permanence", ("PREV_PERM", "LA_PERM", "DATE_PERM")),
    "OC2": ("oc2", OC2_LEAVES),
    "AD_PLACED": ("placed_for_adoption", ("DATE_PLACED", "DATE_PLACED_CEASED", "REASON_PLACED_CEASED")),
}
#: Tables made from leaves of HEADER itself: a row when any of the leaves is filled in.
HEADER_TABLES = {
    "oc3": ("IN_TOUCH", "ACTIV", "ACCOM"),
    "ad1": ("DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR", "LS_ADOPTR"),
}
#: Every table of the file and its columns (the Data to Insight validator's names for the extra ones).
TABLES: dict[str, list[str]] = {
    "header": HEADER_COLUMNS,
    "episodes": EPISODE_COLUMNS,
    "uasc": UASC_COLUMNS,
    **{table: ["CHILD", "DOB", *leaves] for table, leaves in HEADER_GROUPS.values()},
    **{table: ["CHILD", "DOB", *leaves] for table, leaves in HEADER_TABLES.items()},
}
#: The tables `ssda903.read_table` reads; the others are read and counted, ready for later sections.
PACK_TABLES = ("header", "episodes", "uasc")
#: Date columns of the extra tables (the pack's own tables are typed by `ssda903.typed`).
EXTRA_DATES = {
    "reviews": ["DOB", "REVIEW"],
    "missing": ["DOB", "MIS_START", "MIS_END"],
    "placed_for_adoption": ["DOB", "DATE_PLACED", "DATE_PLACED_CEASED"],
    "previous_permanence": ["DOB", "DATE_PERM"],
    "ad1": ["DOB", "DATE_INT", "DATE_MATCH"],
    "oc2": ["DOB"],
    "oc3": ["DOB"],
}

#: Where each element belongs (its parent), for telling a misplaced element from an unknown one.
_PARENT = {
    "CHILD": ROOT,
    "HEADER": "CHILD",
    "EPISODE": "CHILD",
    **dict.fromkeys(HEADER_LEAVES, "HEADER"),
    **dict.fromkeys(HEADER_GROUPS, "HEADER"),
    **dict.fromkeys(EPISODE_LEAVES, "EPISODE"),
    **{leaf: group for group, (_, leaves) in HEADER_GROUPS.items() for leaf in leaves},
}


@dataclass(frozen=True)
class XmlIssue:
    """Something in the file the reader skipped or could not use, at one child's position."""

    kind: str  # "unknown", "misplaced", "repeated", "missing", "order", "uasc_flag"
    element: str
    parent: str
    child: int  # the child's position in the file (1 = the first CHILD); 0 = outside any CHILD

    def describe(self) -> str:
        """Plain English, without the child's identifier."""
        if self.parent == ROOT:
            where = f"after child {self.child} in the file" if self.child else "before the first CHILD"
        else:
            where = f"child {self.child} in the file"
        if self.kind == "unknown":
            return f"unknown element {self.element} in {self.parent} ({where}): not read"
        if self.kind == "repeated":
            return f"element {self.element} repeated in {self.parent} ({where}): the first is read"
        if self.kind == "uasc_flag":
            return f"UASC is '{self.element}', not 0 or 1 ({where}): not counted as UASC"
        if self.kind == "missing":
            return f"CHILD with no HEADER ({where}): its episodes have no child identifier"
        if self.kind == "order":
            return f"element {self.element} after an EPISODE in {self.parent} ({where}): read anyway"
        home = _PARENT.get(self.element, "?")
        return f"element {self.element} in {self.parent}, where it belongs in {home} ({where}): not read"


@dataclass
class XmlReturn:
    """One XML return: a frame per table (text, blank = null, with `_row`), and what was skipped."""

    path: Path
    tables: dict[str, pl.DataFrame]
    issues: list[XmlIssue] = field(default_factory=list)

    @property
    def children(self) -> int:
        return self.tables["header"].height

    def counts(self) -> dict[str, int]:
        """Rows per table, and the elements skipped: nothing is dropped without being counted."""
        out = {table: frame.height for table, frame in self.tables.items()}
        out["skipped elements"] = sum(1 for i in self.issues if i.kind in ("unknown", "misplaced", "repeated"))
        return out

    def inferred_year(self) -> int | None:
        """The return year (the 31 March that ends it) from the episodes' dates, or None without any.

        A return holds the episodes open at some time in its year, so every DEC in it falls in the
        year: the year is the one most DEC dates fall in (a stray wrong date does not move it); with
        no ceased episode at all, the year of the latest DECOM.
        """
        episodes = self.tables["episodes"]
        if episodes.height == 0:
            return None
        dates = episodes.select(date_expr("DEC"), date_expr("DECOM"))
        ceased = dates["DEC"].drop_nulls()
        years = ceased if ceased.len() else dates["DECOM"].drop_nulls().sort().tail(1)
        if years.len() == 0:
            return None
        collection = years.dt.year() + (years.dt.month() >= 4).cast(pl.Int32)
        counts = collection.value_counts(sort=True)
        return int(counts.sort(["count", collection.name], descending=[True, True])[collection.name][0])

    def dates_after(self, year: int) -> int:
        """How many DECOM or DEC dates fall after 31 March `year` (none may, in the return for `year`)."""
        episodes = self.tables["episodes"]
        if episodes.height == 0:
            return 0
        end = date(year, 3, 31)
        dates = episodes.select(date_expr("DEC"), date_expr("DECOM"))
        return int(((dates["DEC"] > end).fill_null(False) | (dates["DECOM"] > end).fill_null(False)).sum())


def is_xml(path: Path) -> bool:
    """True for a file the 903 loader reads as an XML return."""
    return path.suffix.lower() == ".xml"


def read_table(path: Path, table: str) -> pl.DataFrame:
    """One table of an XML return, as `readers.read_raw` gives a CSV: text columns and `_row`."""
    return read_return(path).tables[table]


def other_tables(files: Iterable[ReturnFileLike]) -> dict[str, pl.DataFrame]:
    """The XML returns' tables beyond the pack's three (reviews, missing, oc2, ...), all years stacked.

    `files` are `ssda903.ReturnFile`s (from `ssda903.discover`); each XML return counts once.
    Columns as `TABLES`, plus `_row`, `_year` (the return year) and `_file`, as `ssda903.read_table`.
    """
    seen: dict[Path, int] = {}
    for f in files:
        if is_xml(f.path) and f.path not in seen:
            seen[f.path] = f.return_year
    out = {}
    for table, columns in TABLES.items():
        if table in PACK_TABLES:
            continue
        frames = [
            read_return(path).tables[table].with_columns(pl.lit(year).alias("_year"), pl.lit(str(path)).alias("_file"))
            for path, year in seen.items()
        ]
        empty = pl.DataFrame(
            schema={**dict.fromkeys(columns, pl.String), ROW: pl.Int64, "_year": pl.Int32, "_file": pl.String}
        )
        out[table] = pl.concat(frames, how="vertical") if frames else empty
    return out


class ReturnFileLike(Protocol):
    path: Path

    @property
    def return_year(self) -> int: ...


def read_return(path: Path) -> XmlReturn:
    """Read and check one XML return (cached while the file is unchanged, so each table costs one parse)."""
    path = Path(path)
    if not path.exists():
        raise InputError(path, "the file is missing")
    stat = path.stat()
    if stat.st_size > MAX_BYTES:
        raise InputError(
            path,
            f"the file is too large ({stat.st_size / 1e6:,.0f} MB; the limit is {MAX_BYTES / 1e6:,.0f} MB). One "
            "authority's return is a few MB: check this is the right file, or raise REVIEW_PACK_MAX_MB",
        )
    return _cached(str(path.resolve()), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=8)
def _cached(path: str, mtime_ns: int, size: int) -> XmlReturn:
    return parse(Path(path))


class _Root(Exception):
    def __init__(self, name: str, line: int) -> None:
        self.name, self.line = name, line


def _not_well_formed(path: Path, reason: str, line: int, column: int) -> InputError:
    return InputError(
        path,
        f"the file is not well-formed XML: {reason} at line {line}, column {column + 1}",
    )


def check_prolog(path: Path) -> str:
    """Refuse a file that is empty, declares a DOCTYPE, is not XML up to its root, or has the wrong root.

    Reads only up to the root element's start tag, with the parser honouring the encoding declaration.
    Returns the root's namespace as ElementTree writes it (`{uri}`), or "" (the DfE schema has none).
    """
    parser = expat.ParserCreate(namespace_separator="}")

    def doctype(name: str, *_: object) -> None:
        raise InputError(
            path,
            f"the file declares a DOCTYPE ({name}) at line {parser.CurrentLineNumber}; an SSDA903 return has "
            "none, and the reader refuses it rather than expand it. Export the return again",
        )

    def start(name: str, _attrs: object) -> None:
        raise _Root(name, parser.CurrentLineNumber)

    parser.StartDoctypeDeclHandler = doctype
    parser.StartElementHandler = start
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 16):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except _Root as root:
        uri, _, name = root.name.rpartition("}")
        if name != ROOT:
            raise InputError(
                path,
                f"the root element is {name} at line {root.line}, not {ROOT}: this is not an SSDA903 "
                "return as the DfE's XML schema defines it",
            ) from None
        return f"{{{uri}}}" if uri else ""
    except expat.ExpatError as exc:
        if path.stat().st_size == 0 or exc.code == expat.errors.codes[expat.errors.XML_ERROR_NO_ELEMENTS]:
            raise InputError(path, "the file is empty (no XML element)") from None
        raise _not_well_formed(path, expat.errors.messages[exc.code], exc.lineno, exc.offset) from None
    raise InputError(path, "the file is empty (no XML element)")


def _local(tag: str) -> str:
    return tag.rpartition("}")[2] if tag[:1] == "{" else tag


def parse(path: Path) -> XmlReturn:
    """Read one XML return (no cache); see the module docstring for the mapping and the checks.

    lxml reads it when installed (its parser builds the elements in C and hands over only the CHILD
    elements: the parse takes about half the time); a file lxml will not read is read again with
    ElementTree, whose parser (expat) names the reason, line and column of the fault, or reads what
    lxml refused. Both give the same tables and issues (tests/test_load_fast_paths.py).
    """
    child_tag = check_prolog(path) + "CHILD"
    lxml = _lxml()
    if lxml is not None:
        try:
            return _parse(path, _LxmlChildren(path, child_tag))
        except lxml.LxmlError:
            pass
    return _parse(path, _EtChildren(path, child_tag))


@functools.cache
def _lxml() -> ModuleType | None:
    """lxml's etree, imported on the first read (None without lxml: ElementTree then reads every file alike)."""
    try:
        from lxml import etree
    except ImportError:
        return None
    return etree


class _Children(Protocol):
    """The CHILD elements of a return in file order (each cleared once read), then `root`."""

    root: ET.Element

    def __iter__(self) -> Iterator[ET.Element]: ...


class _EtChildren:
    def __init__(self, path: Path, child_tag: str) -> None:
        self.path, self.child_tag = path, child_tag

    def __iter__(self) -> Iterator[ET.Element]:
        context = ET.iterparse(str(self.path), events=("end",))
        child_tag = self.child_tag
        try:
            for _, element in context:
                if element.tag == child_tag:
                    yield element
                    element.clear()
            self.root = context.root  # type: ignore[attr-defined]
        except ET.ParseError as exc:
            line, column = exc.position
            reason = expat.errors.messages[exc.code] if exc.code else str(exc)
            raise _not_well_formed(self.path, reason, line, column) from None


class _LxmlChildren(_EtChildren):
    def __iter__(self) -> Iterator[ET.Element]:
        context = _lxml().iterparse(  # only CHILD elements are handed over; comments and PIs are dropped, as ET does
            str(self.path), events=("end",), tag=self.child_tag, remove_comments=True, remove_pis=True, no_network=True
        )
        for _, element in context:
            yield element
            element.clear()
        self.root = context.root


def _parse(path: Path, children: _Children) -> XmlReturn:
    rows: dict[str, list[tuple]] = {table: [] for table in TABLES}
    issues: list[XmlIssue] = []
    for position, element in enumerate(children, start=1):
        _read_child(element, position, rows, issues)
    root = children.root
    seen = 0
    for element in root:
        name = _local(element.tag)
        if name == "CHILD":
            seen += 1
        else:
            issues.append(XmlIssue(_kind(name, ROOT), name, ROOT, seen))
    tables = {}
    for table, columns in TABLES.items():
        records = rows[table]
        values = [[record[i] for record in records] for i in range(len(columns) + 1)]  # a column at a time
        frame = pl.DataFrame(
            [pl.Series(c, v, dtype=pl.String) for c, v in zip(columns, values, strict=False)]
            + [pl.Series(ROW, values[-1], dtype=pl.Int64)]
        )
        # As the CSV reader: text stripped, and blank is null.
        tables[table] = frame.with_columns(pl.col(c).str.strip_chars().replace("", None) for c in columns)
    return XmlReturn(path, tables, issues)


def _kind(name: str, parent: str) -> str:
    return "misplaced" if name in _PARENT and _PARENT[name] != parent else "unknown"


def _leaves(
    element: ET.Element, wanted: frozenset[str], position: int, issues: list[XmlIssue]
) -> dict[str, str | None]:
    """The leaf texts of one element by local name (unstripped); anything else is an issue.

    The fast path is one dict comprehension; the careful one runs only when a name is unexpected,
    repeated or namespaced.
    """
    values = {leaf.tag: leaf.text for leaf in element}
    if len(values) == len(element) and values.keys() <= wanted:
        return values
    parent = _local(element.tag)
    values = {}
    for leaf in element:
        name = _local(leaf.tag)
        if name not in wanted:
            issues.append(XmlIssue(_kind(name, parent), name, parent, position))
        elif name in values:
            issues.append(XmlIssue("repeated", name, parent, position))
        else:
            values[name] = leaf.text
    return values


def _read_child(child: ET.Element, position: int, rows: dict[str, list[tuple]], issues: list[XmlIssue]) -> None:
    header: ET.Element | None = None
    episodes: list[ET.Element] = []
    for part in child:
        name = part.tag
        if name == "EPISODE":
            episodes.append(part)
            continue
        if name[0] == "{":
            name = _local(name)
        if name == "EPISODE":
            episodes.append(part)
        elif name == "HEADER" and header is None:
            header = part
            if episodes:
                issues.append(XmlIssue("order", "HEADER", "CHILD", position))
        elif name == "HEADER":
            issues.append(XmlIssue("repeated", "HEADER", "CHILD", position))
        else:
            issues.append(XmlIssue(_kind(name, "CHILD"), name, "CHILD", position))
    groups: list[ET.Element] = []
    head: dict[str, str | None] = {}
    if header is None:
        issues.append(XmlIssue("missing", "HEADER", "CHILD", position))
    else:
        head = _read_header(header, position, issues, groups)
    g = head.get
    cid, dob = g("CHILDID"), g("DOB")
    rows["header"].append((cid, g("SEX"), dob, g("ETHNIC"), g("UPN"), g("MOTHER"), g("MC_DOB"), position))
    flag = (g("UASC") or "").strip()
    if flag == "1":
        rows["uasc"].append((cid, g("SEX"), dob, g("DUC"), position))
    elif flag not in ("", "0"):
        issues.append(XmlIssue("uasc_flag", flag, "HEADER", position))
    if not _HEADER_TABLE_LEAVES.isdisjoint(head):
        for table, leaves in HEADER_TABLES.items():
            values = [g(leaf) for leaf in leaves]
            if any(v is not None and v.strip() for v in values):
                rows[table].append((cid, dob, *values, position))
    for group in groups:
        table, leaves = HEADER_GROUPS[_local(group.tag)]
        found = _leaves(group, _GROUP_SETS[table], position, issues)
        rows[table].append((cid, dob, *(found.get(leaf) for leaf in leaves), position))
    out, order = rows["episodes"], _EPISODE_ORDER
    for episode in episodes:
        values = {leaf.tag: leaf.text for leaf in episode}  # `_leaves`' fast path, inline: most rows are episodes
        if len(values) != len(episode) or not values.keys() <= _EPISODE_SET:
            values = _leaves(episode, _EPISODE_SET, position, issues)
        out.append((cid, *map(values.get, order), position))


def _read_header(
    header: ET.Element, position: int, issues: list[XmlIssue], groups: list[ET.Element]
) -> dict[str, str | None]:
    """The HEADER's leaf texts (unstripped); its repeating groups are appended to `groups`."""
    values = {leaf.tag: leaf.text for leaf in header}
    if len(values) == len(header) and values.keys() <= _HEADER_SET:
        return values  # the common case: plain leaves, each once, no repeating groups
    values = {}
    for leaf in header:
        name = _local(leaf.tag)
        if name in HEADER_GROUPS:
            groups.append(leaf)
        elif name not in _HEADER_SET:
            issues.append(XmlIssue(_kind(name, "HEADER"), name, "HEADER", position))
        elif name in values:
            issues.append(XmlIssue("repeated", name, "HEADER", position))
        else:
            values[name] = leaf.text
    return values


_HEADER_SET = frozenset(HEADER_LEAVES)
_EPISODE_SET = frozenset(EPISODE_LEAVES)
#: The XML names of `EPISODE_COLUMNS` after CHILD, in that order.
_EPISODE_ORDER = tuple("PL" if c == "PLACE" else c for c in EPISODE_COLUMNS[1:])
_HEADER_TABLE_LEAVES = frozenset(leaf for leaves in HEADER_TABLES.values() for leaf in leaves)
_GROUP_SETS = {table: frozenset(leaves) for table, leaves in HEADER_GROUPS.values()}


# --- Writing --------------------------------------------------------------------------------------------------

#: Elements written even when blank (the schema requires them; `<DEC/>` while an episode is open).
_REQUIRED_LEAVES = frozenset({"CHILDID", "UPN", "SEX", "DOB", "ETHNIC", "UASC", "DECOM", "RNE", "LS", "CIN", "PL"})
_REQUIRED_LEAVES |= {"DEC", "REC", "REVIEW", "REVIEW_CODE", "MISSING", "MIS_START", "DATE_PLACED"}
_CSV_NAME = {"CHILDID": "CHILD", "PL": "PLACE"}


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value).strip()


def _element(name: str, value: str) -> str:
    if not value:
        return f"<{name}/>" if name in _REQUIRED_LEAVES else ""
    return f"<{name}>{escape(value)}</{name}>"


def _by_child(frame: pl.DataFrame | None) -> dict[str, list[dict[str, object]]]:
    out: dict[str, list[dict[str, object]]] = {}
    if frame is None:
        return out
    for row in frame.iter_rows(named=True):
        out.setdefault(_cell(row["CHILD"]), []).append(row)
    return out


def write_return(
    path: Path,
    header: pl.DataFrame,
    episodes: pl.DataFrame,
    uasc: pl.DataFrame | None = None,
    extra: dict[str, pl.DataFrame] | None = None,
) -> Path:
    """Write one year's return as the DfE XML file (UTF-8): the inverse of `read_return`.

    Takes the CSV tables (text or typed; dates written dd/mm/yyyy), children in the header's order
    and each child's episodes in their order. A child is UASC (`<UASC>1</UASC>`, with DUC) when it
    is in `uasc`; `extra` holds any of the other tables (reviews, missing, oc2, ...) by name.
    Blank optional elements are left out; blank required ones are written empty (`<DEC/>`).
    Raises ValueError for an episode or UASC row whose child is not in the header.
    """
    eps, uas = _by_child(episodes), _by_child(uasc)
    extras = {table: _by_child(frame) for table, frame in (extra or {}).items()}
    children = [_cell(c) for c in header["CHILD"].to_list()]
    known = set(children)
    for table, rows in [("episodes", eps), ("uasc", uas), *extras.items()]:
        strays = [c for c in rows if c not in known]
        if strays:
            raise ValueError(f"{len(strays)} child(ren) in the {table} table are not in the header")
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f"<{ROOT}>"]
    for row in header.iter_rows(named=True):
        cid = _cell(row["CHILD"])
        u = uas.get(cid, [])
        values = {name: _cell(row.get(_CSV_NAME.get(name, name))) for name in HEADER_LEAVES}
        values["UASC"] = "1" if u else "0"
        values["DUC"] = _cell(u[0]["DUC"]) if u else ""
        for table, leaves in HEADER_TABLES.items():
            for record in extras.get(table, {}).get(cid, [])[:1]:
                values.update({leaf: _cell(record.get(leaf)) for leaf in leaves})
        parts = [_element(name, values.get(name, "")) for name in HEADER_LEAVES if name not in ("MOTHER", "MC_DOB")]
        for group in ("AMISSING", "AREVIEW", "MOTHER", "PERMANENCE", "OC2", "AD_PLACED"):
            if group == "MOTHER":
                parts += [_element("MOTHER", values["MOTHER"]), _element("MC_DOB", values["MC_DOB"])]
                continue
            table, leaves = HEADER_GROUPS[group]
            for record in extras.get(table, {}).get(cid, []):
                inner = "".join(_element(leaf, _cell(record.get(leaf))) for leaf in leaves)
                parts.append(f"<{group}>{inner}</{group}>")
        lines += ["  <CHILD>", f"    <HEADER>{''.join(parts)}</HEADER>"]
        for episode in eps.get(cid, []):
            inner = "".join(_element(name, _cell(episode.get(_CSV_NAME.get(name, name)))) for name in EPISODE_LEAVES)
            lines.append(f"    <EPISODE>{inner}</EPISODE>")
        lines.append("  </CHILD>")
    lines.append(f"</{ROOT}>")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8", newline="\n")
    return path
