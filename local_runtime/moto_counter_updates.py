"""moto's UpdateItem for counter updates, applied without its expression machinery.

Every answered request writes its counters with one shape of UpdateItem:
``ADD a :x, #b :y SET c = :z, expires_at = if_not_exists(expires_at, :ttl)``. moto parses
such an expression twice (tokenizer, parser, then a validator that walks and copies the
tree), deep-copies the item twice (once for the old attributes, once for a stream record
nobody asked for) and size-checks the item at every attribute it sets.

Here that shape is recognised and applied directly, with moto's own number arithmetic
(``DynamoType.__add__``) and moto's own response code for every ``ReturnValues``. The shape:
only ``ADD <attribute> <number>`` and ``SET <attribute> = <string or number>`` /
``SET <attribute> = if_not_exists(<same attribute>, <string or number>)`` clauses on distinct
top-level attributes that no table or index key uses; every placeholder given is used and
every one used is given; no condition, no stream on the table; an item small enough that
no step of moto's could reach its size limit. Anything else (including every request moto
would refuse) returns None and goes through moto's own path, so the answer or the error is
always moto's.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["update_counters"]

_BODY_KEYS = frozenset(
    {
        "TableName",
        "Key",
        "UpdateExpression",
        "ExpressionAttributeNames",
        "ExpressionAttributeValues",
        "ReturnValues",
    }
)
_RETURN_VALUES = frozenset({"NONE", "ALL_OLD", "ALL_NEW", "UPDATED_OLD", "UPDATED_NEW"})
_TOKEN = re.compile(r"\s*(#[A-Za-z0-9_]+|:[A-Za-z0-9_]+|[A-Za-z][A-Za-z0-9_]*|[=(),])")
_PUNCTUATION = frozenset("=(),")
_NUMBER = re.compile(r"-?(0|[1-9][0-9]{0,20})(\.[0-9]{1,20})?")
_SIZE_LIMIT = 405_000  # moto's LimitedSizeDict limit

# An action: (attribute name, value placeholder, kind) with kind "add", "set" or "set_absent".
_Action = tuple[str, str, str]


def update_counters(handler: Any) -> Any:
    """The result moto's ``DynamoHandler.update_item`` gives for this request, or None when
    the request is not of the counter shape (moto's own path must run)."""
    body = handler.body
    if not _BODY_KEYS.issuperset(body) or not isinstance(body.get("UpdateExpression"), str):
        return None
    return_values = body.get("ReturnValues", "NONE")
    if return_values not in _RETURN_VALUES:
        return None
    actions = _actions(body)
    if actions is None:
        return None
    backend = handler.dynamodb_backend
    table = backend.tables.get(body.get("TableName"))
    if table is None or table.stream_shard is not None:
        return None
    keys = _item_key(table, body.get("Key"))
    if keys is None or set(table.attribute_keys).intersection(name for name, _, _ in actions):
        return None  # a key of the table or of an index: moto's checks
    item = table.get_item(*keys)
    new_values = _new_values(item, actions, body["ExpressionAttributeValues"])
    if new_values is None or _could_exceed_size(table, item, keys, new_values):
        return None
    existing_attributes = item.to_json()["Attributes"] if item is not None else {}
    if item is None:
        key = {table.hash_key_attr: body["Key"][table.hash_key_attr]}  # moto's order
        if table.range_key_attr:
            key[table.range_key_attr] = body["Key"][table.range_key_attr]
        try:
            table.put_item(key)
        except Exception:
            return None  # nothing stored: moto's path raises its own error
        item = table.get_item(*keys)
    for name, value in new_values:
        dict.__setitem__(item.attrs, name, value)  # the size was bounded above
    return _result(handler, body["TableName"], item, existing_attributes, return_values)


def _actions(body: dict[str, Any]) -> list[_Action] | None:
    """The expression's actions in moto's order (its text order), names resolved."""
    names = body.get("ExpressionAttributeNames")
    values = body.get("ExpressionAttributeValues")
    if names is not None and (not isinstance(names, dict) or not names):
        return None
    if not isinstance(values, dict) or not values:
        return None
    tokens = _tokens(body["UpdateExpression"])
    if tokens is None:
        return None
    parsed = _clauses(tokens)
    if parsed is None:
        return None
    used_names = {t for _, target, _, _ in parsed for t in target if t.startswith("#")}
    used_values = {value for _, _, value, _ in parsed}
    if used_names != set(names or {}) or used_values != set(values):
        return None
    actions: list[_Action] = []
    for section, (name_token,), value, absent_only in parsed:
        name = names[name_token] if name_token.startswith("#") else name_token
        if not isinstance(name, str) or not name:
            return None
        kind = "add" if section == "ADD" else "set_absent" if absent_only else "set"
        actions.append((name, value, kind))
    if len({name for name, _, _ in actions}) != len(actions):
        return None  # overlapping paths: moto's error
    return actions


def _tokens(expression: str) -> list[str] | None:
    """The expression's tokens; None for anything else, or two words not spaced apart."""
    tokens: list[str] = []
    position = 0
    end = len(expression.rstrip())
    while position < end:
        match = _TOKEN.match(expression, position)
        if match is None:
            return None
        token = match.group(1)
        spaced = match.start(1) > position
        if tokens and not spaced and token not in _PUNCTUATION and tokens[-1] not in _PUNCTUATION:
            return None
        tokens.append(token)
        position = match.end()
    return tokens


def _clauses(tokens: list[str]) -> list[tuple[str, tuple[str], str, bool]] | None:
    """(section, (name token,), value placeholder, if_not_exists) per clause, or None."""
    from moto.dynamodb.parsing.reserved_keywords import ReservedKeywords

    reserved = ReservedKeywords.get_reserved_keywords()
    clauses: list[tuple[str, tuple[str], str, bool]] = []
    sections: set[str] = set()
    position = 0

    def name_at(index: int) -> str | None:
        if index >= len(tokens):
            return None
        token = tokens[index]
        if token.startswith("#"):
            return token
        if token[0].isalpha() and token != "if_not_exists" and token.upper() not in reserved:
            return token
        return None

    def value_at(index: int) -> str | None:
        return tokens[index] if index < len(tokens) and tokens[index][0] == ":" else None

    while position < len(tokens):
        section = tokens[position]
        if section not in ("ADD", "SET") or section in sections:
            return None
        sections.add(section)
        position += 1
        while True:
            name = name_at(position)
            if name is None:
                return None
            if section == "ADD":
                value = value_at(position + 1)
                absent_only = False
                position += 2
            elif tokens[position + 1 : position + 4] == ["=", "if_not_exists", "("]:
                if name_at(position + 4) != name or tokens[position + 5 : position + 6] != [","]:
                    return None
                value = value_at(position + 6)
                if tokens[position + 7 : position + 8] != [")"]:
                    return None
                absent_only = True
                position += 8
            elif tokens[position + 1 : position + 2] == ["="]:
                value = value_at(position + 2)
                absent_only = False
                position += 3
            else:
                return None
            if value is None:
                return None
            clauses.append((section, (name,), value, absent_only))
            if position < len(tokens) and tokens[position] == ",":
                position += 1
                continue
            break
    return clauses or None


def _item_key(table: Any, key: Any) -> tuple[Any, Any] | None:
    """The item's (hash, range) DynamoTypes, when ``key`` is exactly the table's key with
    values of the declared types (anything else: moto's checks and errors)."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    expected = {table.hash_key_attr: table.hash_key_type}
    if table.range_key_attr:
        expected[table.range_key_attr] = table.range_key_type
    if not isinstance(key, dict) or set(key) != set(expected):
        return None
    for name, attribute_type in expected.items():
        value = key[name]
        if not isinstance(value, dict) or len(value) != 1 or attribute_type not in value:
            return None
        scalar = value[attribute_type]
        if attribute_type == "S" and not (isinstance(scalar, str) and 0 < len(scalar) <= 256):
            return None
        if attribute_type == "N" and not (isinstance(scalar, str) and _NUMBER.fullmatch(scalar)):
            return None
        if attribute_type not in ("S", "N"):
            return None
    hash_value = DynamoType(key[table.hash_key_attr])
    range_value = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
    return hash_value, range_value


def _new_values(
    item: Any, actions: list[_Action], values: dict[str, Any]
) -> list[tuple[str, Any]] | None:
    """Each attribute's value after the update, computed as moto's executors do."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    attrs = item.attrs if item is not None else {}
    new_values: list[tuple[str, Any]] = []
    for name, placeholder, kind in actions:
        value = values[placeholder]
        if not isinstance(value, dict) or len(value) != 1:
            return None
        ((value_type, scalar),) = value.items()
        if not isinstance(scalar, str):
            return None
        if value_type == "N" and not _NUMBER.fullmatch(scalar):
            return None
        current = attrs.get(name)
        if kind == "add":
            if value_type != "N" or (current is not None and current.type != "N"):
                return None  # a set, or a non-number: moto's path (or its error)
            base = current if current is not None else DynamoType({"N": "0"})
            try:
                new_values.append((name, base + DynamoType(value)))
            except Exception:
                return None
        elif value_type not in ("S", "N"):
            return None
        elif kind == "set_absent" and current is not None:
            new_values.append((name, current))
        else:
            new_values.append((name, DynamoType(value)))
    return new_values


def _could_exceed_size(
    table: Any, item: Any, keys: tuple[Any, Any], new_values: list[tuple[str, Any]]
) -> bool:
    """Whether any of moto's per-attribute size checks could fail: the item as it is plus
    every value set, an upper bound of each check's measure."""
    from moto.dynamodb.models.dynamo_type import bytesize

    if item is not None:
        size = sum(bytesize(name) + value.size() for name, value in item.attrs.items())
    else:
        size = bytesize(table.hash_key_attr) + keys[0].size()
        if keys[1] is not None:
            size += bytesize(table.range_key_attr) + keys[1].size()
    size += sum(bytesize(name) + value.size() for name, value in new_values)
    return size > _SIZE_LIMIT


def _result(
    handler: Any, table_name: str, item: Any, existing_attributes: dict[str, Any], returns: str
) -> Any:
    """moto's answer for ``ReturnValues`` (the tail of ``DynamoHandler.update_item``)."""
    from moto.dynamodb.responses import DynamoResult

    item_dict = item.to_json()
    item_dict["ConsumedCapacity"] = {"TableName": table_name, "CapacityUnits": 0.5}
    unchanged_attributes = {
        k for k in existing_attributes if existing_attributes[k] == item_dict["Attributes"].get(k)
    }
    changed_attributes = (
        set(existing_attributes).union(item_dict["Attributes"]).difference(unchanged_attributes)
    )
    if returns == "NONE":
        item_dict.pop("Attributes", None)
    elif returns == "ALL_OLD":
        if existing_attributes:
            item_dict["Attributes"] = existing_attributes
        else:
            item_dict.pop("Attributes", None)
    elif returns == "UPDATED_OLD":
        updated = {k: v for k, v in existing_attributes.items() if k in changed_attributes}
        if updated:
            item_dict["Attributes"] = updated
        else:
            item_dict.pop("Attributes", None)
    elif returns == "UPDATED_NEW":
        item_dict["Attributes"] = handler._build_updated_new_attributes(
            existing_attributes, item_dict["Attributes"]
        )
    return DynamoResult(item_dict)
