"""The permanence tracker: its stages, where each child is on a date, and how long children wait.

The tracker (`permanence.csv`, data/README.md) has one row per child per route
(`special_guardianship_order`, `discharge_to_parents`, `child_arrangements_order`), with the date
the child reached each stage the council tracks ([HC-SCRUTINY-2020-12], the December 2020 scrutiny pack:
"plan for SGO", "assessing best interests", assessment complete, applications "filed with legal
services" and "filed with court", order granted):

    identified_date           the plan is agreed ("plan for SGO", "identified for discharge")
    assessing_date            the best-interests (viability) assessment started
    assessment_complete_date  the assessment finished; assessment_outcome positive or negative,
                              carers_agree yes or no (the carers, or for discharge the parents)
    sent_to_legal_date        the application was sent to legal services ("with legal")
    filed_with_court_date     the application was filed with the court
    outcome, outcome_date     order_made, refused or withdrawn, and when

Rules used throughout (each function says which it applies):

* A date after the day being looked at has not happened yet: the tracker is read "as at" a date.
* A child is at the stage of the latest stage date on or before that day, not the furthest one,
  so a repeated assessment (an assessing date later than the assessment-complete date) puts the
  child back at "assessing": children can move backwards.
* A row is closed once it has an outcome dated on or before the day. An outcome with no date is
  treated as closed (the row is counted, flagged `date_missing`, and its last stage has no end).
* Time at a stage runs from the day the child reached it to the next dated event (another stage
  or the outcome); a stage still open at the review date is censored there: the child has waited
  *at least* that long.

Time at each stage is in `analysis.metrics.permanence_ageing`, applications and orders in
`analysis.metrics.permanence_applications`, and the comparison with the 903 in `analysis.metrics.reconciliation`.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from analysis.core import vocabularies as vocab

#: The tracker's routes and outcomes, from `analysis.core.vocabularies`.
ROUTES = vocab.PERMANENCE_ROUTES
OUTCOMES = vocab.PERMANENCE_OUTCOMES

#: The tracked stages in order, with the tracker column that dates each.
STAGE_DATES = {
    "identified": "identified_date",
    "assessing": "assessing_date",
    "assessment_complete": "assessment_complete_date",
    "with_legal": "sent_to_legal_date",
    "filed_with_court": "filed_with_court_date",
}
STAGES = list(STAGE_DATES)
STEP = {stage: i for i, stage in enumerate(STAGES)}

#: Where an open plan stands on a date (the snapshot's categories), in pipeline order.
POSITIONS = [
    "identified",
    "assessing",
    "assessment_negative",
    "carers_unwilling",
    "assessment_complete",
    "with_legal",
    "filed_with_court",
]

#: The funnel: every step a plan can reach, in order (see `funnel`).
FUNNEL = [
    "identified",
    "assessing",
    "assessment_complete",
    "assessment_positive",
    "carers_agree",
    "with_legal",
    "filed_with_court",
    "order_made",
]

#: A stage open this many days or more counts as stuck, unless the notebook says otherwise.
STUCK_DAYS = 180


def labels(route: str) -> dict[str, str]:
    """Plain-English names for stages, positions and funnel steps on a route."""
    sgo = route == "special_guardianship_order"
    who = "carers" if sgo else "parents or carers"
    order = {
        "special_guardianship_order": "Special guardianship order made",
        "discharge_to_parents": "Care order discharged",
    }.get(route, "Order made")
    return {
        "identified": "Plan for SGO agreed" if sgo else "Identified for discharge",
        "assessing": "Assessing best interests",
        "assessment_complete": "Assessment complete",
        "assessment_negative": "Assessment negative, plan not yet closed",
        "carers_unwilling": f"Assessment positive, {who} unwilling to proceed",
        "assessment_positive": "Assessment positive",
        "carers_agree": f"{who[0].upper() + who[1:]} agree to proceed",
        "with_legal": "Application with legal services",
        "filed_with_court": "Application filed with the court",
        "order_made": order,
        "all": "All open plans",
    }


def position_labels(route: str) -> dict[str, str]:
    """Labels for the snapshot's positions: 'assessment complete' there means positive and agreed."""
    return labels(route) | {"assessment_complete": "Assessment positive, application not yet sent"}


