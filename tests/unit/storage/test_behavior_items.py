"""How decisions and actions are stored: index keys, and status moves that carry them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sandbox_common.messaging.behavior_models import Action, ActionStatus
from sandbox_common.storage.decisions_repository import ACTION_LIVE, _status_update, action_item
from sandbox_common.storage.sandbox_items import DataScope, Kind

SCOPE = DataScope("sb_a", "g0")
AT = datetime(2026, 1, 30, 16, 55, tzinfo=UTC)


def pending_action() -> Action:
    return Action(
        actionId="act_1",
        userId="user_us",
        actionType="send_message",
        channel="sandbox",
        reason="r",
        decisionId="decision_1",
        ruleId="rule_1",
        status=ActionStatus.PENDING,
        createdAt=AT,
        scheduledAt=AT + timedelta(minutes=5),
        delayReason="rule rule_1 delays it 300000 ms",
    )


def test_a_pending_action_is_findable_by_user_and_due_time():
    item = action_item(SCOPE, pending_action(), expires_at=1)

    assert item["pk"] == "sb_a#g0#action"
    assert item["ix1"].startswith("user_us/pending#2026-01-30T16:55:00.000Z#act_1")
    assert item["ix3"].startswith("user_us/2026-01-30T17:00:00.000Z#")
    assert item["status"] == "pending"


def test_running_an_action_moves_its_status_key_and_drops_its_due_key_conditionally():
    action = pending_action()
    done = action.model_copy(
        update={"status": ActionStatus.EXECUTED, "executedAt": AT, "delayReason": None}
    )

    update = _status_update("t", SCOPE, Kind.ACTION, action.actionId, done, ACTION_LIVE)["Update"]

    assert update["ConditionExpression"] == "#status = :pending"
    assert update["ExpressionAttributeValues"][":ix1"].startswith("user_us/executed#")
    set_part, remove_part = update["UpdateExpression"].split(" REMOVE ")
    assert "ix3" in remove_part and "#f_delayReason" in remove_part
    assert ":v_executedAt" in set_part
