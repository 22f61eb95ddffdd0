"""Do the permanence tracker and the 903 agree on who left care by an order, and when?

The tracker's `order_made` rows are set against the 903 exits that the tracker follows:

    tracker route               903 exit (`discharges.order_exits`)
    discharge_to_parents        reunification (REC E4A/E4B) from a care order (LS C1/C2)
    special_guardianship_order  special guardianship order (REC E45-E48), any legal status
    child_arrangements_order    child arrangements order (REC E41), any legal status

For each child, tracker orders and 903 exits on the same route are paired, closest dates first.
Each pairing or leftover gets one status:

    matched             same child and route, order date within `TOLERANCE_DAYS` of the 903 DEC
    date_differs        same child and route, dates further apart than that
    route_differs       the child left in the 903 within the tolerance of a tracker order on
                        another route (say an SGO in the tracker and a CAO in the 903)
    no_tracker_row      a 903 exit with no tracker order for the child
    no_903_exit         a tracker order with no 903 exit for the child
    order_date_missing  a tracker order with no outcome date (paired with a 903 exit if there is one)

Only the counts go in the pack; the child-level list is for the analyst-only folder.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl

from analysis.core import vocabularies as vocab
from analysis.core.safe_text import safe_csv

#: The 903 DEC and the tracker's order date may differ by this many days and still agree
#: (the order is made, the 903 records the day care ended; a month covers recording lag).
TOLERANCE_DAYS = 31
#: Each tracker route (`vocabularies.PERMANENCE_ROUTES`) and the 903 exit route it is set against.
TRACKER_ROUTE = {
    "discharge_to_parents": "reunification",
    "special_guardianship_order": "special_guardianship_order",
    "child_arrangements_order": "child_arrangements_order",
}
ROUTES = list(TRACKER_ROUTE.values())
STATUSES = ["matched", "date_differs", "route_differs", "no_tracker_row", "no_903_exit", "order_date_missing"]
STATUS_LABEL = {
    "matched": "Agree: same child, same route, dates within a month",
    "date_differs": "Same child and route, but the dates are more than a month apart",
    "route_differs": "Same child, but the tracker and the 903 record different routes",
    "no_tracker_row": "Left care in the 903, but no 'order made' row in the tracker",
    "no_903_exit": "'Order made' in the tracker, but no matching exit in the 903",
    "order_date_missing": "'Order made' in the tracker with no order date",
}
MISMATCHES = STATUSES[1:]
MARKING = "OFFICIAL-SENSITIVE, analyst only"
DETAIL_SCHEMA = {
    "child_id": pl.String,
    "route": pl.String,
    "tracker_route": pl.String,
    "exit_date": pl.Date,
    "order_date": pl.Date,
    "days_apart": pl.Int64,
    "status": pl.String,
}


def comparable_exits(exits: pl.DataFrame) -> pl.DataFrame:
    """The 903 exits the tracker follows, from `discharges.order_exits`: one row per exit (CHILD, route, end)."""
    return exits.filter(
        ((pl.col("route") == "reunification") & pl.col("care_order"))
        | pl.col("route").is_in([r for r in ROUTES if r != "reunification"])
    ).select("CHILD", "route", "end")


def tracker_orders(tracker: pl.DataFrame) -> pl.DataFrame:
    """The tracker's orders: one row per `order_made` row (child_id, route as in `ROUTES`, order_date)."""
    return tracker.filter((pl.col("outcome") == vocab.ORDER_MADE) & pl.col("route").is_in(list(TRACKER_ROUTE))).select(
        "child_id",
        pl.col("route").replace_strict(TRACKER_ROUTE).alias("route"),
        pl.col("outcome_date").alias("order_date"),
    )


def _days(a: date | None, b: date | None) -> int | None:
    return None if a is None or b is None else (a - b).days


def reconcile(orders: pl.DataFrame, exits: pl.DataFrame, tolerance: int = TOLERANCE_DAYS) -> pl.DataFrame:
    """Pair tracker orders (`tracker_orders`) with 903 exits (`comparable_exits`), child by child.

    One row per pairing or unpaired record: child_id, route (the 903's route, or the tracker's when
    there is no exit), tracker_route, exit_date (903 DEC), order_date (tracker), days_apart
    (order_date − exit_date), status (see the module docstring). Child-level: never for the pack.
    """
    rows: list[dict] = []
    children = sorted(set(orders["child_id"].to_list()) | set(exits["CHILD"].to_list()))
    by_child_orders = {c: [] for c in children}
    for r in orders.iter_rows(named=True):
        by_child_orders[r["child_id"]].append(r)
    by_child_exits = {c: [] for c in children}
    for r in exits.iter_rows(named=True):
        by_child_exits[r["CHILD"]].append(r)
    for child in children:
        rows += _pair_child(child, by_child_orders[child], by_child_exits[child], tolerance)
    return pl.DataFrame(rows, schema=DETAIL_SCHEMA)


