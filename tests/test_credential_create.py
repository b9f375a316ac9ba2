"""The Add New Credential overlay: page, htmx fragments, saving and every validation rule."""

import json
import re

import pytest
from django.test import Client

from credentials.models import Credential
from tests.conftest import KNOWN_KEY, make_credential

CREATE_URL = "/credentials/new/openrouter/"
NEXT_URL = "/sources/new/openrouter/"
HTMX = {"HTTP_HX_REQUEST": "true"}
UNUSUAL_KEY = "my-self-hosted-router-key-0042"


def form_data(**overrides) -> dict[str, str]:
    data = {"name": "Staging", "description": "Key for the staging flow", "api_key": KNOWN_KEY, "next": NEXT_URL}
    data.update(overrides)
    return data


def field_block(html: str, field_name: str) -> str:
    """Return the markup of the form row that contains the input named ``field_name``."""
    rows = html.split('<div class="field')
    matches = [row for row in rows[1:] if f'name="{field_name}"' in row]
    assert len(matches) == 1, f"expected one row for {field_name}, found {len(matches)}"
    return matches[0]


def test_get_returns_full_page(owner_client):
    response = owner_client.get(CREATE_URL, {"next": NEXT_URL})
    html = response.content.decode()

    assert response.status_code == 200
    assert "<html" in html
    assert "Add New Credential" in html
    assert "Credential Name" in html
    assert "Credential Description" in html
    assert "API Key Value" in html
    assert "Save" in html
    assert "Cancel" in html


def test_get_carries_next_url(owner_client):
    html = owner_client.get(CREATE_URL, {"next": NEXT_URL}).content.decode()

    assert f'name="next" value="{NEXT_URL}"' in html
    assert f'href="{NEXT_URL}" data-dismiss-dialog' in html


def test_key_input_is_password_type(owner_client):
    html = owner_client.get(CREATE_URL).content.decode()

    assert re.search(r'<input type="password" name="api_key"', html)


def test_htmx_get_returns_dialog_fragment(owner_client):
    response = owner_client.get(CREATE_URL, {"next": NEXT_URL}, **HTMX)
    html = response.content.decode()

    assert response.status_code == 200
    assert "<html" not in html
    assert '<h2 id="modal-title">Add New Credential</h2>' in html
    assert 'id="credential-form"' in html
    assert "API Key Value" in html


def test_responses_vary_on_hx_request(owner_client):
    plain = owner_client.get(CREATE_URL)
    htmx = owner_client.get(CREATE_URL, **HTMX)

    assert "HX-Request" in plain["Vary"]
    assert "HX-Request" in htmx["Vary"]


def test_htmx_post_valid_returns_trigger(owner_client, owner):
    response = owner_client.post(CREATE_URL, form_data(), **HTMX)

    credential = Credential.objects.get()
    assert response.status_code == 204
    assert response.content == b""
    assert json.loads(response["HX-Trigger"]) == {
        "credentialCreated": {"id": credential.pk, "next": f"/sources/new/openrouter/?selected={credential.pk}"}
    }
    assert credential.owner == owner
    assert credential.connector == "openrouter"
    assert credential.name == "Staging"
    assert credential.description == "Key for the staging flow"
    assert credential.api_key == KNOWN_KEY


def test_plain_post_valid_redirects_to_next(owner_client, owner):
    response = owner_client.post(CREATE_URL, form_data())

    credential = Credential.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{NEXT_URL}?selected={credential.pk}"
    assert credential.owner == owner


def test_plain_post_without_next_redirects_home(owner_client):
    data = form_data()
    del data["next"]

    response = owner_client.post(CREATE_URL, data)

    credential = Credential.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/?selected={credential.pk}"


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/", "https:///evil.example/"])
def test_offsite_next_is_ignored(owner_client, next_url):
    response = owner_client.post(CREATE_URL, form_data(next=next_url))

    credential = Credential.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/?selected={credential.pk}"
    assert "evil.example" not in response["Location"]


def test_offsite_next_not_used_for_cancel(owner_client):
    html = owner_client.get(CREATE_URL, {"next": "https://evil.example/"}).content.decode()

    assert "evil.example" not in html


