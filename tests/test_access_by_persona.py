"""Who may open which page: the owner, another signed-in user, and an anonymous visitor."""

from urllib.parse import parse_qs, urlsplit

import pytest

from credentials.models import Credential
from flows.models import DataDestination, DataSource
from tests.conftest import make_credential

LOGIN_PATH = "/accounts/login/"
CURRENT_PAGE = "/sources/new/openrouter/?selected=7"


class Objects:
    """The owner's credential, data source and data destination that the URLs point at."""

    def __init__(self, owner):
        self.credential = make_credential(owner)
        self.source = DataSource.objects.create(
            owner=owner, name="Catalogue", connector="openrouter", credential=self.credential, config={"resource": "models"}
        )
        self.destination = DataDestination.objects.create(
            owner=owner, name="Summaries", connector="openrouter", credential=self.credential, config={}
        )


# (name, URL builder, whether the URL names one of the owner's objects)
URLS = [
    ("home", lambda objects: "/", False),
    ("source_new", lambda objects: "/sources/new/", False),
    ("destination_new", lambda objects: "/destinations/new/", False),
    ("source_authenticate", lambda objects: "/sources/new/openrouter/", False),
    ("destination_authenticate", lambda objects: "/destinations/new/openrouter/", False),
    (
        "source_configure",
        lambda objects: f"/sources/new/openrouter/configure/?credential={objects.credential.pk}",
        True,
    ),
    (
        "destination_configure",
        lambda objects: f"/destinations/new/openrouter/configure/?credential={objects.credential.pk}",
        True,
    ),
    ("source_detail", lambda objects: f"/sources/{objects.source.pk}/", True),
    ("destination_detail", lambda objects: f"/destinations/{objects.destination.pk}/", True),
    ("credential_create", lambda objects: "/credentials/new/openrouter/?next=/sources/new/openrouter/", False),
    ("credential_detail", lambda objects: f"/credentials/{objects.credential.pk}/", True),
]
URL_IDS = [name for name, _, _ in URLS]
URL_PARAMS = [(build, owned) for _, build, owned in URLS]


@pytest.fixture
def objects(owner) -> Objects:
    return Objects(owner)


@pytest.mark.parametrize(("build_url", "owned"), URL_PARAMS, ids=URL_IDS)
def test_owner_can_open(owner_client, objects, build_url, owned):
    response = owner_client.get(build_url(objects))

    assert response.status_code == 200


@pytest.mark.parametrize(("build_url", "owned"), URL_PARAMS, ids=URL_IDS)
def test_other_user_sees_404_for_owner_objects(client, other_user, objects, build_url, owned):
    client.force_login(other_user)

    response = client.get(build_url(objects))

    expected = 404 if owned else 200
    assert response.status_code == expected


@pytest.mark.parametrize(("build_url", "owned"), URL_PARAMS, ids=URL_IDS)
def test_other_user_never_sees_owner_names(client, other_user, objects, build_url, owned):
    client.force_login(other_user)

    html = client.get(build_url(objects)).content.decode()

    assert "Production" not in html
    assert "Catalogue" not in html
    assert objects.credential.key_hint not in html


@pytest.mark.parametrize(("build_url", "owned"), URL_PARAMS, ids=URL_IDS)
def test_anonymous_is_sent_to_login(client, objects, build_url, owned):
    url = build_url(objects)

    response = client.get(url)

    location = urlsplit(response["Location"])
    assert response.status_code == 302
    assert location.path == LOGIN_PATH
    assert parse_qs(location.query)["next"] == [url]


@pytest.mark.parametrize(("build_url", "owned"), URL_PARAMS, ids=URL_IDS)
def test_anonymous_htmx_gets_client_redirect(client, objects, build_url, owned):
    response = client.get(
        build_url(objects),
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL=f"http://testserver{CURRENT_PAGE}",
    )

    redirect = urlsplit(response["HX-Redirect"])
    assert response.status_code in (200, 204)
    assert "Location" not in response
    assert redirect.path == LOGIN_PATH
    assert parse_qs(redirect.query)["next"] == [CURRENT_PAGE]
    assert response.content == b""


def test_anonymous_htmx_from_other_site_returns_home(client):
    response = client.get(
        "/sources/new/openrouter/",
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="https://evil.example/sources/new/openrouter/",
    )

    redirect = urlsplit(response["HX-Redirect"])
    assert redirect.path == LOGIN_PATH
    assert parse_qs(redirect.query)["next"] == ["/"]


def test_anonymous_htmx_without_current_url_returns_home(client):
    response = client.get("/sources/new/openrouter/", HTTP_HX_REQUEST="true")

    redirect = urlsplit(response["HX-Redirect"])
    assert redirect.path == LOGIN_PATH
    assert parse_qs(redirect.query)["next"] == ["/"]


def test_anonymous_post_to_create_saves_nothing(client, db):
    data = {"name": "Staging", "api_key": "sk-or-v1-" + "0" * 64}

    response = client.post("/credentials/new/openrouter/", data)

    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == LOGIN_PATH
    assert not Credential.objects.exists()


@pytest.mark.parametrize(
    ("url", "data", "model"),
    [
        ("/sources/new/openrouter/configure/", {"name": "Stolen", "resource": "models"}, DataSource),
        (
            "/destinations/new/openrouter/configure/",
            {"name": "Stolen", "model": "openai/gpt-4o-mini", "prompt_template": "{title}", "max_tokens": "10"},
            DataDestination,
        ),
    ],
    ids=["source", "destination"],
)
def test_other_user_cannot_configure_with_owner_credential(client, other_user, objects, url, data, model):
    client.force_login(other_user)

    response = client.post(url, {**data, "credential": objects.credential.pk})

    assert response.status_code == 404
    assert not model.objects.filter(name="Stolen").exists()
    assert not model.objects.filter(owner=other_user).exists()
