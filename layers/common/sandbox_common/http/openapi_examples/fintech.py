"""Examples of the fintech sandbox: keys, the data set, accounts, transfers, flags, scenarios."""

from __future__ import annotations

from typing import Any

from sandbox_common.http.openapi_examples import Example, Operation, OperationExamples

V1 = "/api/v1/sandbox"
NOW = "2026-01-30T16:55:00.000Z"
LATER = "2026-01-30T16:56:00.000Z"
SANDBOX = "sb_omihNyFfxnJMj1YE"
KEY_ID = "sbx_ENSAULgTpIOq"
SENDER = "205dec8a-3736-41be-9857-5d1a01cc6e0a"
RECEIVER = "53abe50c-927e-49bc-938d-dbcbeea32a00"
TRANSFER = "e59da280-857d-426e-8504-af3cbe5f8cf3"
HIGH_VALUE = "c57bbcba-d828-439a-9bf4-6386cdc562ef"
FLAG = "c8b78a91-c401-4168-966f-e40526a26818"

_KEY = {
    "key_id": KEY_ID,
    "sandbox_id": SANDBOX,
    "developer_name": "Jane Developer",
    "developer_email": "jane@example.com",
    "permissions": ["read", "write", "analytics"],
    "role": "developer",
    "tier": "pro",
    "created_at": NOW,
    "expires_at": "2026-04-30T16:55:00.000Z",
}
_PUBLIC_KEY = {
    **_KEY,
    "key_prefix": "sk_sandbox_k5tq…",
    "status": "active",
    "is_active": True,
    "revoked_at": None,
    "replaced_by": None,
    "last_used": LATER,
    "environment": "sandbox",
}
_NEW_ACCOUNT = {
    "id": SENDER,
    "account_id": "GD7QSMH5HRMU7GM5R4A5CROLXOO5TCBYYKM4C27QFPLIFUA4SR22KKVN",
    "network": "stellar",
    "environment": "sandbox",
    "account_type": "user",
    "country_code": "NG",
    "region": "Enugu",
    "holder_name": "Esther Ekwueme",
    "metadata": {"created_by": "api"},
    "balances": {},
    "is_active": True,
    "verification_status": "unverified",
    "verified_at": None,
    "created_at": NOW,
    "updated_at": None,
}
_TRANSFER = {
    "id": TRANSFER,
    "from_account_id": SENDER,
    "to_account_id": RECEIVER,
    "amount": "1000",
    "currency": "USDC",
    "transaction_type": "transfer",
    "status": "pending",
    "from_country_code": "NG",
    "to_country_code": "KE",
    "description": "Transfer of 1000 USDC",
    "metadata": {"sandbox": True, "created_by": "api", "fees": 0},
    "failure_reason": None,
    "compliance_flag_id": None,
    "created_at": NOW,
    "updated_at": NOW,
    "completed_at": None,
}
_COMPLETED_TRANSFER = {
    **_TRANSFER,
    "status": "completed",
    "updated_at": LATER,
    "completed_at": LATER,
}
_FLAG = {
    "id": FLAG,
    "flag_type": "aml",
    "severity": "high",
    "status": "open",
    "title": "High-value transfer",
    "description": "Transfer of 50000 USDC is at or above the AML threshold of 10000",
    "account_id": SENDER,
    "transaction_id": HIGH_VALUE,
    "evidence": {
        "sandbox": True,
        "amount": "50000",
        "currency": "USDC",
        "risk_factors": ["high_value", "cross_border"],
    },
    "risk_score": 8,
    "resolution": None,
    "resolution_notes": None,
    "created_at": NOW,
    "updated_at": None,
    "resolved_at": None,
    "resolved_by": None,
}


def _one(name: str, summary: str, value: Any, description: str | None = None) -> dict[str, Example]:
    return {name: Example(summary, value, description)}


