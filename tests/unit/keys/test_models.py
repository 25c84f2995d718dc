from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from sandbox_common.auth import Permission
from sandbox_common.keys.models import ApiKeyRecord, KeyCreate, KeyPublic, KeyStatus

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def make_record(**overrides: object) -> ApiKeyRecord:
    fields: dict[str, object] = {
        "key_id": "sbx_abcdef",
        "key_hash": "h" * 64,
        "secret_hash": "s" * 64,
        "key_prefix": "sk_sandbox_abcd…",
        "sandbox_id": "sb_one",
        "developer_name": "Ada",
        "developer_email": "ada@example.com",
        "permissions": [Permission.READ],
        "tier": "free",
        "gateway_key_id": "gw1",
        "created_at": NOW - timedelta(days=1),
        "expires_at": NOW + timedelta(days=89),
    }
    fields.update(overrides)
    return ApiKeyRecord.model_validate(fields)


def test_permissions_default_to_seed_read_write_analytics():
    request = KeyCreate(developer_name="Ada", developer_email="ada@example.com")
    assert request.granted_permissions() == [
        Permission.READ,
        Permission.WRITE,
        Permission.ANALYTICS,
    ]


@pytest.mark.parametrize(
    "body",
    [
        {"developer_name": "Ada", "developer_email": "not-an-email"},
        {"developer_name": "", "developer_email": "ada@example.com"},
        {"developer_name": "x" * 101, "developer_email": "ada@example.com"},
        {"developer_name": "Ada", "developer_email": "ada@example.com", "admin": True},
        {"developer_name": "Ada", "developer_email": "ada@example.com", "permissions": ["root"]},
        {"developer_name": "Ada", "developer_email": "ada@example.com", "permissions": []},
        {
            "developer_name": "Ada",
            "developer_email": "a@example.com",
            "permissions": ["read", "read"],
        },
        {"developer_name": "Ada", "developer_email": "ada@example.com", "sandbox_id": "bad id!"},
        {"developer_name": "Ada", "developer_email": "ada@example.com", "tier": "Gold Plan"},
        {"developer_name": 5, "developer_email": "ada@example.com"},
    ],
)
def test_bad_key_requests_are_rejected(body):
    with pytest.raises(ValidationError):
        KeyCreate.model_validate(body)


def test_active_unexpired_key_is_usable():
    assert make_record().is_usable(NOW)


def test_expired_key_is_not_usable():
    assert not make_record(expires_at=NOW).is_usable(NOW)


def test_revoked_key_is_not_usable():
    assert not make_record(status=KeyStatus.REVOKED).is_usable(NOW)


def test_public_view_has_no_hashes():
    public = KeyPublic.of(make_record(), NOW).model_dump()
    assert "key_hash" not in public and "secret_hash" not in public
    assert public["is_active"] is True
