"""The checks on the input files themselves, before any suite runs: for docs/validation.md.

Great Expectations checks each column, and `analysis.checks.rules` the rows and tables together; these
are the checks that come first, on whether a file can be read at all and how it was read. Each is
reported by `analysis.checks.validation` (or the loaders it calls) under the rule named here.
"""

from __future__ import annotations

#: rule → (what is checked, severity, what happens). Listed in docs/validation.md by `suites.markdown`.
FILE_RULES: dict[str, tuple[str, str, str]] = {
    "RP00": (
        "The file can be read (CSV UTF-8, Excel or the XML return), the 903 files are present, and the "
        "optional la.toml and population file are there",
        "error; warning for a missing optional file",
        "an unreadable file stops the build, naming the file, row and column",
    ),
    "RP05": (
        "Codes are written as in the code list",
        "warning",
        "a code differing only in letter case (`c2`) is read as the listed code (`C2`), and counted",
    ),
    "RPX1": (
        "Every element of an XML return is one of the SSDA903 schema's",
        "warning",
        "an unknown element is not read; the warning names it and the child's position in the file",
    ),
    "RPX2": (
        "Every element of an XML return is where the schema puts it, once, with a HEADER first in each CHILD",
        "warning",
        "a misplaced element is not read; a repeated one is read once",
    ),
    "RPX4": (
        "The return year of an XML file in a stacked folder is known",
        "warning",
        "the year is taken from the episodes' dates, and the warning says which year was used",
    ),
    "RPX5": (
        "No episode in a year's return starts or ends after 31 March of that year",
        "warning",
        "counted; the file may be in the wrong year's folder",
    ),
    "RPX6": (
        "Every 903 file in a year's folder is read",
        "warning",
        "where a year has more than one form (XML, Excel, CSV), one is read and each other file is named",
    ),
}