def for_route(tracker: pl.DataFrame, route: str) -> pl.DataFrame:
    """The tracker rows for one route (one row per child per route, as read by `load_permanence`)."""
    return tracker.filter(pl.col("route") == route)


def outcome_by(on: date) -> pl.Expr:
    """True where the row's outcome has happened by `on` (an outcome with no date counts as happened)."""
    return pl.col("outcome").is_not_null() & (pl.col("outcome_date").is_null() | (pl.col("outcome_date") <= on))


def stage_events(tracker: pl.DataFrame, on: date) -> pl.DataFrame:
    """One row per stage spell: each time a tracker row reached a stage on or before `on`.

    Columns: _row, child_id, route, stage, step (0 identified … 4 filed with court), entered,
    left (the next dated event of the row: a later-dated stage or the outcome), days (left − entered,
    or `on` − entered while open), open (still at this stage at `on`: censored), backwards (the
    stage comes before the previous spell's stage: an assessment repeated, say), unknown_end (the
    row closed with no outcome date, so this last spell's length is unknown; days is null).

    Spells are ordered by date (then by step for events on the same day); stage dates after the
    outcome date are ignored. Rows identified after `on` have no spells.
    """
    closed = outcome_by(on)
    long = (
        tracker.with_columns(
            pl.when(closed).then(pl.col("outcome_date")).alias("_closed_on"),
            closed.alias("_closed"),
        )
        .unpivot(
            index=["_row", "child_id", "route", "_closed", "_closed_on"],
            on=list(STAGE_DATES.values()),
            variable_name="_column",
            value_name="entered",
        )
        .drop_nulls("entered")
        .filter(
            (pl.col("entered") <= on) & (pl.col("_closed_on").is_null() | (pl.col("entered") <= pl.col("_closed_on")))
        )
        .with_columns(
            pl.col("_column").replace_strict({c: s for s, c in STAGE_DATES.items()}).alias("stage"),
            pl.col("_column").replace_strict({c: STEP[s] for s, c in STAGE_DATES.items()}).alias("step"),
        )
        .sort(["_row", "entered", "step"])
    )
    nxt = pl.col("entered").shift(-1).over("_row")
    last = nxt.is_null()
    return (
        long.with_columns(
            pl.when(last).then(pl.col("_closed_on")).otherwise(nxt).alias("left"),
            (last & ~pl.col("_closed")).alias("open"),
            (last & pl.col("_closed") & pl.col("_closed_on").is_null()).alias("unknown_end"),
            (pl.col("step") < pl.col("step").shift(1).over("_row")).fill_null(False).alias("backwards"),
        )
        .with_columns(
            (pl.when(pl.col("open")).then(pl.lit(on)).otherwise(pl.col("left")) - pl.col("entered"))
            .dt.total_days()
            .alias("days"),
        )
        .select(
            "_row", "child_id", "route", "stage", "step", "entered", "left", "days", "open", "backwards", "unknown_end"
        )
    )


