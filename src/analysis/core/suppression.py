"""Pack-wide disclosure control: which figures to hide so that no hidden count can be worked out.

A published figure is linked to others: a total to its parts, a rolling 12-month sum to its
months, a rate to its numerator. Hiding a small count in one place is not enough if it can be
recovered from what is shown beside it. The method follows the Government Statistical Service's
guidance on primary and secondary (complementary) suppression `[ONS-SUPPRESSION]`:

1. **Primary.** Every count from 1 to the threshold (`Policy.threshold`) is hidden. A zero is
   never hidden for itself: it says nothing about any child.
2. **Audit.** Every relation between figures is written as a linear constraint:
   `low <= sum(coefficient * figure) <= high`. An attacker who knows every shown figure and every
   relation can bound each hidden figure by two linear programmes (its smallest and largest value),
   knowing that a hidden count is a whole number of at least 0 where zeros may be complements
   (`Cells.zeros`, step 3), else of at least 1. A hidden figure is *disclosed* when only one whole
   number lies between the bounds.
3. **Complementary.** For each disclosed figure, hide one more figure from a relation it is in:
   derived figures (rates, shares) first, then the count of least cost. With `Cells.zeros` (the
   pack-wide decision, `analysis.metrics.relations`) a zero may be that count, as the ONS and the
   DfE allow zeros as secondary (never primary) suppressions; a table that protects its own cells
   keeps its zeros shown (it cannot know what else on the page would give a hidden zero away, such
   as a rate of 0% beside it). A count's cost grows with its value and with its weight
   (`Cells.add`): totals are weighted `HEADLINE` and 12-month sums `SUM`, so a month or a part (a
   zero first) is hidden before the sum or total it is in. Then audit again, until no hidden figure
   is disclosed; then show again each 12-month sum that the complements hidden after it made
   unnecessary (`_release`), and audit once more.

The audit's attacker knows the relations and this published rule, not the order in which the
method picked its complements: someone who re-ran the method on every possible table could, in a
few cases, still tell that no zero was needed (see docs/assumptions.md, A20).

`protect` does all three for a set of cells and relations. The pack's figures (metrics.csv,
the page tables and tables.xlsx) all go through it; the attack test in the tests is written
separately, so that a bug here cannot hide itself.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np



@dataclass(frozen=True)
class Policy:
    """The pack's one disclosure policy, from `[disclosure]` in la.toml.

    threshold: counts from 1 to `threshold` are hidden ("c"). Default 5 ("fewer than 6"): the
    DfE's children-in-need release suppresses 1 to 5 and older children-looked-after releases did
    `[DFE-CIN]`; the current children-looked-after methodology says only that "c" protects
    confidentiality and that secondary suppression may be needed `[DFE-CLA-METHOD]`.
    audience: "publication" (the default) or "internal". Only an internal pack may switch
    suppression off (`suppress = false`), and then every page says so in a banner.
    """

    threshold: int = 5
    audience: str = "publication"
    suppress: bool = True

    def __post_init__(self) -> None:
        if self.threshold < 1:
            raise ValueError("the disclosure threshold must be at least 1")
        if self.audience not in {"publication", "internal"}:
            raise ValueError('the disclosure audience must be "publication" or "internal"')
        if not self.suppress and self.audience != "internal":
            raise ValueError("suppression can be switched off only for an internal pack")

    @property
    def active(self) -> bool:
        return self.suppress

    def hides(self, value: float | None) -> bool:
        """True for a count from 1 to the threshold (when suppression is on)."""
        return self.suppress and value is not None and 0 < value <= self.threshold

    def describe(self) -> str:
        """One sentence for the index page and the workbook's notes."""
        if not self.suppress:
            return (
                "Suppression is switched off: this is an internal pack that shows small counts. "
                "It must not be published or shared outside the council."
            )
        return (
            f'Counts from 1 to {self.threshold} are shown as "c", and further figures are hidden where a hidden '
            f"count could otherwise be worked out from totals, rolling 12-month sums or rates ({self.audience} "
            "pack)."
        )


