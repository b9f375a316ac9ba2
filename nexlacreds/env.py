"""Strict parsing of the environment variables that configure the project.

Every helper raises ImproperlyConfigured with the variable's name on a bad value, so a typo stops
start-up instead of silently falling back to a default.
"""

import json
import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}

SECRET_KEY_HINT = (
    "Generate one with: python -c 'from django.core.management.utils import "
    "get_random_secret_key; print(get_random_secret_key())'"
)
FERNET_KEY_HINT = (
    "Generate one with: python -c 'from cryptography.fernet import Fernet; "
    "print(Fernet.generate_key().decode())'"
)
FINGERPRINT_KEY_HINT = "Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(48))'"


def read_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def read_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number of seconds, not {raw!r}.") from None
    if value <= 0:
        raise ImproperlyConfigured(f"{name} must be greater than zero, not {raw!r}.")
    return value


def read_int(name: str, default: int, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {raw!r}.")
    return value


def read_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def read_secret(name: str) -> str | None:
    """Read a secret from NAME, or from the file named by NAME_FILE (for Docker and systemd secrets)."""
    value = os.environ.get(name)
    file_name = os.environ.get(f"{name}_FILE")
    if value is not None and file_name is not None:
        raise ImproperlyConfigured(f"Set either {name} or {name}_FILE, not both.")
    if file_name is not None:
        try:
            value = Path(file_name).read_text(encoding="utf-8")
        except OSError as error:
            raise ImproperlyConfigured(f"{name}_FILE names {file_name!r}, which cannot be read: {error.strerror}.") from None
    if value is None or not value.strip():
        return None
    return value.strip()


def validate_django_secret_key(value: str) -> str:
    if len(value) < 50 or len(set(value)) < 5 or value.startswith("django-insecure"):
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is too weak: it needs at least 50 characters and 5 distinct ones. "
            + SECRET_KEY_HINT
        )
    return value


def parse_fernet_keys(value: str) -> list[str]:
    """Split a comma-separated list of Fernet keys and check each one; the first one encrypts."""
    keys = [key.strip() for key in value.split(",") if key.strip()]
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY is empty. " + FERNET_KEY_HINT)
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            # The message names the position only: the value itself is a secret.
            raise ImproperlyConfigured(
                f"FIELD_ENCRYPTION_KEY entry {position} is not a valid Fernet key "
                "(32 bytes, url-safe base64). " + FERNET_KEY_HINT
            ) from None
    return keys


def validate_fingerprint_key(value: str) -> str:
    if len(value) < 32:
        raise ImproperlyConfigured(
            "CREDENTIAL_FINGERPRINT_KEY is too short: it needs at least 32 characters. " + FINGERPRINT_KEY_HINT
        )
    return value


def load_development_secrets(path: Path) -> dict[str, str]:
    """Return the secrets kept in a local file for development, creating them on first use.

    Keeping them on disk means data encrypted today still decrypts after a restart. The file is
    created readable by its owner only.
    """
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    path.parent.mkdir(parents=True, exist_ok=True)
    generated = {
        "DJANGO_SECRET_KEY": get_random_secret_key() + secrets.token_urlsafe(16),
        "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "CREDENTIAL_FINGERPRINT_KEY": secrets.token_urlsafe(48),
    }
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        json.dump(generated, file, indent=2)
    return generated
