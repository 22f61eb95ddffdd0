"""The data contract's own code lists and bounds: workforce snapshot, permanence tracker, comparators.

The DfE's SSDA903 code lists and the pack's groupings of them are in `analysis.core.codes`; this module
holds the vocabularies this project defines itself (data/README.md). Each lives here once: the
Great Expectations suites (`analysis.checks.suites`, written to `expectations/*.json`), the metric
functions (`analysis.metrics.workforce`, `analysis.metrics.permanence`, `analysis.metrics.sgo`,
`analysis.metrics.reconciliation`),
the synthetic generator and the generated docs (`docs/validation.md`) read it, and
`tests/test_vocabularies.py` fails if a suite holds a list or bound of its own.
"""

from __future__ import annotations

# --- Workforce snapshot (workforce.csv) ------------------------------------------------------------

#: Every role in the data contract. All are social-work roles: the DfE's "children and family social
#: workers" are every registered social worker in the department, managers included.
WORKFORCE_ROLES = ("social_worker", "senior_practitioner", "advanced_practitioner", "team_manager", "service_manager")
#: The frontline, case-holding roles (a variant of the agency rate, and the posts the generator gives cases).
CASE_HOLDING_ROLES = ("social_worker", "senior_practitioner", "advanced_practitioner")
TEAM_MANAGER = "team_manager"

#: Every contract in the data contract: a post is filled by a permanent, fixed-term or agency worker, or vacant.
WORKFORCE_CONTRACTS = ("permanent", "fixed_term", "agency", "vacant")
VACANT = "vacant"
#: In post (the DfE's term): employed and paid directly by the authority.
IN_POST_CONTRACTS = ("permanent", "fixed_term")
#: The contracts of a filled post (one worker per post).
FILLED_CONTRACTS = tuple(c for c in WORKFORCE_CONTRACTS if c != VACANT)
#: allocations.csv: a hand-over (the incoming and outgoing workers both allocated) of up to this many days is
#: not an overlap (rule RP42), nor a change of worker in itself.
HANDOVER_DAYS = 7
#: allocations.csv `contract`: the worker's contract when allocated (a filled post: never vacant).
ALLOCATION_CONTRACTS = FILLED_CONTRACTS

#: FTE of a post (1.0 = full time): outside these bounds is an error.
FTE_MIN = 0
FTE_MAX = 1.5
#: A caseload outside these bounds is a warning (a figure to check), not an error.
CASELOAD_MIN = 0
CASELOAD_MAX = 60

# --- Permanence tracker (permanence.csv) ---------------------------------------------------------------

#: The routes the tracker follows, one row per child per route.
PERMANENCE_ROUTES = ("special_guardianship_order", "discharge_to_parents", "child_arrangements_order")
ORDER_MADE = "order_made"
#: How a plan ends: the order is made, refused by the court, or the plan is withdrawn.
PERMANENCE_OUTCOMES = (ORDER_MADE, "refused", "withdrawn")
#: The outcomes that close a plan without an order.
CLOSED_WITHOUT_ORDER = tuple(o for o in PERMANENCE_OUTCOMES if o != ORDER_MADE)
ASSESSMENT_OUTCOMES = ("positive", "negative")
#: carers_agree: the carers (for discharge, the parents) agree to proceed.
CARERS_AGREE = ("yes", "no")
#: support_plan: an SGO support plan or allowance is agreed (read without regard to case).
SUPPORT_PLAN = ("yes", "no")

# --- Context (context/*.csv) -------------------------------------------------------------------------

#: The comparator areas of context/comparators.csv.
COMPARATOR_AREAS = ("england", "statistical_neighbours", "region")
#: The smallest under-18 population accepted (a count of children).
POPULATION_MIN = 1
