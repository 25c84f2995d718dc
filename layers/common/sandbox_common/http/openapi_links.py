"""The links of the OpenAPI document: which answer's value another operation takes.

A link says that a value of one operation's answer (or of its request) is a parameter of
another operation: the ``key_id`` that POST /api/v1/sandbox/keys answers is the ``key_id`` of
GET, PATCH and DELETE /api/v1/sandbox/keys/{key_id}. Swagger UI shows them under each answer,
and schemathesis's stateful phase follows them to chain calls on resources that exist.

Links are keyed by the source operation ``(METHOD, path)`` as the app declares the route, then
by the answer's status. A target is named by ``operationRef``, a pointer to its operation in
the document, so a link may lead to another function's operation (a messaging user is read by
the behavior and the messages functions): one app's document is a part of the merged one,
which holds both ends; a test checks every link of the merged document resolves.

Imported only when a document is built (``describe``), never on a request path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Operation = tuple[str, str]


@dataclass(frozen=True)
class Link:
    """One link: the operation it leads to, the runtime expressions of its parameters and of
    fields of its request body, and why."""

    target: Operation
    description: str
    parameters: dict[str, str] = field(default_factory=dict)
    request_body: dict[str, str] = field(default_factory=dict)

    def as_openapi(self) -> dict[str, Any]:
        """The OpenAPI Link Object."""
        link: dict[str, Any] = {"operationRef": operation_ref(self.target)}
        if self.parameters:
            link["parameters"] = dict(self.parameters)
        if self.request_body:
            link["requestBody"] = dict(self.request_body)
        link["description"] = self.description
        return link


def operation_ref(operation: Operation) -> str:
    """The JSON pointer to ``operation`` in the document (``#/paths/~1a~1{id}/get``)."""
    method, path = operation
    escaped = path.replace("~", "~0").replace("/", "~1")
    return f"#/paths/{escaped}/{method.lower()}"


# Targets by the resource they read or change.
_KEY = "/api/v1/sandbox/keys/{key_id}"
_ACCOUNT = "/api/v1/sandbox/accounts/{account_id}"
_TRANSFER = "/api/v1/sandbox/transfers/{transfer_id}"


def _key_links(expression: str) -> dict[str, Link]:
    key = {"key_id": expression}
    return {
        "GetKey": Link(("GET", _KEY), "The key as it is stored (no secret)", key),
        "UpdateKey": Link(("PATCH", _KEY), "Change the key's name, permissions or tier", key),
        "RevokeKey": Link(("DELETE", _KEY), "Revoke the key", key),
        "RotateKey": Link(("POST", _KEY + "/rotate"), "Replace the key by a new one", key),
    }


def _account_links(expression: str = "$response.body#/id") -> dict[str, Link]:
    account = {"account_id": expression}
    return {
        "GetAccount": Link(("GET", _ACCOUNT), "The account with its balances", account),
        "VerifyAccount": Link(("POST", _ACCOUNT + "/verify"), "Mark it verified", account),
    }


def _transfer_links() -> dict[str, Link]:
    transfer = {"transfer_id": "$response.body#/id"}
    return {
        "GetTransfer": Link(("GET", _TRANSFER), "The transfer and its status", transfer),
        "ProcessTransfer": Link(
            ("POST", _TRANSFER + "/process"), "Settle or fail the pending transfer", transfer
        ),
        "GetTransaction": Link(
            ("GET", "/api/v1/sandbox/transactions/{transaction_id}"),
            "The transfer as a ledger transaction",
            {"transaction_id": "$response.body#/id"},
        ),
    }


def _user_links(expression: str) -> dict[str, Link]:
    """What a messaging user's id opens, in the behavior and messages functions."""
    user = {"userId": expression}

    def to(method: str, path: str, description: str) -> Link:
        return Link((method, path), description, user)

    return {
        "ListDecisions": to("GET", "/api/sandbox/decisions/{userId}", "The user's decisions"),
        "ListActions": to("GET", "/api/sandbox/users/{userId}/actions", "Actions to execute"),
        "ExecuteActions": to("POST", "/api/sandbox/users/{userId}/execute", "Execute them"),
        "Orchestrate": to("POST", "/api/sandbox/orchestrate/{userId}", "Decide and execute"),
        "ListUserAudit": to("GET", "/api/sandbox/audit/{userId}", "The user's audit trail"),
    }


def _user_profile_links(expression: str = "$response.body#/id") -> dict[str, Link]:
    user = {"userId": expression}
    return {
        **_user_links(expression),
        "UpdateUser": Link(
            ("PATCH", "/api/sandbox/users/{userId}"), "Change the timezone or hours", user
        ),
        "GetActiveHours": Link(
            ("GET", "/api/sandbox/active-hours/{userId}"), "The user's active window", user
        ),
        "CanDeliver": Link(
            ("GET", "/api/sandbox/can-deliver/{userId}"), "Whether a message may go now", user
        ),
        "NextAllowedDelivery": Link(
            ("GET", "/api/sandbox/next-allowed-delivery/{userId}"),
            "When the next message may go",
            user,
        ),
    }


def _message_links(*names: str) -> dict[str, Link]:
    message = {"messageId": "$response.body#/messageId"}
    every = {
        "GetMessageState": Link(
            ("GET", "/api/sandbox/message-state/{messageId}"), "The message's state", message
        ),
        "MarkDelivered": Link(
            ("POST", "/api/sandbox/message/{messageId}/mark-delivered"),
            "Record the delivery",
            message,
        ),
        "MarkRead": Link(
            ("POST", "/api/sandbox/message/{messageId}/mark-read"), "Record the read", message
        ),
        "MarkReplied": Link(
            ("POST", "/api/sandbox/message/{messageId}/mark-replied"),
            "Record the reply",
            message,
        ),
        "EvaluateRules": Link(
            ("POST", "/api/sandbox/evaluate-rules/{messageId}"),
            "The delivery rules that apply to it",
            message,
        ),
    }
    return {name: every[name] for name in names}


def _conversation_links() -> dict[str, Link]:
    return {
        "ListSent": Link(
            ("GET", "/api/sandbox/messages/sent/{senderId}"),
            "The sender's messages",
            {"senderId": "$response.body#/senderId"},
        ),
        "ListReceived": Link(
            ("GET", "/api/sandbox/messages/received/{receiverId}"),
            "The receiver's messages",
            {"receiverId": "$response.body#/receiverId"},
        ),
    }


def _flag_links() -> dict[str, Link]:
    path = "/api/v1/sandbox/compliance/flags/{flag_id}"
    flag = {"flag_id": "$response.body#/0/id"}
    return {
        "GetFlag": Link(("GET", path), "The first flag listed", flag),
        "ReviewFlag": Link(("POST", path + "/review"), "Start reviewing it", flag),
        "ResolveFlag": Link(("POST", path + "/resolve"), "Approve or reject it", flag),
    }


def _scenario_links() -> dict[str, Link]:
    path = "/api/v1/sandbox/scenarios/{scenario_id}"
    scenario = {"scenario_id": "$response.body#/0/id"}
    return {
        "GetScenario": Link(("GET", path), "The first scenario listed, with its steps", scenario),
        "RunScenario": Link(("POST", path + "/run"), "Run it", scenario),
    }


def _credit_links() -> dict[str, Link]:
    customer = "$response.body#/data/customerId"
    return {
        "GetCredits": Link(("GET", "/get-credits"), "The balance", {"customerId": customer}),
        "ListLedger": Link(
            ("GET", "/admin/credits/{customerId}/ledger"),
            "Every grant and charge",
            {"customerId": customer},
        ),
    }


# A list's first item opens its resource (an empty list has none: the link is not followed).
_FIRST = "$response.body#/0/id"
_MESSAGE_ACTIONS = ("GetMessageState", "MarkDelivered", "MarkRead", "MarkReplied", "EvaluateRules")
_CREATED_OR_REPLAYED = ("200", "201")  # an idempotent create answers its replay 200

LINKS: dict[Operation, dict[str, dict[str, Link]]] = {
    # keys
    ("POST", "/api/v1/sandbox/keys"): {"201": _key_links("$response.body#/key_id")},
    ("POST", _KEY + "/rotate"): {"201": _key_links("$response.body#/key_id")},
    ("PATCH", _KEY): {"200": {"GetKey": _key_links("$response.body#/key_id")["GetKey"]}},
    # Reading only: the first key listed may be the caller's own.
    ("GET", "/api/v1/sandbox/keys"): {
        "200": {"GetKey": _key_links("$response.body#/0/key_id")["GetKey"]}
    },
    # environment
    ("PUT", "/api/v1/sandbox/config"): {
        "200": {"GetConfig": Link(("GET", "/api/v1/sandbox/config"), "The config as stored")}
    },
    ("POST", "/api/v1/sandbox/clock/freeze"): {
        "200": {"GetClock": Link(("GET", "/api/v1/sandbox/clock"), "The frozen clock")}
    },
    ("POST", "/api/v1/sandbox/clock/advance"): {
        "200": {"GetClock": Link(("GET", "/api/v1/sandbox/clock"), "The advanced clock")}
    },
    ("GET", "/api/v1/sandbox/scenarios"): {"200": _scenario_links()},
    ("POST", "/api/v1/sandbox/scenarios/{scenario_id}/run"): {
        "200": {
            "GetRun": Link(
                ("GET", "/api/v1/sandbox/scenarios/runs/{run_id}"),
                "The run's steps and status",
                {"run_id": "$response.body#/run_id"},
            ),
            "GetScenario": Link(
                ("GET", "/api/v1/sandbox/scenarios/{scenario_id}"),
                "The scenario that ran",
                {"scenario_id": "$response.body#/scenario_id"},
            ),
        }
    },
    ("GET", "/api/v1/sandbox/status"): {
        "200": {
            "GetPersistentConfig": Link(
                ("GET", "/get-persistant-config"),
                "The sandbox's persistent config",
                {"sandboxId": "$response.body#/sandbox_id"},
            ),
            "ListSandboxCharges": Link(
                ("GET", "/admin/sandboxes/{sandboxId}/charges"),
                "What the billing job charged the sandbox (admin)",
                {"sandboxId": "$response.body#/sandbox_id"},
            ),
        }
    },
    # ledger
    ("GET", "/api/v1/sandbox/accounts"): {
        "200": {
            **_account_links(_FIRST),
            "TransferBetweenFirstTwo": Link(
                ("POST", "/api/v1/sandbox/transfers"),
                "A transfer from the first account listed to the second",
                request_body={
                    "from_account_id": _FIRST,
                    "to_account_id": "$response.body#/1/id",
                },
            ),
        }
    },
    ("POST", "/api/v1/sandbox/accounts"): {"201": _account_links()},
    ("POST", _ACCOUNT + "/verify"): {"200": {"GetAccount": _account_links()["GetAccount"]}},
    ("POST", "/api/v1/sandbox/transfers"): dict.fromkeys(_CREATED_OR_REPLAYED, _transfer_links()),
    ("POST", _TRANSFER + "/process"): {"200": {"GetTransfer": _transfer_links()["GetTransfer"]}},
    ("GET", "/api/v1/sandbox/transactions"): {
        "200": {
            "GetTransaction": Link(
                ("GET", "/api/v1/sandbox/transactions/{transaction_id}"),
                "The first transaction listed",
                {"transaction_id": _FIRST},
            )
        }
    },
    ("GET", "/api/v1/sandbox/compliance/flags"): {"200": _flag_links()},
    # behavior
    ("GET", "/api/sandbox/users"): {"200": _user_profile_links(_FIRST)},
    ("POST", "/api/sandbox/users"): {"201": _user_profile_links()},
    ("POST", "/api/sandbox/signals"): dict.fromkeys(
        _CREATED_OR_REPLAYED, _user_links("$response.body#/signal/userId")
    ),
    ("POST", "/api/sandbox/events"): dict.fromkeys(
        _CREATED_OR_REPLAYED, _user_links("$response.body#/userId")
    ),
    ("POST", "/api/sandbox/events/process"): dict.fromkeys(
        _CREATED_OR_REPLAYED, _user_links("$response.body#/userId")
    ),
    # messages
    ("POST", "/api/sandbox/send-message"): {
        "201": {**_message_links(*_MESSAGE_ACTIONS), **_conversation_links()}
    },
    ("POST", "/api/sandbox/schedule"): {"201": _message_links("GetMessageState", "EvaluateRules")},
    ("POST", "/api/sandbox/messages/deliver"): {
        "201": _message_links("GetMessageState", "MarkRead", "EvaluateRules")
    },
    ("POST", "/api/sandbox/message/{messageId}/mark-delivered"): {
        "200": _message_links("GetMessageState", "MarkRead")
    },
    ("POST", "/api/sandbox/message/{messageId}/mark-read"): {
        "200": _message_links("GetMessageState", "MarkReplied")
    },
    # manager and payments
    ("POST", "/update-sandbox-config"): {
        "200": {
            "GetPersistentConfig": Link(
                ("GET", "/get-persistant-config"),
                "The config just written",
                {"sandboxId": "$request.body#/sandboxId"},
            )
        }
    },
    ("POST", "/admin/execute-job"): {
        "200": {"GetJobStatus": Link(("GET", "/admin/job-status"), "The job's last runs")}
    },
    ("POST", "/admin/credits"): {"200": _credit_links()},
    ("POST", "/consume-credits"): {"200": _credit_links()},
}


def all_links() -> dict[Operation, dict[str, dict[str, Link]]]:
    """Every link, by source operation and answer status."""
    return LINKS


def add_links(document: dict[str, Any]) -> None:
    """Put the links of the operations ``document`` has on their answers, in place.

    One app's document holds only its own operations; the others' links are added when their
    app's document is built.
    """
    paths = document.get("paths", {})
    for (method, path), by_status in LINKS.items():
        operation = paths.get(path, {}).get(method.lower())
        if operation is None:
            continue
        for status, named in by_status.items():
            response = operation.get("responses", {}).get(status)
            if response is None or "$ref" in response:
                raise ValueError(f"{method} {path} documents no answer {status} of its own")
            links = response.setdefault("links", {})
            for name, link in named.items():
                links[name] = link.as_openapi()
