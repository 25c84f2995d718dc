"""Recording a request never fails the request: a touch that loses a race writes nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

from sandbox_common.errors import UpstreamError
from sandbox_common.sandboxes.models import Sandbox
from sandbox_common.storage.sandboxes_repository import SandboxesRepository

READ_AT = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


class RefusingTable:
    """A sandboxes table whose every UpdateItem is refused with ``code``."""

    name = "sandboxes"

    def __init__(self, code: str) -> None:
        self.code = code

    def update_item(self, **_: Any) -> None:
        raise ClientError({"Error": {"Code": self.code, "Message": "refused"}}, "UpdateItem")


def read_sandbox() -> Sandbox:
    return Sandbox(sandbox_id="sb-touch", created_at=READ_AT, last_active_at=READ_AT)


@pytest.mark.parametrize(
    "code", ["ConditionalCheckFailedException", "TransactionConflictException"]
)
def test_a_touch_refused_by_a_race_returns_the_sandbox_as_read(code):
    sandboxes = SandboxesRepository(RefusingTable(code), data_table="data")
    sandbox = read_sandbox()
    assert sandboxes.touch(sandbox, datetime(2026, 5, 1, 13, 0, tzinfo=UTC), woke=True) == sandbox


def test_a_touch_that_fails_otherwise_is_an_upstream_error():
    sandboxes = SandboxesRepository(RefusingTable("InternalServerError"), data_table="data")
    with pytest.raises(UpstreamError):
        sandboxes.touch(read_sandbox(), datetime(2026, 5, 1, 13, 0, tzinfo=UTC), woke=False)
