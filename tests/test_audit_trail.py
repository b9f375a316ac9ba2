"""Credential events: who did what, when and from where, and never any key material."""

import pytest
from django.contrib.auth import get_user_model

from credentials.models import Credential, CredentialEvent
from tests.conftest import KNOWN_KEY, REJECTED_KEY, make_credential

Action = CredentialEvent.Action
CREATE_URL = "/credentials/new/openrouter/"
OTHER_KEY = "sk-or-v1-" + "0123456789abcdef" * 4


def actions(credential_pk) -> list[str]:
    return list(CredentialEvent.objects.filter(credential_pk=credential_pk).order_by("id").values_list("action", flat=True))


def test_create_records_creation_and_check(owner_client, owner):
    owner_client.post(CREATE_URL, {"name": "Audited", "api_key": KNOWN_KEY}, REMOTE_ADDR="203.0.113.7")

    credential = Credential.objects.get()
    assert actions(credential.pk) == [Action.CREATED, Action.VERIFIED]
    event = CredentialEvent.objects.filter(action=Action.CREATED).get()
    assert event.actor == owner
    assert event.client_address == "203.0.113.7"
    assert event.credential_name == "Audited"


def test_rejected_key_saved_anyway_records_failed_check(owner_client):
    owner_client.post(CREATE_URL, {"name": "Stale", "api_key": REJECTED_KEY, "save_anyway": "1"})

    credential = Credential.objects.get()
    assert actions(credential.pk) == [Action.CREATED, Action.VERIFICATION_FAILED]
    assert "User not found" in CredentialEvent.objects.get(action=Action.VERIFICATION_FAILED).detail


def test_retest_records_check(owner_client, credential):
    owner_client.post(f"/credentials/{credential.pk}/test/")

    assert actions(credential.pk) == [Action.VERIFIED]


def test_source_test_records_use(owner_client, credential):
    owner_client.post(
        "/sources/new/openrouter/configure/test/",
        {"credential": credential.pk, "name": "Catalogue", "resource": "models"},
    )

    assert actions(credential.pk) == [Action.USED]
    credential.refresh_from_db()
    assert credential.last_used_at is not None


@pytest.fixture
def admin_client_with_user(client, db):
    admin = get_user_model().objects.create_superuser("admin", password="admin-password-1")
    client.force_login(admin)
    return client, admin


def admin_change_data(credential, **changes):
    data = {
        "owner": credential.owner_id,
        "connector": credential.connector,
        "name": credential.name,
        "description": credential.description,
        "replace_api_key": "",
        "events-TOTAL_FORMS": "0",
        "events-INITIAL_FORMS": "0",
        "events-MIN_NUM_FORMS": "0",
        "events-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return data


def test_admin_changes_record_each_field(admin_client_with_user, credential):
    client, admin = admin_client_with_user
    url = f"/admin/credentials/credential/{credential.pk}/change/"

    response = client.post(
        url, admin_change_data(credential, name="Renamed", description="New words", replace_api_key=OTHER_KEY)
    )

    assert response.status_code == 302
    assert actions(credential.pk) == [Action.RENAMED, Action.DESCRIBED, Action.KEY_REPLACED]
    assert all(event.actor == admin for event in CredentialEvent.objects.all())


def test_admin_blank_key_records_no_replacement(admin_client_with_user, credential):
    client, _ = admin_client_with_user

    client.post(f"/admin/credentials/credential/{credential.pk}/change/", admin_change_data(credential))

    assert actions(credential.pk) == []


def test_deleted_credential_keeps_its_events(admin_client_with_user, credential):
    client, _ = admin_client_with_user
    make_credential(credential.owner, name="Unrelated", key=OTHER_KEY)
    credential_pk = credential.pk

    client.post(f"/admin/credentials/credential/{credential_pk}/delete/", {"post": "yes"})

    assert not Credential.objects.filter(pk=credential_pk).exists()
    assert actions(credential_pk) == [Action.DELETED]
    assert CredentialEvent.objects.get(credential_pk=credential_pk).credential_name == "Production"


def test_events_hold_no_key_material(owner_client, owner):
    owner_client.post(CREATE_URL, {"name": "A", "api_key": KNOWN_KEY})
    owner_client.post(CREATE_URL, {"name": "B", "api_key": REJECTED_KEY, "save_anyway": "1"})
    for credential in Credential.objects.all():
        owner_client.post(f"/credentials/{credential.pk}/test/")

    for event in CredentialEvent.objects.all():
        for value in (event.detail, event.credential_name):
            assert KNOWN_KEY[9:21] not in value
            assert REJECTED_KEY[9:21] not in value
            assert "gAAAA" not in value
