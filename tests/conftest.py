"""Test-wide environment: a fake AWS account that no test can reach for real.

It also holds the local runtime fixtures that tests/http and tests/contract share; they
serve the real template.yaml. `runtime` is module-scoped: each test module gets a fresh
stack (moto is reset on start), and the process environment the runtime sets
(AWS_ENDPOINT_URL, table names...) is restored when the module ends, so later test
directories (integration tests under `mock_aws`) are not pointed at a stopped server. The
admin key is session-wide so that anything a handler cached from an earlier module (the
bootstrap key read from SSM) stays valid; moto ids are stable across restarts for the same
reason.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from local_runtime import LocalRuntime, generate_admin_key

# Set before any test module imports boto3 or a function, so nothing sees a real account.
for name, value in {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "POWERTOOLS_METRICS_DISABLED": "true",
    "POWERTOOLS_TRACE_DISABLED": "true",
}.items():
    os.environ[name] = value
os.environ.pop("AWS_PROFILE", None)
os.environ.pop("AWS_ENDPOINT_URL", None)

PROJECT_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def admin_key() -> str:
    """The bootstrap admin key of every runtime of the session."""
    return generate_admin_key()


@pytest.fixture(scope="module")
def runtime(admin_key: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalRuntime]:
    """The whole API from template.yaml on a free port; its demo developer key is made.

    Its .sandbox/local.json goes to a temporary folder, never over a developer's `make run`.
    """
    project = tmp_path_factory.mktemp("runtime")
    with LocalRuntime(
        PROJECT_ROOT / "template.yaml", port=0, admin_key=admin_key, project_root=project
    ) as started:
        yield started


@pytest.fixture(scope="module")
def client(runtime: LocalRuntime) -> Iterator[httpx.Client]:
    """An HTTP client on the runtime's endpoint."""
    with httpx.Client(base_url=runtime.endpoint, timeout=30) as http:
        yield http
