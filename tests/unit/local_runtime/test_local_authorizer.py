"""Lambda authorizers as API Gateway runs them: policy evaluation, failures, result cache."""

from __future__ import annotations

from typing import Any

import pytest

from local_runtime.authorizer import (
    AuthDecision,
    AuthorizerConfig,
    LambdaAuthorizer,
    MalformedAuthorizerResult,
    arn_matches,
    evaluate_policy,
)
from local_runtime.events import ApiInfo, RequestIdentity
from local_runtime.messages import HttpRequest
from local_runtime.routing import Route, RouteMatch

API = ApiInfo(api_id="abc123", stage="v1", account_id="123456789012", region="us-east-1")
ARN = "arn:aws:execute-api:us-east-1:123456789012:abc123/v1/GET/api/v1/sandbox/keys"
MATCH = RouteMatch(Route("/api/v1/sandbox/keys", "GET", "KeysFunction", "Auth", True), {})


def policy(*statements: tuple[str, str]) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource}
            for effect, resource in statements
        ],
    }


# ---------------------------------------------------------------- policy


@pytest.mark.parametrize(
    ("pattern", "matches"),
    [
        (ARN, True),
        ("arn:aws:execute-api:us-east-1:123456789012:abc123/v1/*", True),
        ("arn:aws:execute-api:us-east-1:123456789012:abc123/*/GET/*", True),
        ("arn:aws:execute-api:us-east-1:123456789012:abc123/v?/GET/api/v1/sandbox/keys", True),
        ("arn:aws:execute-api:us-east-1:123456789012:abc123/v1/POST/*", False),
        ("arn:aws:execute-api:us-east-1:123456789012:other/v1/*", False),
        ("*", True),
    ],
)
def test_resource_wildcards_match_like_iam(pattern: str, matches: bool) -> None:
    assert arn_matches(pattern, ARN) is matches


def test_allow_matching_the_method_arn_allows() -> None:
    assert evaluate_policy(policy(("Allow", "arn:aws:execute-api:*:*:abc123/v1/*")), ARN)


def test_no_matching_allow_is_an_implicit_deny() -> None:
    assert not evaluate_policy(policy(("Allow", "arn:aws:execute-api:*:*:abc123/v1/POST/*")), ARN)


def test_a_matching_deny_beats_an_allow() -> None:
    assert not evaluate_policy(policy(("Allow", "*"), ("Deny", ARN)), ARN)


def test_statement_for_another_action_is_ignored() -> None:
    document = {"Statement": [{"Action": "s3:GetObject", "Effect": "Allow", "Resource": "*"}]}

    assert not evaluate_policy(document, ARN)


def test_single_statement_object_and_lists_of_actions_and_resources_are_accepted() -> None:
    document = {
        "Statement": {"Action": ["execute-api:*"], "Effect": "Allow", "Resource": ["x", ARN]}
    }

    assert evaluate_policy(document, ARN)


@pytest.mark.parametrize(
    "document",
    [None, {}, {"Statement": [{"Action": "execute-api:Invoke", "Resource": "*"}]}],
)
def test_malformed_policy_is_refused(document: Any) -> None:
    with pytest.raises(MalformedAuthorizerResult):
        evaluate_policy(document, ARN)


# ---------------------------------------------------------------- config


def test_sam_request_authorizer_config_reads_identity_sources() -> None:
    config = AuthorizerConfig.from_sam(
        "Auth",
        {
            "FunctionPayloadType": "REQUEST",
            "Identity": {
                "Headers": ["Authorization"],
                "QueryStrings": ["k"],
                "ReauthorizeEvery": 60,
            },
        },
        "AuthorizerFunction",
    )

    assert config.payload_type == "REQUEST"
    assert config.headers == ("Authorization",)
    assert config.query_strings == ("k",)
    assert config.ttl_seconds == 60


def test_sam_default_is_token_authorizer_on_authorization_header_cached_300s() -> None:
    config = AuthorizerConfig.from_sam("Auth", {"FunctionArn": "arn"}, "Fn")

    assert (config.payload_type, config.token_header, config.ttl_seconds) == (
        "TOKEN",
        "Authorization",
        300,
    )


# ---------------------------------------------------------------- running it


