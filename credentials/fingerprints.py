"""Keyed fingerprints of API keys, for spotting a key saved twice without decrypting anything."""

import hashlib
import hmac

from django.conf import settings


def fingerprint(api_key: str) -> str:
    """Return the HMAC-SHA256 of the key, hex encoded, keyed with CREDENTIAL_FINGERPRINT_KEY.

    Without that secret the fingerprint cannot be used to test guesses of a key.
    """
    secret = settings.CREDENTIAL_FINGERPRINT_KEY.encode("utf-8")
    return hmac.new(secret, api_key.encode("utf-8"), hashlib.sha256).hexdigest()
