"""One router per resource: benchmarks (and their tables), tasks, models."""