def status_on(tracker: pl.DataFrame, on: date) -> pl.DataFrame:
    """One row per tracker row identified on or before `on`: where it stood that day.

    Columns: _row, child_id, route, status (open, order_made, refused, withdrawn), date_missing
    (closed with no outcome date), stage (the stage of the latest stage date on or before `on`),
    entered (that date), days_at_stage (`on` − entered), furthest (the furthest funnel step reached,
    see `FUNNEL`), position (for open rows: `POSITIONS`; null once closed), blocker, backwards (the
    row has moved back at least once), support_plan.

    The assessment outcome and whether carers agree are taken as known from the assessment-complete
    date. The funnel step `assessment_positive` is reached with a positive outcome or any later
    stage; `carers_agree` with carers_agree = yes or any later stage; `order_made` with an order.
    """
    events = stage_events(tracker, on)
    current = (
        events.group_by("_row")
        .agg(
            pl.col("stage").last(),
            pl.col("entered").last(),
            pl.col("step").max().alias("_max_step"),
            pl.col("backwards").any(),
        )
        .with_columns(pl.col("backwards").fill_null(False))
    )
    complete_known = pl.col("assessment_complete_date").is_not_null() & (pl.col("assessment_complete_date") <= on)
    outcome = pl.when(complete_known).then(pl.col("assessment_outcome"))
    agree = pl.when(complete_known).then(pl.col("carers_agree"))
    status = pl.when(outcome_by(on)).then(pl.col("outcome")).otherwise(pl.lit("open"))
    m = pl.col("_max_step")
    positive = (m >= STEP["with_legal"]) | ((m >= STEP["assessment_complete"]) & (outcome == "positive"))
    agreed = (m >= STEP["with_legal"]) | (positive & (agree == "yes"))
    furthest = (
        pl.when(pl.col("status") == "order_made")
        .then(pl.lit("order_made"))
        .when(m >= STEP["filed_with_court"])
        .then(pl.lit("filed_with_court"))
        .when(m >= STEP["with_legal"])
        .then(pl.lit("with_legal"))
        .when(agreed.fill_null(False))
        .then(pl.lit("carers_agree"))
        .when(positive.fill_null(False))
        .then(pl.lit("assessment_positive"))
        .when(m >= STEP["assessment_complete"])
        .then(pl.lit("assessment_complete"))
        .when(m >= STEP["assessing"])
        .then(pl.lit("assessing"))
        .otherwise(pl.lit("identified"))
    )
    stage = pl.col("stage")
    position = (
        pl.when(pl.col("status") != "open")
        .then(pl.lit(None, pl.String))
        .when(stage == "assessment_complete")
        .then(
            pl.when(outcome == "negative")
            .then(pl.lit("assessment_negative"))
            .when(agree == "no")
            .then(pl.lit("carers_unwilling"))
            .otherwise(pl.lit("assessment_complete"))
        )
        .otherwise(stage)
    )
    return (
        tracker.filter(pl.col("identified_date") <= on)
        .join(current, on="_row", how="left")
        .with_columns(
            status.alias("status"),
            (outcome_by(on) & pl.col("outcome_date").is_null()).alias("date_missing"),
        )
        .with_columns(
            furthest.alias("furthest"),
            position.alias("position"),
            (pl.lit(on) - pl.col("entered")).dt.total_days().alias("days_at_stage"),
        )
        .select(
            "_row",
            "child_id",
            "route",
            "status",
            "date_missing",
            "stage",
            "entered",
            "days_at_stage",
            "furthest",
            "position",
            "blocker",
            "backwards",
            "support_plan",
        )
    )


def snapshot(status: pl.DataFrame, threshold: int = STUCK_DAYS) -> pl.DataFrame:
    """Open plans by where they stand: one row per position in `POSITIONS` order, zero-filled.

    Columns: position, children (open rows at that position), stuck (of those, at their stage for
    more than `threshold` days), longest_days. Takes a `status_on` frame for one route.
    """
    open_ = status.filter(pl.col("status") == "open")
    counts = open_.group_by("position").agg(
        pl.len().alias("children"),
        (pl.col("days_at_stage") > threshold).sum().alias("stuck"),
        pl.col("days_at_stage").max().alias("longest_days"),
    )
    return (
        pl.DataFrame({"position": POSITIONS})
        .join(counts, on="position", how="left")
        .with_columns(pl.col("children", "stuck").fill_null(0).cast(pl.Int64))
    )


