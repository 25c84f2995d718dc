from sandbox_common.keys import secrets


def test_keys_carry_the_sandbox_prefix_and_are_unique():
    keys = {secrets.new_api_key() for _ in range(200)}
    assert len(keys) == 200
    assert all(key.startswith("sk_sandbox_") and secrets.looks_like_key(key) for key in keys)


def test_key_ids_carry_the_sbx_prefix():
    key_id = secrets.new_key_id()
    assert key_id.startswith("sbx_")
    assert secrets.looks_like_key_id(key_id)


def test_secrets_are_long_and_distinct_from_keys():
    secret = secrets.new_api_secret()
    assert len(secret) >= 80
    assert not secret.startswith("sk_sandbox_")


def test_digest_is_stable_sha256_hex_and_never_the_clear_value():
    key = secrets.new_api_key()
    assert secrets.digest(key) == secrets.digest(key)
    assert len(secrets.digest(key)) == 64
    assert key not in secrets.digest(key)


def test_wrong_prefix_or_shape_does_not_look_like_a_key():
    assert not secrets.looks_like_key("sk_live_" + "a" * 40)
    assert not secrets.looks_like_key("sk_sandbox_short")
    assert not secrets.looks_like_key("sk_sandbox_" + "a" * 30 + "!")
    assert not secrets.looks_like_key_id("key_123456")
    assert not secrets.looks_like_key_id("sbx_../../etc")


def test_display_prefix_reveals_only_four_characters_of_the_secret_part():
    assert secrets.display_prefix("sk_sandbox_ABCDEFGHIJ") == "sk_sandbox_ABCD…"
