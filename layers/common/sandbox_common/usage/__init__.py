"""Usage analytics from the project's own per-request counters."""