DEFAULT = Policy()
#: The weight of a headline figure (a total of parts, a 12-month sum): hidden as a complement only when its
#: value is more than `HEADLINE` times that of a month or part that would do (`Cells.add`).
HEADLINE = 5.0
#: The weight of a 12-month sum, the figure the scorecard and the flows table show most: dearer still, and shown
#: again at the end wherever the months hidden after it protect enough (`_release`).
SUM = 2 * HEADLINE
#: Whether to show again the 12-month sums later complements made unnecessary (`_release`): fewer sums hidden (on
#: the synthetic data 41 fewer figures), for about twice the solver's time.
RELEASE = True


@dataclass
class Cells:
    """The figures to protect: a value, a kind and a weight for each. `zeros`: a zero may be hidden as a
    complement, and so a "c" is at least 0 (else zeros are always shown and a hidden count is at least 1)."""

    zeros: bool = False
    values: list[float | None] = field(default_factory=list)
    counts: list[bool] = field(default_factory=list)  # True for a count, False for a rate or share
    keys: list[object] = field(default_factory=list)
    weights: list[float] = field(default_factory=list)

    def add(self, key: object, value: float | None, count: bool = True, weight: float = 1.0) -> int:
        """A figure; `weight` (at least 1) makes it dearer to hide as a complement: its cost is
        `weight * (value + 1)`, so a zero costs its weight and a headline total (`HEADLINE`) is passed over
        for a month or part up to `HEADLINE` times its size."""
        self.keys.append(key)
        self.values.append(value)
        self.counts.append(count)
        self.weights.append(weight)
        return len(self.values) - 1

    def cost(self, i: int) -> float:
        """What hiding figure `i` as a complement costs (`add`)."""
        return self.weights[i] * (abs(self.values[i] or 0.0) + 1.0)


@dataclass(frozen=True)
class Relation:
    """`low <= sum(coefficient * cell) <= high`: how shown and hidden figures are linked."""

    terms: tuple[tuple[int, float], ...]
    low: float = 0.0
    high: float = 0.0


def total(total_cell: int, parts: Sequence[int]) -> Relation:
    """A total equals the sum of its parts."""
    return Relation(((total_cell, 1.0), *((p, -1.0) for p in parts)))


def rate(rate_cell: int, numerator: Sequence[tuple[int, float]], scale: float, decimals: int) -> Relation:
    """`rate = scale * sum(coefficient * count)`, published rounded to `decimals` places."""
    half = 0.5 * 10.0**-decimals
    return Relation(((rate_cell, 1.0), *((c, -scale * k) for c, k in numerator)), -half, half)


def protect(
    cells: Cells,
    relations: Iterable[Relation],
    policy: Policy = DEFAULT,
    withheld_with: Mapping[int, Sequence[int]] | None = None,
    shown: Iterable[int] = (),
) -> set[int]:
    """The cells to hide: primary, then complementary until the audit finds nothing disclosed.

    `withheld_with` maps a cell to derived cells (a rate or share) that are withheld whenever it
    is hidden, for derived figures whose other terms are not published (so no relation can say it).
    `shown` are cells published elsewhere (a total on another page): never hidden, always known.
    """
    if not policy.suppress:
        return set()
    relations = [r for r in relations if len(r.terms) > 1]
    withheld_with = withheld_with or {}
    fixed = set(shown)
    hidden = {
        i
        for i, (v, c) in enumerate(zip(cells.values, cells.counts, strict=True))
        if c and policy.hides(v) and i not in fixed
    }
    changed = set(hidden)
    while True:
        # Only components with a newly hidden cell are audited again: the others were left safe and are unchanged.
        hidden = _protect_from(cells, relations, hidden, fixed, changed=changed)
        derived = {d for h in hidden for d in withheld_with.get(h, ())} - hidden
        if not derived:
            return hidden
        hidden |= derived
        changed = derived


