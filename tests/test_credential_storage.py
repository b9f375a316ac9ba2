"""How a credential's API key is stored: encrypted column, hint, fingerprint, serialisation."""

import hashlib
import json
import re
from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from credentials.fields import SERIALIZED_TOKEN_PREFIX, EncryptedToken, encrypt
from credentials.models import Credential
from tests.conftest import KNOWN_KEY, make_credential

OTHER_KEY = "sk-or-v1-" + "0123456789abcdef" * 4


def stored_ciphertext(pk) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT api_key FROM credentials_credential WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def overwrite_ciphertext(pk, ciphertext: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("UPDATE credentials_credential SET api_key = %s WHERE id = %s", [ciphertext, pk])


@pytest.fixture
def foreign_ciphertext() -> str:
    """A Fernet token made with a key the project is not configured with."""
    return Fernet(Fernet.generate_key()).encrypt(KNOWN_KEY.encode()).decode()


def test_column_holds_fernet_token_not_plaintext(credential):
    raw = stored_ciphertext(credential.pk)

    assert KNOWN_KEY not in raw
    assert KNOWN_KEY[-12:] not in raw
    assert raw.startswith("gAAAAA")


def test_each_save_uses_fresh_ciphertext(owner):
    first = make_credential(owner, name="First")
    second = make_credential(owner, name="Second")

    assert stored_ciphertext(first.pk) != stored_ciphertext(second.pk)


def test_model_reads_back_plaintext(credential):
    loaded = Credential.objects.get(pk=credential.pk)

    assert loaded.api_key == KNOWN_KEY
    assert loaded.is_decryptable is True


def test_deferred_key_loads_plaintext_on_access(credential):
    loaded = Credential.objects.for_listing().get(pk=credential.pk)

    assert "api_key" in loaded.get_deferred_fields()
    assert loaded.api_key == KNOWN_KEY


def test_key_hint_shows_prefix_and_last_four(credential):
    assert credential.key_hint == "sk-or-v1-…" + KNOWN_KEY[-4:]
    assert Credential.objects.get(pk=credential.pk).key_hint == "sk-or-v1-…" + KNOWN_KEY[-4:]


def test_key_format_ok_for_well_formed_key(credential):
    assert credential.key_format_ok is True


def test_fingerprint_is_keyed_hmac(credential):
    fingerprint = credential.key_fingerprint

    assert re.fullmatch(r"[0-9a-f]{64}", fingerprint)
    assert fingerprint != hashlib.sha256(KNOWN_KEY.encode()).hexdigest()
    assert KNOWN_KEY[-12:] not in fingerprint


def test_fingerprint_is_stable_per_key(owner):
    first = make_credential(owner, name="First")
    second = make_credential(owner, name="Second")
    different = make_credential(owner, name="Different", key=OTHER_KEY)

    assert first.key_fingerprint == second.key_fingerprint
    assert first.key_fingerprint != different.key_fingerprint


def test_foreign_ciphertext_loads_as_encrypted_token(credential, foreign_ciphertext):
    overwrite_ciphertext(credential.pk, foreign_ciphertext)

    loaded = Credential.objects.get(pk=credential.pk)

    assert isinstance(loaded.api_key, EncryptedToken)
    assert loaded.is_decryptable is False
    assert not loaded.api_key
    assert "gAAAA" not in str(loaded.api_key)
    assert "gAAAA" not in repr(loaded.api_key)
    assert foreign_ciphertext not in str(loaded.api_key)


def test_foreign_ciphertext_logs_warning_without_token(credential, foreign_ciphertext, all_logs):
    overwrite_ciphertext(credential.pk, foreign_ciphertext)

    Credential.objects.get(pk=credential.pk)

    warnings = [record for record in all_logs.records if record.name == "credentials.fields"]
    assert len(warnings) == 1
    assert "does not decrypt" in warnings[0].getMessage()
    assert "gAAAA" not in warnings[0].getMessage()


def test_partial_save_keeps_foreign_ciphertext(credential, foreign_ciphertext):
    overwrite_ciphertext(credential.pk, foreign_ciphertext)
    loaded = Credential.objects.get(pk=credential.pk)

    loaded.name = "Renamed"
    loaded.save(update_fields=["name"])

    assert stored_ciphertext(credential.pk) == foreign_ciphertext
    assert Credential.objects.get(pk=credential.pk).name == "Renamed"


def test_full_save_keeps_foreign_ciphertext(credential, foreign_ciphertext):
    overwrite_ciphertext(credential.pk, foreign_ciphertext)
    loaded = Credential.objects.get(pk=credential.pk)

    loaded.description = "Changed"
    loaded.save()

    assert stored_ciphertext(credential.pk) == foreign_ciphertext


def dump_credentials() -> str:
    output = StringIO()
    call_command("dumpdata", "credentials", stdout=output)
    return output.getvalue()


def test_dumpdata_writes_marked_ciphertext(credential):
    dump = dump_credentials()

    records = json.loads(dump)
    api_key = records[0]["fields"]["api_key"]
    assert KNOWN_KEY not in dump
    assert KNOWN_KEY[-12:] not in dump
    assert api_key.startswith(SERIALIZED_TOKEN_PREFIX + "gAAAAA")


def test_dumpdata_keeps_foreign_ciphertext(credential, foreign_ciphertext):
    overwrite_ciphertext(credential.pk, foreign_ciphertext)

    records = json.loads(dump_credentials())

    assert records[0]["fields"]["api_key"] == SERIALIZED_TOKEN_PREFIX + foreign_ciphertext


def test_loaddata_restores_decryptable_key(credential, tmp_path):
    fixture = tmp_path / "credentials.json"
    fixture.write_text(dump_credentials(), encoding="utf-8")
    Credential.objects.all().delete()

    call_command("loaddata", str(fixture), stdout=StringIO())

    restored = Credential.objects.get(pk=credential.pk)
    assert restored.api_key == KNOWN_KEY
    assert restored.name == credential.name
    assert restored.key_hint == credential.key_hint
    assert restored.key_fingerprint == credential.key_fingerprint


def test_name_unique_ignoring_case_in_database(owner, credential):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_credential(owner, name=credential.name.lower())


def test_same_name_allowed_for_other_owner(credential, other_user):
    duplicate = make_credential(other_user, name=credential.name)

    assert duplicate.pk != credential.pk


def test_to_python_leaves_token_encrypted():
    field = Credential._meta.get_field("api_key")
    token = encrypt(KNOWN_KEY)

    value = field.to_python(token)

    assert value == token
    assert value != KNOWN_KEY


def test_to_python_keeps_plain_key():
    field = Credential._meta.get_field("api_key")

    assert field.to_python(KNOWN_KEY) == KNOWN_KEY
    assert field.to_python(None) is None


def test_to_python_wraps_marked_token():
    field = Credential._meta.get_field("api_key")
    token = encrypt(KNOWN_KEY)

    value = field.to_python(SERIALIZED_TOKEN_PREFIX + token)

    assert value == EncryptedToken(token)
