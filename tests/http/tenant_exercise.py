"""A sandbox exercised through every operation of the API's OpenAPI document.

The operations come from the committed document (a test keeps it up to date with the apps),
so a new route is exercised from the day it is documented: producers (POST/PUT without a
path parameter) are sent the document's first request example, or a body of
``MINIMAL_BODIES``; listings (GET without a path parameter) are read, a first page of one
item keeps its cursor; routes with path parameters are called with the sandbox's own ids of
the parameter's kind. Every id-like value of every answer is kept, by kind, in the
sandbox's ``IdBook``. tests/http/test_tenant_isolation_generated.py uses it.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from local_runtime.openapi_document import DOCUMENT_PATH, operations

DOCUMENT: dict[str, Any] = json.loads(DOCUMENT_PATH.read_text(encoding="utf-8"))
JSON = "application/json"

# Small data sets: initialize writes every record in the request.
DATA_SET = {"accounts": 6, "transactions": 8, "compliance_records": 4}

# Producers whose document shows no request example: the smallest body each accepts.
# ``{token}`` in a string is replaced by a value unique to the sandbox (so what A makes with
# it is A's own, not a name B made too). A producer with neither fails
# test_every_producer_is_sent_a_body_it_accepts: give it an example or an entry here.
MINIMAL_BODIES: dict[tuple[str, str], Any] = {
    ("POST", "/api/v1/sandbox/reset"): {},
    ("PUT", "/api/v1/sandbox/config"): {"aml_threshold": "9000"},
    ("POST", "/api/v1/sandbox/clock/freeze"): {},
    ("POST", "/api/v1/sandbox/clock/advance"): {"seconds": 60},
    ("POST", "/api/sandbox/users"): {"id": "user_iso_{token}", "timezone": "Europe/Paris"},
    ("PATCH", "/api/sandbox/users/{userId}"): {"timezone": "Europe/Berlin"},
    ("PUT", "/api/sandbox/rules"): {
        "rules": [
            {
                "id": "rule_iso_{token}",
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
        ]
    },
}
# Producers that replace the sandbox's data set run first, so what the others make stays.
DATA_SET_PRODUCERS = (("POST", "/api/v1/sandbox/reset"), ("POST", "/api/v1/sandbox/initialize"))

# How many of a sandbox's ids of one kind are tried on a route before giving up.
MAX_TRIES = 6

# ---------------------------------------------------------------- the route table


@dataclass(frozen=True)
class Operation:
    """One operation of the document, as the isolation pass needs it."""

    method: str
    path: str
    spec: dict[str, Any] = field(repr=False, compare=False)

    @property
    def keyed(self) -> bool:
        """A key is needed: the route serves a sandbox (public routes have no tenant data)."""
        return bool(self.spec.get("security"))

    def parameters(self, where: str) -> list[str]:
        return [p["name"] for p in self.spec.get("parameters", []) if p["in"] == where]

    @property
    def path_parameters(self) -> list[str]:
        return self.parameters("path")

    @property
    def takes_body(self) -> bool:
        return "requestBody" in self.spec

    @property
    def is_producer(self) -> bool:
        return self.method in {"POST", "PUT"} and not self.path_parameters

    @property
    def is_listing(self) -> bool:
        return self.method == "GET" and not self.path_parameters

    def example_bodies(self) -> list[Any]:
        """The request examples of the document, else the body of MINIMAL_BODIES."""
        media = self.spec.get("requestBody", {}).get("content", {}).get(JSON, {})
        examples = [example["value"] for example in media.get("examples", {}).values()]
        if not examples and "example" in media:
            examples = [media["example"]]
        if not examples and (self.method, self.path) in MINIMAL_BODIES:
            examples = [MINIMAL_BODIES[(self.method, self.path)]]
        return examples

    def url(self, values: dict[str, str]) -> str:
        return re.sub(r"\{([^}]+)\}", lambda m: values[m.group(1)], self.path)

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


ROUTES = [
    Operation(method, path, spec)
    for method, path, spec in operations(DOCUMENT)
    if method in {"GET", "POST", "PUT", "PATCH", "DELETE"}
]
KEYED = [op for op in ROUTES if op.keyed]
PRODUCERS = sorted(
    (op for op in KEYED if op.is_producer),
    key=lambda op: (
        DATA_SET_PRODUCERS.index((op.method, op.path))
        if (op.method, op.path) in DATA_SET_PRODUCERS
        else len(DATA_SET_PRODUCERS)
    ),
)
ID_ROUTES = [op for op in KEYED if op.path_parameters]
LISTINGS = [op for op in KEYED if op.is_listing]


# ---------------------------------------------------------------- ids and their kinds


def snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).replace("-", "_").lower()


def singular(noun: str) -> str:
    if noun.endswith("ies"):
        return noun[:-3] + "y"
    if noun.endswith(("sses", "xes")):
        return noun[:-2]
    return noun[:-1] if noun.endswith("s") and not noun.endswith("ss") else noun


def kind_of(name: str) -> str | None:
    """The kind of id a field or parameter holds: ``from_account_id`` and ``account_id`` ->
    ``from_account`` and ``account``; ``messageId`` -> ``message``; None if not an id."""
    name = snake(name)
    for suffix in ("_ids", "_id"):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return None


def matches(field_kind: str, wanted: str) -> bool:
    """A field's kind serves a parameter's: same kind, or a qualified one
    (``compliance_flag`` serves ``flag``, ``from_account`` serves ``account``)."""
    return field_kind == wanted or field_kind.endswith("_" + wanted)


def resource_of(op: Operation) -> str:
    """What a bare ``id`` in the operation's answer names: the collection of its path."""
    segments = op.path.strip("/").split("/")
    static = [s for s in segments if not s.startswith("{")]
    if op.method != "GET" and segments[-1] == static[-1] and len(segments) > 1:
        # POST /accounts/{account_id}/verify answers the account, not a "verify".
        before = segments[-2]
        if before.startswith("{") and len(static) >= 2:
            return singular(snake(static[-2]))
    return singular(snake(static[-1]))


