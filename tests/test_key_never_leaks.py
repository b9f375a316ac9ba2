"""KNOWN_KEY pushed through every page, form, admin view, dump and error report never comes back out.

Each test records every response body, header and cookie, and every log record, then looks in them
for the key, for any 12-character piece of it, and for every ciphertext the database has held.
"""

import sys
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection
from django.test import Client, RequestFactory
from django.views.debug import ExceptionReporter, technical_500_response
from django_htmx.middleware import HtmxDetails

from credentials.models import Credential
from credentials.views import credential_create
from tests.conftest import KNOWN_KEY, make_credential
from tests.test_admin import hidden_inputs

FRAGMENT_LENGTH = 12
CLEANSED = "********************"
CREATE_URL = "/credentials/new/openrouter/"
HTMX = {"HTTP_HX_REQUEST": "true"}
OTHER_KEY = "sk-or-v1-" + "0123456789abcdef" * 4


def key_fragments(key: str = KNOWN_KEY, length: int = FRAGMENT_LENGTH) -> set[str]:
    return {key[start : start + length] for start in range(len(key) - length + 1)}


def stored_ciphertexts() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT api_key FROM credentials_credential")
        return {row[0] for row in cursor.fetchall()}


class Outputs:
    """Everything the app sent back or logged during a test, labelled by where it came from."""

    def __init__(self):
        self.texts: list[tuple[str, str]] = []
        self.ciphertexts: set[str] = set()

    def note_ciphertexts(self) -> None:
        self.ciphertexts |= stored_ciphertexts()

    def add_text(self, label: str, text: str) -> None:
        self.texts.append((label, text))
        self.note_ciphertexts()

    def add_response(self, label: str, response):
        if response.streaming:
            body = b"".join(response.streaming_content)
        else:
            body = response.content
        self.add_text(f"{label} body", body.decode("utf-8", errors="replace"))
        for name, value in response.items():
            self.add_text(f"{label} header {name}", f"{name}: {value}")
        self.add_text(f"{label} cookies", response.cookies.output())
        return response

    def add_logs(self, caplog) -> None:
        for record in caplog.records:
            label = f"log {record.name}"
            self.add_text(f"{label} message", record.getMessage())
            for argument in record.args or ():
                self.add_text(f"{label} argument", str(argument))
            if record.exc_text:
                self.add_text(f"{label} traceback", record.exc_text)
        self.add_text("formatted log", caplog.text)

    def assert_nothing_leaked(self) -> None:
        assert self.texts, "nothing was recorded"
        assert self.ciphertexts, "no ciphertext was stored"
        fragments = key_fragments()
        for label, text in self.texts:
            assert KNOWN_KEY not in text, f"{label} contains the API key"
            for ciphertext in self.ciphertexts:
                assert ciphertext not in text, f"{label} contains a stored ciphertext"
            for fragment in fragments:
                assert fragment not in text, f"{label} contains the key fragment {fragment!r}"


@pytest.fixture
def outputs() -> Outputs:
    return Outputs()


def test_key_fragments_slide_over_whole_key():
    fragments = key_fragments("abcdefghijklmn", 12)

    assert fragments == {"abcdefghijkl", "bcdefghijklm", "cdefghijklmn"}


def test_outputs_catch_fragment(owner, outputs):
    make_credential(owner)
    outputs.add_text("page", "the key ends in " + KNOWN_KEY[-FRAGMENT_LENGTH:])

    with pytest.raises(AssertionError, match="key fragment"):
        outputs.assert_nothing_leaked()


def test_create_flow_leaks_nothing(owner_client, owner, outputs, all_logs):
    make_credential(owner, name="Production", key=OTHER_KEY)
    data = {"name": "Staging", "description": "", "api_key": KNOWN_KEY, "next": "/sources/new/openrouter/"}

    outputs.add_response("create page", owner_client.get(CREATE_URL, {"next": "/sources/new/openrouter/"}))
    outputs.add_response("create dialog", owner_client.get(CREATE_URL, **HTMX))
    outputs.add_response("htmx create", owner_client.post(CREATE_URL, data, **HTMX))
    # The second credential with the same key needs "Save anyway".
    plain_data = {**data, "name": "Staging 2", "save_anyway": "1"}
    redirect = outputs.add_response("plain create", owner_client.post(CREATE_URL, plain_data))
    outputs.add_response("page after create", owner_client.get(redirect["Location"]))
    outputs.add_response("htmx duplicate", owner_client.post(CREATE_URL, {**data, "name": "production"}, **HTMX))
    outputs.add_response("plain duplicate", owner_client.post(CREATE_URL, {**data, "name": "production"}))
    outputs.add_response("plain missing name", owner_client.post(CREATE_URL, {**data, "name": ""}))
    outputs.add_response("htmx long description", owner_client.post(CREATE_URL, {**data, "description": "d" * 2001}, **HTMX))
    invalid_keys = {
        "inner space": KNOWN_KEY[:30] + " " + KNOWN_KEY[30:],
        "line break": KNOWN_KEY[:30] + "\r\n" + KNOWN_KEY[30:],
        "control character": KNOWN_KEY[:30] + "\x07" + KNOWN_KEY[30:],
        "non-ASCII": KNOWN_KEY[:30] + "é" + KNOWN_KEY[30:],
        "too long": KNOWN_KEY * 9,
        "token prefix": "fernet-token:" + KNOWN_KEY,
    }
    for label, key in invalid_keys.items():
        for mode, headers in (("htmx", HTMX), ("plain", {})):
            response = owner_client.post(CREATE_URL, {**data, "name": f"Invalid {label}", "api_key": key}, **headers)
            assert response.status_code == 200
            outputs.add_response(f"{mode} {label}", response)
    outputs.add_logs(all_logs)

    assert Credential.objects.filter(name__startswith="Staging").count() == 2
    outputs.assert_nothing_leaked()


