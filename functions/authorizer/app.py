"""Lambda authorizer (REQUEST): sandbox key -> sandbox, role, permissions, usage plan key.

API Gateway answers 401 when the authorizer raises ``Unauthorized`` (no key at all) and 403
on a Deny policy (unknown, revoked, expired or malformed key). ``usageIdentifierKey`` is
the key itself, so API Gateway applies that key's usage plan (API key source AUTHORIZER).
"""

from __future__ import annotations

from typing import Any

from sandbox_common import providers
from sandbox_common.auth import presented_key
from sandbox_common.aws.ssm import bootstrap_admin_key
from sandbox_common.keys.authentication import authenticate
from sandbox_common.observability import get_logger, per_request_log_keys

logger = get_logger("authorizer")


@per_request_log_keys(logger, correlation_id_path="requestContext.requestId")
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Authorize one request."""
    presented = presented_key(event.get("headers"))
    if presented is None:
        # The exact message API Gateway maps to its UNAUTHORIZED (401) response.
        raise Exception("Unauthorized")
    identity = authenticate(
        presented,
        keys=providers.keys_repository(),
        bootstrap_admin_key=bootstrap_admin_key,
        now=providers.clock().now(),
    )
    method_arn = str(event.get("methodArn", ""))
    if identity is None:
        logger.info("key refused")
        return _policy("anonymous", "Deny", method_arn)
    logger.info(
        "key accepted", extra={"key_id": identity.key_id, "sandbox_id": identity.sandbox_id}
    )
    return {
        **_policy(identity.key_id, "Allow", _whole_stage(method_arn)),
        "context": identity.to_authorizer_context(),
        "usageIdentifierKey": presented,
    }


def _policy(principal_id: str, effect: str, resource: str) -> dict[str, Any]:
    return {
        "principalId": principal_id,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource}],
        },
    }


def _whole_stage(method_arn: str) -> str:
    """``arn:…:api/stage/GET/path`` -> ``arn:…:api/stage/*``, valid for every route.

    The identity is the same whatever the route, so the policy need not be per route, and
    stays correct if the result cache is ever switched on.
    """
    arn_prefix, _, path = method_arn.partition("/")
    stage = path.split("/", 1)[0]
    return f"{arn_prefix}/{stage}/*" if arn_prefix and stage else method_arn