@dataclass
class IdBook:
    """The ids a sandbox has seen, by kind, in the order first seen."""

    by_kind: dict[str, list[str]] = field(default_factory=dict)

    def add(self, kind: str, value: Any) -> None:
        if isinstance(value, str) and len(value) >= 3:
            values = self.by_kind.setdefault(kind, [])
            if value not in values:
                values.append(value)

    def collect(self, answer: Any, context: str) -> None:
        """Every id-like value of a JSON answer (a bare ``id`` takes its container's kind)."""
        if isinstance(answer, list):
            for item in answer:
                self.collect(item, context)
        elif isinstance(answer, dict):
            for key, value in answer.items():
                kind = kind_of(key)
                if key == "id":
                    self.add(context, value)
                elif kind and isinstance(value, str):
                    self.add(kind, value)
                elif kind and isinstance(value, list):
                    for item in value:
                        self.add(kind, item)
                elif isinstance(value, list):
                    self.collect(value, singular(snake(key)))
                elif isinstance(value, dict):
                    self.collect(value, context if key in ("data",) else snake(key))

    def values(self) -> set[str]:
        return {value for values in self.by_kind.values() for value in values}

    def of(self, wanted: str, keep: set[str] | None = None) -> list[str]:
        """The values of every kind that serves ``wanted`` (in ``keep`` if given)."""
        found: list[str] = []
        for kind, values in self.by_kind.items():
            if matches(kind, wanted):
                found += [v for v in values if (keep is None or v in keep) and v not in found]
        return found


def missing_twin(value: str) -> str:
    """An id of the same shape as ``value`` that no sandbox has: its last characters moved
    along their class (a digit to the next digit, a letter to the next letter)."""

    def shift(char: str) -> str:
        if char.isdigit():
            return str((int(char) + 1) % 10)
        if "a" <= char <= "z":
            return chr((ord(char) - ord("a") + 1) % 26 + ord("a"))
        if "A" <= char <= "Z":
            return chr((ord(char) - ord("A") + 1) % 26 + ord("A"))
        return char

    head, tail = value[:-6], value[-6:]
    return head + "".join(shift(c) for c in tail)


