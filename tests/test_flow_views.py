"""Pages of the data source and destination flow: home, connector choice, Authenticate, Configure, detail."""

from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from credentials import fields
from credentials.models import Credential
from flows.models import DataDestination, DataSource
from tests.conftest import KNOWN_KEY, make_credential

SOURCE_AUTHENTICATE = "/sources/new/openrouter/"
SOURCE_CONFIGURE = "/sources/new/openrouter/configure/"
DESTINATION_AUTHENTICATE = "/destinations/new/openrouter/"
DESTINATION_CONFIGURE = "/destinations/new/openrouter/configure/"
HTMX = {"HTTP_HX_REQUEST": "true"}
SECOND_KEY = "sk-or-v1-" + "9a8b7c6d5e4f3a2b" * 4


def destination_data(credential, **overrides) -> dict:
    data = {
        "credential": credential.pk,
        "name": "Summaries",
        "model": "openai/gpt-4o-mini",
        "prompt_template": "Summarise {title} in one sentence.",
        "max_tokens": "256",
    }
    data.update(overrides)
    return data


def test_home_offers_new_source_and_destination(owner_client):
    html = owner_client.get("/").content.decode()

    assert "New data source" in html
    assert "New data destination" in html
    assert 'href="/sources/new/"' in html
    assert 'href="/destinations/new/"' in html


def test_home_lists_own_sources_and_destinations(owner_client, source, destination):
    html = owner_client.get("/").content.decode()

    assert f'href="/sources/{source.pk}/"' in html
    assert f'href="/destinations/{destination.pk}/"' in html
    assert "Model catalogue" in html


def test_home_hides_other_users_sources(client, other_user, source):
    client.force_login(other_user)

    html = client.get("/").content.decode()

    assert "Model catalogue" not in html
    assert "No data sources yet." in html


@pytest.mark.parametrize(("url", "authenticate_url"), [("/sources/new/", SOURCE_AUTHENTICATE), ("/destinations/new/", DESTINATION_AUTHENTICATE)])
def test_choose_connector_shows_openrouter(owner_client, url, authenticate_url):
    response = owner_client.get(url)
    html = response.content.decode()

    assert response.status_code == 200
    assert "OpenRouter" in html
    assert f'href="{authenticate_url}"' in html


def test_authenticate_lists_own_credentials(owner_client, owner, other_user):
    own = make_credential(owner, name="Production", description="Live traffic")
    make_credential(other_user, name="Someone else's key", key=SECOND_KEY)

    html = owner_client.get(SOURCE_AUTHENTICATE).content.decode()

    assert "Production" in html
    assert "Live traffic" in html
    assert own.key_hint in html
    assert "Add Credential" in html
    assert "Someone else" not in html
    assert html.count('class="tile tile-credential"') == 1


def test_authenticate_skips_other_connectors(owner_client, owner):
    make_credential(owner, name="Production")
    elsewhere = make_credential(owner, name="Elsewhere", key=SECOND_KEY)
    Credential.objects.filter(pk=elsewhere.pk).update(connector="another-api")

    html = owner_client.get(SOURCE_AUTHENTICATE).content.decode()

    assert "Production" in html
    assert "Elsewhere" not in html


def test_authenticate_add_tile_opens_overlay(owner_client):
    html = owner_client.get(SOURCE_AUTHENTICATE).content.decode()

    assert 'hx-get="/credentials/new/openrouter/?next=/sources/new/openrouter/"' in html
    assert 'hx-target="#modal-body"' in html


def test_authenticate_marks_selected_credential(owner_client, owner):
    first = make_credential(owner, name="First")
    second = make_credential(owner, name="Second", key=SECOND_KEY)

    html = owner_client.get(SOURCE_AUTHENTICATE, {"selected": second.pk}).content.decode()

    assert f'value="{second.pk}" checked' in html
    assert f'value="{first.pk}" checked' not in html
    assert html.count(" checked") == 1


def test_authenticate_selects_nothing_by_default(owner_client, credential):
    html = owner_client.get(SOURCE_AUTHENTICATE).content.decode()

    assert f'value="{credential.pk}"' in html
    assert " checked" not in html


def test_authenticate_htmx_returns_tiles_only(owner_client, credential):
    response = owner_client.get(SOURCE_AUTHENTICATE, {"selected": credential.pk}, **HTMX)
    html = response.content.decode()

    assert response.status_code == 200
    assert "<html" not in html
    assert html.strip().startswith('<fieldset id="credential-tiles"')
    assert html.strip().endswith("</fieldset>")
    assert "Production" in html
    assert f'value="{credential.pk}" checked' in html
    assert "data-next-button" not in html


