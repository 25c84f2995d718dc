"""The docs pages through the local runtime: Swagger UI at /docs, its assets, the quick start.

All public. The API reference must work offline and behind API Gateway's stage prefix: it
names no external URL, and every URL it uses is relative to the page.
"""

from __future__ import annotations

import html
import http.client
import json
import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest

from local_runtime.openapi_document import DOCUMENT_PATH, operations

ASSETS = {
    "swagger-ui.css": "text/css",
    "swagger-ui-bundle.js": "application/javascript",
}
EXTERNAL_URL = re.compile(r"(?:https?:)?//[\w.-]+\.\w", re.IGNORECASE)
# The page loads the document with fetch("..."), which no attribute shows.
FETCHED = re.compile(r"""fetch\(\s*["']([^"']+)["']""")
CURL = re.compile(r"""curl -s(?: -X (?P<method>[A-Z]+))? "?\$API(?P<path>/[^\s"?]*)""")


class _References(HTMLParser):
    """Every href and src of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [value for name, value in attrs if name in ("href", "src") and value]


def _references(page: str) -> list[str]:
    parser = _References()
    parser.feed(page)
    return parser.urls + FETCHED.findall(page)


def _assert_envelope(response, status):
    assert response.status_code == status, response.text
    body = response.json()
    assert body["success"] is False
    assert body["code"] == {404: "not_found", 400: "validation_error"}[status]
    assert body["requestId"]


@pytest.fixture(scope="module")
def reference_page(client) -> str:
    response = client.get("/docs")
    assert response.status_code == 200, response.text
    return response.text


def test_the_api_reference_is_an_html_page_served_without_a_key(client, reference_page):
    response = client.get("/docs")
    assert response.headers["content-type"].startswith("text/html")
    assert 'id="swagger-ui"' in reference_page
    assert "SwaggerUIBundle(" in reference_page
    assert "X-RateLimit-Limit" not in response.headers  # no key, no quota


def test_the_api_reference_names_no_external_url(reference_page):
    assert not EXTERNAL_URL.search(reference_page), EXTERNAL_URL.search(reference_page)
    for url in _references(reference_page):
        parts = urlsplit(url)
        assert not parts.scheme and not parts.netloc and not url.startswith("/"), url


def test_every_url_of_the_api_reference_loads_from_this_api(client, reference_page):
    references = _references(reference_page)
    assert {"openapi.json", "docs/quick-start"} <= set(references)
    assert {f"docs/assets/{name}" for name in ASSETS} <= set(references)
    for url in references:
        response = client.get(urljoin(f"{client.base_url}/docs", url))
        assert response.status_code == 200, (url, response.text[:200])


def test_the_api_reference_urls_keep_the_stage_prefix(reference_page):
    for url in _references(reference_page):
        resolved = urljoin("https://api.example/v1/docs", url)
        assert urlsplit(resolved).path.startswith("/v1/"), url


@pytest.mark.parametrize(("name", "media_type"), ASSETS.items())
def test_each_asset_loads_with_its_content_type_and_a_long_cache(client, name, media_type):
    response = client.get(f"/docs/assets/{name}")
    assert response.status_code == 200, response.text[:200]
    assert response.headers["content-type"].split(";")[0] == media_type
    cache = response.headers["cache-control"]
    assert "public" in cache
    assert int(re.search(r"max-age=(\d+)", cache).group(1)) >= 86_400
    assert len(response.content) > 10_000


def test_the_bundled_swagger_ui_renders_openapi_3_1(client):
    # The document is OpenAPI 3.1; Swagger UI before 5 refuses it ("Unable to render").
    assert json.loads(DOCUMENT_PATH.read_bytes())["openapi"].startswith("3.1.")
    bundle = client.get("/docs/assets/swagger-ui-bundle.js").text
    assert "isOAS31" in bundle


@pytest.mark.parametrize(
    "name",
    ["swagger-ui.js", "swagger-ui-bundle.js.map", "favicon-32x32.png", "__init__.py", "app.py"],
)
def test_an_asset_the_page_does_not_use_is_a_404_envelope(client, name):
    _assert_envelope(client.get(f"/docs/assets/{name}"), 404)


@pytest.mark.parametrize(
    "path",
    [
        "/docs/assets/..%2Fapp.py",
        "/docs/assets/..%2F..%2Fdocs%2Fapp.py",
        "/docs/assets/%2e%2e%2fopenapi.json",
        "/docs/assets/..%2Fresources%2Fswagger-ui.css",
        "/docs/assets/..",
        "/docs/assets/%2E%2E",
        "/docs/assets/../app.py",
        "/docs/assets/../../openapi.json",
        "/docs/assets/swagger-ui.css%00.py",
        "/docs/assets/.%2Fswagger-ui.css",
        "/docs/assets/%5C..%5Capp.py",
    ],
)
def test_path_tricks_on_assets_are_refused_in_the_envelope(runtime, path):
    # Sent verbatim (http.client): httpx, like a browser, would resolve the dot segments.
    host, port = urlsplit(runtime.endpoint).netloc.split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        status, content = response.status, response.read()
    finally:
        connection.close()
    assert status in (400, 404), content[:200]
    body = json.loads(content)
    assert body["success"] is False and body["requestId"]
    assert body["code"] == {404: "not_found", 400: "validation_error"}[status]
    assert b"create_app" not in content


def test_the_quick_start_is_an_html_page_served_without_a_key(client):
    response = client.get("/docs/quick-start")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    page = html.unescape(response.text)
    assert ".sandbox/local.json" in page and "ApiUrl" in page
    for call in (
        "POST $API/api/sandbox/signals",
        "$API/api/sandbox/decisions/user_us",
        "POST $API/api/sandbox/orchestrate/user_us",
        "$API/api/sandbox/audit/user_us",
        "POST $API/api/v1/sandbox/initialize",
        "POST $API/api/v1/sandbox/scenarios/transfer_processing_flow/run",
        "POST $API/update-sandbox-config",
        "$API/get-persistant-config?sandboxId=$SB",
    ):
        assert call in page, call


def test_every_call_of_the_quick_start_is_a_documented_operation_sent_with_the_key(client):
    page = html.unescape(client.get("/docs/quick-start").text)
    document = json.loads(DOCUMENT_PATH.read_bytes())
    documented = {
        (method, re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$"))
        for method, path, _ in operations(document)
    }
    # One shell command a line: continuation lines joined.
    commands = [line for line in page.replace("\\\n", " ").splitlines() if "curl " in line]
    assert len(commands) >= 10
    for command in commands:
        call = CURL.search(command)
        assert call, command
        method = call["method"] or "GET"
        assert any(m == method and pattern.match(call["path"]) for m, pattern in documented), (
            f"{method} {call['path']} is not an operation of the API"
        )
        assert 'Authorization: Bearer $KEY"' in command, command


def test_the_quick_start_links_back_to_the_reference(client):
    page = client.get("/docs/quick-start").text
    for url in _references(page):
        resolved = urljoin(f"{client.base_url}/docs/quick-start", url)
        assert client.get(resolved).status_code == 200, url
