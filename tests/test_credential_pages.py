"""The Credentials page, a credential's own page and its actions, and the tiles of the Authenticate screen."""

import json
import re
from dataclasses import replace
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.utils import dateformat, timezone

from credentials.audit import record_event
from credentials.connectors import CONNECTORS, OPENROUTER
from credentials.models import Credential, CredentialEvent
from flows.models import DataDestination, DataSource
from flows.views import TILES_PER_PAGE as PER_PAGE
from tests.conftest import KNOWN_KEY, REJECTED_KEY, make_credential

LIST_URL = "/credentials/"
AUTHENTICATE_URL = "/sources/new/openrouter/"
LOGIN_PATH = "/accounts/login/"
HTMX = {"HTTP_HX_REQUEST": "true"}
SECOND_KEY = "sk-or-v1-" + "a1b2c3d4e5f60718" * 4
THIRD_KEY = "sk-or-v1-" + "9f8e7d6c5b4a3921" * 4


def detail_url(credential) -> str:
    return f"/credentials/{credential.pk}/"


def action_url(credential, action: str) -> str:
    return f"/credentials/{credential.pk}/{action}/"


def row_names(html: str) -> list[str]:
    """Return the credential names of the Credentials page table, in order."""
    return re.findall(r'<td><a href="/credentials/\d+/">([^<]*)</a>', html)


