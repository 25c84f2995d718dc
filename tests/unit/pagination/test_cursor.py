import pytest

from sandbox_common.errors import InvalidInput
from sandbox_common.pagination import decode_cursor, encode_cursor


def test_cursor_round_trips_within_its_scope():
    cursor = encode_cursor({"key_hash": "abc", "sandbox_id": "sb_1"}, "sb_1")
    assert cursor is not None
    assert decode_cursor(cursor, "sb_1") == {"key_hash": "abc", "sandbox_id": "sb_1"}


def test_no_last_key_means_no_cursor():
    assert encode_cursor(None, "sb_1") is None
    assert decode_cursor(None, "sb_1") is None


def test_cursor_replayed_against_another_sandbox_is_rejected():
    cursor = encode_cursor({"key_hash": "abc"}, "sb_1")
    with pytest.raises(InvalidInput):
        decode_cursor(cursor, "sb_2")


@pytest.mark.parametrize(
    "cursor", ["not base64 !!", "bm90IGpzb24", "W10", "eyJzIjoic2JfMSIsImsiOjF9"]
)
def test_tampered_cursor_is_rejected(cursor):
    with pytest.raises(InvalidInput):
        decode_cursor(cursor, "sb_1")