#: From how many relations (in components with a hidden figure) the audit is shared with a second process.
PARALLEL_FROM = 400


def _protect_from(
    cells: Cells,
    relations: list[Relation],
    hidden: set[int],
    fixed: set[int],
    parallel_from: int = PARALLEL_FROM,
    changed: set[int] | None = None,
) -> set[int]:
    """Complementary suppression, component by component (figures linked by no relation are independent).

    Components share no figure, so each is protected on its own and the results are joined: the same cells
    whatever the order. A large decision (the whole pack's) is shared with a second process when there is a
    second core: it is the one part of a build that waits on a single core. `changed`: protect only the
    components holding one of these cells (default: every component with a hidden cell).
    """
    hidden = set(hidden)
    wanted = hidden if changed is None else changed
    groups = []
    for group in components(relations):
        rels = [relations[r] for r in group]
        if wanted & {c for relation in rels for c, _ in relation.terms}:
            groups.append(rels)
    size = sum(len(g) for g in groups)
    if size >= parallel_from and _cores() > 1:
        return _protect_in_two(cells, groups, hidden, fixed)
    return _protect_groups(cells, groups, hidden, fixed)


def _protect_groups(cells: Cells, groups: list[list[Relation]], hidden: set[int], fixed: set[int]) -> set[int]:
    hidden = set(hidden)
    for rels in groups:
        hidden = _protect_component(cells, rels, hidden, fixed)
    return hidden


def _protect_in_two(cells: Cells, groups: list[list[Relation]], hidden: set[int], fixed: set[int]) -> set[int]:
    """`_protect_groups` with the components split in two of about equal size, one half in a second Python
    process (a plain `python -c`: nothing of the calling program is run again there, unlike multiprocessing's
    spawn, and nothing is forked from a build that has threads running)."""
    import pickle
    import subprocess
    import threading
    from pathlib import Path

    halves: tuple[list[list[Relation]], list[list[Relation]]] = ([], [])
    sizes = [0, 0]
    for rels in sorted(groups, key=len, reverse=True):
        k = 0 if sizes[0] <= sizes[1] else 1
        halves[k].append(rels)
        sizes[k] += len(rels)
    package_root = str(Path(__file__).resolve().parents[2])  # the folder holding `analysis`
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))}
    done: dict[str, object] = {}

    def other() -> None:
        try:
            run = subprocess.run(
                [sys.executable, "-c", "from analysis.core.suppression import _worker; _worker()"],
                input=pickle.dumps((cells, halves[1], hidden, fixed)), capture_output=True, env=env, check=True,
            )  # fmt: skip
            done["hidden"] = pickle.loads(run.stdout)  # our own child's answer
        except (OSError, subprocess.SubprocessError, pickle.UnpicklingError) as exc:
            done["error"] = exc

    thread = threading.Thread(target=other, daemon=True)
    thread.start()
    mine = _protect_groups(cells, halves[0], hidden, fixed)
    thread.join()
    if "hidden" not in done:  # no second process here: the other half in this one
        import logging

        logging.getLogger(__name__).warning("disclosure control ran in one process: %s", done.get("error"))
        SPLIT[0] = "one process"
        return mine | _protect_groups(cells, halves[1], hidden, fixed)
    SPLIT[0] = "two processes"
    return mine | done["hidden"]  # type: ignore[operator]


#: How the last large decision ran ("two processes", or "one process" when the second could not start).
SPLIT = [""]


def _worker() -> None:
    """The second process of `_protect_in_two`: its half of the components from stdin, the cells to hide to stdout."""
    import pickle

    cells, groups, hidden, fixed = pickle.loads(sys.stdin.buffer.read())  # from our own parent
    answer = os.dup(1)
    os.dup2(2, 1)  # anything printed meanwhile (by the solver's library too) goes to stderr, not into the answer
    try:
        found = _protect_groups(cells, groups, hidden, fixed)
    finally:
        sys.stdout.flush()
        os.dup2(answer, 1)
    os.write(1, pickle.dumps(found))