def test_authenticate_varies_on_hx_request(owner_client):
    assert "HX-Request" in owner_client.get(SOURCE_AUTHENTICATE)["Vary"]
    assert "HX-Request" in owner_client.get(SOURCE_AUTHENTICATE, **HTMX)["Vary"]


def test_authenticate_unknown_connector_returns_404(owner_client):
    assert owner_client.get("/sources/new/no-such-api/").status_code == 404
    assert owner_client.get("/destinations/new/no-such-api/").status_code == 404


def authenticate_query_count(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(SOURCE_AUTHENTICATE)
    assert response.status_code == 200
    return len(queries)


def test_authenticate_query_count_independent_of_credentials(owner_client, owner):
    for number in range(2):
        make_credential(owner, name=f"Key {number}")
    with_two = authenticate_query_count(owner_client)

    for number in range(2, 30):
        make_credential(owner, name=f"Key {number}")
    with_thirty = authenticate_query_count(owner_client)

    assert with_thirty == with_two


@pytest.mark.parametrize("credential_param", [None, "", "abc", "-1"], ids=["missing", "empty", "word", "negative"])
def test_configure_without_credential_returns_to_authenticate(owner_client, credential_param):
    query = {} if credential_param is None else {"credential": credential_param}

    response = owner_client.get(SOURCE_CONFIGURE, query, follow=True)

    assert response.redirect_chain == [(SOURCE_AUTHENTICATE, 302)]
    assert "Select a credential, or add one, to continue." in response.content.decode()


def test_configure_shows_chosen_credential(owner_client, credential):
    response = owner_client.get(SOURCE_CONFIGURE, {"credential": credential.pk})
    html = response.content.decode()

    assert response.status_code == 200
    assert "Production" in html
    assert credential.key_hint in html
    assert f'name="credential" value="{credential.pk}"' in html
    assert f'href="{SOURCE_AUTHENTICATE}?selected={credential.pk}"' in html


def test_configure_unknown_credential_returns_404(owner_client, credential):
    assert owner_client.get(SOURCE_CONFIGURE, {"credential": credential.pk + 1000}).status_code == 404


def test_configure_credential_of_other_connector_returns_404(owner_client, credential):
    Credential.objects.filter(pk=credential.pk).update(connector="another-api")

    assert owner_client.get(SOURCE_CONFIGURE, {"credential": credential.pk}).status_code == 404


def test_configure_post_creates_source(owner_client, owner, credential):
    data = {"credential": credential.pk, "name": "Model catalogue", "resource": "key_usage"}

    response = owner_client.post(SOURCE_CONFIGURE, data)

    source = DataSource.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/sources/{source.pk}/"
    assert source.owner == owner
    assert source.credential == credential
    assert source.connector == "openrouter"
    assert source.name == "Model catalogue"
    assert source.config == {"resource": "key_usage"}


def test_configure_post_rejects_unknown_resource(owner_client, credential):
    data = {"credential": credential.pk, "name": "Model catalogue", "resource": "everything"}

    response = owner_client.post(SOURCE_CONFIGURE, data)

    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    assert DataSource.objects.count() == 0


def test_configure_post_requires_name(owner_client, credential):
    response = owner_client.post(SOURCE_CONFIGURE, {"credential": credential.pk, "name": "", "resource": "models"})

    assert response.status_code == 200
    assert "Enter a name." in response.content.decode()
    assert DataSource.objects.count() == 0


def test_source_detail_shows_credential(owner_client, credential):
    response = owner_client.post(
        SOURCE_CONFIGURE, {"credential": credential.pk, "name": "Model catalogue", "resource": "models"}, follow=True
    )
    html = response.content.decode()

    assert response.status_code == 200
    assert "Model catalogue" in html
    assert "Production" in html
    assert credential.key_hint in html
    assert f'href="/credentials/{credential.pk}/"' in html
    assert "Saved data source “Model catalogue”." in html


def test_destination_post_creates_destination(owner_client, credential):
    response = owner_client.post(DESTINATION_CONFIGURE, destination_data(credential))

    destination = DataDestination.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/destinations/{destination.pk}/"
    assert destination.credential == credential
    assert destination.config == {
        "model": "openai/gpt-4o-mini",
        "prompt_template": "Summarise {title} in one sentence.",
        "max_tokens": 256,
    }


def test_destination_detail_shows_credential(owner_client, credential, destination):
    html = owner_client.get(f"/destinations/{destination.pk}/").content.decode()

    assert "Summaries" in html
    assert "Production" in html
    assert credential.key_hint in html
    assert "openai/gpt-4o-mini" in html


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("model", "bad model", "A model id looks like provider/model"),
        ("model", "gpt-4o-mini", "A model id looks like provider/model"),
        ("model", "", "Enter a model id."),
        ("prompt_template", "Summarise {title", "unmatched brace"),
        ("prompt_template", "Summarise } this", "unmatched brace"),
        ("prompt_template", "Summarise {0}", "is not a field placeholder"),
        ("prompt_template", "Summarise {}", "is not a field placeholder"),
        ("prompt_template", "Summarise {record.title}", "is not a field placeholder"),
        ("prompt_template", "", "Enter a prompt template."),
        ("max_tokens", "0", "Max tokens must be at least 1."),
        ("max_tokens", "100001", "Max tokens can be at most 100,000."),
        ("max_tokens", "many", "Enter a whole number of tokens."),
    ],
)
def test_destination_rejects_invalid_settings(owner_client, credential, field, value, message):
    response = owner_client.post(DESTINATION_CONFIGURE, destination_data(credential, **{field: value}))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert DataDestination.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "value", "stored"),
    [
        ("model", "  anthropic/claude-3.5-sonnet  ", "anthropic/claude-3.5-sonnet"),
        ("prompt_template", "Summarise {title}", "Summarise {title}"),
        ("prompt_template", "Reply as JSON {{\"summary\": ...}} for {record}", "Reply as JSON {{\"summary\": ...}} for {record}"),
        ("prompt_template", "No placeholders at all", "No placeholders at all"),
        ("max_tokens", "1", 1),
        ("max_tokens", "100000", 100000),
    ],
)
def test_destination_accepts_valid_settings(owner_client, credential, field, value, stored):
    response = owner_client.post(DESTINATION_CONFIGURE, destination_data(credential, **{field: value}))

    assert response.status_code == 302
    assert DataDestination.objects.get().config[field] == stored