@pytest.fixture
def credential_in_use(owner_client, owner):
    credential = make_credential(owner)
    owner_client.post(
        "/sources/new/openrouter/configure/", {"credential": credential.pk, "name": "Catalogue", "resource": "models"}
    )
    owner_client.post(
        "/destinations/new/openrouter/configure/",
        {
            "credential": credential.pk,
            "name": "Summaries",
            "model": "openai/gpt-4o-mini",
            "prompt_template": "{title}",
            "max_tokens": "64",
        },
    )
    return credential


def test_flow_pages_leak_nothing(owner_client, credential_in_use, outputs, all_logs):
    pk = credential_in_use.pk
    source = credential_in_use.datasources.get()
    destination = credential_in_use.datadestinations.get()
    pages = {
        "home": "/",
        "source authenticate": "/sources/new/openrouter/",
        "source authenticate selected": f"/sources/new/openrouter/?selected={pk}",
        "destination authenticate": "/destinations/new/openrouter/",
        "source configure": f"/sources/new/openrouter/configure/?credential={pk}",
        "destination configure": f"/destinations/new/openrouter/configure/?credential={pk}",
        "source detail": f"/sources/{source.pk}/",
        "destination detail": f"/destinations/{destination.pk}/",
        "credential detail": f"/credentials/{pk}/",
    }
    for label, url in pages.items():
        response = owner_client.get(url)
        assert response.status_code == 200, label
        outputs.add_response(label, response)
    outputs.add_response("htmx tiles", owner_client.get(f"/sources/new/openrouter/?selected={pk}", **HTMX))
    saved = owner_client.post(
        "/sources/new/openrouter/configure/", {"credential": pk, "name": "Usage", "resource": "key_usage"}, follow=True
    )
    outputs.add_response("source saved", saved)
    outputs.add_logs(all_logs)

    outputs.assert_nothing_leaked()


def test_admin_pages_leak_nothing(admin_client, owner, credential_in_use, outputs, all_logs):
    pk = credential_in_use.pk
    spare = make_credential(owner, name="Spare", key=OTHER_KEY)
    change_url = f"/admin/credentials/credential/{pk}/change/"
    spare_url = f"/admin/credentials/credential/{spare.pk}/change/"
    add_url = "/admin/credentials/credential/add/"
    change_data = {**hidden_inputs(admin_client, change_url), "owner": owner.pk, "connector": "openrouter"}
    change_data.update({"name": "Production", "description": "Edited"})
    spare_data = {**hidden_inputs(admin_client, spare_url), "owner": owner.pk, "connector": "openrouter"}
    spare_data.update({"name": "Spare", "description": ""})
    add_data = {**hidden_inputs(admin_client, add_url), "owner": owner.pk, "connector": "openrouter", "description": ""}
    pages = {
        "admin changelist": "/admin/credentials/credential/",
        "admin search": "/admin/credentials/credential/?q=Production",
        "admin change": f"/admin/credentials/credential/{pk}/change/",
        "admin add": "/admin/credentials/credential/add/",
        "admin delete": f"/admin/credentials/credential/{pk}/delete/",
        "admin audit trail": "/admin/credentials/credentialevent/",
        "admin datasources": "/admin/flows/datasource/",
        "admin datadestinations": "/admin/flows/datadestination/",
        "admin datasource change": f"/admin/flows/datasource/{credential_in_use.datasources.get().pk}/change/",
    }

    for label, url in pages.items():
        response = admin_client.get(url)
        assert response.status_code == 200, label
        outputs.add_response(label, response)
    posts = [
        ("admin keep key", change_url, {**change_data, "replace_api_key": ""}, 302),
        ("admin invalid change", spare_url, {**spare_data, "name": "", "replace_api_key": KNOWN_KEY}, 200),
        ("admin replace key", spare_url, {**spare_data, "replace_api_key": KNOWN_KEY}, 302),
        ("admin invalid add", add_url, {**add_data, "name": "", "replace_api_key": KNOWN_KEY}, 200),
        ("admin add", add_url, {**add_data, "name": "Added", "replace_api_key": KNOWN_KEY}, 302),
    ]
    for label, url, data, expected_status in posts:
        response = admin_client.post(url, data)
        assert response.status_code == expected_status, label
        outputs.add_response(label, response)
    for label, credential_pk in (("admin history", pk), ("admin spare history", spare.pk)):
        response = admin_client.get(f"/admin/credentials/credential/{credential_pk}/history/")
        assert response.status_code == 200
        outputs.add_response(label, response)
    outputs.add_response("admin log", admin_client.get("/admin/"))
    outputs.add_logs(all_logs)

    assert Credential.objects.get(pk=spare.pk).api_key == KNOWN_KEY
    assert Credential.objects.filter(name="Added").exists()
    outputs.assert_nothing_leaked()


