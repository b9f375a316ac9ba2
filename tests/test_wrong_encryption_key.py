"""With the wrong FIELD_ENCRYPTION_KEY every page still works, and no key is used or shown."""

import pytest
from django.contrib.auth import get_user_model

from credentials.models import Credential
from flows.models import DataSource
from tests.conftest import make_credential
from tests.keys import encryption_keys, new_fernet_key


@pytest.fixture
def orphaned(owner):
    """A credential and a source using it, encrypted with a key the app no longer has."""
    with encryption_keys(new_fernet_key()):
        credential = make_credential(owner, name="Orphan")
    source = DataSource.objects.create(owner=owner, name="Old source", connector="openrouter", credential=credential)
    return credential, source


def test_pages_work_and_flag_the_credential(owner_client, orphaned, fake_openrouter):
    credential, source = orphaned
    pages = [
        "/",
        "/sources/new/openrouter/",
        f"/sources/new/openrouter/configure/?credential={credential.pk}",
        f"/sources/{source.pk}/",
        f"/credentials/{credential.pk}/",
    ]

    for path in pages:
        response = owner_client.get(path)
        assert response.status_code == 200, path
        assert "gAAAA" not in response.content.decode(), path

    assert "Cannot be decrypted: re-enter the key" in owner_client.get("/sources/new/openrouter/").content.decode()


def test_retest_makes_no_call(owner_client, orphaned, fake_openrouter):
    credential, _ = orphaned

    response = owner_client.post(f"/credentials/{credential.pk}/test/", HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert "Cannot be decrypted" in response.content.decode()
    assert fake_openrouter.received == []


def test_source_test_makes_no_call(owner_client, orphaned, fake_openrouter):
    credential, _ = orphaned

    response = owner_client.post(
        "/sources/new/openrouter/configure/test/",
        {"credential": credential.pk, "name": "Try", "resource": "models"},
        HTTP_HX_REQUEST="true",
    )

    assert "Cannot be decrypted: re-enter the key" in response.content.decode()
    assert fake_openrouter.received == []


def test_admin_pages_work(client, orphaned):
    credential, _ = orphaned
    admin = get_user_model().objects.create_superuser("admin", password="admin-password-1")
    client.force_login(admin)

    changelist = client.get("/admin/credentials/credential/")
    change = client.get(f"/admin/credentials/credential/{credential.pk}/change/")

    assert changelist.status_code == 200
    assert change.status_code == 200
    assert "Cannot be decrypted: re-enter the key" in changelist.content.decode()
    assert "gAAAA" not in changelist.content.decode() + change.content.decode()


def test_rename_keeps_the_stored_token(client, orphaned):
    credential, _ = orphaned
    admin = get_user_model().objects.create_superuser("admin", password="admin-password-1")
    client.force_login(admin)
    before = Credential.objects.filter(pk=credential.pk).values_list("encryption_key_id", flat=True).get()

    response = client.post(
        f"/admin/credentials/credential/{credential.pk}/change/",
        {
            "owner": credential.owner_id,
            "connector": "openrouter",
            "name": "Renamed orphan",
            "description": "",
            "replace_api_key": "",
            "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "0",
            "events-MIN_NUM_FORMS": "0",
            "events-MAX_NUM_FORMS": "1000",
        },
    )

    assert response.status_code == 302
    renamed = Credential.objects.get(pk=credential.pk)
    assert renamed.name == "Renamed orphan"
    assert renamed.encryption_key_id == before
    assert not renamed.is_decryptable
