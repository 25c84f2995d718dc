"""Keys against moto: an id no key could have is refused before it reaches storage."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("event", "body"),
    [
        ("keys/get_key.json", None),
        ("keys/update_key.json", {"tier": "pro"}),
        ("keys/revoke_key.json", None),
        ("keys/rotate_key.json", None),
    ],
)
def test_a_key_id_longer_than_any_issued_is_400_and_changes_no_key(
    invoke, make_key, admin, event, body
):
    created = make_key(sandbox_id="sb-long-key-id")
    listing = ("keys", "keys/list_keys.json")
    _, before, _ = invoke(*listing, caller=admin, query={"limit": "100"})
    status, answer, _ = invoke(
        "keys", event, caller=admin, body=body, path_parameters={"key_id": "k" * 5000}
    )
    assert status == 400 and answer["code"] == "validation_error", answer
    _, after, _ = invoke(*listing, caller=admin, query={"limit": "100"})
    assert after == before and any(k["key_id"] == created["key_id"] for k in after)