# ---------------------------------------------------------------- one sandbox's exercise


@dataclass
class Answer:
    status: int
    body: Any
    text: str
    cursor: str | None


@dataclass(frozen=True)
class Cursor:
    """A listing's next-page cursor, and the path values and query of the page it follows."""

    values: dict[str, str]
    query: dict[str, str]
    cursor: str


@dataclass
class Sandbox:
    """A developer key in a sandbox of its own, and what it has seen."""

    name: str
    headers: dict[str, str]
    api_key: str
    token: str = field(default_factory=lambda: secrets.token_hex(4))
    seen: IdBook = field(default_factory=IdBook)
    # (METHOD, path) of the operations this key was refused (403) on its own things.
    refused: set[tuple[str, str]] = field(default_factory=set)
    # Producers that refused every body the test had for them (400).
    refused_bodies: dict[str, str] = field(default_factory=dict)
    # A cursor of each listing whose first page (limit=1) had a next page.
    cursors: dict[tuple[str, str], Cursor] = field(default_factory=dict)
    # The path parameter values this key reached a route with (non-404).
    reached: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)
    # The ids of the bodies this key sent (a customer id is in no answer).
    sent: IdBook = field(default_factory=IdBook)


def call(
    client: httpx.Client,
    sandbox: Sandbox,
    op: Operation,
    *,
    values: dict[str, str] | None = None,
    params: dict[str, str] | None = None,
    body: Any = None,
) -> Answer:
    """``op`` with ``sandbox``'s key; the answer's ids go into what the sandbox has seen."""
    if op.takes_body:
        sandbox.sent.collect(body, resource_of(op))
    response = client.request(
        op.method,
        op.url(values or {}),
        params=params,
        headers=sandbox.headers,
        json=body if op.takes_body else None,
    )
    try:
        payload = response.json()
    except ValueError:
        payload = None
    answer = Answer(
        response.status_code, payload, response.text, response.headers.get("x-next-cursor")
    )
    if 200 <= answer.status < 300:
        sandbox.seen.collect(payload, resource_of(op))
    return answer


def fill(body: Any, sandbox: Sandbox, ids: IdBook | None = None) -> Any:
    """A request example made the sandbox's own: ``{token}`` replaced, each id-like field
    given the first id of its kind from ``ids`` (the sandbox's own by default), and each
    moment to schedule moved to tomorrow (examples are written on a fixed day)."""
    book = ids or sandbox.seen
    if isinstance(body, dict):
        filled = {}
        for key, value in body.items():
            kind = kind_of(key)
            own = book.of(kind) if kind and isinstance(value, str) else []
            if own:
                filled[key] = own[0]
            elif key.startswith("scheduled") and isinstance(value, str):
                tomorrow = datetime.now(UTC) + timedelta(days=1)
                filled[key] = tomorrow.strftime("%Y-%m-%dT%H:%M:%SZ")
            else:
                filled[key] = fill(value, sandbox, ids)
        return filled
    if isinstance(body, list):
        return [fill(item, sandbox, ids) for item in body]
    if isinstance(body, str):
        return body.replace("{token}", sandbox.token)
    return body


def exercise_producers(client: httpx.Client, sandbox: Sandbox, seed: int) -> None:
    for op in PRODUCERS:
        # The first example: later ones may contradict it (another owner email).
        for body in op.example_bodies()[:1] or [{}]:
            sent = fill(body, sandbox)
            if (op.method, op.path) == ("POST", "/api/v1/sandbox/initialize"):
                sent = {**sent, "seed": seed, **DATA_SET}
            answer = call(client, sandbox, op, body=sent)
            if answer.status == 403:
                sandbox.refused.add((op.method, op.path))
            elif answer.status == 400:
                sandbox.refused_bodies[str(op)] = answer.text[:300]
            else:
                # 409: the sandbox's state refuses it now (the clock reset after an advance).
                assert answer.status < 300 or answer.status == 409, (str(op), sent, answer.text)
        if str(op) == "POST /api/v1/sandbox/initialize":
            # The data set exists from here on: the other producers' bodies take its ids.
            exercise_listings(client, sandbox)


