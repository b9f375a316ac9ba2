"""Fernet encryption of stored keys, on top of django-encrypted-model-fields.

The library builds its MultiFernet (``CRYPTER``) once, at import, from FIELD_ENCRYPTION_KEY: the
first key encrypts and every key decrypts. Everything here looks the crypter up at call time, so
``reload_crypter`` after a settings change (rotation, tests) takes effect everywhere.
"""

import functools
import hashlib

from django.conf import settings
from encrypted_model_fields import fields as encrypted_fields


def encrypt(plaintext: str) -> str:
    return encrypted_fields.CRYPTER.encrypt(plaintext.encode("utf-8")).decode("utf-8")


def decrypt(token: str) -> str:
    """Return the plaintext; raises cryptography.fernet.InvalidToken when no configured key fits."""
    return encrypted_fields.CRYPTER.decrypt(token.encode("utf-8")).decode("utf-8")


def reload_crypter() -> None:
    encrypted_fields.CRYPTER = encrypted_fields.get_crypter()


def key_id(fernet_key: str) -> str:
    """Return a short public identifier of an encryption key: its SHA-256, truncated.

    Stored beside each ciphertext, it identifies the key that encrypted a row without decrypting anything.
    """
    return hashlib.sha256(fernet_key.encode("utf-8")).hexdigest()[:16]


def configured_keys() -> list[str]:
    keys = settings.FIELD_ENCRYPTION_KEY
    return list(keys) if isinstance(keys, (list, tuple)) else [keys]


def current_key_id() -> str:
    return key_id(configured_keys()[0])


def configured_key_ids() -> frozenset[str]:
    return key_ids(tuple(configured_keys()))


@functools.lru_cache(maxsize=8)
def key_ids(keys: tuple[str, ...]) -> frozenset[str]:
    # Cached because every listed credential needs it; the argument changes when the settings do.
    return frozenset(key_id(key) for key in keys)
