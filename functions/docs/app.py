"""Docs group: the whole API's OpenAPI document, public (GET /openapi.json).

The document is built at development time from every function's app (`make openapi`) and
shipped beside this module: importing every app here would cost this function the cold start
of all of them. A test rebuilds it and fails when this file and the apps differ.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from fastapi import Response

from sandbox_common.http.app import create_app, make_handler

DOCUMENT = Path(__file__).with_name("openapi.json")

app = create_app("docs", title="Sandbox docs")

_OPENAPI_OBJECT: dict[str, Any] = {
    "description": "The OpenAPI 3.1 document of the whole API",
    "content": {"application/json": {"schema": {"type": "object", "required": ["openapi"]}}},
}


@cache
def _document() -> bytes:
    return DOCUMENT.read_bytes()


@app.get("/openapi.json", response_class=Response, responses={200: _OPENAPI_OBJECT})
def openapi_document() -> Response:
    """The OpenAPI document of every route of the API (no key needed)."""
    return Response(_document(), media_type="application/json")


handler = make_handler(app, "docs")