def test_htmx_post_invalid_returns_form_fragment(owner_client):
    response = owner_client.post(CREATE_URL, form_data(name=""), **HTMX)
    html = response.content.decode()

    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="credential-form"' in html
    assert "modal-title" not in html
    assert "Enter a name for this credential." in field_block(html, "name")
    assert 'id="id_name_error"' in field_block(html, "name")
    assert Credential.objects.count() == 0


def test_plain_post_invalid_returns_full_page(owner_client):
    response = owner_client.post(CREATE_URL, form_data(name=""))
    html = response.content.decode()

    assert response.status_code == 200
    assert "<html" in html
    assert "Enter a name for this credential." in field_block(html, "name")
    assert Credential.objects.count() == 0


INVALID_CASES = [
    ("empty-name", {"name": ""}, "name", "Enter a name for this credential."),
    ("whitespace-name", {"name": "   \t "}, "name", "Enter a name for this credential."),
    ("long-name", {"name": "n" * 256}, "name", "at most 255 characters"),
    ("long-description", {"description": "d" * 2001}, "description", "at most 2000 characters"),
    ("empty-key", {"api_key": ""}, "api_key", "Enter the API key."),
    ("whitespace-key", {"api_key": "  \t "}, "api_key", "Enter the API key."),
    ("inner-space", {"api_key": KNOWN_KEY[:20] + " " + KNOWN_KEY[20:]}, "api_key", "contains a space or line break"),
    ("inner-crlf", {"api_key": KNOWN_KEY[:20] + "\r\n" + KNOWN_KEY[20:]}, "api_key", "contains a space or line break"),
    ("inner-tab", {"api_key": KNOWN_KEY[:20] + "\t" + KNOWN_KEY[20:]}, "api_key", "contains a space or line break"),
    ("control-character", {"api_key": KNOWN_KEY[:20] + "\x07" + KNOWN_KEY[20:]}, "api_key", "control or non-ASCII"),
    ("delete-character", {"api_key": KNOWN_KEY + "\x7f"}, "api_key", "control or non-ASCII"),
    ("non-ascii", {"api_key": KNOWN_KEY[:20] + "é" + KNOWN_KEY[20:]}, "api_key", "control or non-ASCII"),
    ("too-long-key", {"api_key": "k" * 513}, "api_key", "at most 512 characters long"),
    ("serialized-token", {"api_key": "fernet-token:gAAAAABexample"}, "api_key", "This is not an API key."),
]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [case[1:] for case in INVALID_CASES],
    ids=[case[0] for case in INVALID_CASES],
)
def test_invalid_input_is_rejected(owner_client, overrides, field, message):
    response = owner_client.post(CREATE_URL, form_data(**overrides), **HTMX)
    html = response.content.decode()

    assert response.status_code == 200
    assert message in field_block(html, field)
    assert "has-error" in field_block(html, field).split(">", 1)[0]
    assert Credential.objects.count() == 0


def test_name_is_trimmed(owner_client):
    owner_client.post(CREATE_URL, form_data(name="  Staging  "), **HTMX)

    assert Credential.objects.get().name == "Staging"


def test_name_at_limit_is_accepted(owner_client):
    response = owner_client.post(CREATE_URL, form_data(name="n" * 255), **HTMX)

    assert response.status_code == 204
    assert Credential.objects.get().name == "n" * 255


def test_description_at_limit_is_accepted(owner_client):
    response = owner_client.post(CREATE_URL, form_data(description="d" * 2000), **HTMX)

    assert response.status_code == 204
    assert len(Credential.objects.get().description) == 2000


def test_description_is_optional(owner_client):
    response = owner_client.post(CREATE_URL, form_data(description=""), **HTMX)

    assert response.status_code == 204
    assert Credential.objects.get().description == ""


def test_duplicate_name_ignoring_case_is_rejected(owner_client, owner):
    make_credential(owner, name="Production")

    response = owner_client.post(CREATE_URL, form_data(name="production"), **HTMX)
    html = response.content.decode()

    assert response.status_code == 200
    assert "You already have" in field_block(html, "name")
    assert "“production”" in field_block(html, "name")
    assert Credential.objects.count() == 1