def _pair_child(child: str, orders: list[dict], exits: list[dict], tolerance: int) -> list[dict]:
    """Pair one child's tracker orders with their 903 exits: same route closest first, then across routes."""
    out: list[dict] = []
    free_o, free_x = list(range(len(orders))), list(range(len(exits)))

    def emit(o: int | None, x: int | None, status: str) -> None:
        order, exit_ = (orders[o] if o is not None else {}), (exits[x] if x is not None else {})
        out.append(
            {
                "child_id": child,
                "route": exit_.get("route") or order.get("route"),
                "tracker_route": order.get("route"),
                "exit_date": exit_.get("end"),
                "order_date": order.get("order_date"),
                "days_apart": _days(order.get("order_date"), exit_.get("end")),
                "status": status,
            }
        )
        if o is not None:
            free_o.remove(o)
        if x is not None:
            free_x.remove(x)

    pairs = sorted(
        (abs(_days(orders[o]["order_date"], exits[x]["end"])), o, x)
        for o in free_o
        for x in free_x
        if orders[o]["route"] == exits[x]["route"] and orders[o]["order_date"] is not None
    )
    for gap, o, x in pairs:
        if o in free_o and x in free_x:
            emit(o, x, "matched" if gap <= tolerance else "date_differs")
    for o in [o for o in free_o if orders[o]["order_date"] is None]:
        same = [x for x in free_x if exits[x]["route"] == orders[o]["route"]]
        emit(o, same[0] if same else None, "order_date_missing")
    across = sorted(
        (abs(_days(orders[o]["order_date"], exits[x]["end"])), o, x)
        for o in free_o
        for x in free_x
        if abs(_days(orders[o]["order_date"], exits[x]["end"])) <= tolerance
    )
    for _, o, x in across:
        if o in free_o and x in free_x:
            emit(o, x, "route_differs")
    for x in list(free_x):
        emit(None, x, "no_tracker_row")
    for o in list(free_o):
        emit(o, None, "no_903_exit")
    return out


def tracking_starts(tracker: pl.DataFrame, coverage_start: date | None) -> dict[str, date]:
    """The first day each route can be compared: the later of the 903 returns' coverage start and the
    tracker's first recorded order on the route (or, with no order yet, its first plan). A route the
    tracker holds no row for is not compared and is missing from the result."""
    starts: dict[str, date] = {}
    for tracker_route, route in TRACKER_ROUTE.items():
        rows = tracker.filter(pl.col("route") == tracker_route)
        if rows.height == 0:
            continue
        ordered = rows.filter(pl.col("outcome") == vocab.ORDER_MADE)["outcome_date"].min()
        first = ordered or rows["identified_date"].min()
        starts[route] = max(d for d in (first, coverage_start) if d is not None)
    return starts


def in_window(detail: pl.DataFrame, starts: dict[str, date], last: date, first: date | None = None) -> pl.DataFrame:
    """The rows of a `reconcile` frame inside the comparison window: one row per pairing whose 903 date or
    tracker date falls between the route's start (`tracking_starts`, or `first` if later) and `last`.
    Orders with no date are kept. Routes missing from `starts` are dropped."""
    begin = pl.col("route").replace_strict(
        {r: max(d, first) if first else d for r, d in starts.items()}, default=None, return_dtype=pl.Date
    )
    inside = pl.col("exit_date").is_between(begin, pl.lit(last)) | pl.col("order_date").is_between(begin, pl.lit(last))
    undated = pl.col("exit_date").is_null() & pl.col("order_date").is_null()
    return detail.filter(begin.is_not_null() & (inside | undated))


def counts(detail: pl.DataFrame) -> pl.DataFrame:
    """Children by route and status, from a (windowed) `reconcile` frame: one row per (route, status),
    routes in `ROUTES` order and statuses in `STATUSES` order, zero-filled. Columns: route, status, children."""
    found = detail.group_by("route", "status").agg(pl.len().cast(pl.Int64).alias("children"))
    return (
        pl.DataFrame({"route": ROUTES})
        .join(pl.DataFrame({"status": STATUSES}), how="cross")
        .join(found, on=["route", "status"], how="left")
        .with_columns(pl.col("children").fill_null(0))
    )


def analyst_list(detail: pl.DataFrame) -> pl.DataFrame:
    """The mismatches, child by child, for the analyst-only folder (never the pack): one row per
    pairing whose status is not `matched`, with `what_to_check` in words."""
    return (
        detail.filter(pl.col("status") != "matched")
        .with_columns(pl.col("status").replace_strict(STATUS_LABEL).alias("what_to_check"))
        .sort("status", "route", "child_id")
    )


def write_analyst_csv(frame: pl.DataFrame, analyst_dir: str | Path, name: str) -> Path | None:
    """Write `frame` as `<analyst_dir>/<name>` with the marking line first, text neutralised for spreadsheets
    (`analysis.core.safe_text`); nothing if `analyst_dir` is ""."""
    if not str(analyst_dir).strip():
        return None
    folder = Path(analyst_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f"# {MARKING}\n{safe_csv(frame)}", encoding="utf-8")
    return path
