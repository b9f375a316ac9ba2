"""Key rotation, the check for keys that do not decrypt, and the health endpoint."""

from io import StringIO

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.management import CommandError, call_command
from django.db import connection

from credentials.fields import EncryptedToken
from credentials.models import Credential
from tests.conftest import KNOWN_KEY, make_credential
from tests.keys import encryption_keys, new_fernet_key

OTHER_KEY = "sk-or-v1-" + "0123456789abcdef" * 4


def raw_tokens() -> dict[int, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, api_key FROM credentials_credential")
        return dict(cursor.fetchall())


def call(command, *args) -> str:
    output = StringIO()
    call_command(command, *args, stdout=output)
    return output.getvalue()


@pytest.fixture
def old_key():
    return new_fernet_key()


@pytest.fixture
def new_key():
    return new_fernet_key()


def test_rotation_end_to_end(owner, old_key, new_key):
    with encryption_keys(old_key):
        ids = [make_credential(owner, name=f"Key {number}", key=f"{KNOWN_KEY[:-2]}{number:02d}").pk for number in range(7)]

    with encryption_keys(new_key, old_key):
        output = call("rotate_encryption_key", "--batch-size", "3")
    assert "Re-encrypted 7 keys" in output

    tokens = raw_tokens()
    with pytest.raises(InvalidToken):
        Fernet(old_key.encode()).decrypt(tokens[ids[0]].encode())
    with encryption_keys(old_key):
        assert all(isinstance(credential.api_key, EncryptedToken) for credential in Credential.objects.all())
    with encryption_keys(new_key):
        keys = {credential.pk: credential.api_key for credential in Credential.objects.all()}
        assert keys[ids[3]] == f"{KNOWN_KEY[:-2]}03"
        assert all(isinstance(key, str) for key in keys.values())
        assert "All 7 stored keys decrypt." in call("check_credential_keys")


def test_rotation_is_idempotent(owner, old_key, new_key):
    with encryption_keys(old_key):
        make_credential(owner)
    with encryption_keys(new_key, old_key):
        call("rotate_encryption_key")
        tokens_after_first_run = raw_tokens()
        output = call("rotate_encryption_key")

    assert "Re-encrypted 0 keys; 1 were already on the current key" in output
    assert raw_tokens() == tokens_after_first_run


def test_rotation_refuses_while_a_key_does_not_decrypt(owner, old_key, new_key):
    lost_key = new_fernet_key()
    with encryption_keys(lost_key):
        make_credential(owner, name="Orphan")
    with encryption_keys(old_key):
        make_credential(owner, name="Fine", key=OTHER_KEY)
    before = raw_tokens()

    with encryption_keys(new_key, old_key):
        with pytest.raises(CommandError, match="Nothing was changed: 1 stored keys do not decrypt"):
            call("rotate_encryption_key")

    assert raw_tokens() == before


def test_rotation_can_skip_keys_that_do_not_decrypt(owner, old_key, new_key):
    lost_key = new_fernet_key()
    with encryption_keys(lost_key):
        orphan = make_credential(owner, name="Orphan")
    with encryption_keys(old_key):
        fine = make_credential(owner, name="Fine", key=OTHER_KEY)
    before = raw_tokens()

    with encryption_keys(new_key, old_key):
        output = call("rotate_encryption_key", "--skip-undecryptable")

    assert f"Skipped credential {orphan.pk} “Orphan”" in output
    after = raw_tokens()
    assert after[orphan.pk] == before[orphan.pk]
    assert after[fine.pk] != before[fine.pk]
    with encryption_keys(new_key):
        assert Credential.objects.get(pk=fine.pk).api_key == OTHER_KEY


def test_rotation_keeps_key_replaced_meanwhile(owner, old_key, new_key):
    with encryption_keys(old_key):
        credential = make_credential(owner)
    with encryption_keys(new_key, old_key):
        credential = Credential.objects.get(pk=credential.pk)
        credential.set_api_key(OTHER_KEY)
        credential.save()
        output = call("rotate_encryption_key")

        assert "Re-encrypted 0 keys" in output
        assert Credential.objects.get(pk=credential.pk).api_key == OTHER_KEY


def test_check_command_names_failing_credentials(owner, old_key):
    lost_key = new_fernet_key()
    with encryption_keys(lost_key):
        orphan = make_credential(owner, name="Orphan")
    with encryption_keys(old_key):
        make_credential(owner, name="Fine", key=OTHER_KEY)
        output = StringIO()
        with pytest.raises(CommandError, match="1 of 2 stored keys do not decrypt"):
            call_command("check_credential_keys", stdout=output)

    assert f"Credential {orphan.pk} “Orphan” does not decrypt." in output.getvalue()
    assert "Fine" not in output.getvalue()


def test_health_counts_unreadable_keys(client, owner, old_key):
    lost_key = new_fernet_key()
    with encryption_keys(lost_key):
        make_credential(owner, name="Orphan")
    with encryption_keys(old_key):
        make_credential(owner, name="Fine", key=OTHER_KEY)
        response = client.get("/health/")

    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "database": "ok", "undecryptable_credentials": 1}
    assert "no-store" in response["Cache-Control"]


def test_health_ok_when_every_key_is_readable(client, credential):
    response = client.get("/health/")

    assert response.json() == {"status": "ok", "database": "ok", "undecryptable_credentials": 0}
