"""Tenant isolation, generated from the route table: nothing sandbox A makes reaches sandbox B.

The operations come from the API's OpenAPI document (tests/http/tenant_exercise.py), so a new
route is covered the day it is documented, without a new test. Sandbox B is exercised first
and on its own: every producer, every listing, every route with a path parameter it can fill
from its own answers. What B has seen and sent then is everything any sandbox has by design
(the catalogs, the default messaging users, the rules). Sandbox A is exercised the same way,
with another seed; then the hourly job bills both. The ids A has seen and B had not, with
A's key, are A's own.

B's key is then used on A's things:
* every route with a path parameter, filled with A's ids, answers B exactly as it does for
  ids that never existed (404 in the error envelope wherever that one is), and A's own key
  gets another answer for the same call (so the ids were real);
* a route whose parameter only takes names every sandbox has (``user_us``, a sender name)
  answers B with B's own view: none of A's ids in it;
* every listing (ledger, audit, usage, charges, keys...), with and without its id filters
  set to A's ids, and with A's cursors, shows none of A's ids; B's counts and analytics
  figures are the same before and after A's whole exercise;
* every producer whose body names A's ids (a transfer from A's account, A's sandbox id in a
  persistent config) answers B 404.

A route a developer key may not call at all (403 for A on its own things: the admin routes
and the payment server) is not isolation evidence; B must get 403 there too.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from sandbox_common import providers
from sandbox_common.clock import FixedClock
from tests.http.tenant_exercise import (
    ID_ROUTES,
    KEYED,
    LISTINGS,
    PRODUCERS,
    Answer,
    IdBook,
    Operation,
    Sandbox,
    call,
    exercise,
    exercise_listings,
    fill,
    kind_of,
    missing_twin,
    own_query,
    reach,
)

SEEDS = {"A": 1101, "B": 2202}

# Path parameters that take only names every sandbox has (so B's answer is B's own view, and
# test_an_id_every_sandbox_has_shows_b_only_its_own checks it), and why. A new parameter that
# A cannot fill with an id of its own fails test_every_parameter_takes_as_own_ids_or_is_known.
SHARED_PARAMETERS = {
    "scenario_id": "the scenario catalog is the same in every sandbox",
    "senderId": "messaging users are named by the caller: every sandbox may use one name",
    "receiverId": "messaging users are named by the caller: every sandbox may use one name",
    "customerId": "the payment server's customers, named by the operator (admin routes)",
}

# The figures of a sandbox (counts, totals): A's activity must not move B's. Each is
# (route, the answer's part that holds the figures).
FIGURES = (
    ("/api/v1/sandbox/status", "counts"),
    ("/api/v1/sandbox/analytics/dashboard", "totals"),
    ("/api/v1/sandbox/analytics/dashboard", "volume_by_currency"),
)


# ---------------------------------------------------------------- the world of the tests


@dataclass
class World:
    a: Sandbox
    b: Sandbox
    # B's figures before A existed, and after A's whole exercise.
    b_figures: tuple[list[Any], list[Any]]
    # Ids every sandbox has by design: what B had seen before A existed, and the id of the
    # job run that billed every persistent sandbox at once.
    shared: set[str]

    @property
    def a_only(self) -> set[str]:
        """A's own ids and secrets: what A has seen that B never had."""
        return (self.a.seen.values() - self.shared) | {self.a.api_key}

    def a_values(self, kind: str) -> list[str]:
        return self.a.seen.of(kind, keep=self.a_only)

    def shared_values(self, kind: str) -> list[str]:
        return self.a.seen.of(kind, keep=self.a.seen.values() & self.shared)


def new_sandbox(client: httpx.Client, admin_key: str, name: str) -> Sandbox:
    response = client.post(
        "/api/v1/sandbox/keys",
        json={
            "developer_name": f"isolation-{name}",
            "developer_email": f"isolation-{name.lower()}@example.com",
            "tier": "pro",
        },
        headers={"Authorization": f"Bearer {admin_key}"},
    )
    assert response.status_code == 201, response.text
    created = response.json()
    sandbox = Sandbox(name, {"x-api-key": created["api_key"]}, created["api_key"])
    sandbox.seen.collect(created, "key")  # its key id and sandbox id
    return sandbox


def bill_every_persistent_sandbox(
    client: httpx.Client, admin_key: str, customers: list[str]
) -> str:
    """An hour passes and the hourly job runs: the persistent sandboxes get a charge each.
    Returns the run's id (one run bills every sandbox)."""
    admin = {"Authorization": f"Bearer {admin_key}"}
    for customer in customers:
        granted = client.post(
            "/admin/credits", json={"customerId": customer, "amount": "50"}, headers=admin
        )
        assert granted.status_code == 200, granted.text
    clock = FixedClock(datetime.now(UTC) + timedelta(hours=1, minutes=1))
    providers.override_clock(clock)
    try:
        run = client.post("/admin/execute-job", headers=admin)
    finally:
        providers.override_clock(None)
    assert run.status_code == 200, run.text
    summary = run.json()["data"]
    assert summary["charged"] >= 1, json.dumps(summary)
    return str(summary["runId"])


