"""Saving a key that the user already saved: a warning by fingerprint, and Save anyway."""

from unittest import mock

from credentials.fingerprints import fingerprint
from credentials.models import Credential
from tests.conftest import KNOWN_KEY

CREATE_URL = "/credentials/new/openrouter/"
HTMX = {"HTTP_HX_REQUEST": "true"}


def test_same_key_warns_with_existing_name(owner_client, credential):
    response = owner_client.post(CREATE_URL, {"name": "Copy", "api_key": KNOWN_KEY}, **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert "This key is already saved as “Production”" in html
    assert "Save anyway" in html
    assert Credential.objects.count() == 1


def test_warning_decrypts_nothing(owner_client, credential):
    with mock.patch("credentials.fields.decrypt") as decrypt:
        owner_client.post(CREATE_URL, {"name": "Copy", "api_key": KNOWN_KEY}, **HTMX)

    assert decrypt.call_count == 0


def test_save_anyway_keeps_second_copy(owner_client, credential):
    response = owner_client.post(CREATE_URL, {"name": "Copy", "api_key": KNOWN_KEY, "save_anyway": "1"}, **HTMX)

    assert response.status_code == 204
    assert Credential.objects.filter(key_fingerprint=fingerprint(KNOWN_KEY)).count() == 2


def test_other_users_key_is_not_mentioned(client, other_user, credential):
    client.force_login(other_user)

    response = client.post(CREATE_URL, {"name": "Mine", "api_key": KNOWN_KEY}, **HTMX)

    assert response.status_code == 204
    assert "Production" not in response.content.decode()


def test_fingerprint_is_keyed(settings):
    first = fingerprint(KNOWN_KEY)
    settings.CREDENTIAL_FINGERPRINT_KEY = "another-secret-of-at-least-32-characters"

    assert fingerprint(KNOWN_KEY) != first
