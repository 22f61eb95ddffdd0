"""Stage 2, checks: Great Expectations suites, the suite's own 903 rules and the DfE validator."""
