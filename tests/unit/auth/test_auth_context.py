import pytest

from sandbox_common.auth import AuthContext, Permission, Role, presented_key
from sandbox_common.errors import Forbidden, Unauthorized


def make_context(**overrides: object) -> AuthContext:
    fields: dict[str, object] = {
        "key_id": "sbx_abcdef",
        "sandbox_id": "sb_one",
        "role": Role.DEVELOPER,
        "permissions": frozenset({Permission.READ}),
        "tier": "free",
    }
    fields.update(overrides)
    return AuthContext(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Authorization": "Bearer sk_sandbox_x"}, "sk_sandbox_x"),
        ({"authorization": "bearer   sk_sandbox_x  "}, "sk_sandbox_x"),
        ({"x-api-key": "sk_sandbox_y"}, "sk_sandbox_y"),
        ({"X-API-Key": "sk_sandbox_y"}, "sk_sandbox_y"),
        ({"Authorization": "Basic abc", "x-api-key": "sk_sandbox_z"}, "sk_sandbox_z"),
        ({"Authorization": "Bearer "}, None),
        ({}, None),
        (None, None),
    ],
)
def test_key_is_read_from_bearer_or_x_api_key(headers, expected):
    assert presented_key(headers) == expected


def test_bearer_wins_over_x_api_key_when_both_are_sent():
    assert presented_key({"Authorization": "Bearer a", "x-api-key": "b"}) == "a"


def test_context_survives_the_round_trip_through_api_gateway_strings():
    context = make_context(permissions=frozenset({Permission.READ, Permission.ANALYTICS}))
    flattened = context.to_authorizer_context()
    assert all(isinstance(value, str) for value in flattened.values())
    assert AuthContext.from_authorizer_context(flattened) == context


def test_missing_authorizer_context_is_unauthorized():
    with pytest.raises(Unauthorized):
        AuthContext.from_authorizer_context(None)
    with pytest.raises(Unauthorized):
        AuthContext.from_authorizer_context({"principalId": "x"})


def test_developer_without_permission_is_forbidden():
    with pytest.raises(Forbidden, match="write"):
        make_context().require(Permission.WRITE)


def test_admin_holds_every_permission_and_passes_admin_checks():
    admin = make_context(role=Role.ADMIN, permissions=frozenset())
    admin.require(Permission.WRITE)
    admin.require_admin()


def test_developer_fails_admin_check():
    with pytest.raises(Forbidden):
        make_context().require_admin()


@pytest.mark.parametrize(
    "context",
    [
        {"key_id": "k", "sandbox_id": "s", "role": "root", "permissions": "read"},
        {"key_id": "k", "sandbox_id": "s", "role": "developer", "permissions": "read,sudo"},
    ],
)
def test_context_with_unknown_role_or_permission_is_unauthorized(context):
    with pytest.raises(Unauthorized):
        AuthContext.from_authorizer_context(context)