def _cores() -> int:
    """Cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def components(relations: Sequence[Relation]) -> list[list[int]]:
    """The relations in groups that share no cell (union-find over the cells they link)."""
    parent: dict[int, int] = {}

    def find(i: int) -> int:
        while parent.setdefault(i, i) != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for relation in relations:
        first = find(relation.terms[0][0])
        for c, _ in relation.terms[1:]:
            parent[find(c)] = first
    groups: dict[int, list[int]] = {}
    for r, relation in enumerate(relations):
        groups.setdefault(find(relation.terms[0][0]), []).append(r)
    return list(groups.values())


def _protect_component(cells: Cells, relations: list[Relation], hidden: set[int], fixed: set[int]) -> set[int]:
    in_component = {c for relation in relations for c, _ in relation.terms}
    if not hidden & in_component:
        return hidden
    by_cell: dict[int, list[int]] = {}
    for r, relation in enumerate(relations):
        for i, _ in relation.terms:
            by_cell.setdefault(i, []).append(r)
    # Hiding more never makes a safe figure unsafe (fewer knowns only widen the ranges), so after the
    # first audit only the figures found disclosed and the ones newly hidden are audited again.
    check = hidden & in_component
    entered = set(hidden)
    released = False
    while True:
        found = _audit(cells, relations, hidden & in_component, check)
        if not found:
            if released or not RELEASE:
                return hidden
            # Once safe, show again the headline complements later ones made unnecessary; then audit everything.
            released = True
            shown_again = _release(cells, relations, hidden, (hidden - entered) & in_component, by_cell)
            if not shown_again:
                return hidden
            check = hidden & in_component
            continue
        before = set(hidden)
        added = False
        touched: set[int] = set()  # one complement per relation per pass, then audit again
        for i in sorted(found):
            if touched & set(by_cell.get(i, [])):
                continue
            choice = _complement(cells, relations, by_cell.get(i, []), hidden | fixed, found[i])
            if choice is not None:
                hidden.add(choice)
                touched |= set(by_cell.get(i, [])) | set(by_cell.get(choice, []))
                added = True
        if not added:  # nothing left to hide beside them: hide every figure they are related to
            for i in found:
                for r in by_cell.get(i, []):
                    hidden |= {j for j, _ in relations[r].terms} - fixed
            # What is still disclosed is disclosed by figures fixed as shown (published elsewhere):
            # nothing more can be hidden here.
            return hidden
        check = set(found) | (hidden - before)


def _release(
    cells: Cells, relations: list[Relation], hidden: set[int], added: set[int], by_cell: Mapping[int, list[int]]
) -> set[int]:
    """Show again every 12-month sum (weight `SUM`) hidden as a complement that later complements made
    unnecessary, dearest first: the greedy choice hides a sum when nothing cheaper is left beside the figure it
    protects, and months hidden after it may protect that figure too. Each is shown again (taken out of `hidden`)
    when the hidden figures in its relation stay safe; the caller then audits every figure again (and hides more if
    need be). Returns the sums shown again."""
    in_component = {c for relation in relations for c, _ in relation.terms}

    def near(j: int) -> set[int]:
        one = {c for r in by_cell.get(j, []) for c, _ in relations[r].terms}
        return one

    shown_again = set()
    for j in sorted((j for j in added if cells.weights[j] >= SUM and cells.counts[j]), key=cells.cost, reverse=True):
        hidden.discard(j)
        if _audit(cells, relations, hidden & in_component, near(j) & hidden):
            hidden.add(j)
        else:
            shown_again.add(j)
    return shown_again


def _complement(
    cells: Cells, relations: list[Relation], related: list[int], hidden: set[int], proof: set[int] = frozenset()
) -> int | None:
    """The figure to hide next to protect a disclosed one: a rate or share first, else the count of least cost
    (`Cells.cost`: smallest first, a zero first of all, a headline total or 12-month sum last).

    Taken from `proof` (the shown figures the attacker's bound rests on, `_audit`) where it can be: a month
    inside two overlapping 12-month sums cancels out of their difference, the month that drops out of one of
    them does not, and may lie in a relation the disclosed figure is not in. Else from the figure's own relations.
    """
    # A zero may be a complement where `cells.zeros` says so (never a primary); a figure not published is none.
    def allowed(j: int) -> bool:
        return j not in hidden and cells.values[j] is not None and (cells.zeros or cells.values[j] != 0)

    candidates = [j for j in proof if allowed(j)]
    if not candidates:
        candidates = [j for j in {j for r in related for j, _ in relations[r].terms} if allowed(j)]
    if not candidates:
        return None
    return min(candidates, key=lambda j: (cells.counts[j], cells.cost(j), j))


def disclosed(
    cells: Cells, relations: Sequence[Relation], hidden: set[int], check: set[int] | None = None
) -> set[int]:
    """Hidden cells an attacker could recover exactly from the shown cells and the relations (`_audit`)."""
    return set(_audit(cells, relations, hidden, check))


def _audit(
    cells: Cells, relations: Sequence[Relation], hidden: set[int], check: set[int] | None = None
) -> dict[int, set[int]]:
    """Hidden cells an attacker could recover exactly, each with the shown cells its proof rests on.

    Each hidden count is a whole number of at least 0 where a zero may be a complement (`Cells.zeros`), else
    of at least 1 (zeros are shown); a hidden rate is at least 0. For each hidden cell, two linear programmes
    give its smallest and largest value consistent with every relation; it is disclosed when just one whole
    number (a count) or one value (a rate) fits. The true values are one solution, so the largest is found
    first and the smallest only when the largest is the true value. `check`: audit only these (default: all).

    The proof of each bound is a weighted sum of relations (the linear programme's dual values); the shown
    cells left in that sum with a weight other than 0 are the ones whose hiding would break it.
    """
    if not hidden:
        return {}
    import numpy as np  # here, not at import: a notebook kernel that shows no rolling table never needs it

    unknown = sorted(hidden)
    index = {c: k for k, c in enumerate(unknown)}
    rows, lows, highs, used = [], [], [], []
    for relation in relations:
        if not any(c in index for c, _ in relation.terms):
            continue
        row = np.zeros(len(unknown))
        known = 0.0
        for c, coefficient in relation.terms:
            if c in index:
                row[index[c]] += coefficient
            else:
                value = cells.values[c]
                if value is None:  # a figure not published at all: an unknown without bounds
                    break
                known += coefficient * value
        else:
            rows.append(row)
            lows.append(relation.low - known)
            highs.append(relation.high - known)
            used.append(relation)
    if not rows:
        return {}
    floors = [0.0 if cells.zeros or not cells.counts[c] else 1.0 for c in unknown]
    model = _Model(np.array(rows), np.array(lows), np.array(highs), np.array(floors))
    found: dict[int, set[int]] = {}
    for k, c in enumerate(unknown):
        if (check is not None and c not in check) or not model.links(k):
            continue
        truth = cells.values[c] or 0.0
        step = 1.0 if cells.counts[c] else 1e-6
        # Every solution found so far is a value the attacker cannot rule out: when one already lies a whole
        # step away from the truth, the programme would say so too, and is not run (the same answer, sooner).
        if model.seen_high[k] >= truth + step - 1e-6:
            continue
        high = model.extreme(k, maximise=True)
        if high is None or high >= truth + step - 1e-6:  # unbounded, or another value fits above
            continue
        if model.seen_low[k] <= truth - step + 1e-6:
            continue
        upper = model.duals()
        low = model.extreme(k, maximise=False)
        if low is None or low <= truth - step + 1e-6:
            continue
        found[c] = _proof(used, upper, index) | _proof(used, model.duals(), index)
    return found


def _proof(used: Sequence[Relation], duals: np.ndarray, unknown: Mapping[int, int]) -> set[int]:
    """The shown cells with a weight other than 0 in the weighted sum of relations (`duals`) that proves a bound."""
    net: dict[int, float] = {}
    for relation, weight in zip(used, duals, strict=True):
        if abs(weight) > 1e-9:
            for c, coefficient in relation.terms:
                if c not in unknown:
                    net[c] = net.get(c, 0.0) + weight * coefficient
    return {c for c, w in net.items() if abs(w) > 1e-9}


_SOLVER: list[object] = []


def _solver() -> object:
    """One HiGHS instance per process, emptied for each model; made with its start-up banner kept off stdout."""
    import highspy

    if not _SOLVER:
        sys.stdout.flush()
        saved = os.dup(1)
        try:
            with open(os.devnull, "w") as null:
                os.dup2(null.fileno(), 1)
                solver = highspy.Highs()
                solver.setOptionValue("output_flag", False)
                solver.run()  # the banner is printed on first use
        finally:
            os.dup2(saved, 1)
            os.close(saved)
        _SOLVER.append(solver)
    solver = _SOLVER[0]
    solver.clearModel()  # type: ignore[attr-defined]
    return solver


class _Model:
    """The attacker's linear programme for one audit: the hidden figures as variables, each relation as a row.

    One HiGHS model is built once and re-solved with each variable as the objective, from the last basis.
    """

    def __init__(self, a: np.ndarray, lows: np.ndarray, highs: np.ndarray, floors: np.ndarray) -> None:
        import highspy
        import numpy as np

        self._a = a
        self._h = _solver()
        self._inf = highspy.kHighsInf
        self._sense = highspy.ObjSense
        self._optimal = highspy.HighsModelStatus.kOptimal
        n = a.shape[1]
        #: the smallest and largest value each variable has taken in a solution found so far
        self.seen_low, self.seen_high = np.full(n, np.inf), np.full(n, -np.inf)
        self._h.addVars(n, floors, np.full(n, self._inf))
        for row, low, high in zip(a, lows - 1e-9, highs + 1e-9, strict=True):
            index = np.flatnonzero(row).astype(np.int32)
            self._h.addRow(float(low), float(high), len(index), index, row[index])

    def duals(self) -> np.ndarray:
        """The weight of each relation in the proof of the last bound found (its dual values)."""
        import numpy as np

        return np.array(self._h.getSolution().row_dual)

    def links(self, k: int) -> bool:
        return bool(self._a[:, k].any())

    def extreme(self, k: int, *, maximise: bool) -> float | None:
        """The largest (or smallest) value variable `k` can take; None when unbounded or infeasible."""
        self._h.changeObjectiveSense(self._sense.kMaximize if maximise else self._sense.kMinimize)
        self._h.changeColCost(k, 1.0)
        self._h.run()
        ok = self._h.getModelStatus() == self._optimal
        value = self._h.getInfo().objective_function_value
        self._h.changeColCost(k, 0.0)
        if ok:
            import numpy as np

            solution = np.asarray(self._h.getSolution().col_value)
            np.minimum(self.seen_low, solution, out=self.seen_low)
            np.maximum(self.seen_high, solution, out=self.seen_high)
        return float(value) if ok else None


def keyed(hidden: set[int], cells: Cells) -> set[object]:
    """The keys of the hidden cells."""
    return {cells.keys[i] for i in hidden}


def index_of(cells: Cells) -> Mapping[object, int]:
    """Cell number by key."""
    return {k: i for i, k in enumerate(cells.keys)}
