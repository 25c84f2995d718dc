"""The actions scenario steps may use, each bound to the same use case as its endpoint."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from sandbox_common import providers
from sandbox_common.auth import AuthContext, Permission
from sandbox_common.errors import InvalidInput, NotFound
from sandbox_common.ledger import accounts, compliance, transfers
from sandbox_common.ledger.models import (
    AccountCreate,
    FlagResolve,
    TransactionStatus,
    TransferCreate,
)
from sandbox_common.sandboxes.data_scope import data_expiry
from sandbox_common.scenarios.engine import Action, ActionResult
from sandbox_common.storage.sandbox_items import DataScope

MAX_GENERATED_TRANSACTIONS = 1_000
GENERATION_PARTIES = 100
_PROCESSED = {
    TransactionStatus.COMPLETED: "transfer_processed",
    TransactionStatus.FAILED: "transfer_failed",
    TransactionStatus.PENDING: "transfer_pending",
}


class SandboxAccounts:
    """Resolves ``{{sandbox_account_N}}`` to the id of the sandbox's N-th account."""

    def __init__(self, scope: DataScope) -> None:
        self._scope = scope

    def sandbox_account(self, n: int) -> str:
        """The id of the ``n``-th account in listing order; NotFound if there are fewer."""
        account = providers.accounts_repository().nth(self._scope, n)
        if account is None:
            raise NotFound(
                f"The sandbox has fewer than {n} accounts: POST /api/v1/sandbox/initialize first"
            )
        return account.id


def scenario_actions(caller: AuthContext, context: SandboxAccounts) -> Mapping[str, Action]:
    """Every action by name, acting as ``caller`` in its sandbox."""

    def create_account(params: dict[str, Any]) -> ActionResult:
        account = accounts.create_account(caller, _parse(AccountCreate, params))
        return ActionResult("account_created", _json(account))

    def verify_account(params: dict[str, Any]) -> ActionResult:
        account = accounts.verify_account(caller, str(_required(params, "account_id")))
        return ActionResult("account_verified", _json(account))

    def create_transfer(params: dict[str, Any]) -> ActionResult:
        transfer, _ = transfers.create_transfer(caller, _parse(TransferCreate, params))
        return ActionResult("transfer_created", {**_json(transfer), "transfer_id": transfer.id})

    def process_transfer(params: dict[str, Any]) -> ActionResult:
        transfer = transfers.process_transfer(caller, str(_required(params, "transfer_id")))
        return ActionResult(_PROCESSED[transfer.status], _json(transfer))

    def create_high_value_transaction(params: dict[str, Any]) -> ActionResult:
        body = {
            "from_account_id": params.get("from_account_id") or context.sandbox_account(1),
            "to_account_id": params.get("to_account_id") or context.sandbox_account(2),
            **{k: v for k, v in params.items() if k not in ("from_account_id", "to_account_id")},
        }
        transfer, _ = transfers.create_transfer(caller, _parse(TransferCreate, body))
        outcome = "compliance_flag_created" if transfer.compliance_flag_id else "transfer_created"
        return ActionResult(
            outcome,
            {**_json(transfer), "transfer_id": transfer.id, "flag_id": transfer.compliance_flag_id},
        )

    def resolve_compliance_flag(params: dict[str, Any]) -> ActionResult:
        flag_id = str(_required(params, "flag_id"))
        request = _parse(FlagResolve, {k: v for k, v in params.items() if k != "flag_id"})
        return ActionResult(
            "flag_resolved", _json(compliance.resolve_flag(caller, flag_id, request))
        )

    def generate_transaction_data(params: dict[str, Any]) -> ActionResult:
        return ActionResult("data_generated", _generate(caller, context, params))

    def get_dashboard_metrics(params: dict[str, Any]) -> ActionResult:
        from sandbox_common.analytics.service import sandbox_dashboard

        dashboard = sandbox_dashboard(caller, str(params.get("time_period", "7d")))
        return ActionResult("metrics_retrieved", dashboard.model_dump(mode="json"))

    return {
        action.__name__: action
        for action in (
            create_account,
            verify_account,
            create_transfer,
            process_transfer,
            create_high_value_transaction,
            resolve_compliance_flag,
            generate_transaction_data,
            get_dashboard_metrics,
        )
    }


def _generate(
    caller: AuthContext, context: SandboxAccounts, params: dict[str, Any]
) -> dict[str, Any]:
    from sandbox_common.analytics.period import TimePeriod
    from sandbox_common.mockdata.generator import generate_transactions
    from sandbox_common.sandboxes.data_scope import data_scope

    caller.require(Permission.WRITE)
    count = params.get("count", 100)
    if (
        not isinstance(count, int)
        or isinstance(count, bool)
        or not 1 <= count <= MAX_GENERATED_TRANSACTIONS
    ):
        raise InvalidInput(f"count must be an integer from 1 to {MAX_GENERATED_TRANSACTIONS}")
    period = TimePeriod.parse(str(params.get("time_range", "7d")))
    _, scope = data_scope(caller)
    # The parties are drawn from the sandbox's first accounts: one bounded read, whatever
    # the sandbox holds (the scenario's funded accounts are the first five).
    known = providers.accounts_repository().first(scope, GENERATION_PARTIES)
    if len(known) < 2:
        context.sandbox_account(2)  # raises the same "initialize first" error as placeholders
    seed = secrets.randbelow(2**63)
    generated = generate_transactions(
        seed=seed,
        anchor=providers.clock().now(),
        accounts=known,
        count=count,
        window=period.duration,
    )
    # Stored with their count and dashboard figures; a reset racing this step refuses the
    # write with Conflict, which fails the step.
    providers.transactions_repository().add_many(scope, generated, data_expiry())
    return {
        "generated": len(generated),
        "seed": seed,
        "time_range": str(params.get("time_range", "7d")),
    }


def _parse[M](model: type[M], params: dict[str, Any]) -> M:
    from pydantic import BaseModel, ValidationError

    assert issubclass(model, BaseModel)
    try:
        return model.model_validate(params)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']}" for error in exc.errors()
        )
        raise InvalidInput(f"Invalid step parameters: {problems}") from exc


def _required(params: dict[str, Any], name: str) -> Any:
    value = params.get(name)
    if value in (None, ""):
        raise InvalidInput(f"Step parameter '{name}' is required")
    return value


def _json(model: Any) -> dict[str, Any]:
    dumped: dict[str, Any] = model.model_dump(mode="json")
    return dumped