class RecordingAuthorizer:
    """An authorizer function that allows `good…` keys and records its calls."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def __call__(self, event: dict[str, Any]) -> dict[str, Any]:
        self.calls.append(event)
        headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
        key = headers.get("x-api-key") or (event.get("authorizationToken") or "").removeprefix(
            "Bearer "
        )
        if not key:
            raise Exception("Unauthorized")
        if key == "crash":
            raise ValueError("bug in the authorizer")
        if key == "nested":
            return {
                "principalId": "p",
                "policyDocument": policy(("Allow", "*")),
                "context": {"a": {}},
            }
        effect = "Allow" if key.startswith("good") else "Deny"
        return {
            "principalId": f"user-{key}",
            "policyDocument": policy((effect, "arn:aws:execute-api:*:*:abc123/v1/GET/*")),
            "context": {"sandbox_id": "sb_1", "count": 2, "admin": False},
            "usageIdentifierKey": key,
        }


def request(method: str = "GET", **headers: str) -> HttpRequest:
    return HttpRequest(
        method=method,
        path="/api/v1/sandbox/keys",
        headers=[(k.replace("_", "-"), v) for k, v in headers.items()],
    )


def authorize(authorizer: LambdaAuthorizer, req: HttpRequest):  # type: ignore[no-untyped-def]
    return authorizer.authorize(req, MATCH, API, RequestIdentity("req", 0.0))


def request_authorizer(
    clock: Any, ttl: int = 0, headers: tuple[str, ...] = ()
) -> tuple[LambdaAuthorizer, RecordingAuthorizer]:
    function = RecordingAuthorizer()
    config = AuthorizerConfig("Auth", "Fn", "REQUEST", ttl_seconds=ttl, headers=headers)
    return LambdaAuthorizer(config, function, clock), function


def test_allowed_request_carries_principal_string_context_and_usage_key(clock: Any) -> None:
    authorizer, _ = request_authorizer(clock)

    result = authorize(authorizer, request(x_api_key="good1"))

    assert result.decision is AuthDecision.ALLOW
    assert result.usage_identifier_key == "good1"
    assert result.request_context() == {
        "sandbox_id": "sb_1",
        "count": "2",
        "admin": "false",
        "principalId": "user-good1",
        "integrationLatency": 0,
    }


def test_unauthorized_exception_is_a_401_decision(clock: Any) -> None:
    authorizer, _ = request_authorizer(clock)

    assert authorize(authorizer, request()).decision is AuthDecision.UNAUTHORIZED


def test_deny_policy_is_access_denied(clock: Any) -> None:
    authorizer, _ = request_authorizer(clock)

    result = authorize(authorizer, request(x_api_key="revoked"))

    assert result.decision is AuthDecision.DENIED


def test_allow_for_other_methods_only_is_access_denied(clock: Any) -> None:
    authorizer, _ = request_authorizer(clock)

    assert authorize(authorizer, request("POST", x_api_key="good")).decision is AuthDecision.DENIED


def test_other_exceptions_and_non_primitive_context_are_authorizer_failures(clock: Any) -> None:
    authorizer, _ = request_authorizer(clock)

    assert authorize(authorizer, request(x_api_key="crash")).decision is AuthDecision.FAILURE
    assert authorize(authorizer, request(x_api_key="nested")).decision is AuthDecision.FAILURE


def test_without_cache_the_authorizer_runs_on_every_request(clock: Any) -> None:
    authorizer, function = request_authorizer(clock, ttl=0)

    for _ in range(3):
        authorize(authorizer, request(x_api_key="good1"))

    assert len(function.calls) == 3


def test_cached_result_is_reused_until_ttl_expires(clock: Any) -> None:
    authorizer, function = request_authorizer(clock, ttl=60, headers=("x-api-key",))

    authorize(authorizer, request(x_api_key="good1"))
    clock.advance(59)
    second = authorize(authorizer, request(x_api_key="good1"))
    clock.advance(1)
    authorize(authorizer, request(x_api_key="good1"))

    assert second.decision is AuthDecision.ALLOW
    assert len(function.calls) == 2


def test_cache_is_keyed_by_identity_source_values(clock: Any) -> None:
    authorizer, function = request_authorizer(clock, ttl=60, headers=("x-api-key",))

    authorize(authorizer, request(x_api_key="good1"))
    denied = authorize(authorizer, request(x_api_key="bad2"))

    assert denied.decision is AuthDecision.DENIED
    assert len(function.calls) == 2


def test_cached_policy_is_evaluated_against_each_request_method_arn(clock: Any) -> None:
    authorizer, function = request_authorizer(clock, ttl=60, headers=("x-api-key",))

    authorize(authorizer, request("GET", x_api_key="good1"))
    post = authorize(authorizer, request("POST", x_api_key="good1"))

    assert post.decision is AuthDecision.DENIED  # the cached Allow covers GET only
    assert len(function.calls) == 1


def test_caching_authorizer_answers_401_without_calling_when_identity_missing(clock: Any) -> None:
    authorizer, function = request_authorizer(clock, ttl=60, headers=("x-api-key",))

    result = authorize(authorizer, request(authorization="Bearer good1"))

    assert result.decision is AuthDecision.UNAUTHORIZED
    assert function.calls == []


def test_token_authorizer_without_token_is_401_without_calling(clock: Any) -> None:
    function = RecordingAuthorizer()
    authorizer = LambdaAuthorizer(AuthorizerConfig("Auth", "Fn"), function, clock)

    assert authorize(authorizer, request()).decision is AuthDecision.UNAUTHORIZED
    assert function.calls == []


def test_token_authorizer_validation_expression_rejects_without_calling(clock: Any) -> None:
    function = RecordingAuthorizer()
    config = AuthorizerConfig("Auth", "Fn", validation_expression=r"Bearer .+")
    authorizer = LambdaAuthorizer(config, function, clock)

    assert authorize(authorizer, request(authorization="Basic x")).decision is (
        AuthDecision.UNAUTHORIZED
    )
    assert function.calls == []
    assert authorize(authorizer, request(authorization="Bearer good")).decision is (
        AuthDecision.ALLOW
    )
    assert function.calls[0]["authorizationToken"] == "Bearer good"
