"""The Django admin under the Content Security Policy, in Chromium."""

from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from tests.browser.conftest import new_page
from tests.conftest import KNOWN_KEY, make_credential


def test_admin_pages_run_without_policy_errors(chromium, live_server, owner):
    credential = make_credential(owner, name="Admin view")
    admin = get_user_model().objects.create_superuser("admin", password="admin-password-1")
    page = new_page(chromium, live_server, admin)

    for path in (
        "/admin/",
        "/admin/credentials/credential/",
        f"/admin/credentials/credential/{credential.pk}/change/",
        "/admin/credentials/credential/add/",
        "/admin/credentials/credentialevent/",
    ):
        page.goto(path)
        expect(page.locator("#content")).to_be_visible()
        assert KNOWN_KEY[9:21] not in page.content()

    page.goto(f"/admin/credentials/credential/{credential.pk}/change/")
    expect(page.get_by_label("Replace API key")).to_have_attribute("type", "password")
    assert page.console_errors == []
    page.context.close()
