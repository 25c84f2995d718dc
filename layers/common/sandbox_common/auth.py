"""Who is calling: the identity the authorizer establishes and every function reads.

The authorizer serialises an :class:`AuthContext` into API Gateway's authorizer context
(string values only) and the functions parse it back; both sides use this module, so the
shape cannot drift.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sandbox_common.errors import Forbidden, Unauthorized


class Role(StrEnum):
    """What a key may administer."""

    DEVELOPER = "developer"
    ADMIN = "admin"


class Permission(StrEnum):
    """What a key may do inside its sandbox (read, write, analytics)."""

    READ = "read"
    WRITE = "write"
    ANALYTICS = "analytics"


DEFAULT_PERMISSIONS: tuple[Permission, ...] = (
    Permission.READ,
    Permission.WRITE,
    Permission.ANALYTICS,
)


@dataclass(frozen=True)
class AuthContext:
    """The caller: its key, its sandbox, its role, permissions and usage tier."""

    key_id: str
    sandbox_id: str
    role: Role
    permissions: frozenset[Permission]
    tier: str

    @property
    def is_admin(self) -> bool:
        """True for operator keys, which may manage keys and act across sandboxes."""
        return self.role is Role.ADMIN

    def require(self, permission: Permission) -> None:
        """Raise Forbidden unless the caller holds ``permission`` (admins hold all)."""
        if not self.is_admin and permission not in self.permissions:
            raise Forbidden(f"This key lacks the '{permission}' permission")

    def require_admin(self) -> None:
        """Raise Forbidden unless the caller is an admin key."""
        if not self.is_admin:
            raise Forbidden("This operation needs an admin key")

    def to_authorizer_context(self) -> dict[str, str]:
        """Flatten into API Gateway's authorizer context (values must be strings)."""
        return {
            "key_id": self.key_id,
            "sandbox_id": self.sandbox_id,
            "role": self.role.value,
            "permissions": ",".join(sorted(p.value for p in self.permissions)),
            "tier": self.tier,
        }

    @classmethod
    def from_authorizer_context(cls, context: Mapping[str, Any] | None) -> AuthContext:
        """Parse the authorizer context of a request; Unauthorized if there is none."""
        if not context or not context.get("key_id") or not context.get("sandbox_id"):
            raise Unauthorized("This route needs an API key")
        raw_permissions = str(context.get("permissions") or "")
        try:
            return cls(
                key_id=str(context["key_id"]),
                sandbox_id=str(context["sandbox_id"]),
                role=Role(str(context.get("role") or Role.DEVELOPER.value)),
                permissions=frozenset(Permission(p) for p in raw_permissions.split(",") if p),
                tier=str(context.get("tier") or ""),
            )
        except ValueError as exc:  # an unknown role or permission: not our authorizer's
            raise Unauthorized("The request's identity is not valid") from exc


def presented_key(headers: Mapping[str, str] | None) -> str | None:
    """The key a request carries, from ``Authorization: Bearer`` or ``x-api-key``."""
    if not headers:
        return None
    lowered = {name.lower(): value for name, value in headers.items() if value is not None}
    authorization = lowered.get("authorization", "").strip()
    if authorization:
        scheme, _, credentials = authorization.partition(" ")
        if scheme.lower() == "bearer" and credentials.strip():
            return credentials.strip()
    api_key = lowered.get("x-api-key", "").strip()
    return api_key or None
