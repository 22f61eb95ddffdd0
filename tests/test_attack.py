"""The attacker (tests/attack.py) on small packs written through the package's own rendering: each recovery the
disclosure review found succeeds when complementary suppression is switched off, and fails with it on.

A test of the attacker that could not fail would prove nothing: each case first shows the attack recovering the
hidden figure from a pack protected by primary suppression only (the `unprotected` fixture), then failing on the
pack as the package writes it.
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from pathlib import Path

import attack
import polars as pl
import pytest

from analysis.core import disclosure, suppression
from analysis.metrics import relations
from analysis.pack.published import pack_metrics
from analysis.sections import report
from analysis.sections.tables import html_table


@pytest.fixture
def unprotected(monkeypatch: pytest.MonkeyPatch) -> None:
    """Primary suppression only: every complementary step of `analysis.core.suppression` switched off."""
    monkeypatch.setattr(suppression, "_protect_from", lambda cells, rels, hidden, fixed, **_: set(hidden))


def metrics_frame(rows: list[tuple[str, str, str, float, str]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=["metric", "breakdown", "period", "value", "unit"], orient="row")


def write_pack(folder: Path, metrics: pl.DataFrame, tables: list[tuple[str, pl.DataFrame, dict]] = ()) -> Path:
    """A pack folder as the build writes one: metrics.csv (`pack_metrics`, from the pack-wide decision), one page of
    tables (`report.table_cells`, consulting that decision) and tables.xlsx (the same cells)."""
    from openpyxl import Workbook

    decision = relations.figures(metrics, disclosure.policy())
    disclosure.set_figures(decision)
    folder.mkdir(parents=True, exist_ok=True)
    shown = pack_metrics(metrics, disclosure.policy(), decision.hidden)
    (folder / "metrics.csv").write_text(shown.write_csv(), encoding="utf-8")
    book = Workbook()
    book.active.title = "Notes"
    page = []
    for caption, frame, kwargs in tables:
        header, rows = report.table_cells(frame, **kwargs)
        page.append(html_table(caption, header, rows))
        sheet = book.create_sheet(caption[:30])
        sheet.append([caption])
        sheet.append(header)
        for row in rows:
            sheet.append([text for text, _ in row])
    (folder / "01_page.html").write_text("<html><body>" + "".join(page) + "</body></html>", encoding="utf-8")
    book.save(folder / "tables.xlsx")
    return folder


def truth_of(metrics: pl.DataFrame) -> dict:
    return {(m, b, p): str(v) for m, b, p, v, _ in metrics.iter_rows()}


def _routes(sgo: float = 1.0, cao: float = 0.0, home: float = 19.0) -> pl.DataFrame:
    # Children leaving care in a year: 20, of whom SGO 1 (hidden), CAO and adoption 0, and returned home 19.
    return metrics_frame(
        [
            ("cla_ceased_year", "all", "2023/24", home + sgo + cao, "count"),
            ("cla_ceased_year", "returned_home", "2023/24", home, "count"),
            ("cla_ceased_year", "special_guardianship_order", "2023/24", sgo, "count"),
            ("cla_ceased_year", "child_arrangements_order", "2023/24", cao, "count"),
            ("cla_ceased_year", "adoption", "2023/24", 0.0, "count"),
        ]
    )


@pytest.mark.parametrize("protected", [False, True])
def test_a_small_cell_beside_a_total(tmp_path: Path, protected: bool, request: pytest.FixtureRequest) -> None:
    if not protected:
        request.getfixturevalue("unprotected")
    metrics = _routes()
    pack = write_pack(tmp_path, metrics)
    found = attack.attack_pack(pack, truth_of(metrics))
    assert bool(found["leaks"]) is not protected, found["leaks"]
    if not protected:  # 20 - 19 - 0 - 0
        assert found["leaks"][("cla_ceased_year", "special_guardianship_order", "2023/24")] == Fraction(1)
    else:  # a zero is the complement, not the 19 children who went home
        shown = attack.read_metrics(pack / "metrics.csv")
        assert shown[("cla_ceased_year", "returned_home", "2023/24")] == "19"
        zeros = [("cla_ceased_year", b, "2023/24") for b in ("child_arrangements_order", "adoption")]
        assert [shown[k] for k in zeros].count("c") == 1


def test_two_small_cells_and_a_total(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # SGO 1 and CAO 1 of 20, returned home 18: the two "c" sum to 2. A "c" may be a zero hidden as a complement, so
    # either could be 0, 1 or 2: nothing more is hidden and nothing is recovered. Read as "a c is at least 1" (the
    # rule before zeros could be complements), the same pack gives both away: the published policy is what makes
    # the pack safe, and the attacker follows it.
    metrics = _routes(sgo=1.0, cao=1.0, home=18.0)
    pack = write_pack(tmp_path, metrics)
    shown = attack.read_metrics(pack / "metrics.csv")
    hidden = sorted(k[1] for k, v in shown.items() if v == "c")
    assert hidden == ["child_arrangements_order", "special_guardianship_order"]
    assert not attack.attack_pack(pack, truth_of(metrics))["leaks"]
    monkeypatch.setattr(attack, "FLOOR", 1)
    leaks = attack.attack_pack(pack, truth_of(metrics))["leaks"]
    assert leaks[("cla_ceased_year", "special_guardianship_order", "2023/24")] == Fraction(1)


def test_unknowns_that_sum_to_zero_are_each_zero() -> None:
    # The attacker's counting rule under the published policy: "c" cells of a relation that leave 0 are each 0.
    published = {("t", "", "1"): "12", ("a", "", "1"): "12", ("b", "", "1"): "c", ("d", "", "1"): "c"}
    rules = [(("t", "", "1"), [("a", "", "1"), ("b", "", "1"), ("d", "", "1")])]
    assert attack.recover(published, rules) == {("b", "", "1"): 0, ("d", "", "1"): 0}
    published[("a", "", "1")] = "11"  # they leave 1: either could be 0 or 1
    assert attack.recover(published, rules) == {}


def _uasc() -> pl.DataFrame:
    # 350 in care, 3 UASC; rates per 10,000 to four places on a population of 36,100.
    return metrics_frame(
        [
            ("cla_count", "all", "2024-03-31", 350.0, "count"),
            ("cla_uasc_count", "all", "2024-03-31", 3.0, "count"),
            ("cla_rate_per_10k", "all", "2024-03-31", round(350 / 3.61, 4), "per_10k"),
            ("cla_rate_excl_uasc_per_10k", "all", "2024-03-31", round(347 / 3.61, 4), "per_10k"),
        ]
    )


@pytest.mark.parametrize("protected", [False, True])
def test_uasc_from_the_two_rates(tmp_path: Path, protected: bool, request: pytest.FixtureRequest) -> None:
    if not protected:
        # Primary only and no withheld rate: the rate excluding UASC stays beside the hidden count.
        request.getfixturevalue("unprotected")
        request.getfixturevalue("monkeypatch").setattr(relations, "WITHHELD", {})
    metrics = _uasc()
    found = attack.attack_pack(write_pack(tmp_path, metrics), truth_of(metrics))
    assert bool(found["leaks"]) is not protected, found["leaks"]


def _flows() -> tuple[pl.DataFrame, pl.DataFrame]:
    """36 months of starts (one small month, 3, in the last year) as metrics and as the flows table's frame."""
    days = [date(2021 + (3 + m) // 12, (3 + m) % 12 + 1, 1) for m in range(36)]
    ends = pl.Series(days).dt.month_end()
    starts = [10 + (m * 7) % 5 for m in range(36)]
    starts[30] = 3
    frame = pl.DataFrame({"date": ends, "starts": starts}).with_columns(
        pl.col("starts").rolling_sum(12).alias("starts_12m")
    )
    rows = [("cla_starts", "all", f"{d:%Y-%m}", float(v), "count") for d, v in zip(ends, starts, strict=True)]
    metrics = metrics_frame(rows)
    return metrics, frame


def _few_each_month() -> tuple[pl.DataFrame, pl.DataFrame]:
    """24 months of 0 and 1 (as SGOs are), December 2023 with 2, as metrics and as the flows table's frame."""
    days = pl.Series([date(2022 + (3 + m) // 12, (3 + m) % 12 + 1, 1) for m in range(24)]).dt.month_end()
    values = [2 if m == 20 else m % 2 for m in range(24)]
    frame = pl.DataFrame({"date": days, "starts": values}).with_columns(
        pl.col("starts").rolling_sum(12).alias("starts_12m")
    )
    rows = [("cla_starts", "all", f"{d:%Y-%m}", float(v), "count") for d, v in zip(days, values, strict=True)]
    metrics = metrics_frame(rows)
    return metrics, frame


@pytest.mark.parametrize("protected", [False, True])
def test_12_month_sums_of_a_few_each_month(tmp_path: Path, protected: bool, request: pytest.FixtureRequest) -> None:
    # Every 12-month sum (6 to 8) is shown beside the months. Primary suppression alone: December 2023 (2) is
    # sum(Dec 2023) - sum(Nov 2023) + December 2022 (0, shown). Protected: the zero of December 2022 is hidden as a
    # complement and every sum stays shown (while a zero could not be hidden, sums had to go instead).
    if not protected:
        request.getfixturevalue("unprotected")
    metrics, frame = _few_each_month()
    kwargs = {
        "counts": ["starts", "starts_12m"],
        "labels": {"date": "Month end", "starts": "Started care", "starts_12m": "Started care, last 12 months"},
        "rolling": {"starts_12m": "starts"},
        "figures": {"starts": ("cla_starts", "all"), "starts_12m": (relations.rolling_name("cla_starts"), "all")},
    }
    pack = write_pack(tmp_path, metrics, [("Children starting and leaving care each month", frame, kwargs)])
    found = attack.attack_pack(pack, truth_of(metrics))
    assert not found["inconsistent"]
    assert bool(found["leaks"]) is not protected, found["leaks"]
    (table,) = attack.pack_tables(pack)
    sums = [row[2] for row in table["rows"][11:]]
    assert len(sums) == 13 and "c" not in sums
    december = {row[0]: row[1] for row in table["rows"]}
    if protected:
        assert december["31 December 2022"] == "c" and december["31 December 2023"] == "c"
    else:
        assert december["31 December 2022"] == "0"
        assert found["leaks"][("cla_starts", "all", "2023-12")] == Fraction(2)


@pytest.mark.parametrize("protected", [False, True])
def test_a_month_from_the_rolling_sums_beside_it(
    tmp_path: Path, protected: bool, request: pytest.FixtureRequest
) -> None:
    if not protected:
        request.getfixturevalue("unprotected")
    metrics, frame = _flows()
    kwargs = {
        "counts": ["starts", "starts_12m"],
        "labels": {"date": "Month end", "starts": "Started care", "starts_12m": "Started care, last 12 months"},
        "rolling": {"starts_12m": "starts"},
        "figures": {"starts": ("cla_starts", "all"), "starts_12m": (relations.rolling_name("cla_starts"), "all")},
    }
    pack = write_pack(tmp_path, metrics, [("Children starting and leaving care each month", frame, kwargs)])
    found = attack.attack_pack(pack, truth_of(metrics))
    assert not found["inconsistent"]  # the page and metrics.csv hide the same months
    assert bool(found["leaks"]) is not protected, found["leaks"]
    if not protected:  # starts(t) = sum12(t) - sum12(t-1) + starts(t-12)
        assert found["leaks"][("cla_starts", "all", "2023-10")] == Fraction(3)


def test_a_page_that_hides_less_than_metrics_csv_is_caught(tmp_path: Path) -> None:
    # The page shows the months without consulting the pack-wide decision: months metrics.csv hides as complements
    # (the pages show rolling sums of them) are shown on the page, and the attacker reads them there.
    metrics, frame = _flows()
    kwargs = {"counts": ["starts"], "labels": {"date": "Month end", "starts": "Started care"}}
    pack = write_pack(tmp_path, metrics, [("Children starting and leaving care each month", frame, kwargs)])
    found = attack.attack_pack(pack, truth_of(metrics))
    assert found["inconsistent"] and found["leaks"]  # metrics.csv hides months (for the rolling sums) the page shows
    one_hidden = frozenset({("cla_starts", "all", "2023-09")})
    disclosure.set_figures(relations.Figures(frozenset(truth_of(metrics)), one_hidden))
    _, rows = report.table_cells(frame, **kwargs, figures={"starts": ("cla_starts", "all")})
    texts = {r[0][0]: r[1][0] for r in rows}
    assert texts["30 September 2023"] == "c" and texts["31 October 2023"] == "3"  # the decision wins, both ways


def test_the_workbook_must_hide_what_the_page_hides(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    metrics = _routes()
    frame = pl.DataFrame({"Route": ["Returned home", "SGO", "All"], "Children": [18, 1, 19]})
    pack = write_pack(tmp_path, metrics, [("Routes", frame, {"counts": ["Children"]})])
    assert attack.workbook_hides_what_pages_hide(pack) == (6, [])  # 3 rows x 2 columns
    book = load_workbook(pack / "tables.xlsx")
    book["Routes"]["B4"] = 1  # the sheet shows what the page hides
    book.save(pack / "tables.xlsx")
    assert attack.workbook_hides_what_pages_hide(pack)[1]


def test_a_total_row_is_a_relation(tmp_path: Path) -> None:
    # A table with an "All" row, protected by primary suppression only: the small count is the total minus the rest.
    frame = pl.DataFrame({"Group": ["a", "b", "c", "All"], "Children": [3, 10, 12, 25]})
    pack = write_pack(tmp_path, _routes(), [("Children by group", frame, {"counts": ["Children"]})])
    assert attack.attack_pack(pack, {})["leaks"]  # 25 - 10 - 12 = 3


def _legal_status() -> tuple[pl.DataFrame, pl.DataFrame]:
    """Children in care at 31 March 2024 by legal status (one of "other"), as metrics and as the page's table."""
    groups = {"full_care_order": 280, "section_20": 42, "interim_care_order": 38, "placement_order": 19, "other": 1}
    labels = ["Full care order", "Accommodated under section 20", "Interim care order", "Placement order",
              "Other legal status"]  # fmt: skip
    rows = [("cla_count", "all", "2024-03-31", 380.0, "count")]
    rows += [("cla_count", f"legal_status:{g}", "2024-03-31", float(n), "count") for g, n in groups.items()]
    frame = pl.DataFrame({"label": labels, "group": list(groups), "children": list(groups.values())})
    return metrics_frame(rows), frame


@pytest.mark.parametrize("declared", [False, True])
def test_a_table_by_legal_status_agrees_with_metrics_csv(tmp_path: Path, declared: bool) -> None:
    # The 1 "other" is hidden, and with it the next smallest group, the 19 on placement orders (metrics.csv). A table
    # that shows only small counts as "c" (no pack figure declared) shows the 19: the attacker reads it there and works
    # out the 1 from the total. Declaring the pack figure of each row, the table hides what metrics.csv hides.
    from analysis.sections.children_in_care import mix_figures

    metrics, frame = _legal_status()
    kwargs: dict = {"counts": ["children"], "labels": {"label": "Group", "children": "Children"}}
    if declared:
        kwargs["figures"] = {"children": mix_figures(frame, "legal_status", date(2024, 3, 31))}
    table = ("Children in care by legal status at 31 March 2024", frame.select("label", "children"), kwargs)
    pack = write_pack(tmp_path, metrics, [table])
    found = attack.attack_pack(pack, truth_of(metrics))
    assert bool(found["inconsistent"]) is not declared and bool(found["leaks"]) is not declared, found
    if not declared:
        assert found["leaks"][("cla_count", "legal_status:other", "2024-03-31")] == Fraction(1)
    else:
        shown = dict(r[:2] for r in attack.pack_tables(pack)[0]["rows"])
        assert shown["Placement order"] == "c" and shown["Other legal status"] == "c"