@pytest.fixture(scope="module")
def world(client: httpx.Client, admin_key: str) -> World:
    b = new_sandbox(client, admin_key, "B")
    exercise(client, b, SEEDS["B"])
    # B's baseline, taken before A exists (nothing of A's in it), and the ids B named itself.
    shared = b.seen.values() | b.sent.values()
    b_before = figures(client, b)
    a = new_sandbox(client, admin_key, "A")
    exercise(client, a, SEEDS["A"])
    customers = a.sent.of("customer")
    shared.add(bill_every_persistent_sandbox(client, admin_key, customers))
    exercise_listings(client, a)  # A's charges
    return World(a, b, (b_before, figures(client, b)), shared)


def figures(client: httpx.Client, sandbox: Sandbox) -> list[Any]:
    found = []
    for path, part in FIGURES:
        answer = client.get(path, headers=sandbox.headers)
        assert answer.status_code == 200, answer.text
        found.append(answer.json()[part])
    return found


# ---------------------------------------------------------------- checks on B's answers


def cursor_text(cursor: str | None) -> str:
    """A cursor and what it says decoded (cursors are base64 of JSON that names keys)."""
    if not cursor:
        return ""
    try:
        decoded = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError):
        decoded = ""
    return cursor + " " + decoded


def leaked(world: World, answer: Answer, sent: set[str] = frozenset()) -> set[str]:
    """A's ids in B's answer, beyond the ones B itself sent (an error may echo those)."""
    text = answer.text + " " + cursor_text(answer.cursor)
    return {value for value in world.a_only - set(sent) if len(value) >= 6 and value in text}


def normalized(answer: Answer, renames: dict[str, str] | None = None) -> tuple[int, Any]:
    """The answer without what differs between two calls (the request id), with each id of
    ``renames`` written as the other."""
    text = answer.text
    for old, new in (renames or {}).items():
        text = text.replace(old, new)
    try:
        body = json.loads(text)
    except ValueError:
        return answer.status, text
    if isinstance(body, dict):
        body.pop("requestId", None)
    return answer.status, body


def assert_like_a_missing_one(
    client: httpx.Client, world: World, op: Operation, values: dict[str, str], body: Any
) -> Answer:
    """B's answer for A's ids is its answer for ids that never existed (the same status and
    body but for the id), it is no success but a 404 wherever the missing one is, and it names
    nothing else of A's. Returns B's answer."""
    b = world.b
    foreign = call(client, b, op, values=values, body=body)
    twins = {value: missing_twin(value) for value in values.values()}
    missing = call(client, b, op, values={k: twins[v] for k, v in values.items()}, body=body)
    back = {twin: value for value, twin in twins.items()}
    assert normalized(foreign) == normalized(missing, back), (str(op), foreign.text, missing.text)
    if foreign.status >= 400:
        assert foreign.status == 404, (str(op), values, foreign.text)
        assert foreign.body["success"] is False and foreign.body["requestId"], foreign.text
    assert not leaked(world, foreign, set(values.values())), (str(op), foreign.text)
    return foreign


def as_a_sees_them(
    client: httpx.Client, world: World, op: Operation, values: dict[str, str]
) -> dict[str, Any]:
    """What A's key reads of the things ``values`` name, through every GET route that takes
    the same path parameters (the transfer that ``process`` acts on, the message that
    ``mark-read`` marks). Empty for a GET: reading changes nothing."""
    if op.method == "GET":
        return {}
    return {
        str(read): normalized(call(client, world.a, read, values=values))
        for read in ID_ROUTES
        if read.method == "GET" and set(read.path_parameters) == set(values)
    }


# ---------------------------------------------------------------- the tests


def test_the_route_table_has_producers_id_routes_and_listings():
    assert len(PRODUCERS) >= 15 and len(ID_ROUTES) >= 25 and len(LISTINGS) >= 15
    assert all(op.keyed for op in PRODUCERS + ID_ROUTES + LISTINGS)


def test_every_producer_is_sent_a_body_it_accepts(world):
    assert world.a.refused_bodies == {}, "give these an example or a MINIMAL_BODIES entry"


def test_every_parameter_takes_as_own_ids_or_is_known(world):
    unfilled = {
        name
        for op in ID_ROUTES
        for name in op.path_parameters
        if not world.a_values(kind_of(name) or name)
    }
    assert unfilled == set(SHARED_PARAMETERS), "give A a producer of these, or say why not"


def test_as_activity_moves_none_of_bs_figures(world):
    before, after = world.b_figures
    assert before == after


def test_a_has_ids_of_its_own_to_try_on_b(world):
    for kind in ("account", "transaction", "transfer", "flag", "message", "user", "key"):
        assert world.a_values(kind), f"A made no {kind} of its own"
    assert world.a_values("sandbox") and world.a_values("charge")


def _refused_to_developers(world: World, op: Operation) -> bool:
    """A developer key may not call ``op`` at all: A's key was refused (403) on its own."""
    return (op.method, op.path) in world.a.refused


