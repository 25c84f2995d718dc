"""Key models: the stored record, the request bodies and the public shapes."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    WithJsonSchema,
    field_validator,
)

from sandbox_common.auth import DEFAULT_PERMISSIONS, AuthContext, Permission, Role
from sandbox_common.sandboxes.models import SandboxId

DeveloperName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)
]
# The tiers are the deployment's usage plans (settings.usage_plan_ids), checked when a key is
# placed; the OpenAPI build lists the template's as this schema's enum (the marker).
TierName = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9_-]{1,32}$"),
    WithJsonSchema({"type": "string", "x-sandbox-tiers": True}),
]


class KeyStatus(StrEnum):
    """A key is active until revoked (rotation revokes the old key)."""

    ACTIVE = "active"
    REVOKED = "revoked"


class ApiKeyRecord(BaseModel):
    """A sandbox key as stored: hashes only, never the clear key or secret."""

    key_id: str
    key_hash: str
    secret_hash: str
    key_prefix: str
    sandbox_id: str
    developer_name: str
    developer_email: str
    permissions: list[Permission]
    role: Role = Role.DEVELOPER
    tier: str
    status: KeyStatus = KeyStatus.ACTIVE
    gateway_key_id: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None
    replaced_by: str | None = None
    # When a request last presented it, recorded at most every few minutes
    # (``keys.authentication.use_worth_recording``).
    last_used_at: datetime | None = None

    def is_usable(self, now: datetime) -> bool:
        """Active and not expired."""
        return self.status is KeyStatus.ACTIVE and now < self.expires_at

    def auth_context(self) -> AuthContext:
        """The identity this key gives its bearer."""
        return AuthContext(
            key_id=self.key_id,
            sandbox_id=self.sandbox_id,
            role=self.role,
            permissions=frozenset(self.permissions),
            tier=self.tier,
        )


class KeyCreate(BaseModel):
    """``POST /api/v1/sandbox/keys`` body."""

    model_config = ConfigDict(extra="forbid")

    developer_name: DeveloperName
    developer_email: EmailStr
    permissions: list[Permission] | None = Field(
        default=None,
        min_length=1,
        max_length=len(Permission),
        json_schema_extra={"uniqueItems": True},
    )
    tier: TierName | None = None
    sandbox_id: SandboxId | None = None
    role: Role = Role.DEVELOPER

    @field_validator("permissions")
    @classmethod
    def _unique(cls, value: list[Permission] | None) -> list[Permission] | None:
        if value is not None and len(set(value)) != len(value):
            raise ValueError("permissions must not repeat")
        if value is not None and not value:
            raise ValueError("a key needs at least one permission")
        return value

    def granted_permissions(self) -> list[Permission]:
        """The permissions asked for, or the defaults (read, write, analytics)."""
        return list(self.permissions) if self.permissions else list(DEFAULT_PERMISSIONS)


class KeyUpdate(BaseModel):
    """``PATCH /api/v1/sandbox/keys/{key_id}`` body: move the key to another tier."""

    model_config = ConfigDict(extra="forbid")

    tier: TierName


class KeyCreated(BaseModel):
    """The one response that shows the clear key and secret."""

    api_key: str
    api_secret: str
    key_id: str
    sandbox_id: str
    developer_name: str
    developer_email: str
    permissions: list[Permission]
    role: Role
    tier: str
    created_at: datetime
    expires_at: datetime
    environment: Literal["sandbox"] = "sandbox"


class KeyPublic(BaseModel):
    """A key as listed: no secrets, only a short prefix to recognise it by."""

    key_id: str
    key_prefix: str
    sandbox_id: str
    developer_name: str
    developer_email: str
    permissions: list[Permission]
    role: Role
    tier: str
    status: KeyStatus
    is_active: bool
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    replaced_by: str | None
    # When a request last used the key (to a few minutes), None if never.
    last_used: datetime | None = None
    environment: Literal["sandbox"] = "sandbox"

    @classmethod
    def of(cls, record: ApiKeyRecord, now: datetime) -> KeyPublic:
        """The public view of a stored key."""
        return cls(
            key_id=record.key_id,
            key_prefix=record.key_prefix,
            sandbox_id=record.sandbox_id,
            developer_name=record.developer_name,
            developer_email=record.developer_email,
            permissions=record.permissions,
            role=record.role,
            tier=record.tier,
            status=record.status,
            is_active=record.is_usable(now),
            created_at=record.created_at,
            expires_at=record.expires_at,
            revoked_at=record.revoked_at,
            replaced_by=record.replaced_by,
            last_used=record.last_used_at,
        )