@pytest.fixture
def no_decryption():
    """Count calls of the field's decrypt function while still decrypting."""
    with mock.patch("credentials.fields.decrypt", wraps=fields.decrypt) as decrypt:
        yield decrypt


def test_authenticate_decrypts_no_key(owner_client, owner, no_decryption):
    make_credential(owner, name="First")
    make_credential(owner, name="Second", key=SECOND_KEY)

    response = owner_client.get(SOURCE_AUTHENTICATE)

    assert response.status_code == 200
    assert no_decryption.call_count == 0


def test_authenticate_htmx_decrypts_no_key(owner_client, credential, no_decryption):
    response = owner_client.get(SOURCE_AUTHENTICATE, **HTMX)

    assert response.status_code == 200
    assert no_decryption.call_count == 0


def test_home_decrypts_no_key(owner_client, source, destination, no_decryption):
    response = owner_client.get("/")

    assert response.status_code == 200
    assert "Model catalogue" in response.content.decode()
    assert no_decryption.call_count == 0


def test_configure_decrypts_no_key(owner_client, credential, no_decryption):
    response = owner_client.get(SOURCE_CONFIGURE, {"credential": credential.pk})

    assert response.status_code == 200
    assert no_decryption.call_count == 0


def test_credential_detail_decrypts_no_key(owner_client, credential, source, no_decryption):
    response = owner_client.get(f"/credentials/{credential.pk}/")

    assert response.status_code == 200
    assert "Model catalogue" in response.content.decode()
    assert no_decryption.call_count == 0


def test_endpoint_detail_decrypts_no_key(owner_client, source, destination, no_decryption):
    source_response = owner_client.get(f"/sources/{source.pk}/")
    destination_response = owner_client.get(f"/destinations/{destination.pk}/")

    assert source_response.status_code == 200
    assert destination_response.status_code == 200
    assert no_decryption.call_count == 0


def test_credential_detail_shows_users(owner_client, credential, source, destination):
    html = owner_client.get(f"/credentials/{credential.pk}/").content.decode()

    assert "Production" in html
    assert credential.key_hint in html
    assert f'href="/sources/{source.pk}/"' in html
    assert f'href="/destinations/{destination.pk}/"' in html
    assert KNOWN_KEY not in html


def test_decrypt_counter_sees_full_load(credential, no_decryption):
    loaded = Credential.objects.get(pk=credential.pk)

    assert loaded.api_key == KNOWN_KEY
    assert no_decryption.call_count == 1
