"""Readers of the project's counters, shared by the groups' tests of business events."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sandbox_common import providers
from sandbox_common.platform_usage.counters import BusinessEvent, event_counter, merged_by_day

# Tests move the wall clock by hours or days; a fortnight either side covers any of them.
_SPAN = timedelta(days=14)


def counted(event: BusinessEvent, *qualifiers: str) -> Decimal:
    """The project's count of ``event`` (with ``qualifiers``) over the days around today's
    wall time, every shard merged, as the analytics report reads it."""
    today = providers.wall_clock().now().date()
    days = merged_by_day(providers.project_counters().days(today - _SPAN, today + _SPAN))
    name = event_counter(event, *qualifiers)
    return sum((day.events.get(name, Decimal(0)) for day in days), Decimal(0))


def emf_documents(out: str, metric: str) -> list[dict[str, Any]]:
    """The EMF documents printed to ``out`` that publish ``metric``."""
    documents = []
    for line in out.splitlines():
        if not line.startswith("{"):
            continue
        document = json.loads(line)
        directives = document.get("_aws", {}).get("CloudWatchMetrics", [])
        if any(m["Name"] == metric for d in directives for m in d["Metrics"]):
            documents.append(document)
    return documents