def tile_ids(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-credential-id="(\d+)"', html)]


def tile_names(html: str) -> list[str]:
    return re.findall(r'<span class="tile-name" id="credential-\d+-name">([^<]*)</span>', html)


def field_block(html: str, field_name: str) -> str:
    """Return the markup of the form row that contains the input named ``field_name``."""
    rows = html.split('<div class="field')
    matches = [row for row in rows[1:] if f'name="{field_name}"' in row]
    assert len(matches) == 1, f"expected one row for {field_name}, found {len(matches)}"
    return matches[0]


def results_section(html: str) -> str:
    return html.split('<section id="results"', 1)[1]


def login_next(location: str) -> str:
    """Return the page a sign-in redirect returns to, after checking that it leads to the sign-in page."""
    parts = urlsplit(location)
    assert parts.path == LOGIN_PATH, location
    return parse_qs(parts.query)["next"][0]


def shown_date(moment) -> str:
    return dateformat.format(timezone.localtime(moment), "M j, Y")


def definition(html: str, term: str) -> str:
    """Return the contents of the <dd> that follows <dt>term</dt> on the detail page."""
    match = re.search(rf"<dt>{re.escape(term)}</dt>\s*<dd>(.*?)</dd>", html, re.DOTALL)
    assert match is not None, f"no <dt>{term}</dt> on the page"
    return match.group(1)


def stored_ciphertext(credential) -> str:
    """Read the api_key column as stored, without the field decrypting it."""
    table = connection.ops.quote_name(Credential._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT api_key FROM {table} WHERE id = %s", [credential.pk])
        return cursor.fetchone()[0]


def make_many(owner, count: int) -> list[Credential]:
    return [make_credential(owner, name=f"Key {number:02d}") for number in range(count)]


def make_source(owner, credential, name="Catalogue") -> DataSource:
    return DataSource.objects.create(
        owner=owner, name=name, connector="openrouter", credential=credential, config={"resource": "models"}
    )


def make_destination(owner, credential, name="Summaries") -> DataDestination:
    return DataDestination.objects.create(
        owner=owner, name=name, connector="openrouter", credential=credential, config={}
    )


def actions_of(credential) -> list[str]:
    return list(CredentialEvent.objects.filter(credential_pk=credential.pk).values_list("action", flat=True))


# Credentials page


def test_list_shows_only_own_credentials(owner_client, owner, other_user):
    make_credential(owner, name="Mine")
    make_credential(other_user, name="Theirs")

    html = owner_client.get(LIST_URL).content.decode()

    assert row_names(html) == ["Mine"]
    assert "Theirs" not in html


def test_list_shows_hint_and_status(owner_client, owner):
    make_credential(owner, name="Mine", status=Credential.Status.VERIFIED)

    html = owner_client.get(LIST_URL).content.decode()

    results = results_section(html)
    assert "sk-or-v1-…" + KNOWN_KEY[-4:] in results
    assert '<span class="badge badge-verified">Verified</span>' in results


def test_search_matches_name_ignoring_case(owner_client, owner):
    make_credential(owner, name="Production")
    make_credential(owner, name="Staging")

    html = owner_client.get(LIST_URL, {"q": "PRODUC"}).content.decode()

    assert row_names(html) == ["Production"]


def test_search_matches_description_ignoring_case(owner_client, owner):
    make_credential(owner, name="Alpha", description="Used by the billing team")
    make_credential(owner, name="Beta", description="Used by research")

    html = owner_client.get(LIST_URL, {"q": "BILLING"}).content.decode()

    assert row_names(html) == ["Alpha"]


def test_search_ignores_key_fragments(owner_client, owner):
    make_credential(owner, name="Alpha")

    for fragment in (KNOWN_KEY, KNOWN_KEY[12:30], KNOWN_KEY[-4:]):
        html = owner_client.get(LIST_URL, {"q": fragment}).content.decode()
        assert row_names(html) == [], fragment


def test_filter_by_status(owner_client, owner):
    make_credential(owner, name="Good", status=Credential.Status.VERIFIED)
    make_credential(owner, name="Bad", status=Credential.Status.INVALID)
    make_credential(owner, name="Unknown")

    verified = owner_client.get(LIST_URL, {"status": "verified"}).content.decode()
    invalid = owner_client.get(LIST_URL, {"status": "invalid"}).content.decode()

    assert row_names(verified) == ["Good"]
    assert row_names(invalid) == ["Bad"]


def test_filter_by_connector(owner_client, owner, monkeypatch):
    monkeypatch.setitem(CONNECTORS, "acme", replace(OPENROUTER, slug="acme", name="Acme Router"))
    make_credential(owner, name="Router key")
    other = Credential(owner=owner, connector="acme", name="Acme key")
    other.set_api_key(SECOND_KEY)
    other.save()

    openrouter = owner_client.get(LIST_URL, {"connector": "openrouter"}).content.decode()
    acme = owner_client.get(LIST_URL, {"connector": "acme"}).content.decode()
    everything = owner_client.get(LIST_URL).content.decode()

    assert row_names(openrouter) == ["Router key"]
    assert row_names(acme) == ["Acme key"]
    assert sorted(row_names(everything)) == ["Acme key", "Router key"]


@pytest.mark.parametrize(
    "unknown",
    [{"status": "retired"}, {"sort": "oldest"}, {"connector": "nowhere"}],
    ids=["status", "sort", "connector"],
)
def test_unknown_choice_keeps_search(owner_client, owner, unknown):
    make_credential(owner, name="Production")
    make_credential(owner, name="Staging")

    response = owner_client.get(LIST_URL, {"q": "prod", **unknown})

    assert response.status_code == 200
    assert row_names(response.content.decode()) == ["Production"]


def test_sort_by_name_ignores_case(owner_client, owner):
    for name in ("banana", "Apple", "cherry"):
        make_credential(owner, name=name)

    html = owner_client.get(LIST_URL, {"sort": "name"}).content.decode()

    assert row_names(html) == ["Apple", "banana", "cherry"]


def test_sort_by_created_newest_first(owner_client, owner):
    now = timezone.now()
    for name, days_ago in (("Middle", 5), ("Newest", 1), ("Oldest", 9)):
        credential = make_credential(owner, name=name)
        Credential.objects.filter(pk=credential.pk).update(created_at=now - timedelta(days=days_ago))

    html = owner_client.get(LIST_URL, {"sort": "created"}).content.decode()

    assert row_names(html) == ["Newest", "Middle", "Oldest"]


def test_sort_by_last_used_puts_never_used_last(owner_client, owner):
    now = timezone.now()
    make_credential(owner, name="Never")
    make_credential(owner, name="Last week", last_used_at=now - timedelta(days=7))
    make_credential(owner, name="An hour ago", last_used_at=now - timedelta(hours=1))

    sorted_html = owner_client.get(LIST_URL, {"sort": "last_used"}).content.decode()
    default_html = owner_client.get(LIST_URL).content.decode()

    assert row_names(sorted_html) == ["An hour ago", "Last week", "Never"]
    assert row_names(default_html) == ["An hour ago", "Last week", "Never"]


def test_pages_hold_25_rows(owner_client, owner):
    make_many(owner, 30)

    first = owner_client.get(LIST_URL).content.decode()
    second = owner_client.get(LIST_URL, {"page": "2"}).content.decode()

    assert len(row_names(first)) == 25
    assert len(row_names(second)) == 5
    assert set(row_names(first)).isdisjoint(row_names(second))
    assert "Page 2 of 2" in second


def test_page_past_the_end_shows_last_page(owner_client, owner):
    make_many(owner, 30)

    html = owner_client.get(LIST_URL, {"page": "999"}).content.decode()

    assert len(row_names(html)) == 5
    assert "Page 2 of 2" in html


def test_page_not_a_number_shows_first_page(owner_client, owner):
    make_many(owner, 30)

    response = owner_client.get(LIST_URL, {"page": "abc"})
    html = response.content.decode()

    assert response.status_code == 200
    assert len(row_names(html)) == 25
    assert "Page 1 of 2" in html


def test_page_links_keep_filters(owner_client, owner):
    make_many(owner, 30)

    html = owner_client.get(LIST_URL, {"q": "Key", "sort": "name"}).content.decode()

    assert 'href="?q=Key&amp;sort=name&amp;page=2"' in html


def test_htmx_list_returns_results_only(owner_client, owner):
    make_credential(owner, name="Mine")

    response = owner_client.get(LIST_URL, {"q": "mine"}, **HTMX)
    html = response.content.decode()

    assert html.lstrip().startswith('<section id="results"')
    assert "<html" not in html
    assert 'class="filters"' not in html
    assert row_names(html) == ["Mine"]


def test_history_restore_gets_whole_page(owner_client, owner):
    make_credential(owner, name="Mine")

    response = owner_client.get(LIST_URL, {"q": "mine"}, **HTMX, HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    html = response.content.decode()

    assert "<html" in html
    assert 'class="filters"' in html
    assert row_names(html) == ["Mine"]


def test_list_varies_on_htmx_header(owner_client):
    response = owner_client.get(LIST_URL)

    assert "HX-Request" in response.headers["Vary"]


# Detail page


def test_detail_shows_credential(owner_client, owner):
    credential = make_credential(
        owner, name="Production", description="Key of the live flows", status=Credential.Status.VERIFIED
    )

    html = owner_client.get(detail_url(credential)).content.decode()

    assert "<h1 class=\"inline-title\">Production</h1>" in html
    assert "Key of the live flows" in html
    assert "sk-or-v1-…" + KNOWN_KEY[-4:] in definition(html, "API key")
    assert "Verified" in definition(html, "Status")


def test_detail_lists_sources_and_destinations(owner_client, owner, credential):
    source = make_source(owner, credential)
    destination = make_destination(owner, credential)

    html = owner_client.get(detail_url(credential)).content.decode()

    assert f'Data source <a href="/sources/{source.pk}/">Catalogue</a>' in html
    assert f'Data destination <a href="/destinations/{destination.pk}/">Summaries</a>' in html
    assert "Nothing uses this credential yet." not in html


def test_detail_without_users_says_so(owner_client, credential):
    html = owner_client.get(detail_url(credential)).content.decode()

    assert "Nothing uses this credential yet." in html


def test_detail_shows_last_used(owner_client, owner):
    used = make_credential(owner, name="Used", last_used_at=timezone.now() - timedelta(hours=2))
    unused = make_credential(owner, name="Unused")

    used_html = owner_client.get(detail_url(used)).content.decode()
    unused_html = owner_client.get(detail_url(unused)).content.decode()

    assert "hours ago" in definition(used_html, "Last used")
    assert definition(unused_html, "Last used") == "Never"


def test_detail_warns_of_expiry_within_14_days(owner_client, owner):
    credential = make_credential(owner, expires_at=timezone.now() + timedelta(days=3))

    html = owner_client.get(detail_url(credential)).content.decode()

    expires = definition(html, "Expires")
    assert shown_date(credential.expires_at) in expires
    assert "Expires soon" in expires


def test_detail_no_warning_beyond_14_days(owner_client, owner):
    credential = make_credential(owner, expires_at=timezone.now() + timedelta(days=30))

    html = owner_client.get(detail_url(credential)).content.decode()

    assert "Expires soon" not in html
    assert shown_date(credential.expires_at) in definition(html, "Expires")


def test_detail_without_expiry(owner_client, credential):
    html = owner_client.get(detail_url(credential)).content.decode()

    assert definition(html, "Expires") == "No expiry reported"


def test_detail_shows_history(owner_client, owner, credential):
    record_event(credential, CredentialEvent.Action.CREATED)
    record_event(credential, CredentialEvent.Action.RENAMED, detail="from “Old name”")
    other = make_credential(owner, name="Other", key=SECOND_KEY)
    record_event(other, CredentialEvent.Action.KEY_REPLACED, detail="not this one")

    html = owner_client.get(detail_url(credential)).content.decode()

    history = html.split("<h2>History</h2>", 1)[1]
    assert "<td>Created</td>" in history
    assert "<td>Renamed</td>" in history
    assert "from “Old name”" in history
    assert "not this one" not in history
    assert "No events yet." not in history


def test_detail_without_history_says_so(owner_client, credential):
    html = owner_client.get(detail_url(credential)).content.decode()

    assert "No events yet." in html


# Edit


def test_edit_get_returns_page(owner_client, credential):
    response = owner_client.get(action_url(credential, "edit"))
    html = response.content.decode()

    assert response.status_code == 200
    assert "<html" in html
    assert 'value="Production"' in field_block(html, "name")


def test_edit_htmx_get_returns_form_partial(owner_client, credential):
    response = owner_client.get(action_url(credential, "edit"), **HTMX)
    html = response.content.decode()

    assert html.lstrip().startswith('<section id="credential-details"')
    assert "<html" not in html
    assert 'value="Production"' in field_block(html, "name")
    assert "HX-Request" in response.headers["Vary"]


def test_edit_htmx_post_returns_details(owner_client, credential):
    response = owner_client.post(
        action_url(credential, "edit"), {"name": "Renamed", "description": "New words"}, **HTMX
    )
    html = response.content.decode()

    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="credential-details"')
    assert '<h1 class="inline-title">Renamed</h1>' in html
    assert "New words" in html
    assert "<form" not in html
    assert "<html" not in html


def test_edit_saves_and_records_events(owner_client, credential):
    owner_client.post(action_url(credential, "edit"), {"name": "Renamed", "description": "New words"}, **HTMX)

    credential.refresh_from_db()
    renamed = CredentialEvent.objects.get(credential=credential, action=CredentialEvent.Action.RENAMED)
    assert credential.name == "Renamed"
    assert credential.description == "New words"
    assert renamed.detail == "from “Production”"
    assert CredentialEvent.objects.filter(credential=credential, action=CredentialEvent.Action.DESCRIBED).count() == 1


def test_edit_plain_post_redirects_to_detail(owner_client, credential):
    response = owner_client.post(action_url(credential, "edit"), {"name": "Renamed", "description": ""})

    assert response.status_code == 302
    assert response.headers["Location"] == detail_url(credential)


def test_edit_writes_only_name_and_description(owner_client, owner):
    credential = make_credential(owner, status=Credential.Status.VERIFIED, status_message="Verified earlier")
    Credential.objects.filter(pk=credential.pk).update(updated_at=timezone.now() - timedelta(days=1))
    before = Credential.objects.get(pk=credential.pk)
    ciphertext = stored_ciphertext(credential)

    owner_client.post(action_url(credential, "edit"), {"name": "Renamed", "description": ""}, **HTMX)

    after = Credential.objects.get(pk=credential.pk)
    assert after.updated_at > before.updated_at
    assert stored_ciphertext(credential) == ciphertext
    assert after.api_key == KNOWN_KEY
    assert after.key_hint == before.key_hint
    assert after.key_fingerprint == before.key_fingerprint
    assert after.status == Credential.Status.VERIFIED
    assert after.status_message == "Verified earlier"


INVALID_EDITS = [
    ("empty_name", {"name": "", "description": "Kept text"}, "name", "Enter a name for this credential."),
    ("duplicate_name", {"name": "STAGING", "description": "Kept text"}, "name", "You already have a credential named"),
    ("long_name", {"name": "n" * 256, "description": "Kept text"}, "name", "at most 255 characters"),
    ("long_description", {"name": "Kept name", "description": "d" * 2001}, "description", "at most 2000 characters"),
]


@pytest.mark.parametrize(("data", "field", "message"), [case[1:] for case in INVALID_EDITS],
                         ids=[case[0] for case in INVALID_EDITS])
@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_edit_invalid_shows_error_at_field(owner_client, owner, credential, data, field, message, headers):
    make_credential(owner, name="Staging", key=SECOND_KEY)

    response = owner_client.post(action_url(credential, "edit"), data, **headers)
    html = response.content.decode()

    assert response.status_code == 200
    assert message in field_block(html, field)


@pytest.mark.parametrize(("data", "field", "message"), [case[1:] for case in INVALID_EDITS],
                         ids=[case[0] for case in INVALID_EDITS])
def test_edit_invalid_keeps_typed_values(owner_client, owner, credential, data, field, message):
    make_credential(owner, name="Staging", key=SECOND_KEY)

    html = owner_client.post(action_url(credential, "edit"), data, **HTMX).content.decode()

    name_row = field_block(html, "name")
    if data["name"]:
        assert f'value="{data["name"]}"' in name_row
    else:
        assert "value=" not in name_row
    assert f'{data["description"]}</textarea>' in field_block(html, "description")


@pytest.mark.parametrize(("data", "field", "message"), [case[1:] for case in INVALID_EDITS],
                         ids=[case[0] for case in INVALID_EDITS])
def test_edit_invalid_saves_nothing(owner_client, owner, credential, data, field, message):
    make_credential(owner, name="Staging", key=SECOND_KEY)
    events = actions_of(credential)

    owner_client.post(action_url(credential, "edit"), data, **HTMX)

    credential.refresh_from_db()
    assert credential.name == "Production"
    assert credential.description == ""
    assert actions_of(credential) == events


def test_edit_same_name_other_case_of_itself(owner_client, credential):
    response = owner_client.post(action_url(credential, "edit"), {"name": "PRODUCTION", "description": ""}, **HTMX)

    credential.refresh_from_db()
    assert response.status_code == 200
    assert credential.name == "PRODUCTION"


# Replace key


def test_replace_key_get_returns_page(owner_client, credential):
    response = owner_client.get(action_url(credential, "replace-key"))
    html = response.content.decode()

    assert response.status_code == 200
    assert "<html" in html
    assert "Replace key" in html
    assert "sk-or-v1-…" + KNOWN_KEY[-4:] in html
    assert re.search(r'<input type="password" name="api_key"', html)


def test_replace_key_htmx_get_returns_dialog(owner_client, credential):
    response = owner_client.get(action_url(credential, "replace-key"), **HTMX)
    html = response.content.decode()

    assert html.lstrip().startswith('<div class="dialog-header">')
    assert "<html" not in html
    assert 'id="replace-key-form"' in html


def test_replace_key_htmx_post_answers_204_with_event(owner_client, credential):
    response = owner_client.post(action_url(credential, "replace-key"), {"api_key": SECOND_KEY}, **HTMX)

    assert response.status_code == 204
    assert json.loads(response.headers["HX-Trigger"]) == {"credentialChanged": {"id": credential.pk}}
    assert response.content == b""


def test_replace_key_stores_new_key(owner_client, credential):
    old_hint = credential.key_hint

    owner_client.post(action_url(credential, "replace-key"), {"api_key": SECOND_KEY}, **HTMX)

    stored = Credential.objects.get(pk=credential.pk)
    assert stored.api_key == SECOND_KEY
    assert stored.key_hint == "sk-or-v1-…" + SECOND_KEY[-4:]
    assert stored.key_hint != old_hint
    assert stored.status == Credential.Status.VERIFIED
    assert stored.name == "Production"


def test_replace_key_records_events(owner_client, credential):
    owner_client.post(action_url(credential, "replace-key"), {"api_key": SECOND_KEY}, **HTMX)

    actions = actions_of(credential)
    assert CredentialEvent.Action.KEY_REPLACED in actions
    assert CredentialEvent.Action.VERIFIED in actions


def test_replace_key_plain_post_redirects_to_detail(owner_client, credential):
    response = owner_client.post(action_url(credential, "replace-key"), {"api_key": SECOND_KEY})

    assert response.status_code == 302
    assert response.headers["Location"] == detail_url(credential)
    assert Credential.objects.get(pk=credential.pk).api_key == SECOND_KEY


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_replace_key_rejected_offers_save_anyway(owner_client, credential, headers):
    response = owner_client.post(action_url(credential, "replace-key"), {"api_key": REJECTED_KEY}, **headers)
    html = response.content.decode()

    assert response.status_code == 200
    assert "rejected the key" in field_block(html, "api_key")
    assert 'name="save_anyway" value="1"' in html
    assert REJECTED_KEY not in html
    assert REJECTED_KEY[9:] not in html
    assert Credential.objects.get(pk=credential.pk).api_key == KNOWN_KEY


def test_replace_key_save_anyway_stores_invalid(owner_client, credential):
    owner_client.post(action_url(credential, "replace-key"), {"api_key": REJECTED_KEY}, **HTMX)

    response = owner_client.post(
        action_url(credential, "replace-key"), {"api_key": REJECTED_KEY, "save_anyway": "1"}, **HTMX
    )

    stored = Credential.objects.get(pk=credential.pk)
    assert response.status_code == 204
    assert stored.api_key == REJECTED_KEY
    assert stored.status == Credential.Status.INVALID
    assert CredentialEvent.Action.VERIFICATION_FAILED in actions_of(credential)


def test_replace_key_with_own_duplicate_warns(owner_client, owner, credential):
    make_credential(owner, name="Backup", key=SECOND_KEY)

    response = owner_client.post(action_url(credential, "replace-key"), {"api_key": SECOND_KEY}, **HTMX)
    html = response.content.decode()

    assert response.status_code == 200
    assert "already saved as “Backup”" in field_block(html, "api_key")
    assert 'name="save_anyway" value="1"' in html
    assert SECOND_KEY not in html
    assert Credential.objects.get(pk=credential.pk).api_key == KNOWN_KEY


def test_replace_key_duplicate_save_anyway(owner_client, owner, credential):
    make_credential(owner, name="Backup", key=SECOND_KEY)

    response = owner_client.post(
        action_url(credential, "replace-key"), {"api_key": SECOND_KEY, "save_anyway": "1"}, **HTMX
    )

    assert response.status_code == 204
    assert Credential.objects.get(pk=credential.pk).api_key == SECOND_KEY


def test_replace_key_same_as_other_users_key_saves(owner_client, other_user, credential):
    make_credential(other_user, name="Theirs", key=SECOND_KEY)

    response = owner_client.post(action_url(credential, "replace-key"), {"api_key": SECOND_KEY}, **HTMX)

    assert response.status_code == 204
    assert "Theirs" not in response.content.decode()


def test_replace_key_empty_shows_error(owner_client, credential):
    html = owner_client.post(action_url(credential, "replace-key"), {"api_key": ""}, **HTMX).content.decode()

    assert "Enter the API key." in field_block(html, "api_key")
    assert Credential.objects.get(pk=credential.pk).api_key == KNOWN_KEY


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_replace_key_responses_never_contain_key(owner_client, owner, credential, headers):
    make_credential(owner, name="Backup", key=THIRD_KEY)
    url = action_url(credential, "replace-key")
    posts = [
        {"api_key": REJECTED_KEY},
        {"api_key": THIRD_KEY},
        {"api_key": SECOND_KEY[:20] + " " + SECOND_KEY[20:]},
        {"api_key": SECOND_KEY},
    ]
    secrets = [REJECTED_KEY[9:], THIRD_KEY[9:], SECOND_KEY[9:20], SECOND_KEY[20:], KNOWN_KEY[9:]]

    bodies = [owner_client.get(url, **headers).content.decode()]
    for data in posts:
        response = owner_client.post(url, data, **headers, follow=True)
        bodies.append(response.content.decode())

    assert Credential.objects.get(pk=credential.pk).api_key == SECOND_KEY
    for secret in secrets:
        for body in bodies:
            assert secret not in body


# Re-test


def test_retest_plain_post_redirects_back(owner_client, credential):
    response = owner_client.post(action_url(credential, "test"), {"next": detail_url(credential)})

    assert response.status_code == 302
    assert response.headers["Location"] == detail_url(credential)


def test_retest_without_next_redirects_to_detail(owner_client, credential):
    response = owner_client.post(action_url(credential, "test"))

    assert response.status_code == 302
    assert response.headers["Location"] == detail_url(credential)


def test_retest_records_outcome(owner_client, credential, fake_openrouter):
    owner_client.post(action_url(credential, "test"))

    stored = Credential.objects.get(pk=credential.pk)
    assert stored.status == Credential.Status.VERIFIED
    assert stored.checked_at is not None
    assert CredentialEvent.Action.VERIFIED in actions_of(credential)
    assert len(fake_openrouter.received) == 1


def test_retest_htmx_returns_status(owner_client, credential):
    response = owner_client.post(action_url(credential, "test"), **HTMX)
    html = response.content.decode()

    assert html.lstrip().startswith(f'<div class="tile-status" id="credential-{credential.pk}-status"')
    assert "Verified" in html


# Delete and move


@pytest.fixture
def in_use(owner, credential):
    """The `credential` used by a source and a destination, and a second credential to move them to."""
    backup = make_credential(owner, name="Backup", key=SECOND_KEY)
    source = make_source(owner, credential)
    destination = make_destination(owner, credential)
    return backup, source, destination


def test_delete_get_of_used_credential_lists_users(owner_client, credential, in_use):
    html = owner_client.get(action_url(credential, "delete")).content.decode()

    assert "cannot be deleted while these use it" in html
    assert "Data source" in html
    assert ">Catalogue</a>" in html
    assert ">Summaries</a>" in html


def test_delete_get_of_used_credential_offers_move(owner_client, credential, in_use):
    backup = in_use[0]

    html = owner_client.get(action_url(credential, "delete")).content.decode()

    target = field_block(html, "target")
    assert f'<option value="{backup.pk}">Backup (Not verified, {backup.key_hint})</option>' in target
    assert f'value="{credential.pk}"' not in target
    assert f'action="{action_url(credential, "move")}"' in html


def test_delete_get_without_alternative_explains(owner_client, owner, credential):
    make_source(owner, credential)

    html = owner_client.get(action_url(credential, "delete")).content.decode()

    assert "Add another OpenRouter credential" in html
    assert 'name="target"' not in html


def test_delete_htmx_get_returns_dialog(owner_client, credential):
    html = owner_client.get(action_url(credential, "delete"), **HTMX).content.decode()

    assert html.lstrip().startswith('<div class="dialog-header">')
    assert "<html" not in html


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_delete_post_of_used_credential_deletes_nothing(owner_client, credential, in_use, headers):
    events = actions_of(credential)

    response = owner_client.post(action_url(credential, "delete"), **headers)

    assert response.status_code == 200
    assert "cannot be deleted while these use it" in response.content.decode()
    assert Credential.objects.filter(pk=credential.pk).exists()
    assert actions_of(credential) == events


@pytest.mark.parametrize(("headers", "expected_status"), [({}, 302), (HTMX, 200)], ids=["plain", "htmx"])
def test_move_then_delete(owner_client, credential, in_use, headers, expected_status):
    backup, source, destination = in_use

    moved = owner_client.post(action_url(credential, "move"), {"target": backup.pk}, **headers)
    source.refresh_from_db()
    destination.refresh_from_db()
    deleted = owner_client.post(action_url(credential, "delete"), **headers)

    assert moved.status_code == expected_status
    assert source.credential_id == backup.pk
    assert destination.credential_id == backup.pk
    assert deleted.status_code == expected_status
    assert not Credential.objects.filter(pk=credential.pk).exists()


def test_move_htmx_reports_count(owner_client, credential, in_use):
    backup = in_use[0]

    html = owner_client.post(action_url(credential, "move"), {"target": backup.pk}, **HTMX).content.decode()

    assert html.lstrip().startswith('<div id="delete-body">')
    assert "Moved 1 data source and 1 data destination to “Backup”" in html
    assert "Delete “Production”" in html


def test_move_plain_redirects_to_delete(owner_client, credential, in_use):
    backup = in_use[0]

    response = owner_client.post(action_url(credential, "move"), {"target": backup.pk})

    assert response.status_code == 302
    assert response.headers["Location"] == action_url(credential, "delete")


@pytest.mark.parametrize("target", ["other_users", "itself", "missing", "empty"])
def test_move_to_invalid_target_moves_nothing(owner_client, other_user, credential, in_use, target):
    _, source, destination = in_use
    theirs = make_credential(other_user, name="Theirs", key=THIRD_KEY)
    target_pk = {"other_users": theirs.pk, "itself": credential.pk, "missing": 999_999, "empty": ""}[target]

    response = owner_client.post(action_url(credential, "move"), {"target": target_pk}, **HTMX)
    html = response.content.decode()
    source.refresh_from_db()
    destination.refresh_from_db()

    assert response.status_code == 200
    assert 'class="error"' in field_block(html, "target")
    assert source.credential_id == credential.pk
    assert destination.credential_id == credential.pk


def test_delete_unused_htmx_redirects_to_list(owner_client, credential):
    response = owner_client.post(action_url(credential, "delete"), **HTMX)

    assert response.status_code == 200
    assert response.headers["HX-Redirect"] == LIST_URL
    assert not Credential.objects.filter(pk=credential.pk).exists()


def test_delete_unused_plain_redirects_to_list(owner_client, credential):
    response = owner_client.post(action_url(credential, "delete"))

    assert response.status_code == 302
    assert response.headers["Location"] == LIST_URL
    assert not Credential.objects.filter(pk=credential.pk).exists()


def test_delete_keeps_history(owner_client, credential):
    record_event(credential, CredentialEvent.Action.CREATED)
    pk = credential.pk

    owner_client.post(action_url(credential, "delete"), **HTMX)

    events = CredentialEvent.objects.filter(credential_pk=pk)
    assert list(events.values_list("action", flat=True)) == ["deleted", "created"]
    assert set(events.values_list("credential_name", flat=True)) == {"Production"}
    assert set(events.values_list("credential", flat=True)) == {None}


def test_delete_get_of_unused_credential_asks_to_confirm(owner_client, credential):
    html = owner_client.get(action_url(credential, "delete")).content.decode()

    assert "Delete “Production”" in html
    assert f'action="{action_url(credential, "delete")}"' in html
    assert Credential.objects.filter(pk=credential.pk).exists()


# Who may use each page


def owner_state(credential) -> dict:
    """Everything a stranger's request could change about the owner's credential and what uses it."""
    stored = Credential.objects.get(pk=credential.pk)
    return {
        "name": stored.name,
        "description": stored.description,
        "ciphertext": stored_ciphertext(credential),
        "status": stored.status,
        "checked_at": stored.checked_at,
        "updated_at": stored.updated_at,
        "events": CredentialEvent.objects.count(),
        "sources": list(DataSource.objects.values_list("credential_id", flat=True)),
        "destinations": list(DataDestination.objects.values_list("credential_id", flat=True)),
    }


# (action, methods it accepts, POST data builder taking the stranger's own credential)
OBJECT_ACTIONS = [
    ("", ["get"], lambda theirs: {}),
    ("edit", ["get", "post"], lambda theirs: {"name": "Taken over", "description": "x"}),
    ("replace-key", ["get", "post"], lambda theirs: {"api_key": SECOND_KEY, "save_anyway": "1"}),
    ("test", ["post"], lambda theirs: {}),
    ("delete", ["get", "post"], lambda theirs: {}),
    ("move", ["post"], lambda theirs: {"target": theirs.pk}),
]
PERSONA_CASES = [
    pytest.param(action, method, build_data, id=f"{action or 'detail'}-{method}")
    for action, methods, build_data in OBJECT_ACTIONS
    for method in methods
]


def send(client, method: str, url: str, build_data, theirs, **headers):
    """Send a GET without data, or a POST with the data the action expects."""
    if method == "get":
        return client.get(url, **headers)
    return client.post(url, build_data(theirs), **headers)


def object_url(credential, action: str) -> str:
    return action_url(credential, action) if action else detail_url(credential)


@pytest.fixture
def shared_setup(owner, other_user):
    """The owner's credential, used by a source, and the stranger's own credential."""
    credential = make_credential(owner)
    make_source(owner, credential)
    make_credential(owner, name="Backup", key=THIRD_KEY)
    theirs = make_credential(other_user, name="Theirs", key=SECOND_KEY)
    return credential, theirs


@pytest.mark.parametrize(("action", "method", "build_data"), PERSONA_CASES)
@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_other_user_gets_404(client, other_user, shared_setup, action, method, build_data, headers):
    credential, theirs = shared_setup
    client.force_login(other_user)
    before = owner_state(credential)

    response = send(client, method, object_url(credential, action), build_data, theirs, **headers)

    assert response.status_code == 404
    assert "Production" not in response.content.decode()
    assert owner_state(credential) == before


@pytest.mark.parametrize(("action", "method", "build_data"), PERSONA_CASES)
def test_anonymous_plain_redirects_to_login(client, shared_setup, action, method, build_data):
    credential, theirs = shared_setup
    url = object_url(credential, action)
    before = owner_state(credential)

    response = send(client, method, url, build_data, theirs)

    assert response.status_code == 302
    assert login_next(response.headers["Location"]) == url
    assert owner_state(credential) == before


@pytest.mark.parametrize(("action", "method", "build_data"), PERSONA_CASES)
def test_anonymous_htmx_gets_client_redirect(client, shared_setup, action, method, build_data):
    credential, theirs = shared_setup
    url = object_url(credential, action)
    current_url = f"http://testserver{detail_url(credential)}"
    before = owner_state(credential)

    response = send(client, method, url, build_data, theirs, **HTMX, HTTP_HX_CURRENT_URL=current_url)

    assert response.status_code == 200
    assert login_next(response.headers["HX-Redirect"]) == detail_url(credential)
    assert owner_state(credential) == before


def test_anonymous_list_redirects_to_login(client):
    response = client.get(LIST_URL)

    assert response.status_code == 302
    assert login_next(response.headers["Location"]) == LIST_URL


def test_other_user_list_hides_owner_credentials(client, other_user, shared_setup):
    client.force_login(other_user)

    html = client.get(LIST_URL, {"q": "Production"}).content.decode()

    assert row_names(html) == []
    assert "Production" not in results_section(html)


# Authenticate screen tiles


def test_tiles_search_narrows(owner_client, owner):
    make_credential(owner, name="Production")
    make_credential(owner, name="Staging", description="Used before release")

    by_name = owner_client.get(AUTHENTICATE_URL, {"q": "stag"}).content.decode()
    by_description = owner_client.get(AUTHENTICATE_URL, {"q": "RELEASE"}).content.decode()

    assert tile_names(by_name) == ["Staging"]
    assert tile_names(by_description) == ["Staging"]


def test_tiles_search_htmx_returns_tiles_only(owner_client, owner):
    make_credential(owner, name="Production")
    make_credential(owner, name="Staging")

    html = owner_client.get(AUTHENTICATE_URL, {"q": "prod"}, **HTMX).content.decode()

    assert html.lstrip().startswith('<fieldset id="credential-tiles"')
    assert "<html" not in html
    assert tile_names(html) == ["Production"]


def test_tiles_search_without_match_says_so(owner_client, owner):
    make_credential(owner, name="Production")

    html = owner_client.get(AUTHENTICATE_URL, {"q": "nothing like it"}).content.decode()

    assert tile_names(html) == []
    assert "No credentials match “nothing like it”." in html


def test_tiles_most_recently_used_first(owner_client, owner):
    now = timezone.now()
    make_credential(owner, name="Never used")
    make_credential(owner, name="Yesterday", last_used_at=now - timedelta(days=1))
    make_credential(owner, name="Just now", last_used_at=now - timedelta(minutes=1))

    html = owner_client.get(AUTHENTICATE_URL).content.decode()

    assert tile_names(html) == ["Just now", "Yesterday", "Never used"]


def make_used_in_order(owner, count: int) -> list[Credential]:
    """Make credentials, the first one most recently used, so the tile order is the list order."""
    now = timezone.now()
    credentials = make_many(owner, count)
    for position, credential in enumerate(credentials):
        credential.last_used_at = now - timedelta(minutes=position)
        Credential.objects.filter(pk=credential.pk).update(last_used_at=credential.last_used_at)
    return credentials


def test_tiles_first_page_is_full_with_show_more(owner_client, owner):
    credentials = make_used_in_order(owner, PER_PAGE + 6)

    html = owner_client.get(AUTHENTICATE_URL).content.decode()

    assert tile_ids(html) == [credential.pk for credential in credentials[:PER_PAGE]]
    assert "Show more" in html
    assert 'href="?page=2"' in html


def test_tiles_htmx_second_page_has_the_rest(owner_client, owner):
    credentials = make_used_in_order(owner, PER_PAGE + 6)

    response = owner_client.get(AUTHENTICATE_URL, {"page": "2"}, **HTMX)
    html = response.content.decode()

    assert tile_ids(html) == [credential.pk for credential in credentials[PER_PAGE:]]
    assert "Show more" not in html
    assert "Add Credential" not in html
    assert "<fieldset" not in html


def test_tiles_plain_second_page_shows_all(owner_client, owner):
    credentials = make_used_in_order(owner, PER_PAGE + 6)

    html = owner_client.get(AUTHENTICATE_URL, {"page": "2"}).content.decode()

    assert tile_ids(html) == [credential.pk for credential in credentials]
    assert "Show more" not in html


def test_tiles_exactly_one_page_has_no_show_more(owner_client, owner):
    make_many(owner, PER_PAGE)

    html = owner_client.get(AUTHENTICATE_URL).content.decode()

    assert len(tile_ids(html)) == PER_PAGE
    assert "Show more" not in html


def test_tiles_show_more_keeps_search(owner_client, owner):
    make_used_in_order(owner, PER_PAGE + 6)
    make_credential(owner, name="Unrelated")

    html = owner_client.get(AUTHENTICATE_URL, {"q": "Key"}).content.decode()

    assert "Unrelated" not in tile_names(html)
    assert 'href="?page=2&amp;q=Key"' in html


@pytest.mark.parametrize("page", ["0", "-1", "abc", "99999"])
def test_tiles_odd_page_shows_first_page(owner_client, owner, page):
    credentials = make_used_in_order(owner, PER_PAGE + 6)

    response = owner_client.get(AUTHENTICATE_URL, {"page": page})

    assert response.status_code == 200
    assert tile_ids(response.content.decode()) == [credential.pk for credential in credentials[:PER_PAGE]]


def test_tiles_selected_pinned_first(owner_client, owner):
    credentials = make_used_in_order(owner, 30)
    selected = credentials[-1]

    html = owner_client.get(AUTHENTICATE_URL, {"selected": selected.pk}).content.decode()

    assert tile_ids(html)[0] == selected.pk
    assert f'value="{selected.pk}" checked' in html
    assert len(re.findall(r" checked\b", html)) == 1


def test_tiles_selected_is_not_repeated_on_next_page(owner_client, owner):
    credentials = make_used_in_order(owner, PER_PAGE + 6)
    selected = credentials[-1]

    first = tile_ids(owner_client.get(AUTHENTICATE_URL, {"selected": selected.pk}).content.decode())
    second = tile_ids(
        owner_client.get(AUTHENTICATE_URL, {"selected": selected.pk, "page": "2"}, **HTMX).content.decode()
    )

    assert sorted(first + second) == sorted(credential.pk for credential in credentials)


def test_tiles_selected_of_other_user_is_ignored(owner_client, owner, other_user):
    make_credential(owner, name="Mine")
    theirs = make_credential(other_user, name="Theirs", key=SECOND_KEY)

    html = owner_client.get(AUTHENTICATE_URL, {"selected": theirs.pk}).content.decode()

    assert tile_names(html) == ["Mine"]
    assert "Theirs" not in html


@pytest.mark.parametrize(
    ("query", "headers"),
    [
        ({}, {}),
        ({"q": "Key"}, {}),
        ({"page": "2"}, {}),
        ({"selected": "last"}, {}),
        ({}, HTMX),
        ({"q": "Key"}, HTMX),
        ({"selected": "last"}, HTMX),
    ],
    ids=["plain", "plain-search", "plain-page-2", "plain-selected", "htmx", "htmx-search", "htmx-selected"],
)
def test_add_credential_tile_comes_first(owner_client, owner, query, headers):
    credentials = make_used_in_order(owner, 30)
    if query.get("selected") == "last":
        query = {"selected": credentials[-1].pk}

    html = owner_client.get(AUTHENTICATE_URL, query, **headers).content.decode()

    assert "Add Credential" in html
    assert html.index("tile-add") < html.index("tile-credential")
