"""A mixed-load soak of a running local runtime, and the counts that prove nothing was lost.

Clients spread over several sandboxes (one pro-tier developer key each) send, back to back
for a bounded time, a mix of all three groups: fintech (transfers created with
Idempotency-Keys, some repeated or shared between clients, processed, some twice; listings;
the dashboard), messaging (signals, orchestration, messages sent and marked delivered,
scheduled ahead on the sandbox clock, delivered now, and clock advances that deliver what
became due) and the manager (persistent config updates, credit grants and consumes with
Idempotency-Keys, some repeated, and manual runs of the hourly job).

Afterwards everything is counted from what the API stores, not from what it answered:

- money: per sandbox and currency the balances sum as before; each account holds its
  opening balance moved by every completed transfer exactly once; every transfer the API
  acknowledged (2xx) is listed exactly once, one per Idempotency-Key, and nothing else;
- messages: every message due before the last clock advance is delivered; after a final
  advance every scheduled one is; each delivered message has one ``message_delivered``
  audit entry, and nothing else does;
- credits: a customer's balance is its grants less its acknowledged consumes, each
  Idempotency-Key charged once; the job's charges tile time (one record per period, no
  overlap), each charged once at the payment server, and the customer paid their sum;
- usage: per key, the daily request counters add up to the requests the client sent with
  it that reached a function. The gateway's refusals (a 429 from the usage plan's throttle
  or quota, an authorizer's 401/403) never reach one and are not counted; every answer a
  function gives, errors included, is.

Used by ``benchmarks/soak.py`` (100 clients, a runtime process of its own) and by
``tests/http/test_mixed_load_soak.py`` (fewer clients, bounded, in ``make test``).
"""

from __future__ import annotations

from local_runtime.soak.counting import Counting
from local_runtime.soak.load import Load
from local_runtime.soak.model import (
    GROUPS,
    Check,
    SoakResult,
    balances_after_transfers,
    percentile,
)

__all__ = [
    "GROUPS",
    "Check",
    "SoakResult",
    "balances_after_transfers",
    "percentile",
    "run_soak",
]


class Soak(Load, Counting):
    """The scenario against one runtime: setup, load, then counting."""


def run_soak(
    endpoint: str,
    admin_key: str,
    *,
    clients: int = 100,
    seconds: float = 60,
    sandboxes: int = 10,
    seed: int = 7,
) -> SoakResult:
    """Set up, load, count: the whole soak against the runtime at ``endpoint``."""
    soak = Soak(
        endpoint, admin_key, clients=clients, seconds=seconds, sandboxes=sandboxes, seed=seed
    )
    soak.setup()
    elapsed = soak.load()
    checks = soak.count()
    return SoakResult(clients, seconds, elapsed, soak.tally, checks, soak.activity)
