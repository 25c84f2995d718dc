"""Examples of the behavioral messaging sandbox: signals, decisions, messages, active hours.

The times are of one day, 2026-01-30: most answers are given at 16:55 UTC, 11:55 in New York
and 16:55 in London, inside both users' default active hours (09:00 - 17:00); the
active-hours answers show other moments of the day.
"""

from __future__ import annotations

from sandbox_common.http.openapi_examples import Example, Operation, OperationExamples

API = "/api/sandbox"
NOW = "2026-01-30T16:55:00.000Z"
READ_AT = "2026-01-30T17:30:00.000Z"
REPLIED_AT = "2026-01-30T17:45:00.000Z"
MESSAGE = "msg_abc123"
EVENT = "evt_abc123"
SIGNAL = "sig_0YQqCRUgBwqsETe4l9nL"
DECISION = "decision_123"
SECOND_DECISION = "decision_124"
ACTION = "act_123"
AT_16_55 = (
    "Answered at 16:55 UTC: 11:55 in New York, 16:55 in London, inside the default active "
    "hours (09:00 - 17:00) in both."
)
_SEND = {
    "senderId": "user_sender",
    "receiverId": "user_receiver",
    "senderTimezone": "America/New_York",
    "receiverTimezone": "Europe/London",
}
_LOGIN_RULE = {"ruleId": "rule_1", "ruleName": "Login Trigger", "action": "send_message"}
_AUDIT = [
    {
        "id": "audit_xyz",
        "type": "message_delivered",
        "userId": "user_us",
        "timestampUtc": NOW,
        "messageId": MESSAGE,
        "status": "delivered",
    },
    {
        "id": "audit_abc",
        "type": "message_read",
        "userId": "user_uk",
        "timestampUtc": READ_AT,
        "messageId": MESSAGE,
    },
]


def _one(
    name: str, summary: str, value: object, description: str | None = None
) -> dict[str, Example]:
    return {name: Example(summary, value, description)}


