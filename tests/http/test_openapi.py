"""GET /openapi.json, and schemathesis over that document through the local runtime.

The document is public. Every operation of it is called with generated valid and invalid
input, with the admin key, with a developer key whose sandbox is initialized, and with no
key: no answer may be a 5xx, and every answer must be a status, content type, body and
headers the document declares. The pass iterates the document, so a new group is fuzzed
from its first route.

Then the stateful phase, with each role's key: schemathesis chains calls along the document's
links (a created key is read, changed, rotated and revoked; a sent message is marked read and
its rules evaluated), so the operations on a resource run on one that exists. The same checks
hold for every call of a sequence, and a resource just created must not be missing (404) to
the call that follows its link.

Bounded for `make test` (a few examples per operation and a few short sequences,
derandomized so a failure repeats); `make fuzz` sets FUZZ_MAX_EXAMPLES, FUZZ_COVERAGE,
FUZZ_STATEFUL_EXAMPLES and FUZZ_STATEFUL_STEPS for a longer run.
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import hypothesis
import pytest
import schemathesis
from schemathesis import checks
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi import stateful as openapi_stateful

from local_runtime import LocalRuntime
from local_runtime.openapi_document import DOCUMENT_PATH

MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "4"))
# Schemathesis's coverage phase adds every schema boundary (lengths, bounds, enum edges,
# missing required parts) deterministically: hundreds of calls, so `make fuzz` only.
COVERAGE_PHASE = os.environ.get("FUZZ_COVERAGE") == "1"
# Sequences along the document's links, per role, and the calls each may chain.
STATEFUL_EXAMPLES = int(os.environ.get("FUZZ_STATEFUL_EXAMPLES", "20"))
STATEFUL_STEPS = int(os.environ.get("FUZZ_STATEFUL_STEPS", "8"))
# Each sequence starts within one part of the API (its functions, by tag), so that every part
# gets sequences of its own; a link may lead to another function of the same part.
STATEFUL_GROUPS = ["keys", "environment+manager+payments", "ledger", "behavior+messages"]
# Initialize and reset write every generated record in the request; the pass keeps data sets
# small so its time stays bounded (initialize_latency.py measures the big ones).
DATA_SET_CAPS = {"accounts": 25, "transactions": 60, "compliance_records": 10}
DATA_SET_PATHS = ("/api/v1/sandbox/initialize", "/api/v1/sandbox/reset")

CONFIG = SchemathesisConfig.from_dict(
    {
        # Generation speed depends on the machine's load, not on the API under test.
        "suppress-health-check": ["too_slow"],
        "generation": {
            "mode": "all",
            "max-examples": MAX_EXAMPLES,
            "deterministic": True,
            "database": "none",
            "no-shrink": True,
            # The key is sent by the test, one per role; generated credentials would be noise.
            "with-security-parameters": False,
        },
        "phases": {
            "coverage": {"enabled": COVERAGE_PHASE},
            "stateful": {
                "enabled": True,
                "max-steps": STATEFUL_STEPS,
                # Valid requests, so that resources get created for the links to follow; the
                # phases before send the invalid ones.
                "generation": {"mode": "positive"},
                # The document's own links only: what it promises is what is tested (inferred
                # links would guess, e.g. a scenario id from the analytics answer).
                "inference": {"algorithms": []},
            },
        },
    }
)
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
    checks.negative_data_rejection,
]
# Revoking a key (DELETE) keeps it readable with status "revoked", so schemathesis's
# use-after-free check does not apply; a resource just created must be found, though.
STATEFUL_CHECKS = [*CHECKS, checks.ensure_resource_availability]

schema = schemathesis.openapi.from_path(DOCUMENT_PATH, config=CONFIG)


@pytest.fixture(scope="module")
def keys(runtime: LocalRuntime, admin_key: str) -> dict[str, str]:
    """The admin key, and a pro-tier developer key (its quota outlasts the pass) whose
    sandbox holds a small data set."""
    with httpx.Client(base_url=runtime.endpoint, timeout=30) as http:
        created = http.post(
            "/api/v1/sandbox/keys",
            headers={"Authorization": f"Bearer {admin_key}"},
            json={"developer_name": "Fuzz", "developer_email": "fuzz@example.com", "tier": "pro"},
        )
        assert created.status_code == 201, created.text
        developer = created.json()["api_key"]
        initialized = http.post(
            "/api/v1/sandbox/initialize",
            headers={"x-api-key": developer},
            json={"seed": 7, **DATA_SET_CAPS},
        )
        assert initialized.status_code == 200, initialized.text
    return {"admin": admin_key, "developer": developer}


@pytest.fixture(scope="module", params=["admin", "developer", "no key"])
def credentials(request: pytest.FixtureRequest, keys: dict[str, str]) -> Iterator[dict[str, str]]:
    """Each role's key in turn, then none (the gateway's 401 and the public routes)."""
    key = keys.get(request.param)
    yield {"Authorization": f"Bearer {key}"} if key else {}


def _bounded(case: Any) -> None:
    if case.path in DATA_SET_PATHS and isinstance(case.body, dict):
        for name, cap in DATA_SET_CAPS.items():
            value = case.body.get(name)
            if isinstance(value, int) and not isinstance(value, bool) and value > cap:
                case.body[name] = cap


def test_the_document_is_served_without_a_key(client):
    response = client.get("/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.content == DOCUMENT_PATH.read_bytes()
    assert response.json()["openapi"].startswith("3.")
    assert "X-RateLimit-Limit" not in response.headers  # no key, no quota


def test_a_key_is_not_needed_but_does_no_harm(client, admin_key):
    response = client.get("/openapi.json", headers={"x-api-key": admin_key})
    assert response.status_code == 200
    assert response.content == DOCUMENT_PATH.read_bytes()


@schema.parametrize()
def test_every_operation_answers_as_documented(
    case: Any, credentials: dict[str, str], runtime: LocalRuntime
):
    _bounded(case)
    case.call_and_validate(
        base_url=runtime.endpoint,
        headers=credentials,
        checks=CHECKS,
        timeout=30,
    )


@pytest.mark.parametrize("group", STATEFUL_GROUPS)
@pytest.mark.parametrize("role", ["admin", "developer"])
def test_linked_operations_answer_as_documented_in_sequence(
    role: str,
    group: str,
    keys: dict[str, str],
    runtime: LocalRuntime,
    monkeypatch: pytest.MonkeyPatch,
):
    # Schemathesis starts sequences at creates and lists, but not at one whose body has a
    # field it takes for a foreign key (sandbox_id, customerId, senderId, from_account_id)
    # when no operation seems to produce that resource. Here those are free values or
    # resources made on first use, so such a create starts sequences like any other.
    monkeypatch.setattr(openapi_stateful, "is_likely_root_transition", _starts_a_sequence)
    calls = _Calls()
    machine = _state_machine(
        schema.include(tag=group.split("+")),
        {"Authorization": f"Bearer {keys[role]}"},
        runtime.endpoint,
        calls,
    )
    try:
        machine.run(
            settings=hypothesis.settings(
                max_examples=STATEFUL_EXAMPLES,
                stateful_step_count=STATEFUL_STEPS,
                deadline=None,
                derandomize=True,
                database=None,
                phases=[hypothesis.Phase.generate],
                suppress_health_check=list(hypothesis.HealthCheck),
            )
        )
    except hypothesis.errors.FlakyStrategyDefinition:
        # Two sequences that start alike met a different API (a list that was empty no longer
        # is), which Hypothesis takes for flaky generation; schemathesis's own runner ends the
        # phase there too. A failed check is another error and fails the test.
        calls.ended_early = True
    summary = calls.summary(f"{role}, {group}")
    sys.stdout.write(summary)
    # Not a vacuous pass: links were followed to answers that succeeded.
    assert calls.followed_to_success, summary


def _starts_a_sequence(operation: Any, *_: Any) -> bool:
    return operation.method == "post" or (
        operation.method == "get" and not operation.path_parameters
    )


class _Calls:
    """What the stateful phase did: the links it followed and the answers it got."""

    def __init__(self) -> None:
        self.sequences = 0
        self.ended_early = False
        self.statuses: Counter[str] = Counter()
        self.links: Counter[tuple[str, bool]] = Counter()
        self.refused: Counter[str] = Counter()

    def record(self, operation: str, link: str | None, status: int) -> None:
        self.statuses[f"{status // 100}xx"] += 1
        if status >= 400:
            self.refused[f"{operation} {status}"] += 1
        if link is not None:
            self.links[(link, 200 <= status < 300)] += 1

    @property
    def followed_to_success(self) -> set[str]:
        return {link for link, succeeded in self.links if succeeded}

    def summary(self, label: str) -> str:
        followed = {link for link, _ in self.links}
        statuses = ", ".join(f"{kind} {count}" for kind, count in sorted(self.statuses.items()))
        lines = [
            f"stateful ({label}): {self.sequences} sequences, {self.statuses.total()} calls "
            f"({statuses}); {len(followed)} links followed, "
            f"{len(self.followed_to_success)} to a 2xx"
            + ("; ended early: the API's state diverged" if self.ended_early else "")
        ]
        lines += [f"  {link}" for link in sorted(self.followed_to_success)]
        lines += [f"  refused: {answer} x{count}" for answer, count in self.refused.most_common(4)]
        return "\n".join(lines) + "\n"


def _state_machine(linked: Any, headers: dict[str, str], base_url: str, calls: _Calls) -> Any:
    """Schemathesis's state machine over the links of ``linked``, calling with ``headers``."""

    class Sequences(linked.as_state_machine()):  # type: ignore[misc]
        # Shuffles which create or list starts a sequence (fixed, so a failure repeats).
        rule_order_seed = 7

        def setup(self) -> None:
            calls.sequences += 1

        def step(self, input: Any) -> Any:
            self._link = input.transition.id if input.transition and input.is_applied else None
            return super().step(input)

        def before_call(self, case: Any) -> None:
            _bounded(case)

        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"base_url": base_url, "headers": headers, "timeout": 30}

        def after_call(self, response: Any, case: Any) -> None:
            super().after_call(response, case)
            calls.record(case.operation.label, self._link, response.status_code)

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            kwargs.pop("additional_checks", None)
            case.validate_response(
                response, checks=STATEFUL_CHECKS, transport_kwargs=kwargs, recorder=self.recorder
            )

    return Sequences
