"""The encrypted key column through the ORM's bulk paths."""

from django.db import connection

from credentials.models import Credential
from tests.conftest import KNOWN_KEY

OTHER_KEY = "sk-or-v1-" + "0123456789abcdef" * 4


def raw_key(pk) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT api_key FROM credentials_credential WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_bulk_update_stores_ciphertext(credential):
    credential.api_key = OTHER_KEY

    Credential.objects.bulk_update([credential], ["api_key"])

    assert raw_key(credential.pk).startswith("gAAAAA")
    assert OTHER_KEY not in raw_key(credential.pk)
    assert Credential.objects.get(pk=credential.pk).api_key == OTHER_KEY


def test_queryset_update_stores_ciphertext(credential):
    Credential.objects.filter(pk=credential.pk).update(api_key=OTHER_KEY)

    assert raw_key(credential.pk).startswith("gAAAAA")
    assert Credential.objects.get(pk=credential.pk).api_key == OTHER_KEY


def test_deferred_listing_leaves_key_unloaded(credential):
    listed = Credential.objects.for_listing().get(pk=credential.pk)

    assert "api_key" in listed.get_deferred_fields()
    assert listed.api_key == KNOWN_KEY
