"""Switching FIELD_ENCRYPTION_KEY inside a test, for real: the crypter is rebuilt each time."""

from contextlib import contextmanager

from cryptography.fernet import Fernet
from django.test import override_settings

from credentials.encryption import reload_crypter


def new_fernet_key() -> str:
    return Fernet.generate_key().decode()


@contextmanager
def encryption_keys(*keys: str):
    """Run the block with FIELD_ENCRYPTION_KEY set to ``keys``, then restore the previous crypter."""
    try:
        with override_settings(FIELD_ENCRYPTION_KEY=list(keys)):
            reload_crypter()
            yield
    finally:
        reload_crypter()
