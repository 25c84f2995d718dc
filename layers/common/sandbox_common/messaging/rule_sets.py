"""The rules a sandbox runs: its own set once it replaced them, the defaults until then."""

from __future__ import annotations

from collections import Counter

from pydantic import BaseModel

from sandbox_common import providers
from sandbox_common.auth import AuthContext, Permission
from sandbox_common.errors import InvalidInput
from sandbox_common.messaging.audit import SANDBOX_WIDE, AuditType, new_audit_entry
from sandbox_common.messaging.behavior_models import Rules, RuleSetReplace, RuleView
from sandbox_common.messaging.rules import DEFAULT_RULES, Rule, parse_rule_set
from sandbox_common.messaging.timestamps import Timestamp
from sandbox_common.sandboxes.data_scope import data_expiry, data_scope
from sandbox_common.storage.sandbox_items import DataScope

# A signal's decisions are written in one transaction with their audit entries (two writes
# per decision, DynamoDB allows 100 in all), so one signal type has at most this many rules.
MAX_RULES_PER_TRIGGER = 40


class StoredRuleSet(BaseModel):
    """A sandbox's own rule set as stored (``version`` counts its replacements)."""

    rules: list[Rule]
    version: int
    updatedAt: Timestamp


def current_rules(scope: DataScope) -> list[Rule]:
    """The sandbox's stored rule set, or the default rules."""
    stored = providers.rule_sets_repository().get(scope)
    return list(stored.rules) if stored else list(DEFAULT_RULES)


def list_rules(caller: AuthContext) -> Rules:
    """The rules the sandbox runs now."""
    caller.require(Permission.READ)
    _, scope = data_scope(caller)
    return _answer(providers.rule_sets_repository().get(scope))


def replace_rules(caller: AuthContext, body: RuleSetReplace) -> Rules:
    """Replace the sandbox's rules with ``body``'s (validated: known signals and actions,
    valid conditions, unique ids; 400 naming each bad rule); recorded in the audit trail.
    409 if another replacement got there first."""
    caller.require(Permission.WRITE)
    rule_set = parse_rule_set(body.model_dump(mode="json"))
    crowded = [
        t
        for t, n in Counter(r.trigger for r in rule_set.rules).items()
        if n > MAX_RULES_PER_TRIGGER
    ]
    if crowded:
        raise InvalidInput(
            f"At most {MAX_RULES_PER_TRIGGER} rules per signal type; too many for: "
            + ", ".join(sorted(crowded))
        )
    _, scope = data_scope(caller)
    repository = providers.rule_sets_repository()
    before = repository.get(scope)
    now = providers.clock().now()
    stored = StoredRuleSet(
        rules=rule_set.rules, version=(before.version + 1) if before else 1, updatedAt=now
    )
    from sandbox_common.storage.audit_repository import audit_put

    expires_at = data_expiry()
    audit = new_audit_entry(
        AuditType.RULES_REPLACED,
        SANDBOX_WIDE,
        now,
        details={
            "version": stored.version,
            "totalRules": len(stored.rules),
            "ruleIds": [rule.id for rule in stored.rules],
        },
    )
    repository.replace(
        scope,
        stored,
        audit_put(providers.settings().data_table, scope, audit, expires_at),
        expires_at=expires_at,
        expected_version=before.version if before else None,
    )
    return _answer(stored)


def _answer(stored: StoredRuleSet | None) -> Rules:
    rules = sorted(stored.rules if stored else DEFAULT_RULES, key=lambda rule: rule.priority)
    return Rules(
        totalRules=len(rules),
        rules=[RuleView.model_validate(rule.model_dump(mode="json")) for rule in rules],
        source="custom" if stored else "default",
        version=stored.version if stored else 0,
        updatedAt=stored.updatedAt if stored else None,
    )
