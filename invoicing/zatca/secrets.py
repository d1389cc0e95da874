"""Secrets at rest (the device's private key, the CSIDs' secrets): AES-256-GCM with a key given by the caller.

A token is the URL-safe base64 of a version byte (1), a random 12-byte nonce and the ciphertext with its 16-byte
tag.  ``associated_data`` (e.g. the device's id) binds a token to its row: decrypting it with other associated data
fails like a wrong key.  :func:`derive_key` turns a setting (any string, e.g. ``SECRET_KEY``) into the 32-byte key
with HKDF-SHA256 and a fixed label, so the same setting always gives the same key and no other use of the setting
gives it.
"""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

__all__ = ["KEY_BYTES", "SecretError", "decrypt", "derive_key", "encrypt"]

KEY_BYTES = 32
_VERSION = b"\x01"
_NONCE_BYTES = 12
_INFO = b"invoicing.zatca.secrets/aes-256-gcm/v1"


class SecretError(ValueError):
    """A token that cannot be decrypted with this key (wrong key, wrong associated data, altered or malformed)."""


def derive_key(secret_setting: str) -> bytes:
    """The 32-byte key derived from ``secret_setting`` (HKDF-SHA256, no salt, a fixed info label)."""
    if not secret_setting:
        raise ValueError("The secret setting must not be empty.")
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=_INFO).derive(
        secret_setting.encode("utf-8")
    )


def _check_key(key: bytes) -> None:
    if not isinstance(key, bytes) or len(key) != KEY_BYTES:
        raise ValueError(f"The key must be {KEY_BYTES} bytes.")


def encrypt(plaintext: bytes | str, key: bytes, *, associated_data: bytes = b"") -> str:
    """The token of ``plaintext`` (a str is encoded as UTF-8) under ``key``."""
    _check_key(key)
    data = plaintext.encode("utf-8") if isinstance(plaintext, str) else plaintext
    nonce = os.urandom(_NONCE_BYTES)
    sealed = AESGCM(key).encrypt(nonce, data, associated_data)
    return base64.urlsafe_b64encode(_VERSION + nonce + sealed).decode("ascii")


def decrypt(token: str, key: bytes, *, associated_data: bytes = b"") -> bytes:
    """The plaintext bytes of ``token``; :class:`SecretError` when the key or the associated data is not its own."""
    _check_key(key)
    try:
        raw = base64.urlsafe_b64decode(token.encode("ascii"))
    except (ValueError, UnicodeEncodeError) as error:
        raise SecretError("Malformed secret token.") from error
    if len(raw) < 1 + _NONCE_BYTES + 16 or raw[:1] != _VERSION:
        raise SecretError("Malformed secret token.")
    nonce, sealed = raw[1 : 1 + _NONCE_BYTES], raw[1 + _NONCE_BYTES :]
    try:
        return AESGCM(key).decrypt(nonce, sealed, associated_data)
    except InvalidTag as error:
        raise SecretError("The secret cannot be decrypted with this key.") from error
