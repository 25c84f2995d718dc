"""How a sandbox's records are laid out in the sandbox-data table.

One table holds every sandbox's data, whatever the group (ledger, scenario runs, messaging).
An item's partition key names the sandbox, its data generation and the kind of record
(``sb_x#g0#account``); the sort key is the record id, and the ``by_time`` local index orders
a partition by ``ts`` (creation order for accounts, the creation time for the rest; unique
within a partition). Listed kinds also carry up to four filter keys ``ix1``..``ix4``
(``<value>#<ts>``) for the ``by_ix*`` indexes; ``LISTINGS`` says which field each holds. The
sandbox id always comes from the caller's authorizer context, so a query can only ever
reach the caller's own partition.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import BaseModel

from sandbox_common.clock import isoformat
from sandbox_common.storage.listing_plan import SLOTS, ListingSpec


class Kind(StrEnum):
    """The kinds of record a sandbox holds (initialize and reset cover every kind)."""

    ACCOUNT = "account"
    ACCOUNT_ADDRESS = "address"
    TRANSACTION = "txn"
    FLAG = "flag"
    IDEMPOTENCY = "idem"
    SCENARIO_RUN = "run"
    # The dashboard's figures kept at write time (``storage.ledger_aggregates``): buckets
    # per UTC hour (sk ``2026-11-30T01``) and per UTC day (sk ``2026-11-30``) of creation
    # time, and the summaries of the accounts and flags as they are now (sk ``accounts``).
    HOURLY_FIGURES = "agg_hour"
    DAILY_FIGURES = "agg_day"
    SUMMARY_FIGURES = "agg_summary"
    # The messaging sandbox: users (only the ones changed from the defaults), signals and
    # the events they normalize into, decisions and the actions they become, messages, the
    # audit trail and the sandbox's own rule set (one record, sk ``current``).
    USER = "user"
    SIGNAL = "signal"
    EVENT = "event"
    DECISION = "decision"
    ACTION = "action"
    MESSAGE = "msg"
    AUDIT = "audit"
    RULE_SET = "rules"


@dataclass(frozen=True)
class DataScope:
    """One sandbox's live data: its id and current generation (every kind lives under it)."""

    sandbox_id: str
    generation: str

    def pk(self, kind: Kind) -> str:
        """The partition key of this scope's records of ``kind``."""
        return f"{self.sandbox_id}#{self.generation}#{kind.value}"


# Which field each filter key holds, and which filters use them (most selective first: on
# generated data a country keeps ~1/5 of the accounts, a currency ~1/8 and a status up to
# 85% of the transactions, a flag type or severity ~1/4 and a status ~1/3 of the flags).
# A transaction's type is left to the residual filter: the fifth index is by_time.
LISTINGS: dict[Kind, ListingSpec] = {
    Kind.ACCOUNT: ListingSpec(
        newest_first=False,
        slots={"country_code": "ix1", "account_type": "ix2", "network": "ix3", "is_active": "ix4"},
        indexed={
            "country_code": ("country_code",),
            "account_type": ("account_type",),
            "network": ("network",),
            "is_active": ("is_active",),
        },
    ),
    Kind.TRANSACTION: ListingSpec(
        newest_first=True,
        slots={
            "status": "ix1",
            "currency": "ix2",
            "from_account_id": "ix3",
            "to_account_id": "ix4",
        },
        indexed={
            "account_id": ("from_account_id", "to_account_id"),
            "currency": ("currency",),
            "status": ("status",),
        },
        time_filters=("since", "until"),
    ),
    Kind.FLAG: ListingSpec(
        newest_first=True,
        slots={"status": "ix1", "flag_type": "ix2", "severity": "ix3", "account_id": "ix4"},
        indexed={
            "account_id": ("account_id",),
            "flag_type": ("flag_type",),
            "severity": ("severity",),
            "status": ("status",),
        },
    ),
    # Messaging users a sandbox stored, by id (``ts`` is the id; the defaults live in code).
    Kind.USER: ListingSpec(newest_first=False, slots={}, indexed={}),
    # Decisions and actions oldest first, by user and status ("user_us/pending"), or by user.
    # A decision's ix3 is "<user>/<rule>#<ts>" (a rule's recent decisions for a user are one
    # counting Query); a pending action's is "<user>/<scheduledAt>#<ts>" (gone once it ran:
    # the due ones of a user are one Query).
    Kind.DECISION: ListingSpec(
        newest_first=False,
        slots={"user_status": "ix1", "userId": "ix2", "user_rule": "ix3"},
        indexed={"user_status": ("user_status",), "userId": ("userId",)},
    ),
    Kind.ACTION: ListingSpec(
        newest_first=False,
        slots={"user_status": "ix1", "userId": "ix2", "due_key": "ix3"},
        indexed={"user_status": ("user_status",), "userId": ("userId",)},
    ),
    # Messaging: a sandbox's audit trail oldest first, by user, by type or both (a user's
    # entries of one type are one Query of ix3).
    Kind.AUDIT: ListingSpec(
        newest_first=False,
        slots={"userId": "ix1", "type": "ix2", "user_type": "ix3"},
        indexed={"user_type": ("user_type",), "userId": ("userId",), "type": ("type",)},
        time_filters=("since", "until"),
    ),
    # Messages newest first, by sender or by receiver. Slot ix4 is not a listing: it holds
    # ``<deliverAt>#<id>`` only while a message waits, so the due messages of a sandbox are
    # one Query of by_ix4 up to now (``storage.messages_repository``).
    Kind.MESSAGE: ListingSpec(
        newest_first=True,
        slots={"senderId": "ix1", "receiverId": "ix2"},
        indexed={"senderId": ("senderId",), "receiverId": ("receiverId",)},
    ),
}


