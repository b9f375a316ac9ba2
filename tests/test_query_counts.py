"""Pages that list credentials cost a fixed number of queries and decrypt no key, however many rows exist."""

from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from credentials import fields
from credentials.models import KEY_FIELDS, Credential
from tests.conftest import KNOWN_KEY, make_credential

AUTHENTICATE_URL = "/sources/new/openrouter/"
LIST_URL = "/credentials/"
HTMX = {"HTTP_HX_REQUEST": "true"}

LISTING_PAGES = [
    pytest.param(AUTHENTICATE_URL, {}, id="authenticate"),
    pytest.param(AUTHENTICATE_URL + "?q=Key", HTMX, id="authenticate-search-htmx"),
    pytest.param(AUTHENTICATE_URL + "?page=2", HTMX, id="authenticate-show-more-htmx"),
    pytest.param(AUTHENTICATE_URL + "?page=3", {}, id="authenticate-page-3"),
    pytest.param(LIST_URL, {}, id="list"),
    pytest.param(LIST_URL, HTMX, id="list-htmx"),
    pytest.param(LIST_URL + "?q=key&status=verified&sort=name&page=2", {}, id="list-filtered"),
    pytest.param(LIST_URL + "?sort=last_used&page=3", HTMX, id="list-page-3-htmx"),
]


def add_credentials(owner, count: int, start: int = 0) -> None:
    """Insert ``count`` credentials with bulk_create, copying the key columns of one encrypted key."""
    template = Credential(owner=owner, connector="openrouter")
    template.set_api_key(KNOWN_KEY)
    key_columns = {field: getattr(template, field) for field in KEY_FIELDS}
    now = timezone.now()
    statuses = list(Credential.Status)
    rows = []
    for number in range(start, start + count):
        verified = statuses[number % len(statuses)] == Credential.Status.VERIFIED
        rows.append(
            Credential(
                owner=owner,
                connector="openrouter",
                name=f"Key {number:04d}",
                description=f"Credential number {number}",
                status=statuses[number % len(statuses)],
                status_message="Checked by the test",
                checked_at=now,
                key_label="sk-or-v1-…abcd" if verified else "",
                key_usage=1 if verified else None,
                last_used_at=now - timedelta(minutes=number) if number % 3 else None,
                expires_at=now + timedelta(days=number) if number % 5 == 0 else None,
                **key_columns,
            )
        )
    Credential.objects.bulk_create(rows)


def captured_sql(client, url: str, headers: dict) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **headers)
    assert response.status_code == 200
    return [query["sql"] for query in captured.captured_queries]


@pytest.mark.parametrize(("url", "headers"), LISTING_PAGES)
def test_query_count_ignores_row_count(owner_client, owner, url, headers):
    add_credentials(owner, 10)
    owner_client.get(url, **headers)
    with_10 = captured_sql(owner_client, url, headers)

    add_credentials(owner, 990, start=10)
    with_1000 = captured_sql(owner_client, url, headers)

    assert Credential.objects.count() == 1000
    assert len(with_1000) == len(with_10), "\n".join(with_1000)


@pytest.mark.parametrize(("url", "headers"), LISTING_PAGES)
def test_listing_decrypts_no_key(owner_client, owner, url, headers):
    add_credentials(owner, 60)

    with mock.patch("credentials.fields.decrypt", wraps=fields.decrypt) as decrypt:
        response = owner_client.get(url, **headers)

    assert response.status_code == 200
    assert decrypt.call_count == 0


@pytest.mark.parametrize("action", ["", "edit/", "replace-key/", "delete/"])
def test_credential_pages_decrypt_no_key(owner_client, owner, action):
    credential = make_credential(owner)

    with mock.patch("credentials.fields.decrypt", wraps=fields.decrypt) as decrypt:
        response = owner_client.get(f"/credentials/{credential.pk}/{action}")

    assert response.status_code == 200
    assert decrypt.call_count == 0


def test_decrypt_patch_sees_key_loads(owner):
    credential = make_credential(owner)

    with mock.patch("credentials.fields.decrypt", wraps=fields.decrypt) as decrypt:
        loaded = Credential.objects.get(pk=credential.pk)

    assert loaded.api_key == KNOWN_KEY
    assert decrypt.call_count == 1
