"""The Django admin for credentials, data sources and data destinations."""

from html.parser import HTMLParser

import pytest
from django.db import connection

from credentials.models import Credential
from tests.conftest import KNOWN_KEY

CHANGELIST = "/admin/credentials/credential/"
ADD_URL = "/admin/credentials/credential/add/"
SECOND_KEY = "sk-or-v1-" + "c0ffee00d15ea5e0" * 4


def stored_ciphertext(pk) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT api_key FROM credentials_credential WHERE id = %s", [pk])
        return cursor.fetchone()[0]


class HiddenInputs(HTMLParser):
    """HTML parser that collects the name and value of every hidden input, as a browser submits them."""

    def __init__(self):
        super().__init__()
        self.values: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "input" and attributes.get("type") == "hidden" and attributes.get("name"):
            self.values[attributes["name"]] = attributes.get("value") or ""


def hidden_inputs(client, url) -> dict[str, str]:
    """Return the hidden inputs of the admin page at ``url``, inline management forms included."""
    parser = HiddenInputs()
    parser.feed(client.get(url).content.decode())
    return parser.values


def change_url(credential) -> str:
    return f"/admin/credentials/credential/{credential.pk}/change/"


def change_data(client, credential, **overrides) -> dict:
    data = hidden_inputs(client, change_url(credential))
    data.update(
        {
            "owner": credential.owner_id,
            "connector": credential.connector,
            "name": credential.name,
            "description": credential.description,
            "replace_api_key": "",
            "_save": "Save",
        }
    )
    data.update(overrides)
    return data


def add_data(client, owner, **overrides) -> dict:
    data = hidden_inputs(client, ADD_URL)
    data.update({"owner": owner.pk, "connector": "openrouter", "name": "Staging", "description": "", "replace_api_key": ""})
    data.update(overrides)
    return data


def test_changelist_shows_credential_columns(admin_client, credential):
    response = admin_client.get(CHANGELIST)
    html = response.content.decode()

    assert response.status_code == 200
    assert f'<a href="{change_url(credential)}">Production</a>' in html
    assert '<td class="field-connector">OpenRouter</td>' in html
    assert '<td class="field-owner nowrap">owner</td>' in html
    assert f'<td class="field-key_hint">{credential.key_hint}</td>' in html


def test_search_by_name_finds_credential(admin_client, credential):
    response = admin_client.get(CHANGELIST, {"q": "roduct"})

    assert response.context["cl"].result_count == 1
    assert list(response.context["cl"].result_list) == [credential]


@pytest.mark.parametrize("query", [KNOWN_KEY, KNOWN_KEY[9:25], KNOWN_KEY[-4:], "gAAAA"])
def test_search_by_key_finds_nothing(admin_client, credential, query):
    response = admin_client.get(CHANGELIST, {"q": query})

    assert response.status_code == 200
    assert response.context["cl"].result_count == 0


def test_change_page_shows_no_key(admin_client, credential):
    ciphertext = stored_ciphertext(credential.pk)

    response = admin_client.get(change_url(credential))
    html = response.content.decode()

    assert response.status_code == 200
    assert credential.key_hint in html
    assert 'name="replace_api_key"' in html
    assert KNOWN_KEY not in html
    assert ciphertext not in html
    assert "gAAAA" not in html


def test_add_page_shows_no_key(admin_client, credential):
    response = admin_client.get(ADD_URL)
    html = response.content.decode()

    assert response.status_code == 200
    assert 'name="replace_api_key"' in html
    assert KNOWN_KEY not in html
    assert "gAAAA" not in html


def test_blank_replacement_keeps_key(admin_client, credential):
    ciphertext = stored_ciphertext(credential.pk)

    response = admin_client.post(change_url(credential), change_data(admin_client, credential, description="Renamed in admin"))

    reloaded = Credential.objects.get(pk=credential.pk)
    assert response.status_code == 302
    assert reloaded.description == "Renamed in admin"
    assert reloaded.api_key == KNOWN_KEY
    assert reloaded.key_hint == credential.key_hint
    assert stored_ciphertext(credential.pk) == ciphertext


def test_new_key_replaces_stored_key(admin_client, credential):
    data = change_data(admin_client, credential, replace_api_key=f" {SECOND_KEY} ")

    response = admin_client.post(change_url(credential), data)

    reloaded = Credential.objects.get(pk=credential.pk)
    assert response.status_code == 302
    assert reloaded.api_key == SECOND_KEY
    assert reloaded.key_hint == "sk-or-v1-…" + SECOND_KEY[-4:]
    assert reloaded.key_fingerprint != credential.key_fingerprint
    assert SECOND_KEY not in stored_ciphertext(credential.pk)


def test_replacement_key_with_space_is_rejected(admin_client, credential):
    broken = SECOND_KEY[:20] + " " + SECOND_KEY[20:]

    response = admin_client.post(change_url(credential), change_data(admin_client, credential, replace_api_key=broken))

    assert response.status_code == 200
    assert "contains a space or line break" in response.content.decode()
    assert Credential.objects.get(pk=credential.pk).api_key == KNOWN_KEY


def test_add_form_requires_key(admin_client, owner):
    response = admin_client.post(ADD_URL, add_data(admin_client, owner))

    assert response.status_code == 200
    assert "Enter the API key of the new credential." in response.content.decode()
    assert Credential.objects.count() == 0


def test_add_form_stores_encrypted_key(admin_client, owner):
    response = admin_client.post(ADD_URL, add_data(admin_client, owner, replace_api_key=KNOWN_KEY))

    credential = Credential.objects.get()
    assert response.status_code == 302
    assert credential.owner == owner
    assert credential.api_key == KNOWN_KEY
    assert credential.key_hint == "sk-or-v1-…" + KNOWN_KEY[-4:]
    assert stored_ciphertext(credential.pk).startswith("gAAAAA")


def test_delete_page_shows_credential_protected(admin_client, credential, source):
    response = admin_client.get(f"/admin/credentials/credential/{credential.pk}/delete/")
    html = response.content.decode()

    assert response.status_code == 200
    assert "protected related objects" in html
    assert "Model catalogue" in html


def test_delete_of_used_credential_is_refused(admin_client, credential, source):
    response = admin_client.post(f"/admin/credentials/credential/{credential.pk}/delete/", {"post": "yes"})

    assert response.status_code == 200
    assert "protected related objects" in response.content.decode()
    assert Credential.objects.filter(pk=credential.pk).exists()


def test_delete_of_unused_credential_succeeds(admin_client, credential):
    response = admin_client.post(f"/admin/credentials/credential/{credential.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not Credential.objects.filter(pk=credential.pk).exists()


def test_datasource_changelist_renders(admin_client, source):
    response = admin_client.get("/admin/flows/datasource/")

    assert response.status_code == 200
    assert "Model catalogue" in response.content.decode()


def test_datadestination_changelist_renders(admin_client, destination):
    response = admin_client.get("/admin/flows/datadestination/")

    assert response.status_code == 200
    assert "Summaries" in response.content.decode()


def test_datasource_change_page_renders(admin_client, source):
    response = admin_client.get(f"/admin/flows/datasource/{source.pk}/change/")
    html = response.content.decode()

    assert response.status_code == 200
    assert "Model catalogue" in html
    assert KNOWN_KEY not in html
