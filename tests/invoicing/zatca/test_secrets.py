"""Secrets at rest: round trip, and nothing decrypts with another key or for another row."""

from __future__ import annotations

import pytest

from invoicing.zatca.secrets import SecretError, decrypt, derive_key, encrypt


def test_a_secret_round_trips_and_each_token_is_new():
    key = derive_key("django-insecure-setting")
    token = encrypt("-----BEGIN PRIVATE KEY-----\n...", key, associated_data=b"device:7")
    assert decrypt(token, key, associated_data=b"device:7") == b"-----BEGIN PRIVATE KEY-----\n..."
    assert encrypt(b"same", key) != encrypt(b"same", key)
    assert derive_key("django-insecure-setting") == key and len(key) == 32


def test_a_wrong_key_other_associated_data_or_a_changed_token_fail():
    key = derive_key("one setting")
    token = encrypt(b"secret", key, associated_data=b"device:7")
    with pytest.raises(SecretError):
        decrypt(token, derive_key("another setting"), associated_data=b"device:7")
    with pytest.raises(SecretError):
        decrypt(token, key, associated_data=b"device:8")
    changed = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    with pytest.raises(SecretError):
        decrypt(changed, key, associated_data=b"device:7")
    with pytest.raises(SecretError):
        decrypt("not a token", key)


def test_keys_are_checked():
    with pytest.raises(ValueError, match="32 bytes"):
        encrypt(b"x", b"short")
    with pytest.raises(ValueError, match="empty"):
        derive_key("")
