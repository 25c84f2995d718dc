"""What the soak records while it runs, and the pure rules its counts apply."""

from __future__ import annotations

import threading
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

GROUPS = ("fintech", "messaging", "manager")
CURRENCIES = ("USDC", "USDT", "XLM")
SIGNAL_USERS = ("user_us", "user_uk", "user_in", "user_np", "user_au", "user_jp")
DELIVERED_STATES = frozenset({"delivered", "read", "replied"})
# Statuses a function never answers: only the gateway does (throttle, quota, authorizer).
GATEWAY_REFUSALS = frozenset({401, 403, 429})
ADVANCE_SECONDS = 180
# Scheduled this far past the sandbox's now, so a concurrent advance rarely overtakes it.
SCHEDULE_LEAD_SECONDS = (240, 900)
SETUP_GRANT = Decimal("10000")
JOB_GRANT = Decimal("1000")
CONSUME_AMOUNT = Decimal("0.5")
GRANT_AMOUNT = Decimal("5")

# The counted invariants, in the order they are reported.
MONEY_CONSERVED = "money conserved: balances per currency sum as before"
MOVED_ONCE = "each completed transfer moved its amount exactly once"
TRANSFERS_ONCE = "every acknowledged transfer exists exactly once, one per Idempotency-Key"
DUE_DELIVERED = "every message due before the last clock advance is delivered"
DELIVERED_ONCE = "each message delivered once (one message_delivered entry), nothing else"
CHARGED_ONCE = "credits: balance = grants - acknowledged consumes, each key charged once"
PERIODS_ONCE = "job: one charge record per period, tiling time, each charged once"
SANDBOX_CHECKS = (
    MONEY_CONSERVED,
    MOVED_ONCE,
    TRANSFERS_ONCE,
    DUE_DELIVERED,
    DELIVERED_ONCE,
    CHARGED_ONCE,
    PERIODS_ONCE,
)


@dataclass(frozen=True)
class Check:
    """One counted invariant and whether it held."""

    name: str
    passed: bool
    detail: str = ""
    problems: int = 0  # how many sandboxes (or keys) broke it


@dataclass
class SandboxState:
    """One sandbox of the soak: its key, and what the clients were told about it."""

    index: int
    key: str
    sandbox_id: str
    pay_customer: str
    job_customer: str
    funded: list[str] = field(default_factory=list)
    opening: dict[str, dict[str, Decimal]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Idempotency-Key -> transfer ids the 2xx answers named.
    transfers_by_key: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    transfer_ids: list[str] = field(default_factory=list)
    transfer_keys_sent: list[str] = field(default_factory=list)
    clock_now: datetime = datetime.min.replace(tzinfo=UTC)
    last_advance_now: datetime | None = None
    scheduled: dict[str, datetime] = field(default_factory=dict)
    delivered_at_once: set[str] = field(default_factory=set)
    sent: set[str] = field(default_factory=set)
    marked_delivered: set[str] = field(default_factory=set)
    senders: set[str] = field(default_factory=set)
    receivers: set[str] = field(default_factory=set)
    # Idempotency-Key -> amount, for consumes a 2xx acknowledged.
    consumes: dict[str, Decimal] = field(default_factory=dict)
    consume_keys_sent: list[str] = field(default_factory=list)
    consume_keys_tried: list[str] = field(default_factory=list)
    grants: list[Decimal] = field(default_factory=list)
    unsure: Counter[str] = field(default_factory=Counter)  # writes without an answer


@dataclass
class Tally:
    """What the clients saw: statuses, latencies per group, requests per key."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    statuses: Counter[int] = field(default_factory=Counter)
    by_group: dict[str, Counter[int]] = field(default_factory=lambda: defaultdict(Counter))
    latencies_ms: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    reached: Counter[str] = field(default_factory=Counter)  # key -> requests a function got
    refused: Counter[str] = field(default_factory=Counter)  # key -> gateway refusals
    failures: Counter[str] = field(default_factory=Counter)  # group -> no answer at all
    server_errors: list[str] = field(default_factory=list)


@dataclass
class SoakResult:
    """The load's figures and the counted checks."""

    clients: int
    seconds: float
    elapsed: float
    tally: Tally
    checks: list[Check]
    # What the counted stores held: transfers completed, messages delivered, charges...
    activity: Counter[str]

    @property
    def passed(self) -> bool:
        """True when every check held."""
        return all(check.passed for check in self.checks)

    def load_requests(self) -> int:
        """Requests the clients sent during the load (setup and counting excluded)."""
        return sum(len(self.tally.latencies_ms[group]) for group in GROUPS)

    def report_lines(self) -> list[str]:
        """The figures and checks as printable lines."""
        tally = self.tally
        total = self.load_requests()
        lines = [
            f"load: {self.clients} clients for {self.seconds:g} s: {total} requests "
            f"in {self.elapsed:.1f} s = {total / max(self.elapsed, 1e-9):.1f} req/s",
        ]
        for group in GROUPS:
            latencies = tally.latencies_ms[group]
            if not latencies:
                lines.append(f"  {group:<10} no requests")
                continue
            statuses = dict(sorted(tally.by_group[group].items()))
            lines.append(
                f"  {group:<10} {len(latencies):>6} requests  p50 {percentile(latencies, 0.5):7.1f}"
                f" ms  p95 {percentile(latencies, 0.95):7.1f} ms  statuses {statuses}"
            )
        lines.append(
            f"  all statuses (setup and counting included) {dict(sorted(tally.statuses.items()))};"
            f" no answer: {sum(tally.failures.values())}"
        )
        lines.append(
            "counted: " + ", ".join(f"{name} {n}" for name, n in sorted(self.activity.items()))
        )
        lines.append("checks:")
        for check in self.checks:
            verdict = "PASS" if check.passed else "FAIL"
            lines.append(
                f"  {verdict}  {check.name}" + (f": {check.detail}" if check.detail else "")
            )
        return lines


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(q * len(ordered) + 0.5) - 1))]


def balances_after_transfers(
    opening: dict[str, dict[str, Decimal]], transfers: list[dict[str, Any]]
) -> dict[str, dict[str, Decimal]]:
    """The balances ``opening`` becomes when every completed transfer moves its amount once."""
    expected = {account: dict(balances) for account, balances in opening.items()}
    for transfer in transfers:
        if transfer["status"] != "completed":
            continue
        amount, currency = Decimal(str(transfer["amount"])), transfer["currency"]
        source = expected.setdefault(transfer["from_account_id"], {})
        target = expected.setdefault(transfer["to_account_id"], {})
        source[currency] = source.get(currency, Decimal(0)) - amount
        target[currency] = target.get(currency, Decimal(0)) + amount
    return expected


def sums_by_currency(balances: dict[str, dict[str, Decimal]]) -> dict[str, Decimal]:
    """Every account's balances added up per currency."""
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for account in balances.values():
        for currency, amount in account.items():
            sums[currency] += amount
    return dict(sums)


def without_zeros(balances: dict[str, dict[str, Decimal]]) -> dict[str, dict[str, Decimal]]:
    """Balances with zero amounts left out (an account that never held a currency shows none)."""
    return {
        account: {currency: amount for currency, amount in held.items() if amount != 0}
        for account, held in balances.items()
    }


def balances_of(accounts: list[dict[str, Any]]) -> dict[str, dict[str, Decimal]]:
    """Each listed account's balances as decimals, by account id."""
    return {
        account["id"]: {c: Decimal(str(v)) for c, v in account["balances"].items()}
        for account in accounts
    }
