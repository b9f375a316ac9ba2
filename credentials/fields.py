"""An encrypted model field for API keys that never hands ciphertext to callers.

django-encrypted-model-fields returns the stored token unchanged when it cannot decrypt it, and its
``to_python`` tries to decrypt whatever it is given, user input included. This field instead returns
an ``EncryptedToken`` for a value that does not decrypt and leaves user input alone.
"""

import logging

from cryptography.fernet import InvalidToken
from encrypted_model_fields import fields as encrypted_fields

from credentials.encryption import decrypt, encrypt

logger = logging.getLogger(__name__)

# Marks a serialised value as ciphertext; forms reject keys that start with it.
SERIALIZED_TOKEN_PREFIX = "fernet-token:"


class EncryptedToken:
    """A Fernet token left encrypted: no configured key decrypts it, or it came from a fixture.

    Saving the row again writes the token back unchanged. It never renders as the ciphertext:
    ``str()`` gives a fixed placeholder.
    """

    __slots__ = ("ciphertext",)

    def __init__(self, ciphertext: str):
        self.ciphertext = ciphertext

    def __str__(self) -> str:
        return "(cannot be decrypted)"

    __repr__ = __str__

    def __bool__(self) -> bool:
        return False

    def __eq__(self, other) -> bool:
        return isinstance(other, EncryptedToken) and other.ciphertext == self.ciphertext

    def __hash__(self) -> int:
        return hash(self.ciphertext)


class EncryptedSecretField(encrypted_fields.EncryptedTextField):
    """A text column holding a Fernet token; the Python value is the plaintext or an EncryptedToken."""

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        try:
            # Decryption costs a Fernet check per row: list views defer this column.
            return decrypt(value)
        except InvalidToken:
            logger.warning("A stored secret in column %s does not decrypt with any configured key", self.column)
            return EncryptedToken(value)

    def to_python(self, value):
        # Input is plaintext and is never run through decryption. The one exception is a value that
        # value_to_string marked as a token, which loaddata hands back and which is stored unchanged.
        if isinstance(value, EncryptedToken) or value is None:
            return value
        value = str(value)
        if value.startswith(SERIALIZED_TOKEN_PREFIX):
            return EncryptedToken(value.removeprefix(SERIALIZED_TOKEN_PREFIX))
        return value

    def get_db_prep_save(self, value, connection):
        if value is None:
            return None
        if hasattr(value, "as_sql"):
            # An expression, e.g. bulk_update's CASE: its Value parts come back here one by one.
            return value
        if isinstance(value, EncryptedToken):
            return value.ciphertext
        return encrypt(str(value))

    def value_to_string(self, obj):
        # dumpdata and other serialisers get the marked ciphertext, never the plaintext.
        value = self.value_from_object(obj)
        if value is None:
            return None
        token = value.ciphertext if isinstance(value, EncryptedToken) else encrypt(str(value))
        return SERIALIZED_TOKEN_PREFIX + token
