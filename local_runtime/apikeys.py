"""API keys and usage-plan membership, read live from moto's in-process API Gateway backend.

moto stores keys and plans but enforces neither. The runtime reads the backend's objects
directly (not over HTTP) because this runs on every keyed request: disabling a key or moving
it to another plan through the API takes effect on the next request, at dictionary speed.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from local_runtime.aws import moto_backend
from sandbox_common.usage_plans import PlanLimits

__all__ = ["ApiKeyDirectory", "KeyLookup", "KeyStatus", "MotoApiKeyDirectory"]


class KeyStatus(enum.Enum):
    """Whether a key value may call the API, and if not, why."""

    OK = "ok"
    UNKNOWN = "unknown"
    DISABLED = "disabled"
    NOT_IN_PLAN = "not_in_plan"  # in no usage plan of this API stage


@dataclass(frozen=True)
class KeyLookup:
    """A key value's status; for an OK key, its id, its plan and the plan's limits."""

    status: KeyStatus
    key_id: str | None = None
    plan_id: str | None = None
    limits: PlanLimits | None = None


class ApiKeyDirectory(Protocol):
    """Where the gateway looks API keys up."""

    def lookup(self, value: str) -> KeyLookup:
        """The status of the key with this value."""
        ...


class MotoApiKeyDirectory:
    """Keys and usage plans of one API stage, as moto's apigateway backend holds them."""

    def __init__(self, api_id: str, stage: str, backend: Callable[[], Any] | None = None) -> None:
        self.api_id = api_id
        self.stage = stage
        self._backend = backend or (lambda: moto_backend("apigateway"))
        # value → key id; verified on every hit because keys can be deleted or re-valued.
        self._ids: dict[str, str] = {}

    def _find_key(self, backend: Any, value: str) -> Any:
        key_id = self._ids.get(value)
        if key_id is not None:
            key = backend.keys.get(key_id)
            if key is not None and key.value == value:
                return key
        for key in _snapshot(backend.keys):
            if key.value == value:
                self._ids[value] = key.id
                return key
        return None

    def _serves_stage(self, plan: Any) -> bool:
        return any(
            stage.get("apiId") == self.api_id and stage.get("stage") == self.stage
            for stage in plan.api_stages or []
        )

    def lookup(self, value: str) -> KeyLookup:
        """The key's status, read from moto now."""
        backend = self._backend()
        key = self._find_key(backend, value)
        if key is None:
            return KeyLookup(KeyStatus.UNKNOWN)
        if not key.enabled:
            return KeyLookup(KeyStatus.DISABLED, key_id=key.id)
        for plan_id, members in sorted(_snapshot_items(backend.usage_plan_keys)):
            if key.id not in members:
                continue
            plan = backend.usage_plans.get(plan_id)
            if plan is None or not self._serves_stage(plan):
                continue
            limits = PlanLimits.from_usage_plan({"throttle": plan.throttle, "quota": plan.quota})
            return KeyLookup(KeyStatus.OK, key_id=key.id, plan_id=plan_id, limits=limits)
        return KeyLookup(KeyStatus.NOT_IN_PLAN, key_id=key.id)


def _snapshot(mapping: dict[str, Any]) -> list[Any]:
    # moto's server threads may add keys while we read; copy, retrying on a concurrent resize.
    for _ in range(5):
        try:
            return list(mapping.values())
        except RuntimeError:
            continue
    return list(dict(mapping).values())


def _snapshot_items(mapping: dict[str, Any]) -> list[tuple[str, Any]]:
    for _ in range(5):
        try:
            return list(mapping.items())
        except RuntimeError:
            continue
    return list(dict(mapping).items())