def ordinal_ts(ordinal: int) -> str:
    """The ``ts`` of a generated account: its position, so listings keep generation order."""
    return f"{ordinal:09d}"


def time_ts(moment: datetime, record_id: str) -> str:
    """The ``ts`` of a record ordered by time (fixed width, so strings sort as times)."""
    return f"{isoformat(moment)}#{record_id}"


def created_account_ts(moment: datetime, record_id: str) -> str:
    """Accounts created through the API list after the generated ones ('~' sorts after digits)."""
    return "~" + time_ts(moment, record_id)


# The TTL of a persistent sandbox's items (2200-01-01T00:00:00Z): an epoch so far ahead that
# DynamoDB never deletes them, which keeps every write path's ``expires_at`` a plain int.
KEPT_EXPIRY = int(datetime(2200, 1, 1, tzinfo=UTC).timestamp())


def expiry(days: int) -> int:
    """Epoch seconds ``days`` from now, for DynamoDB TTL.

    TTL is physical clean-up compared with real time by DynamoDB, so it reads the wall
    clock on purpose and not the sandbox clock (a frozen sandbox clock must not make data
    expire at once).
    """
    return int((datetime.now(UTC) + timedelta(days=days)).timestamp())


def to_item(
    record: BaseModel, *, live: frozenset[str] = frozenset(), **keys: Any
) -> dict[str, Any]:
    """A record as a DynamoDB item: one JSON document, plus its ``live`` fields as attributes.

    Live fields are the ones conditional writes test and change in place (a balance, a
    status); everything else is read and written whole. An attribute always wins over the
    document's copy, so an update only ever sets attributes. Few attributes per item also
    keep bulk writes fast: the local DynamoDB (moto) pays per attribute, not per byte.
    """
    item: dict[str, Any] = {DOCUMENT: record.model_dump_json(exclude=set(live), exclude_none=True)}
    for name in live:
        value = getattr(record, name)
        if value is not None:
            item[name] = _storable(value)
    item.update(keys)
    return item


def from_item[M: BaseModel](model: type[M], item: dict[str, Any]) -> M:
    """The record stored in ``item``: its document, overridden by its attributes."""
    data: dict[str, Any] = json.loads(item[DOCUMENT]) if DOCUMENT in item else {}
    for name, value in item.items():
        if name in _STORAGE_ATTRIBUTES:
            continue
        # Balances are typed money and keep their Decimals, scale included ("1000.00");
        # any other number DynamoDB hands back as Decimal gets its int back when whole.
        data[name] = value if name == "balances" else _plain(value)
    return model.model_validate(data)


def document(record: BaseModel, *, live: frozenset[str]) -> str:
    """The JSON document ``to_item`` stores for ``record`` (to replace it whole)."""
    return record.model_dump_json(exclude=set(live), exclude_none=True)


DOCUMENT = "doc"
_STORAGE_ATTRIBUTES = frozenset({"pk", "sk", "ts", "expires_at", DOCUMENT, *SLOTS})


def _storable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, float):  # free-form metadata may carry floats; DynamoDB wants Decimal
        return Decimal(str(value))
    if isinstance(value, dict):
        return {key: _storable(inner) for key, inner in value.items()}
    if isinstance(value, list | tuple):
        return [_storable(inner) for inner in value]
    return value


def _plain(value: Any) -> Any:
    # DynamoDB hands every number back as Decimal; free-form dicts get their ints back.
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else value
    if isinstance(value, dict):
        return {key: _plain(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [_plain(inner) for inner in value]
    return value
