"""API Gateway API keys and usage plans: the gateway half of a sandbox key."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sandbox_common.errors import InvalidInput, UpstreamError
from sandbox_common.usage_plans import PlanLimits


@contextmanager
def _gateway_errors(action: str, *, missing_ok: bool = False) -> Iterator[None]:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if missing_ok and code == "NotFoundException":
            return
        raise UpstreamError(f"API Gateway failed to {action}: {code or exc}") from exc
    except BotoCoreError as exc:
        raise UpstreamError(f"API Gateway unreachable while trying to {action}") from exc


class ApiGatewayKeys:
    """Creates, enables, disables and moves API Gateway API keys between usage plans."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def create_key(self, *, name: str, value: str, description: str) -> str:
        """Create an enabled API key with the given value; returns its gateway id."""
        with _gateway_errors("create the API key"):
            created = self._client.create_api_key(
                name=name, value=value, description=description, enabled=True
            )
        return str(created["id"])

    def attach(self, plan_id: str, gateway_key_id: str) -> None:
        """Put the key in a usage plan."""
        with _gateway_errors("add the key to its usage plan"):
            self._client.create_usage_plan_key(
                usagePlanId=plan_id, keyId=gateway_key_id, keyType="API_KEY"
            )

    def detach(self, plan_id: str, gateway_key_id: str) -> None:
        """Take the key out of a usage plan (no error if it was not there)."""
        with _gateway_errors("remove the key from its usage plan", missing_ok=True):
            self._client.delete_usage_plan_key(usagePlanId=plan_id, keyId=gateway_key_id)

    def set_enabled(self, gateway_key_id: str, enabled: bool) -> None:
        """Enable or disable the key; a disabled key is refused by API Gateway at once."""
        with _gateway_errors("change the key's state"):
            self._client.update_api_key(
                apiKey=gateway_key_id,
                patchOperations=[
                    {"op": "replace", "path": "/enabled", "value": str(enabled).lower()}
                ],
            )

    def delete(self, gateway_key_id: str) -> None:
        """Delete the key (no error if it is already gone)."""
        with _gateway_errors("delete the API key", missing_ok=True):
            self._client.delete_api_key(apiKey=gateway_key_id)

    def usage_plan(self, plan_id: str) -> dict[str, Any]:
        """The usage plan as API Gateway describes it (throttle, quota)."""
        with _gateway_errors("read the usage plan"):
            plan: dict[str, Any] = self._client.get_usage_plan(usagePlanId=plan_id)
        return plan


class PlanCatalog:
    """Tier name -> usage plan id (from config) and its limits (from API Gateway, cached).

    The limits are declared once, on the usage plans in template.yaml; asking API Gateway
    for them keeps every other place free of copies.
    """

    def __init__(
        self,
        gateway: ApiGatewayKeys,
        plan_ids: dict[str, str],
        *,
        ttl_seconds: float,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._gateway = gateway
        self._plan_ids = dict(plan_ids)
        self._ttl = ttl_seconds
        self._monotonic = monotonic
        self._cache: dict[str, tuple[float, PlanLimits]] = {}
        self._lock = threading.Lock()

    @property
    def tiers(self) -> tuple[str, ...]:
        """Every tier a key may be placed in."""
        return tuple(self._plan_ids)

    def plan_id(self, tier: str) -> str:
        """The usage plan id of a tier; InvalidInput for an unknown tier."""
        try:
            return self._plan_ids[tier]
        except KeyError:
            allowed = ", ".join(self._plan_ids) or "none configured"
            raise InvalidInput(f"Unknown tier '{tier}' (allowed: {allowed})") from None

    def limits(self, tier: str) -> PlanLimits | None:
        """The tier's throttle and quota, or None for a tier without a plan (bootstrap admin)."""
        plan_id = self._plan_ids.get(tier)
        if plan_id is None:
            return None
        now = self._monotonic()
        with self._lock:
            cached = self._cache.get(plan_id)
        if cached and now - cached[0] < self._ttl:
            return cached[1]
        limits = PlanLimits.from_usage_plan(self._gateway.usage_plan(plan_id))
        with self._lock:
            self._cache[plan_id] = (now, limits)
        return limits
