"""Security headers, caching rules and sign-in rate limiting."""

import re

import pytest
from django.test import Client

from tests.conftest import make_credential

PAGES_WITH_CREDENTIALS = ["/", "/sources/new/openrouter/", "/credentials/new/openrouter/"]


@pytest.mark.parametrize("path", PAGES_WITH_CREDENTIALS)
def test_pages_send_strict_headers(owner_client, credential, path):
    response = owner_client.get(path)

    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("path", PAGES_WITH_CREDENTIALS)
def test_pages_have_no_inline_scripts_or_handlers(owner_client, credential, path):
    html = owner_client.get(path).content.decode()

    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) is None
    assert re.search(r"\son[a-z]+=", html) is None
    assert "hx-on" not in html


def test_htmx_is_configured_for_the_policy(owner_client):
    html = owner_client.get("/").content.decode()

    assert '"allowEval": false' in html
    assert '"includeIndicatorStyles": false' in html


def test_sign_in_page_has_policy(client):
    response = client.get("/accounts/login/")

    assert response.status_code == 200
    assert "Content-Security-Policy" in response


def test_sign_in_locks_after_repeated_failures(owner):
    client = Client(REMOTE_ADDR="198.51.100.4")
    for _ in range(5):
        response = client.post("/accounts/login/", {"username": "owner", "password": "wrong-password"})
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "15 minutes" in response.content.decode()

    response = client.post("/accounts/login/", {"username": "owner", "password": "owner-password-1"})

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_account_and_address(owner):
    attacker = Client(REMOTE_ADDR="198.51.100.4")
    for _ in range(5):
        attacker.post("/accounts/login/", {"username": "owner", "password": "wrong-password"})

    elsewhere = Client(REMOTE_ADDR="198.51.100.99")
    response = elsewhere.post("/accounts/login/", {"username": "owner", "password": "owner-password-1"})

    assert response.status_code == 302
    assert elsewhere.session["_auth_user_id"] == str(owner.pk)


def test_wrong_password_shows_clear_message(client, owner):
    response = client.post("/accounts/login/", {"username": "owner", "password": "nope"})

    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_undecryptable_credential_is_flagged_on_tile(owner_client, owner):
    credential = make_credential(owner, name="Orphan")
    credential.__class__.objects.filter(pk=credential.pk).update(encryption_key_id="0" * 16)

    html = owner_client.get("/sources/new/openrouter/").content.decode()

    assert "Cannot be decrypted: re-enter the key" in html
    assert "gAAAA" not in html
