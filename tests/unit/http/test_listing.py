"""The listing answer: the page's items, and the next page's cursor in X-Next-Cursor."""

from __future__ import annotations

from fastapi import Response

from sandbox_common.http.listing import Page, paged


def test_a_page_with_more_to_come_carries_the_next_cursor():
    response = Response()

    items = paged(Page(items=[1, 2], next_cursor="abc"), response)

    assert items == [1, 2]
    assert response.headers["X-Next-Cursor"] == "abc"


def test_the_last_page_has_no_cursor_header():
    response = Response()

    items = paged(Page(items=[3], next_cursor=None), response)

    assert items == [3]
    assert "X-Next-Cursor" not in response.headers
