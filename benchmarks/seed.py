"""Create benchmark users and credentials fast, and sign a user in for the HTTP benchmarks.

One credential is built with ``set_api_key`` and encrypted once. Every bulk-created row copies its
ciphertext, hint and fingerprint, so seeding 100,000 rows costs one Fernet encryption.

Run as a script, it migrates the database named by DATABASE_URL, creates a user holding
``--credentials`` OpenRouter credentials and writes that user's session cookie to ``--out``:

    DJANGO_SETTINGS_MODULE=benchmarks.settings python -m benchmarks.seed --credentials 1000 --out session.json
"""

import argparse
import json
import secrets
from datetime import timedelta
from decimal import Decimal

BULK_CREATE_BATCH_SIZE = 2000


def random_key() -> str:
    return "sk-or-v1-" + secrets.token_hex(32)


def create_user(username: str):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(username, password=secrets.token_urlsafe(24))


def fill_credentials(owner, total: int) -> int:
    """Add OpenRouter credentials to ``owner`` until they hold ``total``; return how many were added.

    Rows vary the way real ones do: most are verified, some were never checked or were rejected, a
    third have no description, and half have never been used.
    """
    from django.db import connection
    from django.utils import timezone

    from credentials.connectors import OPENROUTER
    from credentials.fields import EncryptedToken
    from credentials.models import Credential

    existing = Credential.objects.filter(owner=owner, connector=OPENROUTER.slug).count()
    if existing >= total:
        return 0

    template = Credential(owner=owner, connector=OPENROUTER.slug)
    template.set_api_key(random_key())
    ciphertext = Credential._meta.get_field("api_key").get_db_prep_save(template.api_key, connection)
    now = timezone.now()

    rows = []
    for number in range(existing + 1, total + 1):
        rows.append(build_row(owner, number, template, EncryptedToken(ciphertext), now))
        if len(rows) == BULK_CREATE_BATCH_SIZE:
            Credential.objects.bulk_create(rows)
            rows = []
    if rows:
        Credential.objects.bulk_create(rows)
    return total - existing


def build_row(owner, number: int, template, token, now):
    from credentials.models import Credential

    Status = Credential.Status
    status = (Status.VERIFIED, Status.VERIFIED, Status.NOT_VERIFIED, Status.INVALID)[number % 4]
    verified = status == Status.VERIFIED
    return Credential(
        owner=owner,
        connector=template.connector,
        name=f"Benchmark key {number:06d}",
        description="" if number % 3 == 0 else f"Used by pipeline {number % 37} of team {number % 11}",
        # An EncryptedToken is written to the column as it is, without encrypting again.
        api_key=token,
        key_hint=template.key_hint,
        key_fingerprint=template.key_fingerprint,
        key_format_ok=template.key_format_ok,
        encryption_key_id=template.encryption_key_id,
        status=status,
        status_message="User not found." if status == Status.INVALID else "",
        checked_at=None if status == Status.NOT_VERIFIED else now - timedelta(hours=number % 500),
        key_label=f"sk-or-v1-abc...{number % 1000:03d}" if verified else "",
        key_usage=Decimal("0.25") * (number % 9) if verified else None,
        key_limit=Decimal("10") if verified and number % 2 else None,
        last_used_at=now - timedelta(minutes=number) if number % 2 else None,
    )


def session_cookie_for(user) -> tuple[str, str]:
    """Sign ``user`` in through Django's test client and return the session cookie's name and value."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value


def main() -> None:
    parser = argparse.ArgumentParser(description="Migrate, create a user with credentials, and print its session cookie.")
    parser.add_argument("--username", default="load-user", help="Name of the user to create (default load-user).")
    parser.add_argument("--credentials", type=int, required=True, help="Number of OpenRouter credentials to create for the user.")
    parser.add_argument("--out", required=True, help="JSON file to write the cookie name and value to.")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    user = create_user(args.username)
    fill_credentials(user, args.credentials)
    cookie_name, cookie_value = session_cookie_for(user)
    with open(args.out, "w", encoding="utf-8") as file:
        json.dump({"cookie_name": cookie_name, "cookie_value": cookie_value, "user_id": user.pk}, file)


if __name__ == "__main__":
    main()