EXAMPLES: dict[Operation, OperationExamples] = {
    ("GET", f"{API}/users"): OperationExamples(
        responses={
            "200": _one(
                "users",
                "Sandbox users and their timezones",
                [
                    {"id": "user_us", "timezone": "America/New_York", "internalId": "uuid-123"},
                    {"id": "user_uk", "timezone": "Europe/London", "internalId": "uuid-456"},
                ],
            )
        }
    ),
    ("GET", f"{API}/signals/catalog"): OperationExamples(
        responses={
            "200": _one(
                "catalog",
                "The login signal and the action it triggers",
                {
                    "signals": [
                        {
                            "type": "user_login",
                            "description": "User authentication/login event",
                            "eventTypes": ["USER_LOGIN"],
                            "demoActions": [
                                {
                                    "type": "send_message",
                                    "reason": "User login detected",
                                    "channel": "sandbox",
                                }
                            ],
                        }
                    ]
                },
            )
        }
    ),
    ("POST", f"{API}/signals"): OperationExamples(
        request={
            "login": Example("User login signal", {"userId": "user_us", "type": "user_login"}),
            "login_with_metadata": Example(
                "User login signal with metadata",
                {"userId": "user_us", "type": "user_login", "metadata": {}},
            ),
        },
        responses={
            "201": _one(
                "recorded",
                "Signal recorded, two decisions created",
                {
                    "status": "ok",
                    "message": "Signal recorded and decisions created",
                    "signal": {
                        "signalId": SIGNAL,
                        "userId": "user_us",
                        "type": "user_login",
                        "timestamp": NOW,
                        "metadata": {},
                    },
                    "eventId": EVENT,
                    "decisionsCreated": 2,
                    "decisionIds": [DECISION, SECOND_DECISION],
                },
            )
        },
    ),
    ("POST", f"{API}/send-message"): OperationExamples(
        request=_one(
            "send",
            "Message from New York to London",
            {**_SEND, "content": "Hello! This is a test message."},
        ),
        responses={
            "201": _one(
                "sent",
                "Message sent",
                {
                    "messageId": MESSAGE,
                    "status": "sent",
                    "sandbox": True,
                    "senderId": "user_sender",
                    "receiverId": "user_receiver",
                    "content": "Hello! This is a test message.",
                    "createdAt": NOW,
                },
            )
        },
    ),
    ("POST", f"{API}/schedule"): OperationExamples(
        request=_one(
            "schedule",
            "Message scheduled for the next morning",
            {
                **_SEND,
                "content": "Hello! Scheduled message.",
                "scheduledFor": "2026-01-31T10:00:00Z",
            },
            "`scheduledFor` must be ahead of the sandbox's clock and at most 365 days ahead "
            "of it (400 otherwise): put a moment of that window in its place.",
        ),
        responses={
            "201": _one(
                "scheduled",
                "Message scheduled",
                {
                    "messageId": "msg_def456",
                    "status": "scheduled",
                    "sandbox": True,
                    "scheduledFor": "2026-01-31T10:00:00Z",
                    "deliverAt": "2026-01-31T10:00:00.000Z",
                },
                "10:00 in London is inside the receiver's active hours, so it is delivered "
                "at the time asked for (`deliverAt`).",
            )
        },
    ),
    ("GET", f"{API}/messages/sent/{{senderId}}"): OperationExamples(
        responses={
            "200": _one(
                "sent",
                "Messages sent by user_us",
                [
                    {
                        "messageId": MESSAGE,
                        "senderId": "user_us",
                        "receiverId": "user_uk",
                        "content": "Hello!",
                        "status": "sent",
                        "createdAt": NOW,
                    }
                ],
            )
        }
    ),
    ("GET", f"{API}/messages/received/{{receiverId}}"): OperationExamples(
        responses={
            "200": _one(
                "received",
                "Messages received by user_us",
                [
                    {
                        "messageId": MESSAGE,
                        "senderId": "user_sender",
                        "receiverId": "user_us",
                        "content": "Hello!",
                        "status": "delivered",
                        "createdAt": NOW,
                        "deliveredAt": NOW,
                    }
                ],
            )
        }
    ),
    ("POST", f"{API}/messages/deliver"): OperationExamples(
        request=_one(
            "deliver",
            "Deliver across two timezones",
            {**_SEND, "messageContent": "Test message content"},
        ),
        responses={
            "201": _one(
                "delivered",
                "Delivered inside the receiver's active hours",
                {
                    "messageId": "msg_xyz789",
                    "status": "delivered",
                    "sandbox": True,
                    "dualTime": {
                        "senderLocal": "2026-01-30 11:55:00",
                        "receiverLocal": "2026-01-30 16:55:00",
                    },
                    "deliveredAt": NOW,
                },
                AT_16_55,
            )
        },
    ),
    ("GET", f"{API}/message-state/{{messageId}}"): OperationExamples(
        responses={
            "200": _one(
                "read",
                "Message delivered and read",
                {
                    "messageId": MESSAGE,
                    "status": "read",
                    "senderId": "user_sender",
                    "receiverId": "user_receiver",
                    "createdAt": NOW,
                    "deliveredAt": NOW,
                    "readAt": READ_AT,
                },
            )
        }
    ),
    ("POST", f"{API}/message/{{messageId}}/mark-delivered"): OperationExamples(
        responses={
            "200": _one(
                "delivered",
                "Marked delivered",
                {"messageId": MESSAGE, "status": "delivered", "deliveredAt": NOW},
            )
        }
    ),
    ("POST", f"{API}/message/{{messageId}}/mark-read"): OperationExamples(
        responses={
            "200": _one(
                "read",
                "Marked read",
                {"messageId": MESSAGE, "status": "read", "deliveredAt": NOW, "readAt": READ_AT},
            )
        }
    ),
    ("POST", f"{API}/message/{{messageId}}/mark-replied"): OperationExamples(
        responses={
            "200": _one(
                "replied",
                "Marked replied",
                {
                    "messageId": MESSAGE,
                    "status": "replied",
                    "deliveredAt": NOW,
                    "readAt": READ_AT,
                    "repliedAt": REPLIED_AT,
                },
            )
        }
    ),
    ("GET", f"{API}/rules"): OperationExamples(
        responses={
            "200": _one(
                "rules",
                "The default rules (first shown)",
                {
                    "totalRules": 13,
                    "rules": [
                        {
                            "id": "rule_1",
                            "name": "Login Trigger",
                            "trigger": "user_login",
                            "conditions": [],
                            "action": "send_message",
                            "channel": "sandbox",
                            "priority": 1,
                            "delayMs": 0,
                            "confidence": 0.85,
                            "reason": "User login detected",
                        }
                    ],
                    "source": "default",
                    "version": 0,
                    "updatedAt": None,
                },
            )
        }
    ),
    ("GET", f"{API}/decisions/{{userId}}"): OperationExamples(
        responses={
            "200": _one(
                "pending",
                "Pending decision created by a login",
                {
                    "userId": "user_us",
                    "status": "pending",
                    "decisions": [
                        {
                            "decisionId": DECISION,
                            "userId": "user_us",
                            "type": "send_message",
                            "channel": "sandbox",
                            "reason": "User login detected",
                            "confidence": 0.85,
                            "ruleId": "rule_1",
                            "ruleName": "Login Trigger",
                            "priority": 1,
                            "delayMs": 0,
                            "eventId": EVENT,
                            "signalId": SIGNAL,
                            "status": "pending",
                            "createdAt": NOW,
                            "executedAt": None,
                            "actionId": None,
                        }
                    ],
                },
            )
        }
    ),
    ("POST", f"{API}/events/process"): OperationExamples(
        request=_one(
            "login",
            "Login event in New York",
            {
                "type": "user_login",
                "userId": "user_us",
                "timestamp": NOW,
                "timezone": "America/New_York",
            },
        ),
        responses={
            "201": _one(
                "processed",
                "Event processed, login rule triggered",
                {
                    "eventId": EVENT,
                    "eventType": "user_login",
                    "normalizedEventType": "USER_LOGIN",
                    "userId": "user_us",
                    "timestamp": NOW,
                    "timezone": "America/New_York",
                    "localTime": "11:55",
                    "rulesTriggered": [{**_LOGIN_RULE, "decisionId": DECISION, "confidence": 0.85}],
                    "decisionsCreated": 1,
                },
            )
        },
    ),
    ("POST", f"{API}/evaluate-rules/{{messageId}}"): OperationExamples(
        responses={
            "200": _one(
                "evaluated",
                "Rules that apply to the message",
                {
                    "messageId": MESSAGE,
                    "sandbox": True,
                    "applicableRules": [
                        {"ruleId": "rule_1", "name": "Login Trigger", "applies": True}
                    ],
                },
            )
        }
    ),
    ("POST", f"{API}/orchestrate/{{userId}}"): OperationExamples(
        responses={
            "200": _one(
                "executed",
                "One pending decision executed",
                {
                    "userId": "user_us",
                    "executed": 1,
                    "actions": [
                        {
                            "decisionId": DECISION,
                            "type": "send_message",
                            "reason": "User login detected",
                            "executedAt": NOW,
                            "actionId": ACTION,
                            "actionStatus": "executed",
                            "scheduledAt": NOW,
                        }
                    ],
                    "remaining": 0,
                    "message": "Executed 1 decision(s)",
                },
                AT_16_55,
            )
        }
    ),
    ("GET", f"{API}/audit/{{userId}}"): OperationExamples(
        responses={"200": _one("delivery", "A message delivered to user_us", _AUDIT[:1])}
    ),
    ("GET", f"{API}/audit"): OperationExamples(
        responses={"200": _one("entries", "Delivery and read, across users", _AUDIT)}
    ),
    ("GET", f"{API}/active-hours/{{userId}}"): OperationExamples(
        responses={
            "200": _one(
                "window",
                "New York user's active window",
                {
                    "sandbox": True,
                    "userId": "user_us",
                    "timezone": "America/New_York",
                    "activeWindow": "09:00 - 17:00",
                    "nowLocalTime": "14:30",
                },
            )
        }
    ),
    ("GET", f"{API}/can-deliver/{{userId}}"): OperationExamples(
        responses={
            "200": {
                "inside": Example(
                    "Inside active hours",
                    {
                        "sandbox": True,
                        "userId": "user_us",
                        "canDeliver": True,
                        "reason": None,
                        "timezone": "America/New_York",
                        "activeWindow": "09:00 - 17:00",
                        "localTime": "14:30",
                    },
                ),
                "outside": Example(
                    "Outside active hours",
                    {
                        "sandbox": True,
                        "userId": "user_us",
                        "canDeliver": False,
                        "reason": "Outside active hours",
                        "timezone": "America/New_York",
                        "activeWindow": "09:00 - 17:00",
                        "localTime": "03:30",
                    },
                ),
            }
        }
    ),
    ("GET", f"{API}/next-allowed-delivery/{{userId}}"): OperationExamples(
        responses={
            "200": _one(
                "delayed",
                "Next delivery at 09:00 local time",
                {
                    "userId": "user_us",
                    "nextDeliveryUtc": "2026-01-31T14:00:00.000Z",
                    "localTime": "09:00",
                    "isDelayed": True,
                    "timezone": "America/New_York",
                },
            )
        }
    ),
    ("GET", f"{API}/users/{{userId}}/actions"): OperationExamples(
        responses={
            "200": _one(
                "pending",
                "Pending actions of user_us",
                {
                    "userId": "user_us",
                    "actionCount": 1,
                    "actions": [
                        {
                            "actionId": ACTION,
                            "actionType": "send_message",
                            "status": "pending",
                            "scheduledAt": NOW,
                            "decisionId": DECISION,
                            "channel": "sandbox",
                            "reason": "User login detected",
                        }
                    ],
                    "message": "1 pending actions",
                },
            )
        }
    ),
    ("POST", f"{API}/users/{{userId}}/execute"): OperationExamples(
        responses={
            "200": _one(
                "executed_and_delayed",
                "One action executed, one delayed",
                {
                    "userId": "user_us",
                    "executed": 1,
                    "delayed": 1,
                    "actions": {
                        "executed": [
                            {
                                "actionId": ACTION,
                                "actionType": "send_message",
                                "executedAt": NOW,
                                "status": "executed",
                            }
                        ],
                        "delayed": [
                            {
                                "actionId": "act_124",
                                "actionType": "send_notification",
                                "scheduledAt": "2026-01-31T10:00:00.000Z",
                                "waitTime": 61500000,
                            }
                        ],
                    },
                    "remaining": 0,
                    "message": "Executed 1 actions, 1 delayed",
                },
                "`waitTime` is the milliseconds from now until `scheduledAt`.",
            )
        }
    ),
    ("POST", f"{API}/events"): OperationExamples(
        request=_one(
            "login",
            "User login event",
            {"userId": "user_us", "eventType": "user_login", "metadata": {}},
        ),
        responses={
            "201": _one(
                "triggered",
                "Two rules triggered, two decisions created",
                {
                    "status": "ok",
                    "eventId": "evt_123",
                    "eventType": "user_login",
                    "normalizedEventType": "USER_LOGIN",
                    "userId": "user_us",
                    "rulesTriggered": 2,
                    "decisionsCreated": 2,
                    "decisionIds": [DECISION, SECOND_DECISION],
                    "message": "Event triggered, 2 rule(s) triggered, 2 decision(s) created",
                },
            )
        },
    ),
}