@pytest.mark.parametrize("op", ID_ROUTES, ids=str)
def test_b_gets_a_missing_resource_for_each_of_as_ids(client, world, op):
    for name in op.path_parameters:
        kind = kind_of(name)
        if kind and world.a_values(kind):
            continue
        if name in SHARED_PARAMETERS:
            pytest.skip(f"{name}: {SHARED_PARAMETERS[name]}")
        pytest.fail(f"{op}: A has no {name} of its own; give A a producer of one")
    route = (op.method, op.path)
    values = world.a.reached.get(route)
    if values is None or not set(values.values()) <= world.a_only:
        # A's exercise reached it with an id every sandbox has, or not at all (A's ids of
        # this kind came later: the charges' customer): find one of A's own it reaches.
        world.a.reached.pop(route, None)
        values = reach(client, world.a, op, world.a_values)
    body = fill(op.example_bodies()[0], world.b) if op.example_bodies() else {}
    if _refused_to_developers(world, op):
        values = {name: world.a_values(kind_of(name) or "")[-1] for name in op.path_parameters}
        answer = call(client, world.b, op, values=values, body=body)
        assert answer.status == 403, (str(op), answer.text)
        return
    assert values is not None, f"{op}: A's own key reached none of A's ids with it"
    before = as_a_sees_them(client, world, op, values)

    foreign = assert_like_a_missing_one(client, world, op, values, body)

    assert as_a_sees_them(client, world, op, values) == before, f"{op} by B changed A's"

    # The same ids mean something to A: its own key gets another answer.
    own = call(client, world.a, op, values=values, body=body)
    assert own.status != 404 and normalized(own) != normalized(foreign), (str(op), own.text)


@pytest.mark.parametrize("op", ID_ROUTES, ids=str)
def test_an_id_every_sandbox_has_shows_b_only_its_own(client, world, op):
    values = {}
    for name in op.path_parameters:
        kind = kind_of(name)
        shared = world.shared_values(kind) if kind else []
        if not shared:
            pytest.skip(f"{name}: no id that every sandbox has")
        values[name] = shared[0]
    body = fill(op.example_bodies()[0], world.b) if op.example_bodies() else {}

    answer = call(client, world.b, op, values=values, body=body)

    assert answer.status < 500, answer.text
    assert not leaked(world, answer), (str(op), answer.text)


@pytest.mark.parametrize("op", LISTINGS, ids=str)
def test_b_lists_nothing_of_as_with_or_without_as_ids_in_the_filters(client, world, op):
    plain = own_query(op, world.b)
    answer = call(client, world.b, op, params=plain)
    assert answer.status < 500, answer.text
    if _refused_to_developers(world, op):
        assert answer.status == 403, (str(op), answer.text)
    assert not leaked(world, answer, set(plain.values())), (str(op), answer.text)
    for name in op.parameters("query"):
        kind = kind_of(name)
        if not (kind and world.a_values(kind)):
            continue
        foreign_id = world.a_values(kind)[0]
        twin = missing_twin(foreign_id)
        # Filtered by A's id, B's answer is its answer for an id that never existed.
        foreign = call(client, world.b, op, params={**plain, name: foreign_id})
        missing = call(client, world.b, op, params={**plain, name: twin})
        assert normalized(foreign) == normalized(missing, {twin: foreign_id}), (
            str(op),
            name,
            foreign.text,
            missing.text,
        )
        assert not leaked(world, foreign, {foreign_id}), (str(op), name, foreign.text)


@pytest.mark.parametrize(
    "op", [op for op in KEYED if op.method == "GET" and "cursor" in op.parameters("query")], ids=str
)
def test_as_cursor_gives_b_nothing_of_as(client, world, op):
    kept = world.a.cursors.get((op.method, op.path))
    if kept is None:
        pytest.skip("A's listing fits one page")

    answer = call(
        client, world.b, op, values=kept.values, params={**kept.query, "cursor": kept.cursor}
    )

    assert answer.status in {200, 400, 404}, answer.text
    assert not leaked(world, answer, {kept.cursor, *kept.values.values()}), (str(op), answer.text)


@pytest.mark.parametrize("op", PRODUCERS, ids=str)
def test_a_producer_naming_as_ids_answers_b_as_for_missing_ones(client, world, op):
    bodies = op.example_bodies()
    named = [
        body
        for body in bodies
        if isinstance(body, dict) and any(kind_of(k) and world.a_values(kind_of(k)) for k in body)
    ]
    if not named:
        pytest.skip("its body names no id of A's kind")
    a_ids = IdBook({kind: world.a_values(kind) for kind in world.a.seen.by_kind})
    sent = fill(named[0], world.b, a_ids)
    # What is not an id of A's is B's own (a currency, an amount...).
    sent = {
        key: value if kind_of(key) and world.a_values(kind_of(key)) else fill(value, world.b)
        for key, value in sent.items()
    }
    answer = call(client, world.b, op, body=sent)
    if _refused_to_developers(world, op):
        assert answer.status == 403, answer.text
        return
    assert answer.status == 404, (str(op), sent, answer.text)
    assert not leaked(world, answer, {v for v in sent.values() if isinstance(v, str)})
