"""Latency histogram with fixed buckets, so percentiles can be summed across days."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping

# Upper bounds in milliseconds; the last bucket is open-ended.
BUCKET_BOUNDS_MS: tuple[float, ...] = (
    1, 2, 3, 5, 7, 10, 15, 20, 30, 50, 75, 100, 150, 200, 300, 500, 750,
    1000, 1500, 2000, 3000, 5000, 10000, 30000,
)  # fmt: skip


def bucket_of(latency_ms: float) -> int:
    """Index of the bucket a latency falls into (``len(BUCKET_BOUNDS_MS)`` = overflow)."""
    return bisect_left(BUCKET_BOUNDS_MS, max(latency_ms, 0.0))


def percentile(counts: Mapping[int, int], quantile: float) -> float | None:
    """The ``quantile`` (0-1) latency in ms, reported as its bucket's upper bound.

    An upper bound never understates latency; the overflow bucket reports the last bound.
    """
    total = sum(counts.values())
    if total == 0:
        return None
    rank = max(1, round(quantile * total + 0.5 - 1e-9))
    seen = 0
    for index in sorted(counts):
        seen += counts[index]
        if seen >= rank:
            return float(BUCKET_BOUNDS_MS[min(index, len(BUCKET_BOUNDS_MS) - 1)])
    return float(BUCKET_BOUNDS_MS[-1])  # pragma: no cover - loop always returns
