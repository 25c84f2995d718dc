"""Route matching: parameters, greedy paths, specificity, 404 versus 405."""

from __future__ import annotations

import pytest

from local_runtime.routing import MethodNotAllowed, Route, RouteMatch, Router
from local_runtime.template import TemplateError


def router(*routes: tuple[str, str]) -> Router:
    r = Router()
    for path, method in routes:
        r.add(Route(path=path, method=method, function_id=f"{method} {path}"))
    return r


def matched(result: RouteMatch | MethodNotAllowed | None) -> RouteMatch:
    assert isinstance(result, RouteMatch), result
    return result


def test_static_path_matches_exactly() -> None:
    r = router(("/api/v1/sandbox/keys", "GET"))

    match = matched(r.match("GET", "/api/v1/sandbox/keys"))

    assert match.route.path == "/api/v1/sandbox/keys"
    assert match.path_parameters == {}


def test_path_parameter_is_captured_and_url_decoded() -> None:
    r = router(("/keys/{key_id}", "GET"))

    assert matched(r.match("GET", "/keys/sbx%20a")).path_parameters == {"key_id": "sbx a"}


def test_greedy_parameter_captures_the_rest_of_the_path() -> None:
    r = router(("/files/{proxy+}", "GET"))

    assert matched(r.match("GET", "/files/a/b/c.txt")).path_parameters == {"proxy": "a/b/c.txt"}


def test_greedy_parameter_needs_at_least_one_segment() -> None:
    assert router(("/files/{proxy+}", "GET")).match("GET", "/files") is None


def test_static_segment_beats_parameter_beats_greedy() -> None:
    r = router(("/items/special", "GET"), ("/items/{id}", "GET"), ("/items/{proxy+}", "GET"))

    assert matched(r.match("GET", "/items/special")).route.path == "/items/special"
    assert matched(r.match("GET", "/items/42")).route.path == "/items/{id}"
    assert matched(r.match("GET", "/items/42/parts")).route.path == "/items/{proxy+}"


def test_matching_backtracks_when_the_static_branch_dead_ends() -> None:
    r = router(("/a/b/c", "GET"), ("/a/{x}/d", "GET"))

    assert matched(r.match("GET", "/a/b/d")).path_parameters == {"x": "b"}


def test_method_any_serves_every_method() -> None:
    r = router(("/anything", "ANY"))

    assert matched(r.match("DELETE", "/anything")).route.method == "ANY"


def test_specific_method_wins_over_any_on_the_same_path() -> None:
    r = router(("/thing", "ANY"), ("/thing", "GET"))

    assert matched(r.match("GET", "/thing")).route.method == "GET"
    assert matched(r.match("POST", "/thing")).route.method == "ANY"


def test_unknown_path_is_none() -> None:
    r = router(("/api/v1/sandbox/keys", "GET"))

    assert r.match("GET", "/api/v1/sandbox") is None  # a prefix is not a route
    assert r.match("GET", "/nope") is None


def test_known_path_with_wrong_method_is_method_not_allowed_listing_methods() -> None:
    r = router(("/keys", "GET"), ("/keys", "POST"))

    result = r.match("DELETE", "/keys")

    assert result == MethodNotAllowed("/keys", ("GET", "POST"))


def test_wrong_method_on_most_specific_path_does_not_fall_back_to_a_parameter_route() -> None:
    r = router(("/items/special", "POST"), ("/items/{id}", "GET"))

    assert isinstance(r.match("GET", "/items/special"), MethodNotAllowed)


def test_trailing_slash_matches_the_same_resource() -> None:
    assert matched(router(("/health", "GET")).match("GET", "/health/")).route.path == "/health"


def test_method_is_case_insensitive_in_the_template() -> None:
    assert matched(router(("/x", "get")).match("GET", "/x")).route.method == "get"


def test_conflicting_parameter_names_at_one_level_are_refused() -> None:
    with pytest.raises(TemplateError, match="conflicts"):
        router(("/keys/{key_id}", "GET"), ("/keys/{id}/rotate", "POST"))


def test_duplicate_route_is_refused() -> None:
    with pytest.raises(TemplateError, match="two routes for GET /x"):
        router(("/x", "GET"), ("/x", "GET"))


def test_greedy_segment_must_be_last() -> None:
    with pytest.raises(TemplateError, match="must be last"):
        router(("/{proxy+}/x", "GET"))