def test_duplicate_name_of_other_user_is_allowed(owner_client, other_user):
    make_credential(other_user, name="Production")

    response = owner_client.post(CREATE_URL, form_data(name="production"), **HTMX)

    assert response.status_code == 204
    assert Credential.objects.count() == 2


def test_key_surrounding_whitespace_is_stripped(owner_client):
    response = owner_client.post(CREATE_URL, form_data(api_key=f"  {KNOWN_KEY}\r\n\t"), **HTMX)

    credential = Credential.objects.get()
    assert response.status_code == 204
    assert credential.api_key == KNOWN_KEY
    assert credential.key_hint == "sk-or-v1-…" + KNOWN_KEY[-4:]


def test_key_at_length_limit_is_accepted(owner_client):
    response = owner_client.post(CREATE_URL, form_data(api_key="k" * 512), **HTMX)

    assert response.status_code == 204
    assert Credential.objects.get().api_key == "k" * 512


def test_unusual_key_format_is_accepted_and_flagged(owner_client):
    response = owner_client.post(CREATE_URL, form_data(api_key=UNUSUAL_KEY), **HTMX)

    credential = Credential.objects.get()
    assert response.status_code == 204
    assert credential.api_key == UNUSUAL_KEY
    assert credential.key_format_ok is False
    assert "Unusual key format" in owner_client.get(NEXT_URL).content.decode()


def test_well_formed_key_is_not_flagged(owner_client):
    owner_client.post(CREATE_URL, form_data(), **HTMX)

    assert Credential.objects.get().key_format_ok is True
    assert "Unusual key format" not in owner_client.get(NEXT_URL).content.decode()


@pytest.mark.parametrize("headers", [HTMX, {}], ids=["htmx", "plain"])
def test_invalid_post_keeps_name_and_description_not_key(owner_client, owner, headers):
    make_credential(owner, name="Production", key="sk-or-v1-" + "ab" * 32)
    data = form_data(name="production", description="Nightly model catalogue sync")

    html = owner_client.post(CREATE_URL, data, **headers).content.decode()

    assert 'value="production"' in html
    assert "Nightly model catalogue sync" in html
    assert KNOWN_KEY not in html
    assert KNOWN_KEY[-12:] not in html


def test_plain_invalid_post_asks_for_key_again(owner_client):
    html = owner_client.post(CREATE_URL, form_data(name="")).content.decode()

    assert "Enter it again" in field_block(html, "api_key")


def test_plain_error_without_key_skips_prompt(owner_client):
    html = owner_client.post(CREATE_URL, form_data(name="", api_key="")).content.decode()

    assert "Enter it again" not in html


def test_htmx_error_skips_key_prompt(owner_client):
    html = owner_client.post(CREATE_URL, form_data(name=""), **HTMX).content.decode()

    assert "Enter it again" not in html


def test_unknown_connector_returns_404(owner_client):
    assert owner_client.get("/credentials/new/no-such-api/").status_code == 404
    assert owner_client.post("/credentials/new/no-such-api/", form_data()).status_code == 404
    assert Credential.objects.count() == 0


def test_other_methods_are_not_allowed(owner_client):
    assert owner_client.put(CREATE_URL).status_code == 405
    assert owner_client.delete(CREATE_URL).status_code == 405


@pytest.fixture
def csrf_client(owner) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    return client


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_post_without_csrf_token_is_forbidden(csrf_client, headers):
    response = csrf_client.post(CREATE_URL, form_data(), **headers)

    assert response.status_code == 403
    assert Credential.objects.count() == 0


def test_post_with_csrf_token_is_accepted(csrf_client):
    csrf_client.get(CREATE_URL)
    token = csrf_client.cookies["csrftoken"].value

    response = csrf_client.post(CREATE_URL, form_data(csrfmiddlewaretoken=token))

    assert response.status_code == 302
    assert Credential.objects.count() == 1
