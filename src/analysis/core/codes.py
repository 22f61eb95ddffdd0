"""SSDA903 code lists and the plain-English groupings the pack uses.

Definitions as data: every code list and grouping lives here once, and the loader, the
Great Expectations suites (`expectations/*.json`, checked against these lists in
`tests/test_expectations.py`), the metrics and the synthetic generator all read it.

Sources: DfE SSDA903 guidance code lists as implemented in
data-to-insight/csc-validator-be-903 (`lac_validator/config.py`, 2024/25 rules 143-149,
178, 1009) and the per-year schema in SocialFinanceDigitalLabs/liia-tools
(`SSDA903_schema_2024.yml`). The project's own vocabularies (workforce, permanence tracker,
comparators) are in `analysis.core.vocabularies`.
"""

from __future__ import annotations

SEX = {"1": "Male", "2": "Female"}

ETHNIC = {
    "WBRI": "White British",
    "WIRI": "White Irish",
    "WOTH": "Any other White background",
    "WIRT": "Traveller of Irish heritage",
    "WROM": "Gypsy/Roma",
    "MWBC": "White and Black Caribbean",
    "MWBA": "White and Black African",
    "MWAS": "White and Asian",
    "MOTH": "Any other mixed background",
    "AIND": "Indian",
    "APKN": "Pakistani",
    "ABAN": "Bangladeshi",
    "AOTH": "Any other Asian background",
    "BCRB": "Caribbean",
    "BAFR": "African",
    "BOTH": "Any other Black background",
    "CHNE": "Chinese",
    "OOTH": "Any other ethnic group",
    "REFU": "Refused",
    "NOBT": "Information not yet obtained",
}

RNE = {
    "S": "Started to be looked after",
    "L": "Change of legal status only",
    "P": "Change of placement and carer(s) only",
    "T": "Change of placement (same carer) only",
    "B": "Change of legal status, placement and carer(s)",
    "U": "Change of legal status and placement (same carer)",
}

LS = {
    "C1": "Interim care order",
    "C2": "Full care order",
    "D1": "Freeing order granted",
    "E1": "Placement order granted",
    "V2": "Single period of accommodation under section 20",
    "V3": "Accommodated under an agreed series of short-term breaks (individual episodes)",
    "V4": "Accommodated under an agreed series of short-term breaks (agreements recorded)",
    "L1": "Police protection, in local authority accommodation",
    "L2": "Emergency protection order",
    "L3": "Child assessment order, in local authority accommodation",
    "J1": "Remanded to local authority accommodation or youth detention accommodation",
    "J2": "Placed in local authority accommodation under PACE",
    "J3": "Sentenced to a youth rehabilitation order with residence or fostering requirement",
}

#: Legal statuses that are only an agreed series of short breaks. The DfE excludes
#: children looked after only under these from "looked after at 31 March" and the rate.
SHORT_BREAK_LS = frozenset({"V3", "V4"})

CIN = {
    "N1": "Abuse or neglect",
    "N2": "Child's disability",
    "N3": "Parental illness or disability",
    "N4": "Family in acute stress",
    "N5": "Family dysfunction",
    "N6": "Socially unacceptable behaviour",
    "N7": "Low income",
    "N8": "Absent parenting",
}

PLACE = {
    "A3": "Placed for adoption with consent, with current foster carer",
    "A4": "Placed for adoption with consent, not with current foster carer",
    "A5": "Placed for adoption with placement order, with current foster carer",
    "A6": "Placed for adoption with placement order, not with current foster carer",
    "H5": "Semi-independent living accommodation",
    "K1": "Secure children's home",
    "K2": "Children's home",
    "K3": "Registered supported accommodation",
    "P1": "Placed with own parent(s) or other person(s) with parental responsibility",
    "P2": "Independent living",
    "P3": "Residential employment",
    "R1": "Residential care home",
    "R2": "NHS or health trust establishment",
    "R3": "Family centre or mother and baby unit",
    "R5": "Young offender institution",
    "S1": "Residential school",
    "T0": "Temporary move (all types)",
    "T1": "Temporary period in hospital",
    "T2": "Temporary absence on holiday",
    "T3": "Temporary accommodation while normal foster carer is on holiday",
    "T4": "Temporary accommodation of seven days or less",
    "U1": "Foster placement with relative or friend, long term",
    "U2": "Foster placement with relative or friend who is an approved adopter",
    "U3": "Foster placement with relative or friend, not long term or fostering for adoption",
    "U4": "Foster placement with other foster carer, long term",
    "U5": "Foster placement with other foster carer who is an approved adopter",
    "U6": "Foster placement with other foster carer, not long term or fostering for adoption",
    "Z1": "Other placements",
}