def test_dumpdata_leaks_nothing(credential_in_use, outputs, all_logs):
    for app in ("credentials", "flows", "admin"):
        dump = StringIO()
        call_command("dumpdata", app, stdout=dump)
        outputs.add_text(f"dumpdata {app}", dump.getvalue())
    outputs.add_logs(all_logs)

    # A dump is meant to contain ciphertext, so only the key and its fragments are looked for.
    fragments = key_fragments()
    for label, text in outputs.texts:
        assert KNOWN_KEY not in text, label
        for fragment in fragments:
            assert fragment not in text, f"{label} contains {fragment!r}"


@pytest.fixture
def failing_save():
    with mock.patch(
        "credentials.forms.CredentialForm.save_unless_duplicate",
        side_effect=DatabaseError("database is locked"),
    ):
        yield


def error_report_text(caplog, path: str) -> str:
    """Build the plain-text report that AdminEmailHandler mails for the logged server error on ``path``."""
    records = [
        record
        for record in caplog.records
        if record.name == "django.request" and record.exc_info and record.request.path == path
    ]
    assert len(records) == 1
    record = records[0]
    return ExceptionReporter(record.request, *record.exc_info, is_email=True).get_traceback_text()


def test_debug_500_page_stars_key(owner, settings, failing_save, outputs, all_logs):
    settings.DEBUG = True
    client = Client(raise_request_exception=False)
    client.force_login(owner)
    make_credential(owner, name="Existing", key=OTHER_KEY)

    response = client.post(CREATE_URL, {"name": "Staging", "api_key": KNOWN_KEY})
    html = response.content.decode()

    assert response.status_code == 500
    assert "DatabaseError" in html
    assert "Staging" in html
    assert CLEANSED in html
    outputs.add_response("debug 500 page", response)
    outputs.add_logs(all_logs)
    outputs.assert_nothing_leaked()


def test_debug_500_page_hides_encryption_settings(owner, settings, failing_save):
    settings.DEBUG = True
    client = Client(raise_request_exception=False)
    client.force_login(owner)

    html = client.post(CREATE_URL, {"name": "Staging", "api_key": KNOWN_KEY}).content.decode()

    assert settings.FIELD_ENCRYPTION_KEY[0] not in html
    assert settings.CREDENTIAL_FINGERPRINT_KEY not in html
    assert settings.SECRET_KEY not in html


def create_request_that_fails(owner):
    """POST KNOWN_KEY to the create view while saving fails, and return the request and sys.exc_info()."""
    request = RequestFactory().post(CREATE_URL, {"name": "Staging", "api_key": KNOWN_KEY})
    request.user = owner
    request.htmx = HtmxDetails(request)
    try:
        credential_create(request, connector_slug="openrouter")
    except DatabaseError:
        return request, sys.exc_info()
    raise AssertionError("the create view did not raise")


@pytest.mark.parametrize("debug", [True, False], ids=["debug", "production"])
def test_technical_500_response_stars_key(owner, settings, failing_save, debug):
    settings.DEBUG = debug
    request, exc_info = create_request_that_fails(owner)

    html = technical_500_response(request, *exc_info).content.decode()

    assert "api_key" in request.sensitive_post_parameters
    assert "Staging" in html
    assert CLEANSED in html
    assert KNOWN_KEY not in html
    for fragment in key_fragments():
        assert fragment not in html, fragment


def test_error_report_stars_key(owner, failing_save, all_logs):
    client = Client(raise_request_exception=False)
    client.force_login(owner)

    response = client.post(CREATE_URL, {"name": "Staging", "api_key": KNOWN_KEY})
    report = error_report_text(all_logs, CREATE_URL)

    assert response.status_code == 500
    assert "Staging" in report
    assert CLEANSED in report
    assert KNOWN_KEY not in report
    for fragment in key_fragments():
        assert fragment not in report, fragment


def test_admin_error_report_stars_replacement_key(admin_client, owner, all_logs):
    admin_client.raise_request_exception = False
    credential = make_credential(owner, name="Production", key=OTHER_KEY)
    url = f"/admin/credentials/credential/{credential.pk}/change/"
    data = {**hidden_inputs(admin_client, url), "owner": owner.pk, "connector": "openrouter"}
    data.update({"name": "Production", "description": "", "replace_api_key": KNOWN_KEY})

    with mock.patch.object(Credential, "save", side_effect=DatabaseError("database is locked")):
        response = admin_client.post(url, data)
    report = error_report_text(all_logs, url)

    assert response.status_code == 500
    assert "replace_api_key" in report
    assert CLEANSED in report
    assert KNOWN_KEY not in report
    for fragment in key_fragments():
        assert fragment not in report, fragment
