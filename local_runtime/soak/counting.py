"""Counting after the load, from what the API stores: nothing lost, nothing doubled."""

from __future__ import annotations

import time
from collections import Counter
from datetime import datetime
from decimal import Decimal

import httpx

from local_runtime.soak.model import (
    CHARGED_ONCE,
    DELIVERED_ONCE,
    DELIVERED_STATES,
    DUE_DELIVERED,
    JOB_GRANT,
    MONEY_CONSERVED,
    MOVED_ONCE,
    PERIODS_ONCE,
    SANDBOX_CHECKS,
    SETUP_GRANT,
    TRANSFERS_ONCE,
    Check,
    SandboxState,
    balances_after_transfers,
    balances_of,
    sums_by_currency,
    without_zeros,
)
from local_runtime.soak.transport import Transport


class Counting(Transport):
    """The checks, sandbox by sandbox, then the usage of each key."""

    def count(self) -> list[Check]:
        """Everything counted from what the API stores, sandbox by sandbox."""
        checks: list[Check] = []
        with self._client() as http:
            self._settle_job(http)
            per_sandbox = [self._count_sandbox(http, sandbox) for sandbox in self.sandboxes]
            # Usage last: nothing is sent with a developer key after its usage is read.
            usage_problems = [self._usage_problem(http, sandbox) for sandbox in self.sandboxes]
        for name in SANDBOX_CHECKS:
            problems = [problem for found in per_sandbox for problem in found[name]]
            checks.append(Check(name, not problems, "; ".join(problems[:5]), len(problems)))
        problems = [problem for problem in usage_problems if problem]
        checks.append(
            Check(
                "usage counters equal the requests that reached a function, per key",
                not problems,
                "; ".join(problems[:5]),
                len(problems),
            )
        )
        tally = self.tally
        errors = sum(n for status, n in tally.statuses.items() if status >= 500)
        checks.insert(
            0,
            Check(
                "zero 5xx and every request answered",
                errors == 0 and not tally.failures,
                f"{errors} 5xx, {sum(tally.failures.values())} without an answer"
                + (f"; first: {tally.server_errors[0]}" if tally.server_errors else ""),
                errors + sum(tally.failures.values()),
            ),
        )
        return checks

    def _settle_job(self, http: httpx.Client) -> None:
        """One more run of the job once the load is over.

        A run whose last write lost a race with a config update (409 on the config's
        version) leaves its period as the config's pending charge, already paid at the
        payment server: the next run settles it under the same key. Counting first would
        take that for a lost charge, so the run goes first, and how many periods it found
        pending is reported.
        """
        pending = 0
        for sandbox in self.sandboxes:
            records = self.listing(
                http, "count", f"/admin/sandboxes/{sandbox.sandbox_id}/charges", self.admin_key, {}
            )
            paid = self.listing(
                http, "count", f"/admin/credits/{sandbox.job_customer}/ledger", self.admin_key, {}
            )
            pending += sum(e["kind"] == "consume" for e in paid) - len(records)
        self.activity["job periods paid but pending after the load"] = pending
        for _ in range(60):  # a run still holding the job's lease (409) ends within seconds
            response = self.admin(http, "count", "POST", "/admin/execute-job")
            if response is None or response.status_code != 409:
                self._expect(response, "the run after the load")
                return
            time.sleep(0.5)
        raise RuntimeError("soak: the job stayed busy for 30 s after the load")

    def _count_sandbox(self, http: httpx.Client, sandbox: SandboxState) -> dict[str, list[str]]:
        label = f"sandbox {sandbox.index}"
        found: dict[str, list[str]] = {name: [] for name in SANDBOX_CHECKS}
        self._count_money(http, sandbox, label, found)
        self._count_messages(http, sandbox, label, found)
        self._count_credits(http, sandbox, label, found)
        return found

    def _count_money(
        self, http: httpx.Client, sandbox: SandboxState, label: str, found: dict[str, list[str]]
    ) -> None:
        key = sandbox.key
        accounts = self.listing(http, "count", "/api/v1/sandbox/accounts", key, {})
        after = balances_of(accounts)
        before_sums, after_sums = sums_by_currency(sandbox.opening), sums_by_currency(after)
        if without_zeros({"": before_sums}) != without_zeros({"": after_sums}):
            found[MONEY_CONSERVED].append(f"{label}: sums {before_sums} -> {after_sums}")
        transactions = self.listing(http, "count", "/api/v1/sandbox/transactions", key, {})
        expected = without_zeros(balances_after_transfers(sandbox.opening, transactions))
        held = without_zeros(after)
        wrong = [
            f"{account[:8]} {currency} expected {expected.get(account, {}).get(currency, 0)} "
            f"held {held.get(account, {}).get(currency, 0)}"
            for account in sorted(set(expected) | set(held))
            for currency in sorted(set(expected.get(account, {})) | set(held.get(account, {})))
            if expected.get(account, {}).get(currency) != held.get(account, {}).get(currency)
        ]
        if wrong:
            found[MOVED_ONCE].append(f"{label}: " + ", ".join(wrong[:4]))
        listed = Counter(transaction["id"] for transaction in transactions)
        with self.tally.lock:
            self.activity["transfers stored"] += len(listed)
            self.activity["transfers completed"] += sum(
                t["status"] == "completed" for t in transactions
            )
            self.activity["transfer keys repeated"] += sum(
                n > 1 for n in Counter(sandbox.transfer_keys_sent).values()
            )
        acknowledged = {i for ids in sandbox.transfers_by_key.values() for i in ids}
        problems = found[TRANSFERS_ONCE]
        if doubled := [i for i, n in listed.items() if n > 1]:
            problems.append(f"{label}: listed more than once {doubled[:3]}")
        if missing := acknowledged - set(listed):
            problems.append(f"{label}: acknowledged but not stored {sorted(missing)[:3]}")
        if extra := set(listed) - acknowledged:
            if len(extra) > sandbox.unsure["transfer"]:
                problems.append(f"{label}: stored but never acknowledged {sorted(extra)[:3]}")
        if split := {k: v for k, v in sandbox.transfers_by_key.items() if len(v) > 1}:
            problems.append(f"{label}: one key, several transfers {dict(list(split.items())[:2])}")

    def _count_messages(
        self, http: httpx.Client, sandbox: SandboxState, label: str, found: dict[str, list[str]]
    ) -> None:
        key = sandbox.key
        due_problems, once_problems = found[DUE_DELIVERED], found[DELIVERED_ONCE]
        if sandbox.last_advance_now is not None:
            states = self._message_states(http, sandbox)
            late = [
                message_id
                for message_id, due in sandbox.scheduled.items()
                if due <= sandbox.last_advance_now
                and states.get(message_id) not in DELIVERED_STATES
            ]
            if late:
                due_problems.append(
                    f"{label}: {len(late)} due by {sandbox.last_advance_now.isoformat()} but not "
                    f"delivered, e.g. {late[0]} {states.get(late[0])}"
                )
        # A final advance makes every waiting message due: all are then delivered.
        self._expect(
            self.send(
                http,
                "count",
                "POST",
                "/api/v1/sandbox/clock/advance",
                key,
                json={"seconds": 2 * 86_400},
            ),
            "the final advance",
        )
        states = self._message_states(http, sandbox)
        must_deliver = set(sandbox.scheduled) | sandbox.delivered_at_once | sandbox.marked_delivered
        if undelivered := [m for m in must_deliver if states.get(m) not in DELIVERED_STATES]:
            due_problems.append(
                f"{label}: {len(undelivered)} not delivered after the final advance, e.g. "
                f"{undelivered[0]} {states.get(undelivered[0])}"
            )
        never_marked = sandbox.sent - sandbox.marked_delivered
        if wrongly := [m for m in never_marked if states.get(m) != "sent"]:
            once_problems.append(f"{label}: sent, never marked, yet {states.get(wrongly[0])}")
        entries: Counter[str] = Counter()
        for receiver in sandbox.receivers:
            for entry in self.listing(
                http, "count", f"/api/sandbox/audit/{receiver}", key, {"type": "message_delivered"}
            ):
                entries[entry.get("messageId") or "?"] += 1
        delivered = {m for m, state in states.items() if state in DELIVERED_STATES}
        with self.tally.lock:
            self.activity["messages delivered"] += len(delivered)
            self.activity["messages scheduled"] += len(sandbox.scheduled)
            self.activity["scheduled delivered by a load-time advance"] += sum(
                1
                for due in sandbox.scheduled.values()
                if sandbox.last_advance_now is not None and due <= sandbox.last_advance_now
            )
        if twice := [m for m, n in entries.items() if n > 1]:
            once_problems.append(f"{label}: {len(twice)} delivered more than once, e.g. {twice[0]}")
        if missing := delivered - set(entries):
            once_problems.append(f"{label}: {len(missing)} delivered without an entry")
        if extra := set(entries) - delivered:
            once_problems.append(f"{label}: entries for undelivered messages {sorted(extra)[:3]}")
        known = must_deliver | sandbox.sent
        if (unknown := set(states) - known) and len(unknown) > sandbox.unsure["message"]:
            once_problems.append(f"{label}: {len(unknown)} stored messages never acknowledged")

    def _message_states(self, http: httpx.Client, sandbox: SandboxState) -> dict[str, str]:
        states: dict[str, str] = {}
        for sender in sorted(sandbox.senders):
            for message in self.listing(
                http, "count", f"/api/sandbox/messages/sent/{sender}", sandbox.key, {}
            ):
                states[message["messageId"]] = message["status"]
        return states

    def _count_credits(
        self, http: httpx.Client, sandbox: SandboxState, label: str, found: dict[str, list[str]]
    ) -> None:
        credit_problems, job_problems = found[CHARGED_ONCE], found[PERIODS_ONCE]
        ledger = self.listing(
            http, "count", f"/admin/credits/{sandbox.pay_customer}/ledger", self.admin_key, {}
        )
        consumed = Counter(e.get("idempotencyKey") for e in ledger if e["kind"] == "consume")
        granted = [Decimal(str(e["amount"])) for e in ledger if e["kind"] == "grant"]
        balance = self._credits(http, sandbox.pay_customer)
        expected = (
            SETUP_GRANT
            + sum(sandbox.grants, Decimal(0))
            - sum(sandbox.consumes.values(), Decimal(0))
        )
        unsure = sandbox.unsure["credits"]
        if balance != expected and not unsure:
            credit_problems.append(f"{label}: credits {balance}, expected {expected}")
        if twice := [k for k, n in consumed.items() if n > 1]:
            credit_problems.append(f"{label}: a key charged {consumed[twice[0]]} times: {twice[0]}")
        if missing := set(sandbox.consumes) - set(consumed):
            credit_problems.append(
                f"{label}: acknowledged consumes not in the ledger {len(missing)}"
            )
        if (extra := set(consumed) - set(sandbox.consumes)) and len(extra) > unsure:
            credit_problems.append(
                f"{label}: consumes never acknowledged {sorted(map(str, extra))[:3]}"
            )
        if len(granted) != 1 + len(sandbox.grants) and not unsure:
            credit_problems.append(
                f"{label}: {len(granted)} grants, {1 + len(sandbox.grants)} acknowledged"
            )

        charges = self.listing(
            http, "count", f"/admin/sandboxes/{sandbox.sandbox_id}/charges", self.admin_key, {}
        )
        ids = Counter(charge["chargeId"] for charge in charges)
        if twice := [i for i, n in ids.items() if n > 1]:
            job_problems.append(f"{label}: charge {twice[0]} recorded {ids[twice[0]]} times")
        periods = sorted(
            (datetime.fromisoformat(c["periodStart"]), datetime.fromisoformat(c["periodEnd"]))
            for c in charges
        )
        for (_, end), (start, _) in zip(periods, periods[1:], strict=False):
            if start != end:
                job_problems.append(
                    f"{label}: periods do not tile: one ends {end}, next starts {start}"
                )
                break
        job_ledger = self.listing(
            http, "count", f"/admin/credits/{sandbox.job_customer}/ledger", self.admin_key, {}
        )
        paid = Counter(e.get("idempotencyKey") for e in job_ledger if e["kind"] == "consume")
        if set(paid) != set(ids) or any(n > 1 for n in paid.values()):
            job_problems.append(
                f"{label}: {len(ids)} charge records, payments {sum(paid.values())} "
                f"under {len(paid)} keys"
            )
        with self.tally.lock:
            self.activity["consume keys charged"] += len(consumed)
            self.activity["consume keys repeated"] += sum(
                n > 1 for n in Counter(sandbox.consume_keys_tried).values()
            )
            self.activity["job charges"] += len(charges)
        charged = sum((Decimal(str(c["amount"])) for c in charges), Decimal(0))
        job_balance = self._credits(http, sandbox.job_customer)
        if job_balance != JOB_GRANT - charged:
            job_problems.append(f"{label}: job customer holds {job_balance}, paid {charged}")

    def _credits(self, http: httpx.Client, customer: str) -> Decimal:
        body = self._expect(
            self.admin(http, "count", "GET", "/get-credits", params={"customerId": customer}),
            "get-credits",
        )
        return Decimal(str(body["data"]["credits"]))

    def _usage_problem(self, http: httpx.Client, sandbox: SandboxState) -> str:
        sent = self.tally.reached[sandbox.key]
        usage = self._expect(
            self.send(
                http, "count", "GET", "/api/v1/sandbox/usage", sandbox.key, params={"days": 2}
            ),
            "usage",
        )
        counted = sum(day["requests"] for day in usage["by_day"])
        if counted == sent:
            return ""
        return (
            f"sandbox {sandbox.index}: usage counts {counted}, the client sent {sent} that "
            f"reached a function ({self.tally.refused[sandbox.key]} refused by the gateway)"
        )