PLACE_PROVIDER = {
    "PR0": "Parent or other person with parental responsibility",
    "PR1": "Own local authority provision",
    "PR2": "Other local authority provision",
    "PR3": "Other public provision",
    "PR4": "Private provision",
    "PR5": "Voluntary or third sector provision",
}

REC = {
    "X1": "Episode ceases and a new episode begins on the same day",
    "E11": "Adopted: application unopposed",
    "E12": "Adopted: consent dispensed with by the court",
    "E13": "Left care to live with parent(s), relative(s) or other person(s) with no parental responsibility",
    "E14": "Accommodation on remand ended",
    "E15": "Age assessment determined child aged 18 or over",
    "E16": "Child moved abroad",
    "E17": "Aged 18 or over and remained with current carers",
    "E2": "Died",
    "E3": "Care taken over by another local authority",
    "E41": "Residence order or child arrangements order granted",
    "E45": "Special guardianship order to former foster carer(s) who are relatives or friends",
    "E46": "Special guardianship order to former foster carer(s) other than relatives or friends",
    "E47": ("Special guardianship order to carer(s) other than former foster carers, who are relatives or friends"),
    "E48": ("Special guardianship order to carer(s) other than former foster carers, other than relatives or friends"),
    "E4A": "Returned home to live with parent(s) or person(s) with parental responsibility as part of care planning",
    "E4B": (
        "Returned home to live with parent(s) or person(s) with parental responsibility not as part of care planning"
    ),
    "E5": "Moved into independent living arrangement with formalised support",
    "E6": "Moved into independent living arrangement without formalised support",
    "E7": "Transferred to residential care funded by adult social care",
    "E8": "Period of being looked after ceased for any other reason",
    "E9": "Sentenced to custody",
}

#: Legacy REC codes that may appear in older returns: accepted, counted on the data-quality page and
#: never generated, each with the code it is read as. E4 ("returned home") became E4A/E4B and is read
#: as E4A. E43 (SGO to former foster carers) and E44 (SGO to other carers) became E45-E48, which also
#: record whether the special guardians are relatives or friends; E43/E44 do not, so they are kept as
#: they are and read as SGOs whose relationship is "not recorded" (`analysis.metrics.sgo`), never as E45/E48.
LEGACY_REC = {"E43": "E43", "E44": "E44", "E4": "E4A"}

LEGACY_REC_LABEL = {
    "E43": "Legacy code: special guardianship order to former foster carer(s)",
    "E44": "Legacy code: special guardianship order to carer(s) other than former foster carers",
    "E4": "Legacy code: returned home, read as E4A",
}

REASON_PLACE_CHANGE = {
    "CARPL": "Change to or implementation of care plan",
    "CLOSE": "Resignation or closure of provision",
    "ALLEG": "Allegation (section 47)",
    "STAND": "Standards of care concern",
    "APPRR": "Approval removed",
    "CREQB": "Carer requests placement end due to child's behaviour",
    "CREQO": "Carer requests placement end for other reason",
    "CHILD": "Child requests placement end",
    "LAREQ": "Responsible or area authority requests placement end",
    "PLACE": "Change in the status of placement only",
    "CUSTOD": "Custody arrangement",
    "OTHER": "Other",
}

UPN_UNKNOWN = {
    "UN1": "Child not yet of school age or not attending school",
    "UN2": "Child never attended a maintained school in England",
    "UN3": "Child educated outside England",
    "UN4": "Child newly looked after and UPN not yet known",
    "UN5": "Sources disagree about the UPN",
}

# --- Plain-English groupings (the pack's own; the DfE publishes similar groupings) ---

#: Route out of care for the episode that ends a period of care, by REC.
#: Returned home = E4A/E4B (DfE "returned home to live with parents or other person with
#: parental responsibility"); SGO = E45-E48 (legacy E43/E44); CAO = E41; adoption = E11/E12;
#: turned 18 / independent living = E17, E5, E6, E7 (adult social care), E15 (age assessed
#: 18+); E13 (left to live with someone with no parental responsibility) is "other", because
#: it is not a return to someone with parental responsibility.
REC_ROUTE = {
    "E4A": "returned_home",
    "E4B": "returned_home",
    "E45": "special_guardianship_order",
    "E46": "special_guardianship_order",
    "E47": "special_guardianship_order",
    "E48": "special_guardianship_order",
    "E43": "special_guardianship_order",
    "E44": "special_guardianship_order",
    "E41": "child_arrangements_order",
    "E11": "adoption",
    "E12": "adoption",
    "E17": "turned_18_or_independent",
    "E5": "turned_18_or_independent",
    "E6": "turned_18_or_independent",
    "E7": "turned_18_or_independent",
    "E15": "turned_18_or_independent",
    "E13": "other",
    "E14": "other",
    "E16": "other",
    "E2": "other",
    "E3": "other",
    "E8": "other",
    "E9": "other",
}