def exercise_listings(client: httpx.Client, sandbox: Sandbox) -> None:
    for op in LISTINGS:
        query = own_query(op, sandbox)
        answer = call(client, sandbox, op, params=query)
        if answer.status == 403:
            sandbox.refused.add((op.method, op.path))
            continue
        keep_cursor(client, sandbox, op, {}, query)


def keep_cursor(
    client: httpx.Client,
    sandbox: Sandbox,
    op: Operation,
    values: dict[str, str],
    query: dict[str, str],
) -> bool:
    """Keep the cursor of the listing's first page of one item, if it has a next page."""
    if "limit" not in op.parameters("query"):
        return False
    first_page = call(client, sandbox, op, values=values, params={**query, "limit": "1"})
    if first_page.cursor:
        sandbox.cursors[(op.method, op.path)] = Cursor(values, query, first_page.cursor)
    return bool(first_page.cursor)


def exercise_id_listings(client: httpx.Client, sandbox: Sandbox) -> None:
    """A cursor of each listing under an id (a user's decisions, audit, messages): tried
    with the sandbox's ids, newest first, until one has a second page."""
    for op in ID_ROUTES:
        if op.method != "GET" or "cursor" not in op.parameters("query"):
            continue
        options = [list(reversed(sandbox.seen.of(kind_of(n) or n))) for n in op.path_parameters]
        for attempt in range(MAX_TRIES):
            if not all(options) or all(attempt >= len(found) for found in options):
                break
            values = {
                name: found[min(attempt, len(found) - 1)]
                for name, found in zip(op.path_parameters, options, strict=True)
            }
            if keep_cursor(client, sandbox, op, values, {}):
                break


def own_query(op: Operation, sandbox: Sandbox) -> dict[str, str]:
    """The required query parameters of a listing, from the sandbox's own ids."""
    query = {}
    for parameter in op.spec.get("parameters", []):
        if parameter["in"] != "query" or not parameter.get("required"):
            continue
        kind = kind_of(parameter["name"])
        own = sandbox.seen.of(kind) if kind else []
        if own:
            query[parameter["name"]] = own[0]
    return query


def exercise_id_routes(client: httpx.Client, sandbox: Sandbox) -> None:
    """Every route with path parameters the sandbox can fill with its own ids, in rounds (a
    scenario run answers the run id the next round reads). Reads before actions, so an
    action's id (a transfer processed) was read first."""
    pending = sorted(ID_ROUTES, key=lambda op: op.method != "GET")
    for _round in range(3):
        left = [op for op in pending if reach(client, sandbox, op, sandbox.seen.of) is None]
        if len(left) == len(pending):
            break
        pending = left


def reach(
    client: httpx.Client, sandbox: Sandbox, op: Operation, candidates: Any
) -> dict[str, str] | None:
    """Call ``op`` with the sandbox's key and ids from ``candidates(kind)``, newest first,
    until one is not 404 (a kind mixes ids with other values: a network address, a template);
    the values it reached with, or None. A refusal (403) marks the route admin-only."""
    route = (op.method, op.path)
    options = []
    for name in op.path_parameters:
        kind = kind_of(name)
        found = candidates(kind) if kind else []
        if not found:
            return None
        options.append((name, list(reversed(found))[:MAX_TRIES]))
    body = fill(op.example_bodies()[0], sandbox) if op.example_bodies() else {}
    for attempt in range(MAX_TRIES):
        values = {name: found[min(attempt, len(found) - 1)] for name, found in options}
        answer = call(client, sandbox, op, values=values, body=body)
        if answer.status == 403:
            sandbox.refused.add(route)
            return None
        if answer.status != 404:
            sandbox.reached[route] = values
            return values
        if all(attempt >= len(found) - 1 for _, found in options):
            break
    return None


def exercise(client: httpx.Client, sandbox: Sandbox, seed: int) -> None:
    """Everything a developer does with a sandbox, through every documented operation."""
    exercise_producers(client, sandbox, seed)
    exercise_listings(client, sandbox)
    exercise_id_routes(client, sandbox)
    exercise_listings(client, sandbox)
    exercise_id_listings(client, sandbox)