def snapshots(tracker: pl.DataFrame, dates: pl.Series, threshold: int = STUCK_DAYS) -> pl.DataFrame:
    """`snapshot` at each date: one row per (date, position), plus position "all" (every open plan).

    Reconstructed from the tracker's dates as they stand now: a row deleted from the tracker since
    is missing from the past too.
    """
    frames = []
    for day in dates.to_list():
        snap = snapshot(status_on(tracker, day), threshold)
        total = snap.select(
            pl.lit("all").alias("position"),
            pl.col("children").sum(),
            pl.col("stuck").sum(),
            pl.col("longest_days").max(),
        )
        frames.append(pl.concat([snap, total]).with_columns(pl.lit(day).alias("date")))
    schema = {"position": pl.String, "children": pl.Int64, "stuck": pl.Int64, "longest_days": pl.Int64}
    if not frames:
        return pl.DataFrame(schema={"date": pl.Date, **schema})
    return pl.concat(frames).select("date", "position", "children", "stuck", "longest_days")


def funnel(status: pl.DataFrame) -> pl.DataFrame:
    """The funnel of every plan in a `status_on` frame: one row per step of `FUNNEL`.

    Columns: step, reached (plans that got at least this far), conversion (reached / reached at
    the step before × 100; null for the first step or when none reached the step before), open_here
    (open plans whose furthest step is this one), lost_here (closed without an order at this step).
    Each step's reached = the next step's reached + open_here + lost_here.
    """
    order = {s: i for i, s in enumerate(FUNNEL)}
    rank = status.with_columns(pl.col("furthest").replace_strict(order).alias("_rank"))
    rows = []
    for step, i in order.items():
        reached = rank.filter(pl.col("_rank") >= i).height
        here = rank.filter(pl.col("_rank") == i)
        rows.append(
            {
                "step": step,
                "reached": reached,
                "open_here": here.filter(pl.col("status") == "open").height,
                "lost_here": here.filter(pl.col("status").is_in(list(vocab.CLOSED_WITHOUT_ORDER))).height,
            }
        )
    frame = pl.DataFrame(rows)
    before = pl.col("reached").shift(1)
    return frame.with_columns(pl.when(before > 0).then(pl.col("reached") / before * 100).alias("conversion")).select(
        "step", "reached", "conversion", "open_here", "lost_here"
    )


#: How free-text blockers are grouped: the first pattern (lower case) found wins.
REASON_GROUPS = [
    ("unwilling", "Carers unwilling to proceed"),
    ("negative", "Assessment negative"),
    ("refused", "Court refused the application"),
    ("left care", "Child left care another way"),
    ("oppos", "A parent opposes the application"),
    ("capacity", "Delay: assessment capacity"),
    ("delay", "Delay: other"),
    ("court date", "Waiting for a court date"),
]
NO_REASON = "No reason recorded"
OTHER_REASON = "Other reason"


def reason_group() -> pl.Expr:
    """The blocker grouped into `REASON_GROUPS` (text matched in lower case), for a status frame.

    A refused application with no blocker is "Court refused the application"; any other blank
    blocker is "No reason recorded"; text matching no group is "Other reason".
    """
    text = pl.col("blocker").str.to_lowercase()
    expr = pl.when(text.is_null() & (pl.col("status") == "refused")).then(pl.lit("Court refused the application"))
    expr = expr.when(text.is_null()).then(pl.lit(NO_REASON))
    for pattern, group in REASON_GROUPS:
        expr = expr.when(text.str.contains(pattern, literal=True)).then(pl.lit(group))
    return expr.otherwise(pl.lit(OTHER_REASON))


def lost_reasons(status: pl.DataFrame) -> pl.DataFrame:
    """Plans closed without an order (withdrawn or refused): one row per (furthest step, reason group).

    Columns: step, reason, children; steps in funnel order, largest reason first within a step.
    """
    order = {s: i for i, s in enumerate(FUNNEL)}
    return (
        status.filter(pl.col("status").is_in(list(vocab.CLOSED_WITHOUT_ORDER)))
        .with_columns(reason_group().alias("reason"))
        .group_by(pl.col("furthest").alias("step"), "reason")
        .agg(pl.len().cast(pl.Int64).alias("children"))
        .with_columns(pl.col("step").replace_strict(order).alias("_o"))
        .sort(["_o", "children", "reason"], descending=[False, True, False])
        .drop("_o")
    )