EXAMPLES: dict[Operation, OperationExamples] = {
    ("POST", f"{V1}/keys"): OperationExamples(
        request=_one(
            "developer_key",
            "Developer key with read, write and analytics",
            {
                "developer_name": "Jane Developer",
                "developer_email": "jane@example.com",
                "permissions": ["read", "write", "analytics"],
            },
            "An admin key creates it; without `permissions` the key gets all three.",
        ),
        responses={
            "201": _one(
                "created",
                "New key, secret shown once",
                {
                    "api_key": "sk_sandbox_k5tq_V-s-H3IuK6I3zIaN7sNcbWe6t6phzxcTkvxP6I",
                    "api_secret": "Rout2RjRJQlVumA3CEzEx4p9KT_iyInl95vxAde4GbYDtdAGzV5TOXYj-"
                    "EOdNJ0JOwBuWixg-Jhqlygl7OI2Kw",
                    **_KEY,
                    "environment": "sandbox",
                },
                "`api_key` and `api_secret` appear in this answer only; the key expires in "
                "90 days.",
            )
        },
    ),
    ("GET", f"{V1}/keys"): OperationExamples(
        responses={"200": _one("keys", "Keys of the sandbox, newest first", [_PUBLIC_KEY])}
    ),
    ("DELETE", f"{V1}/keys/{{key_id}}"): OperationExamples(
        responses={
            "200": _one(
                "revoked",
                "Key revoked",
                {**_PUBLIC_KEY, "status": "revoked", "is_active": False, "revoked_at": LATER},
                "The key is refused from now on; its record stays for the audit.",
            )
        }
    ),
    ("POST", f"{V1}/initialize"): OperationExamples(
        request=_one("sandbox", "Initialize the sandbox environment", {"environment": "sandbox"}),
        responses={
            "200": _one(
                "initialized",
                "Default data set loaded",
                {
                    "environment": "sandbox",
                    "status": "initialized",
                    "mock_data": {"accounts": 100, "transactions": 500, "compliance_records": 50},
                    "test_scenarios": 4,
                    "analytics_initialized": True,
                    "initialized_at": NOW,
                    "sandbox_id": SANDBOX,
                    "seed": 1640995200,
                    "anchor": NOW,
                },
                "The same `seed` and `anchor` rebuild the same data set.",
            )
        },
    ),
    ("GET", f"{V1}/accounts"): OperationExamples(
        responses={
            "200": _one(
                "accounts",
                "Generated accounts",
                [
                    {
                        "id": "0350307a-fda7-4d72-8222-05dad998eebd",
                        "account_id": "0.0.315495",
                        "network": "hedera",
                        "environment": "sandbox",
                        "account_type": "user",
                        "country_code": "KE",
                        "region": "Nairobi",
                        "holder_name": "Waseme Kiptoo",
                        "metadata": {"created_by": "sandbox", "test_scenario": "analytics"},
                        "balances": {"USDC": "100000.00", "KES": "100000.00"},
                        "is_active": True,
                        "verification_status": "verified",
                        "verified_at": "2026-01-22T08:59:56.486Z",
                        "created_at": "2026-01-15T20:56:00.983Z",
                        "updated_at": None,
                    }
                ],
            )
        }
    ),
    ("POST", f"{V1}/accounts"): OperationExamples(
        request=_one(
            "stellar_user",
            "Stellar user account in Nigeria",
            {
                "network": "stellar",
                "environment": "sandbox",
                "account_type": "user",
                "country_code": "NG",
            },
        ),
        responses={"201": _one("created", "Account created, not yet verified", _NEW_ACCOUNT)},
    ),
    ("POST", f"{V1}/accounts/{{account_id}}/verify"): OperationExamples(
        responses={
            "200": _one(
                "verified",
                "Account verified",
                {
                    **_NEW_ACCOUNT,
                    "verification_status": "verified",
                    "verified_at": LATER,
                    "updated_at": LATER,
                },
            )
        }
    ),
    ("GET", f"{V1}/transactions"): OperationExamples(
        responses={
            "200": _one(
                "transactions",
                "Generated transactions",
                [
                    {
                        "id": "c27e54c8-f166-4c59-a117-b54bae0e9a68",
                        "from_account_id": "85c9d520-f599-4966-a959-18ba475d3189",
                        "to_account_id": "9e9c43f4-d6ed-4ba7-8562-0c09b6e162bb",
                        "amount": "3117.06",
                        "currency": "USDC",
                        "transaction_type": "transfer",
                        "status": "completed",
                        "from_country_code": "KE",
                        "to_country_code": "NG",
                        "description": "Sandbox transfer from Nakuru to Kaduna",
                        "metadata": {"sandbox": True, "test_scenario": "normal", "fees": 3},
                        "failure_reason": None,
                        "compliance_flag_id": None,
                        "created_at": "2026-01-30T07:45:01.203Z",
                        "updated_at": "2026-01-30T08:02:01.203Z",
                        "completed_at": "2026-01-30T08:02:01.203Z",
                    }
                ],
            )
        }
    ),
    ("POST", f"{V1}/transfers"): OperationExamples(
        request={
            "transfer": Example(
                "Transfer between two accounts",
                {
                    "from_account_id": SENDER,
                    "to_account_id": RECEIVER,
                    "amount": 1000,
                    "currency": "USDC",
                },
                "Both ids are accounts of your sandbox (`id` from GET /accounts).",
            ),
            "high_value_transfer": Example(
                "High-value transfer that raises an AML flag",
                {
                    "from_account_id": SENDER,
                    "to_account_id": RECEIVER,
                    "amount": 50000,
                    "currency": "USDC",
                },
                "At or above the sandbox's AML threshold (10000 by default) the transfer "
                "carries a compliance flag.",
            ),
        },
        responses={
            "201": {
                "pending_transfer": Example("Pending transfer", _TRANSFER),
                "flagged_transfer": Example(
                    "Pending transfer with a compliance flag",
                    {
                        **_TRANSFER,
                        "id": HIGH_VALUE,
                        "amount": "50000",
                        "description": "Transfer of 50000 USDC",
                        "compliance_flag_id": FLAG,
                    },
                ),
            }
        },
    ),
    ("POST", f"{V1}/transfers/{{transfer_id}}/process"): OperationExamples(
        responses={"200": _one("completed", "Transfer completed", _COMPLETED_TRANSFER)}
    ),
    ("GET", f"{V1}/compliance/flags"): OperationExamples(
        responses={"200": _one("open_flag", "Open AML flag on a high-value transfer", [_FLAG])}
    ),
    ("POST", f"{V1}/compliance/flags/{{flag_id}}/resolve"): OperationExamples(
        request=_one("approve", "Approve the flagged activity", {"resolution": "approved"}),
        responses={
            "200": _one(
                "resolved",
                "Flag resolved as approved",
                {
                    **_FLAG,
                    "status": "resolved",
                    "resolution": "approved",
                    "updated_at": LATER,
                    "resolved_at": LATER,
                    "resolved_by": KEY_ID,
                },
                "`resolved_by` is the key that resolved it.",
            )
        },
    ),
    ("GET", f"{V1}/scenarios"): OperationExamples(
        responses={
            "200": _one(
                "scenarios",
                "The four built-in scenarios",
                [
                    {
                        "id": "account_creation_flow",
                        "name": "Account Creation Flow",
                        "description": "Test complete account creation workflow",
                        "category": "account_management",
                        "step_count": 2,
                    },
                    {
                        "id": "transfer_processing_flow",
                        "name": "Transfer Processing Flow",
                        "description": "Test transfer creation and processing",
                        "category": "transfers",
                        "step_count": 2,
                    },
                    {
                        "id": "compliance_flagging_flow",
                        "name": "Compliance Flagging Flow",
                        "description": "Test compliance flag creation and resolution",
                        "category": "compliance",
                        "step_count": 2,
                    },
                    {
                        "id": "analytics_dashboard_flow",
                        "name": "Analytics Dashboard Flow",
                        "description": "Test analytics data retrieval and dashboard",
                        "category": "analytics",
                        "step_count": 2,
                    },
                ],
            )
        }
    ),
    ("POST", f"{V1}/scenarios/{{scenario_id}}/run"): OperationExamples(
        responses={
            "200": _one(
                "completed",
                "Transfer processing flow, both steps passed",
                {
                    "run_id": "run_76662d0abefcce20",
                    "scenario_id": "transfer_processing_flow",
                    "name": "Transfer Processing Flow",
                    "description": "Test transfer creation and processing",
                    "execution_time": NOW,
                    "steps": [
                        {
                            "step": 1,
                            "action": "create_transfer",
                            "success": True,
                            "result": {**_TRANSFER, "transfer_id": TRANSFER},
                            "error": None,
                        },
                        {
                            "step": 2,
                            "action": "process_transfer",
                            "success": True,
                            "result": _COMPLETED_TRANSFER,
                            "error": None,
                        },
                    ],
                    "status": "completed",
                },
            )
        }
    ),
}
