"""The API's one OpenAPI document, merged from the apps of template.yaml's HTTP functions.

``make openapi`` (``python -m local_runtime.openapi_document``) writes it to
functions/docs/openapi.json, which the docs function serves at GET /openapi.json. It is built
here, at development time, because importing every app would cost the docs function the
cold start of all of them; a test rebuilds it and fails when the committed file differs, and
another fails when a template route is missing from it or the other way round.

Each app documents its own operations (sandbox_common.http.openapi); the merge adds a tag
per function, refuses two definitions of one operation or of one schema name that differ,
and fills the schemas that depend on the deployment (the key tiers, one per usage plan).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from local_runtime.template import load_yaml

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE_PATH = ROOT / "template.yaml"
DOCUMENT_PATH = ROOT / "functions" / "docs" / "openapi.json"

TITLE = "Sandbox Platform API"
DESCRIPTION = (
    "Isolated API sandboxes: keys and usage plans, a reproducible fintech data set, a ledger, "
    "compliance flags, analytics and test scenarios. Every error is "
    '`{"success": false, "error", "code", "requestId", "details"?}`.'
)
# A schema marked so lists the tiers a key may take: one per usage plan of the template.
TIERS_MARKER = "x-sandbox-tiers"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


class DocumentError(Exception):
    """The apps cannot be merged into one document."""


@dataclass(frozen=True)
class TemplateRoute:
    """One `Api` event of template.yaml."""

    function: str
    method: str
    path: str
    public: bool


@dataclass(frozen=True)
class HttpFunction:
    """A function of template.yaml with `Api` events, and where its app lives."""

    logical_id: str
    code_uri: Path
    routes: tuple[TemplateRoute, ...]

    @property
    def group(self) -> str:
        """The group's name: its folder under functions/."""
        return self.code_uri.name


def load_template(path: Path = TEMPLATE_PATH) -> dict[str, Any]:
    """template.yaml as a dict (intrinsic functions kept as `{"Fn::...": ...}`)."""
    return load_yaml(path.read_text(encoding="utf-8"))


def http_functions(template: dict[str, Any], base_dir: Path = ROOT) -> list[HttpFunction]:
    """Every function that serves routes, in template order."""
    functions = []
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        properties = resource["Properties"]
        routes = tuple(
            TemplateRoute(
                function=logical_id,
                method=str(event["Properties"]["Method"]).upper(),
                path=str(event["Properties"]["Path"]),
                public=(event["Properties"].get("Auth") or {}).get("Authorizer") == "NONE",
            )
            for event in (properties.get("Events") or {}).values()
            if event["Type"] == "Api"
        )
        if routes:
            code_uri = (base_dir / str(properties["CodeUri"])).resolve()
            functions.append(HttpFunction(logical_id, code_uri, routes))
    return functions


def template_tiers(template: dict[str, Any]) -> list[str]:
    """The tiers of USAGE_PLAN_IDS in the functions' environment (one per usage plan)."""
    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    raw = variables.get("USAGE_PLAN_IDS", "{}")
    text = raw.get("Fn::Sub", "{}") if isinstance(raw, dict) else str(raw)
    if isinstance(text, list):  # Fn::Sub [template, variables]
        text = text[0]
    return list(json.loads(re.sub(r"\$\{[^}]+\}", "", text)))


def load_app_document(function: HttpFunction) -> dict[str, Any]:
    """``app.openapi()`` of the function's app.py (imported under a name of its own)."""
    file = function.code_uri / "app.py"
    name = f"_openapi_{function.logical_id}"
    spec = importlib.util.spec_from_file_location(name, file)
    if spec is None or spec.loader is None:
        raise DocumentError(f"{function.logical_id}: cannot import {file}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    sys.path.insert(0, str(function.code_uri))
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(function.code_uri))
    document: dict[str, Any] = module.app.openapi()
    return document


def build_document(template_path: Path = TEMPLATE_PATH) -> dict[str, Any]:
    """The merged document of every HTTP function of the template."""
    template = load_template(template_path)
    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    merged: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {
            "title": TITLE,
            "version": str(variables.get("APP_VERSION", "0.0.0")),
            "description": DESCRIPTION,
        },
        "paths": {},
        "components": {},
        "tags": [],
    }
    for function in http_functions(template, template_path.parent):
        part = load_app_document(function)
        merged["tags"].append({"name": function.group, "description": part["info"]["title"]})
        for path, item in part.get("paths", {}).items():
            target = merged["paths"].setdefault(path, {})
            for method, operation in item.items():
                if method in target:
                    raise DocumentError(f"{method.upper()} {path} is defined twice")
                operation["tags"] = [function.group]
                target[method] = operation
        for kind, entries in part.get("components", {}).items():
            into = merged["components"].setdefault(kind, {})
            for name, entry in entries.items():
                if name in into and into[name] != entry:
                    raise DocumentError(
                        f"components.{kind}.{name} differs between {function.logical_id} and "
                        "another function: rename one of the models"
                    )
                into[name] = entry
    merged["components"] = {
        kind: dict(sorted(entries.items()))
        for kind, entries in sorted(merged["components"].items())
    }
    _fill_tiers(merged, template_tiers(template))
    return merged


def _fill_tiers(document: dict[str, Any], tiers: list[str]) -> None:
    for schema in _schemas(document):
        if schema.pop(TIERS_MARKER, None):
            schema.pop("pattern", None)
            schema["enum"] = tiers


def _schemas(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _schemas(value)
    elif isinstance(node, list):
        for value in node:
            yield from _schemas(value)


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """``(METHOD, path, operation)`` for every operation of ``document``."""
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                yield method.upper(), path, operation


def render(document: dict[str, Any]) -> str:
    """The document as committed: indented JSON, one trailing newline."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Write functions/docs/openapi.json (``--check``: fail if it is not up to date)."""
    parser = argparse.ArgumentParser(prog="python -m local_runtime.openapi_document")
    parser.add_argument("--check", action="store_true", help="fail if the file is stale")
    args = parser.parse_args(argv)
    text = render(build_document())
    current = DOCUMENT_PATH.read_text(encoding="utf-8") if DOCUMENT_PATH.exists() else ""
    if args.check:
        if current != text:
            sys.stderr.write(f"{DOCUMENT_PATH} is stale: run `make openapi`\n")
            return 1
        return 0
    if current != text:
        DOCUMENT_PATH.write_text(text, encoding="utf-8")
    sys.stdout.write(f"{DOCUMENT_PATH.relative_to(ROOT)}: {len(text)} bytes\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
