"""Examples of the sandbox manager (persistent configs, the billing job) and its credits."""

from __future__ import annotations

from sandbox_common.http.openapi_examples import Example, Operation, OperationExamples

START = 1640995200000  # 2022-01-01T00:00:00Z in epoch milliseconds
RUN = {
    "runId": "70284126-28b7-49c0-a07d-70993ddabf7d",
    "trigger": "manual",
    "dryRun": False,
    "startedAt": "2026-01-30T16:55:00.000Z",
    "finishedAt": "2026-01-30T16:55:00.021Z",
    "complete": True,
    "configsSeen": 2,
    "charged": 1,
    "totalCharged": "0.2",
    "woken": 1,
    "expired": 1,
    "disabled": 0,
    "failures": 0,
    "failed": [],
}
_FULL_CONFIG = {
    "enabled": True,
    "mode": "forever",
    "limitedConfig": {"startTimestamp": START, "days": 30},
    "lastCreditsCharge": {"timestamp": START, "amount": 1.5},
    "lastWakeUpTimestamp": START,
}

EXAMPLES: dict[Operation, OperationExamples] = {
    ("POST", "/update-sandbox-config"): OperationExamples(
        request={
            "forever": Example(
                "Config kept forever, with its last charge and wake-up",
                {
                    "userEmail": "user@example.com",
                    "customerId": "customer_123",
                    "sandboxId": "sandbox_456",
                    "persistantConfig": _FULL_CONFIG,
                },
                "Updating an existing config needs the `userEmail` it was created with (401 "
                "otherwise).",
            ),
            "limited": Example(
                "Config kept for 30 days from a start date",
                {
                    "userEmail": "john@example.com",
                    "customerId": "cust_123",
                    "sandboxId": "sb_456",
                    "persistantConfig": {
                        "enabled": True,
                        "mode": "limited",
                        "limitedConfig": {"startTimestamp": START, "days": 30},
                    },
                },
                "`limitedConfig` is required in limited mode: `days` from 1 to 365, "
                "`startTimestamp` in epoch milliseconds.",
            ),
        },
        responses={
            "200": {
                "updated": Example(
                    "Configuration saved",
                    {"success": True, "message": "Configuration updated successfully"},
                )
            }
        },
    ),
    ("GET", "/get-persistant-config"): OperationExamples(
        responses={
            "200": {
                "forever": Example("Config kept forever", {"success": True, "data": _FULL_CONFIG})
            }
        }
    ),
    ("GET", "/health"): OperationExamples(
        responses={
            "200": {
                "running": Example(
                    "Service running",
                    {
                        "success": True,
                        "message": "Sandbox Manager is running",
                        "data": {
                            "timestamp": "2024-01-01T00:00:00.000Z",
                            "uptime": 123.456,
                            "version": "1.0.0",
                        },
                    },
                )
            }
        }
    ),
    ("POST", "/admin/execute-job"): OperationExamples(
        responses={
            "200": {
                "executed": Example(
                    "Job run to completion",
                    {"success": True, "message": "Job executed successfully", "data": RUN},
                    "`data` sums up the run: configs seen, charged, woken, expired, disabled.",
                )
            }
        }
    ),
    ("GET", "/admin/job-status"): OperationExamples(
        responses={
            "200": {
                "idle": Example(
                    "Job not running, last run shown",
                    {
                        "success": True,
                        "data": {"running": False, "schedule": "rate(1 hour)", "lastRun": RUN},
                    },
                )
            }
        }
    ),
    ("GET", "/get-credits"): OperationExamples(
        responses={
            "200": {
                "balance": Example(
                    "Customer's credit balance",
                    {"success": True, "data": {"customerId": "customer_123", "credits": "98.5"}},
                )
            }
        }
    ),
    ("POST", "/consume-credits"): OperationExamples(
        request={
            "charge": Example(
                "Charge 1.5 credits to a customer",
                {"customerId": "customer_123", "amount": 1.5},
            )
        },
        responses={
            "200": {
                "charged": Example(
                    "Credits charged",
                    {
                        "success": True,
                        "data": {
                            "customerId": "customer_123",
                            "amount": "1.5",
                            "credits": "98.5",
                            "entryId": "f3d1d41a-ea75-43a3-9ad5-a1b1adf1faaa",
                            "consumedAt": "2026-01-30T16:55:00.000Z",
                        },
                    },
                    "`credits` is the balance left after the charge.",
                )
            }
        },
    ),
}
