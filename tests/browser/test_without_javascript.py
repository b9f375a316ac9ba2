"""The same flow with JavaScript off: every step is a plain page and a plain form."""

import re

from playwright.sync_api import expect

from credentials.models import Credential
from flows.models import DataSource
from tests.conftest import KNOWN_KEY, make_credential


def test_whole_flow_works_without_javascript(page_without_javascript):
    page = page_without_javascript
    page.goto("/")
    page.get_by_role("link", name="New data source").click()
    page.get_by_role("link", name=re.compile("OpenRouter")).click()
    page.get_by_role("link", name="Add Credential").click()

    expect(page).to_have_url(re.compile(r"/credentials/new/openrouter/\?next="))
    expect(page.get_by_role("heading", name="Add New Credential")).to_be_visible()
    page.get_by_label("Credential Name").fill("No script key")
    page.get_by_label("API Key Value").fill("key with spaces")
    page.get_by_role("button", name="Save").click()

    expect(page.locator(".field", has=page.get_by_label("API Key Value"))).to_contain_text("space or line break")
    expect(page.get_by_label("Credential Name")).to_have_value("No script key")
    page.get_by_label("API Key Value").fill(KNOWN_KEY)
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("heading", name="Authenticate")).to_be_visible()
    tile = page.locator(".tile-credential", has_text="No script key")
    expect(tile.get_by_role("radio")).to_be_checked()
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Name").fill("Plain source")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("heading", name="Plain source")).to_be_visible()
    assert DataSource.objects.get().credential == Credential.objects.get()


def test_next_without_selection_explains_what_to_do(page_without_javascript):
    page = page_without_javascript
    page.goto("/sources/new/openrouter/")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name="Authenticate")).to_be_visible()
    expect(page.locator(".messages")).to_contain_text("Select a credential")


def test_key_is_asked_again_after_other_errors(page_without_javascript):
    page = page_without_javascript
    page.goto("/credentials/new/openrouter/?next=/sources/new/openrouter/")
    page.get_by_label("API Key Value").fill(KNOWN_KEY)
    page.get_by_role("button", name="Save").click()

    expect(page.locator(".field", has=page.get_by_label("Credential Name"))).to_contain_text("Enter a name")
    expect(page.get_by_text("Enter it again")).to_be_visible()
    expect(page.get_by_label("API Key Value")).to_have_value("")
    assert KNOWN_KEY not in page.content()


def test_save_after_test_creates_source(page_without_javascript, owner):
    page = page_without_javascript
    credential = make_credential(owner, name="Reader")
    page.goto(f"/sources/new/openrouter/configure/?credential={credential.pk}")
    page.get_by_label("Name").fill("Tested first")
    page.get_by_role("button", name="Test").click()
    expect(page.locator("#test-result")).to_contain_text("Read the first 10 records")

    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("heading", name="Tested first")).to_be_visible()
    assert DataSource.objects.get().name == "Tested first"