ROUTE_LABEL = {
    "returned_home": "Returned home",
    "special_guardianship_order": "Special guardianship order",
    "child_arrangements_order": "Child arrangements order",
    "adoption": "Adoption",
    "turned_18_or_independent": "Turned 18 or independent living",
    "other": "Other",
    "unknown": "Not known (the return does not say)",
}

#: The route of a period that ends with X1 and a gap (rule 433/388): the return does not say how the child left.
UNKNOWN_ROUTE = "unknown"

#: Legal status groups shown in the pack.
LS_GROUP = {
    "C1": "interim_care_order",
    "C2": "full_care_order",
    "E1": "placement_order",
    "D1": "placement_order",
    "V2": "section_20",
    "V3": "other",
    "V4": "other",
    "L1": "other",
    "L2": "other",
    "L3": "other",
    "J1": "other",
    "J2": "other",
    "J3": "other",
}

LS_GROUP_LABEL = {
    "interim_care_order": "Interim care order",
    "full_care_order": "Full care order",
    "placement_order": "Placement order",
    "section_20": "Accommodated under section 20",
    "other": "Other legal status",
}

#: Placement type groups shown in the pack. Kinship foster = U1-U3 (relative or friend).
PLACE_GROUP = {
    **{code: "foster_kinship" for code in ("U1", "U2", "U3")},
    **{code: "foster_other" for code in ("U4", "U5", "U6")},
    "P1": "placed_with_parents",
    **{code: "residential" for code in ("K1", "K2", "R1", "S1")},
    **{code: "semi_independent_or_supported" for code in ("H5", "K3", "P2")},
    **{code: "adoption" for code in ("A3", "A4", "A5", "A6")},
    **{code: "other" for code in ("P3", "R2", "R3", "R5", "T0", "T1", "T2", "T3", "T4", "Z1")},
}

PLACE_GROUP_LABEL = {
    "foster_kinship": "Foster care with relatives or friends",
    "foster_other": "Other foster care",
    "placed_with_parents": "Placed with parents",
    "residential": "Residential care",
    "semi_independent_or_supported": "Semi-independent or supported accommodation",
    "adoption": "Placed for adoption",
    "other": "Other placement",
}

#: Who the special guardians are, by the REC of an SGO (E45-E48, legacy E43/E44): former foster carers
#: (E45, E46, E43) or other carers (E47, E48, E44).
SGO_CARER = {
    "E45": "former_foster_carer", "E46": "former_foster_carer", "E47": "other_carer", "E48": "other_carer",
    "E43": "former_foster_carer", "E44": "other_carer",
}  # fmt: skip
#: Whether the special guardians are relatives or friends (E45, E47), others (E46, E48) or not recorded
#: (the legacy E43/E44 do not say, and the pack does not guess).
SGO_RELATIONSHIP = {
    "E45": "relative_or_friend", "E46": "other", "E47": "relative_or_friend", "E48": "other",
    "E43": "not_recorded", "E44": "not_recorded",
}  # fmt: skip

#: Fields that metrics group by: an unknown code in these is an error, not a warning.
GROUPED_FIELDS = ("RNE", "LS", "PLACE", "REC")

#: The REC codes a return may hold: the current list and the legacy codes.
REC_ACCEPTED = {**REC, **LEGACY_REC_LABEL}

EPISODE_CODE_LISTS: dict[str, dict[str, str]] = {
    "RNE": RNE,
    "LS": LS,
    "CIN": CIN,
    "PLACE": PLACE,
    "PLACE_PROVIDER": PLACE_PROVIDER,
    "REC": REC_ACCEPTED,
    "REASON_PLACE_CHANGE": REASON_PLACE_CHANGE,
}

#: The columns of the three 903 tables the pack reads, in the DfE's order (the CSV files' headers; the XML
#: return's elements map to them in `analysis.load.ssda903_xml`).
HEADER_COLUMNS = ["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"]
EPISODE_COLUMNS = [
    "CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER",
    "DEC", "REC", "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN",
]  # fmt: skip
UASC_COLUMNS = ["CHILD", "SEX", "DOB", "DUC"]
