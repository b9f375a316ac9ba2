"""Requests and edits that race: many saves of one name at once, and two browsers editing one credential."""

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.conf import settings
from django.test import Client

from credentials.access import get_own_credential
from credentials.connectors import OPENROUTER
from credentials.fingerprints import fingerprint
from credentials.forms import CredentialDetailsForm, ReplaceKeyForm
from credentials.models import Credential, CredentialEvent
from credentials.verification import verify_api_key
from tests.conftest import make_credential

CREATE_PATH = "/credentials/new/openrouter/"
NEXT_PATH = "/sources/new/openrouter/"
REQUEST_COUNT = 20
SECOND_KEY = "sk-or-v1-" + "a1b2c3d4e5f60718" * 4


def signed_in_form(live_server, user) -> tuple[dict, str]:
    """Sign the user in and open the form page: return the cookies to send and the form's CSRF token."""
    client = Client()
    client.force_login(user)
    session = requests.Session()
    session.cookies.set(settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value)
    response = session.get(live_server.url + CREATE_PATH, params={"next": NEXT_PATH}, timeout=30)
    response.raise_for_status()
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.text)
    assert match is not None, "the form page has no CSRF token"
    return session.cookies.get_dict(), match.group(1)


def distinct_key(number: int) -> str:
    return "sk-or-v1-" + format(number + 1, "064x")


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_concurrent_saves_of_one_name_keep_one(live_server, transactional_db, owner, fake_openrouter, htmx):
    cookies, token = signed_in_form(live_server, owner)
    headers = {"HX-Request": "true"} if htmx else {}
    # The fake OpenRouter delays each key check by 0.2 s, so the requests overlap on the server.
    fake_openrouter.delay_seconds = 0.2
    names = ["Shared key" if number % 2 else "SHARED KEY" for number in range(REQUEST_COUNT)]
    barrier = threading.Barrier(REQUEST_COUNT, timeout=30)

    def post(number: int) -> requests.Response:
        data = {
            "csrfmiddlewaretoken": token,
            "name": names[number],
            "description": f"Request {number}",
            "api_key": distinct_key(number),
            "next": NEXT_PATH,
        }
        barrier.wait()
        return requests.post(
            live_server.url + CREATE_PATH,
            data=data,
            headers=headers,
            cookies=cookies,
            allow_redirects=False,
            timeout=60,
        )

    with ThreadPoolExecutor(max_workers=REQUEST_COUNT) as pool:
        responses = list(pool.map(post, range(REQUEST_COUNT)))

    success_status = 204 if htmx else 302
    statuses = [response.status_code for response in responses]
    winners = [number for number, status in enumerate(statuses) if status == success_status]
    losers = [number for number in range(REQUEST_COUNT) if number not in winners]
    assert 500 not in statuses
    assert len(winners) == 1, statuses
    assert Credential.objects.filter(name__iexact="shared key").count() == 1
    assert CredentialEvent.objects.filter(action=CredentialEvent.Action.CREATED).count() == 1
    for number in losers:
        assert statuses[number] == 200, statuses
        message = f"You already have a credential named “{names[number]}” for OpenRouter."
        assert message in responses[number].text, responses[number].text[:2000]


def load_full(owner, pk) -> Credential:
    return Credential.objects.get(pk=pk)


def load_as_views_do(owner, pk) -> Credential:
    return get_own_credential(owner, pk)


@pytest.mark.parametrize("rename_first", [True, False], ids=["rename-first", "key-first"])
@pytest.mark.parametrize("load", [load_full, load_as_views_do], ids=["full-row", "listing-columns"])
def test_rename_and_key_replace_both_survive(owner, rename_first, load):
    credential = make_credential(owner, description="Before")
    renaming_copy = load(owner, credential.pk)
    rekeying_copy = load(owner, credential.pk)

    def rename():
        form = CredentialDetailsForm({"name": "Renamed", "description": "After"}, instance=renaming_copy)
        assert form.is_valid(), form.errors
        form.save()

    def replace_key():
        form = ReplaceKeyForm({"api_key": SECOND_KEY}, instance=rekeying_copy)
        assert form.is_valid(), form.errors
        form.save(verify_api_key(OPENROUTER, SECOND_KEY))

    steps = [rename, replace_key] if rename_first else [replace_key, rename]
    for step in steps:
        step()

    stored = Credential.objects.get(pk=credential.pk)
    assert stored.name == "Renamed"
    assert stored.description == "After"
    assert stored.api_key == SECOND_KEY
    assert stored.key_hint == OPENROUTER.mask(SECOND_KEY)
    assert stored.key_fingerprint == fingerprint(SECOND_KEY)
    assert stored.status == Credential.Status.VERIFIED
