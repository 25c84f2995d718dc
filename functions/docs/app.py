"""Docs group, public: the whole API's OpenAPI document (GET /openapi.json), Swagger UI on it
(GET /docs, its assets under GET /docs/assets/{file}) and a quick start (GET /docs/quick-start).

The document is built at development time from every function's app (`make openapi`) and
shipped beside this module: importing every app here would cost this function the cold start
of all of them. A test rebuilds it and fails when this file and the apps differ. The two pages
are static files beside it too; Swagger UI's assets come from the fastapi-swagger package (the
layer's pinned copy of the Swagger UI 5 distribution, which renders OpenAPI 3.1), served by
this function so the docs work offline and never call a CDN.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from fastapi import Response

from sandbox_common.errors import NotFound
from sandbox_common.http.app import create_app, make_handler

HERE = Path(__file__).parent
DOCUMENT = HERE / "openapi.json"
SWAGGER_PAGE = HERE / "swagger-ui.html"
QUICK_START_PAGE = HERE / "quick-start.html"

# The only assets the page uses: any other name is 404, so no path reaches the file system.
ASSET_TYPES = {
    "swagger-ui.css": "text/css",
    "swagger-ui-bundle.js": "application/javascript",
}
# Asset names carry no version, so a week rather than "immutable": an upgrade shows within it.
ASSET_CACHE = "public, max-age=604800"
PAGE_CACHE = "public, max-age=300"

app = create_app("docs", title="Sandbox docs")

_OPENAPI_OBJECT: dict[str, Any] = {
    "description": "The OpenAPI 3.1 document of the whole API",
    "content": {"application/json": {"schema": {"type": "object", "required": ["openapi"]}}},
}
_TEXT = {"schema": {"type": "string"}}


def _html(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"text/html": _TEXT}}


_ASSET: dict[str, Any] = {
    "description": "The asset, cached for a week",
    "content": dict.fromkeys(ASSET_TYPES.values(), _TEXT),
}


@cache
def _read(path: Path) -> bytes:
    return path.read_bytes()


def _assets_dir() -> Path:
    # Found without importing the package: its __init__ loads FastAPI plugin code unused here.
    from importlib.util import find_spec

    spec = find_spec("fastapi_swagger")
    if spec is None or spec.origin is None:
        raise RuntimeError("fastapi-swagger is not installed (layers/common/requirements.txt)")
    return Path(spec.origin).parent / "resources"


@app.get("/openapi.json", response_class=Response, responses={200: _OPENAPI_OBJECT})
def openapi_document() -> Response:
    """The OpenAPI document of every route of the API (no key needed)."""
    return Response(_read(DOCUMENT), media_type="application/json")


@app.get(
    "/docs",
    summary="API reference (Swagger UI)",
    response_class=Response,
    responses={200: _html("Swagger UI on /openapi.json")},
)
def swagger_ui() -> Response:
    """The API reference: Swagger UI on /openapi.json, with Authorize and Try it out."""
    return Response(
        _read(SWAGGER_PAGE), media_type="text/html", headers={"Cache-Control": PAGE_CACHE}
    )


@app.get(
    "/docs/quick-start",
    summary="Quick start",
    response_class=Response,
    responses={200: _html("From a key to a first result, one path per group (curl)")},
)
def quick_start() -> Response:
    """A quick start: the endpoint and key, then messaging, fintech and manager calls."""
    return Response(
        _read(QUICK_START_PAGE), media_type="text/html", headers={"Cache-Control": PAGE_CACHE}
    )


@app.get(
    "/docs/assets/{file}",
    summary="Swagger UI asset",
    response_class=Response,
    responses={200: _ASSET},
)
def swagger_ui_asset(file: str) -> Response:
    """One of Swagger UI's assets the docs page loads (`swagger-ui.css`,
    `swagger-ui-bundle.js`); any other name is 404."""
    media_type = ASSET_TYPES.get(file)
    if media_type is None:
        raise NotFound("No such docs asset")
    return Response(
        _read(_assets_dir() / file), media_type=media_type, headers={"Cache-Control": ASSET_CACHE}
    )


handler = make_handler(app, "docs")
