import base64
import binascii
from random import Random

import pytest

from sandbox_common.mockdata.addresses import (
    HEDERA_ACCOUNT_RANGE,
    crc16_xmodem,
    hedera_account_id,
    is_valid_stellar_public_key,
    random_hedera_account_id,
    random_stellar_address,
    stellar_address,
)

KNOWN_STELLAR_KEY = "GAAZI4TCR3TY5OJHCTJC2A4QSY6CJWJH5IAJTGKIN2ER7LBNVKOCCWN7"


def _strkey(version: int, key: bytes) -> str:
    payload = bytes((version,)) + key
    return base64.b32encode(payload + binascii.crc_hqx(payload, 0).to_bytes(2, "little")).decode()


def test_crc16_xmodem_matches_the_standard_check_value():
    assert crc16_xmodem(b"123456789") == 0x31C3
    assert crc16_xmodem(b"") == 0


def test_crc16_xmodem_agrees_with_the_stdlib_on_random_data():
    rng = Random(7)
    for size in range(0, 80, 3):
        data = rng.randbytes(size)
        assert crc16_xmodem(data) == binascii.crc_hqx(data, 0)


def test_a_known_stellar_public_key_validates():
    assert is_valid_stellar_public_key(KNOWN_STELLAR_KEY)


def test_encoding_the_known_keys_bytes_gives_the_known_key_back():
    raw = base64.b32decode(KNOWN_STELLAR_KEY)
    assert stellar_address(raw[1:33]) == KNOWN_STELLAR_KEY


def test_generated_stellar_ids_are_valid_strkeys():
    rng = Random(1)
    for _ in range(200):
        key = random_stellar_address(rng)
        assert key.startswith("G") and len(key) == 56
        assert is_valid_stellar_public_key(key)


@pytest.mark.parametrize(
    "value",
    [
        KNOWN_STELLAR_KEY[:-1] + ("A" if KNOWN_STELLAR_KEY[-1] != "A" else "B"),  # checksum
        KNOWN_STELLAR_KEY[:10] + "B" + KNOWN_STELLAR_KEY[11:],  # key byte changed
        KNOWN_STELLAR_KEY[:-1],  # too short
        KNOWN_STELLAR_KEY.lower(),
        _strkey(18 << 3, bytes(32)),  # a well-formed secret seed ("S..."), not an account
        "0.0.12345",
        "",
    ],
)
def test_malformed_stellar_ids_are_rejected(value):
    assert not is_valid_stellar_public_key(value)


def test_a_stellar_key_must_be_32_bytes():
    with pytest.raises(ValueError):
        stellar_address(b"\x00" * 31)


def test_hedera_ids_are_shard_zero_realm_zero_in_range():
    rng = Random(3)
    low, high = HEDERA_ACCOUNT_RANGE
    for _ in range(500):
        shard, realm, number = random_hedera_account_id(rng).split(".")
        assert (shard, realm) == ("0", "0")
        assert low <= int(number) <= high


def test_a_hedera_id_is_built_from_its_account_number():
    assert hedera_account_id(98) == "0.0.98"
    with pytest.raises(ValueError):
        hedera_account_id(-1)
