"""Endpoints that call OpenRouter with a saved key, tried by another user and by an anonymous visitor."""

import pytest

from credentials.models import Credential, CredentialEvent

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": "http://testserver/sources/new/openrouter/"}
PLAIN = {}


def endpoints(credential):
    return [
        (f"/credentials/{credential.pk}/test/", {}),
        (
            "/sources/new/openrouter/configure/test/",
            {"credential": credential.pk, "name": "Try", "resource": "models"},
        ),
        (
            "/destinations/new/openrouter/configure/test/",
            {
                "credential": credential.pk,
                "name": "Try",
                "model": "openai/gpt-4o-mini",
                "prompt_template": "Say {title}",
                "max_tokens": "10",
            },
        ),
    ]


@pytest.mark.parametrize("headers", [PLAIN, HTMX], ids=["plain", "htmx"])
def test_other_user_gets_404_and_no_call(client, other_user, credential, fake_openrouter, headers):
    client.force_login(other_user)

    for url, data in endpoints(credential):
        response = client.post(url, data, **headers)

        assert response.status_code == 404, url
    assert fake_openrouter.received == []
    assert CredentialEvent.objects.count() == 0
    assert Credential.objects.get(pk=credential.pk).checked_at is None


@pytest.mark.parametrize("headers", [PLAIN, HTMX], ids=["plain", "htmx"])
def test_anonymous_is_sent_to_sign_in(client, credential, fake_openrouter, headers):
    for url, data in endpoints(credential):
        response = client.post(url, data, **headers)

        if headers:
            assert response.status_code == 200, url
            assert response["HX-Redirect"].startswith("/accounts/login/?next="), url
        else:
            assert response.status_code == 302, url
            assert response["Location"].startswith("/accounts/login/?next="), url
    assert fake_openrouter.received == []
    assert CredentialEvent.objects.count() == 0


def test_owner_calls_reach_openrouter(owner_client, credential, fake_openrouter):
    for url, data in endpoints(credential):
        response = owner_client.post(url, data, **HTMX)

        assert response.status_code == 200, url
    assert [request.path for request in fake_openrouter.received] == [
        "/api/v1/key",
        "/api/v1/models",
        "/api/v1/chat/completions",
    ]
