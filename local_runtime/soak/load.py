"""The soak's setup and its clients: what each group's clients send, back to back."""

from __future__ import annotations

import hashlib
import random
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx

from local_runtime.soak.model import (
    ADVANCE_SECONDS,
    CONSUME_AMOUNT,
    CURRENCIES,
    GRANT_AMOUNT,
    GROUPS,
    JOB_GRANT,
    SCHEDULE_LEAD_SECONDS,
    SETUP_GRANT,
    SIGNAL_USERS,
    SandboxState,
    balances_of,
)
from local_runtime.soak.transport import Transport


class Load(Transport):
    """Sandboxes set up, then clients sending a mix of operations until the time is up."""

    def setup(self) -> None:
        """Sandboxes with data, a frozen clock at 09:00 UTC tomorrow, credits and a config."""
        start_at = (datetime.now(UTC) + timedelta(days=1)).replace(
            hour=9, minute=0, second=0, microsecond=0
        )
        with self._client() as http:
            for index in range(self.sandbox_count):
                created = self._expect(
                    self.admin(
                        http,
                        "setup",
                        "POST",
                        "/api/v1/sandbox/keys",
                        json={
                            "developer_name": f"Soak {index}",
                            "developer_email": f"soak{index}@example.com",
                            "tier": "pro",
                        },
                    ),
                    "a pro key",
                )
                sandbox = SandboxState(
                    index=index,
                    key=created["api_key"],
                    sandbox_id=created["sandbox_id"],
                    pay_customer=f"soak_{self.run_id}_pay_{index}",
                    job_customer=f"soak_{self.run_id}_job_{index}",
                )
                key = sandbox.key
                frozen = self._expect(
                    self.send(
                        http,
                        "setup",
                        "POST",
                        "/api/v1/sandbox/clock/freeze",
                        key,
                        json={"at": start_at.isoformat()},
                    ),
                    "freeze the clock",
                )
                sandbox.clock_now = datetime.fromisoformat(frozen["now"])
                self._expect(
                    self.send(
                        http,
                        "setup",
                        "POST",
                        "/api/v1/sandbox/initialize",
                        key,
                        json={
                            "environment": "sandbox",
                            "seed": 1000 + index,
                            "accounts": 8,
                            "transactions": 0,
                            "compliance_records": 0,
                        },
                    ),
                    "initialize",
                )
                accounts = self.listing(http, "setup", "/api/v1/sandbox/accounts", key, {})
                sandbox.opening = balances_of(accounts)
                sandbox.funded = [
                    account["id"]
                    for account in accounts
                    if account["is_active"]
                    and all(
                        sandbox.opening[account["id"]].get(c, Decimal(0)) >= 10_000
                        for c in CURRENCIES
                    )
                ]
                if len(sandbox.funded) < 2:
                    raise RuntimeError(f"soak setup: fewer than two funded accounts: {accounts}")
                for customer, amount in (
                    (sandbox.pay_customer, SETUP_GRANT),
                    (sandbox.job_customer, JOB_GRANT),
                ):
                    self._expect(
                        self.admin(
                            http,
                            "setup",
                            "POST",
                            "/admin/credits",
                            json={"customerId": customer, "amount": str(amount)},
                        ),
                        "grant credits",
                    )
                self._expect(self._update_config(http, sandbox, "setup"), "enable the config")
                self.sandboxes.append(sandbox)

    def _update_config(
        self, http: httpx.Client, sandbox: SandboxState, group: str
    ) -> httpx.Response | None:
        return self.send(
            http,
            group,
            "POST",
            "/update-sandbox-config",
            sandbox.key,
            json={
                "userEmail": f"soak{sandbox.index}@example.com",
                "customerId": sandbox.job_customer,
                "sandboxId": sandbox.sandbox_id,
                "persistantConfig": {"enabled": True, "mode": "forever"},
            },
        )

    # ------------------------------------------------------------------ load

    def load(self) -> float:
        """Every client back to back until the time is up; returns the elapsed seconds."""
        stop_at = time.monotonic() + self.seconds
        threads = [
            threading.Thread(target=self._client_loop, args=(number, stop_at), daemon=True)
            for number in range(self.clients)
        ]
        began = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return time.perf_counter() - began

    def _client_loop(self, number: int, stop_at: float) -> None:
        rng = random.Random(self.seed * 100_003 + number)
        sandbox = self.sandboxes[number % len(self.sandboxes)]
        group = GROUPS[(number // len(self.sandboxes)) % len(GROUPS)]
        operations = self._operations(group)
        names, weights = zip(*operations, strict=True)
        with self._client() as http:
            while time.monotonic() < stop_at:
                operation = rng.choices(names, weights)[0]
                operation(http, sandbox, rng, number)

    def _operations(
        self, group: str
    ) -> list[tuple[Callable[[httpx.Client, SandboxState, random.Random, int], None], int]]:
        if group == "fintech":
            return [
                (self._create_transfer, 40),
                (self._process_transfer, 30),
                (self._list_transactions, 10),
                (self._list_accounts, 10),
                (self._dashboard, 10),
            ]
        if group == "messaging":
            return [
                (self._signal, 20),
                (self._orchestrate, 8),
                (self._schedule, 25),
                (self._deliver_now, 10),
                (self._send_and_mark, 12),
                (self._mark_scheduled, 5),
                (self._advance, 15),
                (self._audit, 5),
            ]
        return [
            (self._update_config_op, 15),
            (self._grant, 10),
            (self._consume, 45),
            (self._get_credits, 10),
            (self._execute_job, 10),
            (self._charges, 10),
        ]

    # fintech

    @staticmethod
    def _transfer_body(sandbox: SandboxState, idempotency_key: str) -> dict[str, str]:
        # The body follows from the key, so clients sharing a key send the same request.
        digest = hashlib.sha256(idempotency_key.encode()).digest()
        funded = sandbox.funded
        source = funded[digest[0] % len(funded)]
        target = funded[(digest[0] % len(funded) + 1 + digest[1] % (len(funded) - 1)) % len(funded)]
        cents = 100 + int.from_bytes(digest[2:4]) % 5000
        return {
            "from_account_id": source,
            "to_account_id": target,
            "amount": f"{Decimal(cents) / 100:.2f}",
            "currency": CURRENCIES[digest[4] % len(CURRENCIES)],
        }

    def _create_transfer(
        self, http: httpx.Client, sandbox: SandboxState, rng: random.Random, number: int
    ) -> None:
        if rng.random() < 0.3:  # a key other clients of the sandbox use too
            key = f"soak-shared-{rng.randrange(30)}"
        else:
            key = f"soak-{number}-{rng.getrandbits(48):x}"
        body = self._transfer_body(sandbox, key)

        def create() -> None:
            with sandbox.lock:
                sandbox.transfer_keys_sent.append(key)
            response = self.send(
                http,
                "fintech",
                "POST",
                "/api/v1/sandbox/transfers",
                sandbox.key,
                json=body,
                headers={"Idempotency-Key": key},
            )
            with sandbox.lock:
                if self._ok(response):
                    assert response is not None
                    transfer_id = response.json()["id"]
                    if transfer_id not in sandbox.transfers_by_key[key]:
                        sandbox.transfers_by_key[key].add(transfer_id)
                        sandbox.transfer_ids.append(transfer_id)
                elif response is None or response.status_code >= 500:
                    sandbox.unsure["transfer"] += 1

        # Some requests go twice with the same key: one after the other, or both at once.
        copies = 2 if rng.random() < 0.25 else 1
        if copies == 2 and rng.random() < 0.5:
            create()
            create()
        else:
            at_once(create, copies)

    def _process_transfer(
        self, http: httpx.Client, sandbox: SandboxState, rng: random.Random, number: int
    ) -> None:
        with sandbox.lock:
            if not sandbox.transfer_ids:
                return
            # The newest ones mostly, so processing races creation and other processors.
            transfer_id = sandbox.transfer_ids[
                -1 - min(int(rng.expovariate(0.3)), len(sandbox.transfer_ids) - 1)
            ]
        # Processed twice at once now and then: the money must still move once.
        at_once(
            lambda: self.send(
                http,
                "fintech",
                "POST",
                f"/api/v1/sandbox/transfers/{transfer_id}/process",
                sandbox.key,
            ),
            2 if rng.random() < 0.3 else 1,
        )

    def _list_transactions(
        self, http: httpx.Client, sandbox: SandboxState, rng: random.Random, number: int
    ) -> None:
        params = {"limit": 20, **({"status": "completed"} if rng.random() < 0.5 else {})}
        self.send(
            http, "fintech", "GET", "/api/v1/sandbox/transactions", sandbox.key, params=params
        )

    def _list_accounts(
        self, http: httpx.Client, sandbox: SandboxState, rng: random.Random, number: int
    ) -> None:
        self.send(
            http, "fintech", "GET", "/api/v1/sandbox/accounts", sandbox.key, params={"limit": 20}
        )

    def _dashboard(
        self, http: httpx.Client, sandbox: SandboxState, rng: random.Random, number: int
    ) -> None:
        self.send(
            http,
            "fintech",
            "GET",
            "/api/v1/sandbox/analytics/dashboard",
            sandbox.key,
            params={"time_period": rng.choice(["24h", "7d"])},
        )

    # messaging

    @staticmethod
    def _parties(number: int) -> dict[str, str]:
        return {
            "senderId": f"snd{number}",
            "receiverId": f"rcv{number}",
            "senderTimezone": "America/New_York",
            "receiverTimezone": "UTC",
        }

    def _signal(
        self, http: httpx.Client, sandbox: SandboxState, rng: random.Random, number: int
    ) -> None:
        self.send(
            http,
            "messaging",
            "POST",
            "/api/sandbox/signals",
            sandbox.key,
            json={"userId": rng.choice(SIGNAL_USERS), "type": "user_login"},
        )

    def _orchestrate(
        self, http: httpx.Client, sandbox: SandboxState, rng: random.Random, number: int
    ) -> None:
        user = rng.choice(SIGNAL_USERS)
        self.send(http, "messaging", "POST", f"/api/sandbox/orchestrate/{user}", sandbox.key)

    def _remember_parties(self, sandbox: SandboxState, number: int) -> None:
        parties = self._parties(number)
        sandbox.senders.add(parties["senderId"])
        sandbox.receivers.add(parties["receiverId"])

    def _schedule(
        self, http: httpx.Client, sandbox: SandboxState, rng: random.Random, number: int
    ) -> None:
        with sandbox.lock:
            self._remember_parties(sandbox, number)
            due = sandbox.clock_now + timedelta(seconds=rng.randint(*SCHEDULE_LEAD_SECONDS))
        body = {**self._parties(number), "content": "soak", "scheduledFor": due.isoformat()}
        message_id = self._new_message(http, sandbox, "/api/sandbox/schedule", body)
        if message_id is not None:
            with sandbox.lock:
                sandbox.scheduled[message_id] = due

    def _deliver_now(
        self, http: httpx.Client, sandbox: SandboxState, rng: random.Random, number: int
    ) -> None:
        with sandbox.lock:
            self._remember_parties(sandbox, number)
        body = {**self._parties(number), "messageContent": "soak now"}
        message_id = self._new_message(http, sandbox, "/api/sandbox/messages/deliver", body)
        if message_id is not None:
            with sandbox.lock:
                sandbox.delivered_at_once.add(message_id)

    def _send_and_mark(
        self, http: httpx.Client, sandbox: SandboxState, rng: random.Random, number: int
    ) -> None:
        with sandbox.lock:
            self._remember_parties(sandbox, number)
        body = {**self._parties(number), "content": "soak sent"}
        message_id = self._new_message(http, sandbox, "/api/sandbox/send-message", body)
        if message_id is None:
            return
        with sandbox.lock:
            sandbox.sent.add(message_id)
        if rng.random() < 0.2:
            return  # left sent: it must never be delivered
        # A repeated mark, at once or after the first, delivers once.
        copies = 2 if rng.random() < 0.3 else 1
        if copies == 2 and rng.random() < 0.5:
            self._mark(http, sandbox, message_id)
            self._mark(http, sandbox, message_id)
        else:
            at_once(lambda: self._mark(http, sandbox, message_id), copies)

    def _new_message(
        self, http: httpx.Client, sandbox: SandboxState, path: str, body: dict[str, Any]
    ) -> str | None:
        """POST a message; its id when acknowledged. An answer that may or may not have made
        one (none, or a 5xx) is counted as unsure, so the counting afterwards allows for it."""
        response = self.send(http, "messaging", "POST", path, sandbox.key, json=body)
        if self._ok(response):
            assert response is not None
            return str(response.json()["messageId"])
        if response is None or response.status_code >= 500:
            with sandbox.lock:
                sandbox.unsure["message"] += 1
        return None

    def _mark(self, http: httpx.Client, sandbox: SandboxState, message_id: str) -> None:
        response = self.send(
            http,
            "messaging",
            "POST",
            f"/api/sandbox/message/{message_id}/mark-delivered",
            sandbox.key,
        )
        if self._ok(response):
            with sandbox.lock:
                sandbox.marked_delivered.add(message_id)

    def _mark_scheduled(
        self, http: httpx.Client, sandbox: SandboxState, rng: random.Random, number: int
    ) -> None:
        # A mark racing the clock's delivery of a waiting message: one of them delivers it.
        with sandbox.lock:
            if not sandbox.scheduled:
                return
            message_id = rng.choice(list(sandbox.scheduled)[-20:])
        self._mark(http, sandbox, message_id)

    def _advance(
        self, http: httpx.Client, sandbox: SandboxState, rng: random.Random, number: int
    ) -> None:
        response = self.send(
            http,
            "messaging",
            "POST",
            "/api/v1/sandbox/clock/advance",
            sandbox.key,
            json={"seconds": ADVANCE_SECONDS},
        )
        if self._ok(response):
            assert response is not None
            now = datetime.fromisoformat(response.json()["now"])
            with sandbox.lock:
                sandbox.clock_now = max(sandbox.clock_now, now)
                sandbox.last_advance_now = max(sandbox.last_advance_now or now, now)

    def _audit(
        self, http: httpx.Client, sandbox: SandboxState, rng: random.Random, number: int
    ) -> None:
        self.send(
            http,
            "messaging",
            "GET",
            f"/api/sandbox/audit/rcv{number}",
            sandbox.key,
            params={"limit": 20},
        )

    # manager

    def _update_config_op(
        self, http: httpx.Client, sandbox: SandboxState, rng: random.Random, number: int
    ) -> None:
        self._update_config(http, sandbox, "manager")

    def _grant(
        self, http: httpx.Client, sandbox: SandboxState, rng: random.Random, number: int
    ) -> None:
        response = self.admin(
            http,
            "manager",
            "POST",
            "/admin/credits",
            json={"customerId": sandbox.pay_customer, "amount": str(GRANT_AMOUNT)},
        )
        with sandbox.lock:
            if self._ok(response):
                sandbox.grants.append(GRANT_AMOUNT)
            elif response is None or response.status_code >= 500:
                sandbox.unsure["credits"] += 1

    def _consume(
        self, http: httpx.Client, sandbox: SandboxState, rng: random.Random, number: int
    ) -> None:
        with sandbox.lock:
            repeat = sandbox.consume_keys_sent and rng.random() < 0.3
            if repeat:  # a key already sent, by this client or another of the sandbox
                key = rng.choice(sandbox.consume_keys_sent[-30:])
            else:
                key = f"soak-consume-{number}-{rng.getrandbits(48):x}"
                sandbox.consume_keys_sent.append(key)
        copies = 2 if rng.random() < 0.2 else 1  # the same key twice at once

        def consume() -> None:
            with sandbox.lock:
                sandbox.consume_keys_tried.append(key)
            response = self.admin(
                http,
                "manager",
                "POST",
                "/consume-credits",
                json={"customerId": sandbox.pay_customer, "amount": str(CONSUME_AMOUNT)},
                headers={"Idempotency-Key": key},
            )
            with sandbox.lock:
                if self._ok(response):
                    sandbox.consumes[key] = CONSUME_AMOUNT
                elif response is None or response.status_code >= 500:
                    sandbox.unsure["credits"] += 1

        at_once(consume, copies)

    def _get_credits(
        self, http: httpx.Client, sandbox: SandboxState, rng: random.Random, number: int
    ) -> None:
        self.admin(
            http, "manager", "GET", "/get-credits", params={"customerId": sandbox.pay_customer}
        )

    def _execute_job(
        self, http: httpx.Client, sandbox: SandboxState, rng: random.Random, number: int
    ) -> None:
        self.admin(http, "manager", "POST", "/admin/execute-job")

    def _charges(
        self, http: httpx.Client, sandbox: SandboxState, rng: random.Random, number: int
    ) -> None:
        self.send(http, "manager", "GET", "/api/v1/sandbox/charges", sandbox.key)

    # ------------------------------------------------------------------ counting


def at_once(action: Callable[[], object], copies: int) -> None:
    """Run ``action`` ``copies`` times, concurrently when more than once: a double click, or
    a retry sent before the first answer came back."""
    if copies == 1:
        action()
        return
    start = threading.Barrier(copies)

    def go() -> None:
        start.wait()
        action()

    threads = [threading.Thread(target=go, daemon=True) for _ in range(copies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
