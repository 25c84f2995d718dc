"""GET /openapi.json, and schemathesis over that document through the local runtime.

The document is public. Every operation of it is called with generated valid and invalid
input, with the admin key, with a developer key whose sandbox is initialized, and with no
key: no answer may be a 5xx, and every answer must be a status, content type, body and
headers the document declares. The pass iterates the document, so a new group is fuzzed
from its first route.

Bounded for `make test` (a few examples per operation, derandomized so a failure repeats);
`make fuzz` sets FUZZ_MAX_EXAMPLES and FUZZ_COVERAGE for a longer run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from schemathesis import checks
from schemathesis.config import SchemathesisConfig

from local_runtime import LocalRuntime
from local_runtime.openapi_document import DOCUMENT_PATH

MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "4"))
# Schemathesis's coverage phase adds every schema boundary (lengths, bounds, enum edges,
# missing required parts) deterministically: hundreds of calls, so `make fuzz` only.
COVERAGE_PHASE = os.environ.get("FUZZ_COVERAGE") == "1"
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
        "phases": {"coverage": {"enabled": COVERAGE_PHASE}, "stateful": {"enabled": False}},
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
