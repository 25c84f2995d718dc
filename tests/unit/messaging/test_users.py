"""Messaging users: the defaults, internal ids, and one page of stored and default users."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from sandbox_common.messaging.users import (
    DEFAULT_ZONES,
    MessagingUser,
    default_user,
    default_users,
    internal_id,
    merge_by_id,
)
from sandbox_common.storage.sandbox_items import DataScope

SCOPE = DataScope("sb_a", "g0")


def stored(user_id: str) -> MessagingUser:
    return MessagingUser(
        id=user_id,
        timezone="UTC",
        internalId=internal_id(SCOPE.sandbox_id, user_id),
        createdAt=datetime(2026, 1, 1, tzinfo=UTC),
        version=1,
    )


def test_every_sandbox_starts_with_six_users_in_distinct_zones():
    users = default_users(SCOPE)

    assert [u.id for u in users] == sorted(DEFAULT_ZONES)
    assert len({u.timezone for u in users}) == 6
    assert all(u.isDefault and u.createdAt is None for u in users)
    assert default_user(SCOPE, "user_xx") is None


def test_internal_ids_are_stable_per_sandbox_and_differ_between_sandboxes():
    assert internal_id("sb_a", "user_us") == internal_id("sb_a", "user_us")
    assert internal_id("sb_a", "user_us") != internal_id("sb_b", "user_us")
    assert internal_id("sb_a", "user_us") != internal_id("sb_a", "user_uk")


def test_a_stored_user_overrides_the_default_of_its_id():
    changed = stored("user_us")

    page, after = merge_by_id(
        [changed], default_users(SCOPE), limit=10, after=None, stored_until=None
    )

    assert [u.id for u in page] == sorted(DEFAULT_ZONES)
    assert next(u for u in page if u.id == "user_us").timezone == "UTC"
    assert after is None


ids = st.text(alphabet="abuz_0", min_size=1, max_size=6)


@given(st.sets(ids, max_size=25), st.integers(min_value=1, max_value=7))
def test_paging_lists_every_stored_and_default_user_once_in_id_order(stored_ids, limit):
    """Pages drawn the way the repository serves stored users (by id, ``limit`` a page)."""
    everyone = sorted(stored_ids | set(DEFAULT_ZONES))
    ordered_stored = sorted(stored_ids)
    listed: list[str] = []
    after: str | None = None
    for _ in range(100):
        rest = [i for i in ordered_stored if after is None or i > after]
        page_ids = rest[:limit]
        until = page_ids[-1] if len(rest) > limit else None
        page, after = merge_by_id(
            [stored(i) for i in page_ids],
            default_users(SCOPE),
            limit=limit,
            after=after,
            stored_until=until,
        )
        assert len(page) <= limit
        listed += [u.id for u in page]
        if after is None:
            break
    assert listed == everyone
