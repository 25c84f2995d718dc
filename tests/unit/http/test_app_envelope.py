"""The app factory answers every failure in the one envelope (no AWS involved)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel, ConfigDict

from sandbox_common.errors import Conflict, NotFound
from sandbox_common.http.app import create_app
from sandbox_common.http.envelope import error_body


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")
    amount: int


@pytest.fixture
def client() -> TestClient:
    app = create_app("test", title="test")

    @app.post("/things")
    def create(body: Body) -> dict[str, int]:
        return {"amount": body.amount}

    @app.get("/things/{thing_id}")
    def show(thing_id: str) -> dict[str, str]:
        raise NotFound(f"Thing {thing_id} not found")

    @app.delete("/things/{thing_id}")
    def remove(thing_id: str) -> None:
        raise Conflict("Already gone")

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("bug")

    return TestClient(app, raise_server_exceptions=False)


def assert_envelope(response, status: int, code: str) -> dict:
    assert response.status_code == status
    body = response.json()
    assert body["success"] is False and body["code"] == code
    assert body["error"] and body["requestId"]
    return body


def test_validation_error_is_400_with_details_not_422(client):
    body = assert_envelope(client.post("/things", json={"amount": "lots"}), 400, "validation_error")
    assert body["details"][0]["loc"] == ["body", "amount"]


def test_malformed_json_is_400(client):
    response = client.post(
        "/things", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert_envelope(response, 400, "validation_error")


def test_unknown_field_is_400(client):
    assert_envelope(client.post("/things", json={"amount": 1, "extra": 2}), 400, "validation_error")


def test_domain_errors_map_to_their_status(client):
    assert_envelope(client.get("/things/x"), 404, "not_found")
    assert_envelope(client.delete("/things/x"), 409, "conflict")


def test_unknown_route_and_wrong_method_are_enveloped(client):
    assert_envelope(client.get("/nowhere"), 404, "not_found")
    assert_envelope(client.put("/things"), 405, "method_not_allowed")


def test_crash_is_500_in_envelope_without_internals(client):
    body = assert_envelope(client.get("/boom"), 500, "internal_error")
    assert "bug" not in body["error"]


def test_oversized_body_is_413(client):
    big = b'{"amount": 1, "pad": "' + b"x" * (300 * 1024) + b'"}'
    response = client.post("/things", content=big, headers={"content-type": "application/json"})
    assert_envelope(response, 413, "payload_too_large")


def test_good_request_passes_through(client):
    assert client.post("/things", json={"amount": 3}).json() == {"amount": 3}


def test_error_body_omits_details_when_there_are_none():
    assert error_body(message="m", code="c", request_id="r") == {
        "success": False,
        "error": "m",
        "code": "c",
        "requestId": "r",
    }


def test_oversized_chunked_body_is_413_whatever_its_framing(client):
    # No Content-Length: the cap must measure the body itself.
    pad = b'{"amount": 1, "pad": "' + b"x" * (300 * 1024) + b'"}'
    response = client.post(
        "/things",
        content=iter([pad[: len(pad) // 2], pad[len(pad) // 2 :]]),
        headers={"content-type": "application/json"},
    )
    assert "content-length" not in response.request.headers
    assert_envelope(response, 413, "payload_too_large")


def test_small_chunked_body_is_served(client):
    response = client.post(
        "/things",
        content=iter([b'{"amount":', b" 4}"]),
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 200 and response.json() == {"amount": 4}


def test_trailing_slash_is_served_never_redirected(client):
    # A redirect would lose the API Gateway stage from the path.
    response = client.post("/things/", json={"amount": 5}, follow_redirects=False)
    assert response.status_code == 200 and response.json() == {"amount": 5}
    assert_envelope(client.get("/things/x/", follow_redirects=False), 404, "not_found")


@pytest.mark.parametrize(
    "content",
    [
        b"[]",
        b'"x"',
        b"null",
        b"3",
        b'{"amount": 1e400}',
        b'{"amount": NaN}',
        b'{"amount": "\xff\xfe"}',  # invalid UTF-8
        b"[" * 100_000 + b"]" * 100_000,  # deeper than the JSON parser recurses
    ],
)
def test_unusable_json_bodies_are_400_validation_errors(client, content):
    response = client.post("/things", content=content, headers={"content-type": "application/json"})
    assert_envelope(response, 400, "validation_error")


def test_a_body_of_another_content_type_is_400(client):
    response = client.post(
        "/things", content=b'{"amount": 1}', headers={"content-type": "text/plain"}
    )
    assert_envelope(response, 400, "validation_error")
