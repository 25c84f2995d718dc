"""What the project counts across sandboxes, and how one day's counters read back.

Every request and every business event (a key created, a scenario run, a delivery, a charge)
adds to one item per UTC day and shard. Shards spread a busy day's writes over several
items (one DynamoDB item takes about a thousand writes a second); reading a day back is
``SHARDS`` items merged, whatever the number of sandboxes, keys or requests.
"""

from __future__ import annotations

import zlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

SHARDS = 8


class BusinessEvent(StrEnum):
    """Events counted project-wide (and published as EMF metrics), by what happened."""

    KEYS_CREATED = "keys_created"  # qualifier: the key's tier
    SANDBOXES_INITIALIZED = "sandboxes_initialized"
    SANDBOXES_RESET = "sandboxes_reset"
    SCENARIO_RUNS = "scenario_runs"  # qualifiers: scenario id, result (passed / failed)
    SIGNALS = "signals"
    DELIVERIES = "deliveries"  # qualifier: on_time / delayed / failed
    CREDITS_CHARGED = "credits_charged"  # amount: credits, not a count
    JOB_FAILURES = "job_failures"  # configs a persistence-job run could not settle


class ScenarioResult(StrEnum):
    """The result qualifier of ``SCENARIO_RUNS``: every step succeeded, or one did not."""

    PASSED = "passed"
    FAILED = "failed"


class DeliveryKind(StrEnum):
    """The qualifier of ``DELIVERIES``."""

    ON_TIME = "on_time"  # delivered as it was sent: the receiver's active hours were open
    DELAYED = "delayed"  # waited (scheduled, or outside active hours), then delivered
    FAILED = "failed"  # its delivery execution gave up


def shard_of(identity: str) -> int:
    """The shard an identity's counts go to: stable across processes (not ``hash()``)."""
    return zlib.crc32(identity.encode()) % SHARDS


def event_counter(event: BusinessEvent, *qualifiers: str) -> str:
    """The counter's name: ``scenario_runs#transfer_processing_flow#passed``."""
    return "#".join((event.value, *qualifiers))


@dataclass
class ProjectDay:
    """One UTC day of the project's counters (every shard merged)."""

    day: date
    requests: int = 0
    errors: int = 0
    group_requests: Counter[str] = field(default_factory=Counter)
    group_errors: Counter[str] = field(default_factory=Counter)
    endpoint_requests: Counter[str] = field(default_factory=Counter)
    endpoint_errors: Counter[str] = field(default_factory=Counter)
    # Keys and sandboxes that made at least one request that day, by the key's tier.
    active_keys: Counter[str] = field(default_factory=Counter)
    active_sandboxes: Counter[str] = field(default_factory=Counter)
    # event_counter(...) -> amount (counts, or credits for CREDITS_CHARGED)
    events: dict[str, Decimal] = field(default_factory=dict)

    def add(self, other: ProjectDay) -> None:
        """Fold another shard's counters of the same day into this one."""
        self.requests += other.requests
        self.errors += other.errors
        self.group_requests.update(other.group_requests)
        self.group_errors.update(other.group_errors)
        self.endpoint_requests.update(other.endpoint_requests)
        self.endpoint_errors.update(other.endpoint_errors)
        self.active_keys.update(other.active_keys)
        self.active_sandboxes.update(other.active_sandboxes)
        for name, amount in other.events.items():
            self.events[name] = self.events.get(name, Decimal(0)) + amount


def merged_by_day(shard_days: Iterable[ProjectDay]) -> list[ProjectDay]:
    """Shards' days merged into one ``ProjectDay`` per day, oldest first."""
    days: dict[date, ProjectDay] = {}
    for shard_day in shard_days:
        days.setdefault(shard_day.day, ProjectDay(day=shard_day.day)).add(shard_day)
    return [days[day] for day in sorted(days)]
