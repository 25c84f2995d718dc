"""Routes from the template's Api events, matched as API Gateway's resource tree matches them."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import unquote

from local_runtime.template import TemplateError

__all__ = ["MethodNotAllowed", "Route", "RouteMatch", "Router"]

ANY = "ANY"


@dataclass(frozen=True)
class Route:
    """One method on one resource path, served by one function."""

    path: str
    method: str
    function_id: str
    authorizer: str | None = None
    api_key_required: bool = False
    event_name: str = ""


@dataclass(frozen=True)
class RouteMatch:
    """A request's route and its path parameters (decoded)."""

    route: Route
    path_parameters: dict[str, str]


@dataclass(frozen=True)
class MethodNotAllowed:
    """The path is a resource but the method is not one of its methods."""

    resource_path: str
    allowed: tuple[str, ...]


@dataclass
class _Node:
    path: str
    static: dict[str, _Node] = field(default_factory=dict)
    param: _Node | None = None
    param_name: str = ""
    greedy: _Node | None = None
    greedy_name: str = ""
    methods: dict[str, Route] = field(default_factory=dict)


def _segments(path: str) -> list[str]:
    return [segment for segment in path.split("/") if segment]


class Router:
    """Path templates with `{param}` and a final greedy `{proxy+}`; most specific wins."""

    def __init__(self) -> None:
        self._root = _Node("/")
        self._routes: list[Route] = []

    @property
    def routes(self) -> list[Route]:
        """Every route added, in order."""
        return list(self._routes)

    def add(self, route: Route) -> None:
        """Add a route; conflicting routes fail as API Gateway would refuse to deploy them."""
        node = self._root
        segments = _segments(route.path)
        for index, segment in enumerate(segments):
            child_path = "/" + "/".join(segments[: index + 1])
            if segment.startswith("{") and segment.endswith("}"):
                name = segment[1:-1]
                if name.endswith("+"):
                    if index != len(segments) - 1:
                        raise TemplateError(f"{route.path}: a greedy {segment} must be last")
                    node = self._variable_child(node, "greedy", name[:-1], child_path)
                else:
                    node = self._variable_child(node, "param", name, child_path)
            else:
                node = node.static.setdefault(segment, _Node(child_path))
        method = route.method.upper()
        if method in node.methods:
            raise TemplateError(f"two routes for {method} {route.path}")
        node.methods[method] = route
        self._routes.append(route)

    @staticmethod
    def _variable_child(node: _Node, kind: str, name: str, path: str) -> _Node:
        existing: _Node | None = getattr(node, kind)
        existing_name: str = getattr(node, f"{kind}_name")
        if existing is None:
            child = _Node(path)
            setattr(node, kind, child)
            setattr(node, f"{kind}_name", name)
            return child
        if existing_name != name:
            raise TemplateError(
                f"{path}: {{{name}}} conflicts with {{{existing_name}}} at the same level"
            )
        return existing

    def match(self, method: str, path: str) -> RouteMatch | MethodNotAllowed | None:
        """The route for a request; ``None`` for an unknown path."""
        segments = [unquote(s) for s in _segments(path)]
        found = self._find(self._root, segments, 0, {})
        if found is None:
            return None
        node, params = found
        route = node.methods.get(method.upper()) or node.methods.get(ANY)
        if route is None:
            return MethodNotAllowed(node.path, tuple(sorted(node.methods)))
        return RouteMatch(route, params)

    def _find(
        self, node: _Node, segments: list[str], index: int, params: dict[str, str]
    ) -> tuple[_Node, dict[str, str]] | None:
        if index == len(segments):
            return (node, params) if node.methods else None
        segment = segments[index]
        # Static beats a parameter, a parameter beats greedy; backtrack when a branch dead-ends.
        child = node.static.get(segment)
        if child is not None:
            found = self._find(child, segments, index + 1, params)
            if found is not None:
                return found
        if node.param is not None:
            found = self._find(
                node.param, segments, index + 1, {**params, node.param_name: segment}
            )
            if found is not None:
                return found
        if node.greedy is not None and node.greedy.methods:
            return node.greedy, {**params, node.greedy_name: "/".join(segments[index:])}
        return None
