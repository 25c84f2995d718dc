"""Each app documents the errors it really answers with, in the envelope, and never a 422."""

from __future__ import annotations

from typing import Annotated, Any

import pytest
from fastapi import Path, Query, Response
from pydantic import BaseModel

from sandbox_common.http.app import create_app
from sandbox_common.http.auth import Admin, Caller
from sandbox_common.http.openapi import ENVELOPE_REF, also_answers


class Thing(BaseModel):
    name: str


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    app = create_app("test", title="test")

    @app.get("/ping")
    def ping() -> dict[str, str]:
        return {}

    @app.get("/things", response_model=list[Thing])
    def list_things(
        caller: Caller,
        response: Response,
        cursor: Annotated[str | None, Query(max_length=10)] = None,
    ) -> list[Thing]:
        return []

    @app.post("/things", status_code=201, response_model=Thing)
    def create_thing(body: Thing, caller: Admin) -> Thing:
        return body

    @app.get("/things/{thing_id}", response_model=Thing)
    def get_thing(thing_id: str, caller: Caller) -> Thing:
        return Thing(name=thing_id)

    @app.post("/moves", status_code=201, openapi_extra=also_answers(404))
    def move(body: Thing, caller: Caller) -> Thing:
        return body

    @app.get("/short/{short_id}", response_model=Thing)
    def get_short(short_id: Annotated[str, Path(max_length=4)], caller: Caller) -> Thing:
        return Thing(name=short_id)

    return app.openapi()


def statuses(document: dict[str, Any], method: str, path: str) -> set[str]:
    return set(document["paths"][path][method]["responses"])


def test_a_public_route_documents_only_the_per_ip_limit(document):
    operation = document["paths"]["/ping"]["get"]
    assert "security" not in operation
    assert set(operation["responses"]) == {"200", "429"}
    assert operation["responses"]["429"] == {"$ref": "#/components/responses/IpRateLimited"}


def test_keyed_routes_take_the_key_in_either_header(document):
    for path, method in (("/things", "get"), ("/things", "post"), ("/things/{thing_id}", "get")):
        operation = document["paths"][path][method]
        assert operation["security"] == [{"bearerKey": []}, {"apiKeyHeader": []}]
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearerKey"]["scheme"] == "bearer"
    assert schemes["apiKeyHeader"] == {
        "type": "apiKey",
        "in": "header",
        "name": "x-api-key",
        "description": schemes["apiKeyHeader"]["description"],
    }


def test_statuses_follow_from_what_the_operation_takes(document):
    assert statuses(document, "get", "/things") == {"200", "400", "401", "403", "429"}
    assert statuses(document, "post", "/things") == {
        "201", "400", "401", "403", "409", "413", "429",
    }  # fmt: skip
    # An unconstrained path segment cannot be refused; a missing resource can.
    assert statuses(document, "get", "/things/{thing_id}") == {"200", "401", "403", "404", "429"}
    assert "400" in statuses(document, "get", "/short/{short_id}")


def test_a_route_adds_an_error_its_input_does_not_show(document):
    operation = document["paths"]["/moves"]["post"]
    assert operation["responses"]["404"] == {"$ref": "#/components/responses/NotFound"}
    assert "x-also-answers" not in operation


def test_no_operation_documents_fastapi_422_or_its_schemas(document):
    for item in document["paths"].values():
        for operation in item.values():
            assert "422" not in operation["responses"]
    assert not {"HTTPValidationError", "ValidationError"} & set(document["components"]["schemas"])


def test_every_error_answer_is_the_envelope_with_the_quota_headers_when_keyed(document):
    responses = document["components"]["responses"]
    for name, response in responses.items():
        assert response["content"]["application/json"]["schema"] == {"$ref": ENVELOPE_REF}
        headers = set(response.get("headers", {}))
        if name in ("MissingKey", "IpRateLimited"):
            assert not headers & {"X-RateLimit-Limit", "X-RateLimit-Remaining"}
        else:
            assert {"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"} <= headers
    assert {"Retry-After"} <= set(responses["Throttled"]["headers"])
    envelope = document["components"]["schemas"]["ErrorEnvelope"]
    assert set(envelope["required"]) == {"success", "error", "code", "requestId"}
    assert envelope["properties"]["success"]["const"] is False
    assert envelope["properties"]["details"]["type"] == "array"


def test_a_listing_documents_its_next_cursor_and_keyed_answers_their_quota(document):
    listing = document["paths"]["/things"]["get"]["responses"]["200"]["headers"]
    assert {"X-Next-Cursor", "X-RateLimit-Remaining"} <= set(listing)
    single = document["paths"]["/things/{thing_id}"]["get"]["responses"]["200"]["headers"]
    assert "X-Next-Cursor" not in single and "X-RateLimit-Limit" in single
