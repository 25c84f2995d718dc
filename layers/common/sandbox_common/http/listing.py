"""The answer of every listing route: one page as a JSON list, the next page's cursor in
``X-Next-Cursor``.

A listing route takes its query string as one model (a subclass of ``ListingQuery``: page
size, cursor and the listing's own filters), calls one use case that returns a ``Page``, and
answers ``paged(page, response)``. The query model, the page and the cursors are plain
models (``sandbox_common.pagination``), so use cases and repositories use them without HTTP;
they are re-exported here so a router needs this one module.
"""

from __future__ import annotations

from fastapi import Response

from sandbox_common.pagination import MAX_PAGE_SIZE, ListingQuery, Page

__all__ = ["MAX_PAGE_SIZE", "NEXT_CURSOR_HEADER", "ListingQuery", "Page", "paged"]

NEXT_CURSOR_HEADER = "X-Next-Cursor"


def paged[T](page: Page[T], response: Response) -> list[T]:
    """The page's items; ``X-Next-Cursor`` is set when another page follows."""
    if page.next_cursor:
        response.headers[NEXT_CURSOR_HEADER] = page.next_cursor
    return page.items
