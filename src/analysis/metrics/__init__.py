"""Stage 3, metrics: every figure as a pure function of frames (counts, rates, flows, pipelines)."""
