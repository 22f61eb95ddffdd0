"""Children's services review pack: analysis functions shared by the notebooks, the CLI and the tests."""

import sys as _sys

__version__ = "0.1.0"

# altair imports jsonschema, whose format checkers import `rfc3987_syntax` when it is installed (Jupyter's
# jsonschema[format-nongpl] brings it) only to check the "iri" format, which no schema here uses. Building its
# grammar takes about 1.7 s of CPU, more than everything else a notebook kernel imports (benchmarks/README.md).
# Marked absent before anything imports jsonschema, it is skipped; a process that imported it first keeps it.
_sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
