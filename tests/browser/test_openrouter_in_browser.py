"""Key checks, source samples and destination test records in Chromium, against the fake OpenRouter."""

import socket

from playwright.sync_api import expect

from credentials.models import Credential
from tests.browser.test_authenticate_flow import open_authenticate, open_overlay
from tests.conftest import KNOWN_KEY, REJECTED_KEY, make_credential


def fill_overlay(dialog, name, key):
    dialog.get_by_label("Credential Name").fill(name)
    dialog.get_by_label("API Key Value").fill(key)


def test_valid_key_shows_verified_tile(page, fake_openrouter):
    open_authenticate(page)
    dialog = open_overlay(page)
    fill_overlay(dialog, "Checked key", KNOWN_KEY)
    dialog.get_by_role("button", name="Save").click()

    tile = page.locator(".tile-credential", has_text="Checked key")
    expect(tile).to_contain_text("Verified")
    expect(tile).to_contain_text("used $0.25")
    expect(tile).to_contain_text("no limit")
    # OpenRouter's label for the key, with the secret characters it contains masked.
    expect(tile).to_contain_text("OpenRouter label sk-or-v1-…" + KNOWN_KEY[-3:] + " · used")
    assert fake_openrouter.received[-1].headers["Authorization"] == f"Bearer {KNOWN_KEY}"


def test_rejected_key_can_be_saved_anyway(page):
    open_authenticate(page)
    dialog = open_overlay(page)
    fill_overlay(dialog, "Old key", REJECTED_KEY)
    dialog.get_by_role("button", name="Save", exact=True).click()

    key_field = dialog.locator(".field", has=page.get_by_label("API Key Value"))
    expect(key_field).to_contain_text("OpenRouter rejected the key: User not found.")
    expect(dialog).to_have_attribute("open", "")
    assert Credential.objects.count() == 0

    dialog.get_by_role("button", name="Save anyway").click()
    tile = page.locator(".tile-credential", has_text="Old key")
    expect(tile).to_contain_text("Invalid")
    expect(tile.get_by_role("radio")).to_be_checked()
    assert Credential.objects.get().status == Credential.Status.INVALID


def test_test_button_checks_key_without_saving(page):
    open_authenticate(page)
    dialog = open_overlay(page)
    fill_overlay(dialog, "Trial", KNOWN_KEY)

    dialog.get_by_role("button", name="Test").click()

    expect(dialog.locator("#key-test-result")).to_contain_text("Verified:")
    expect(dialog.get_by_label("API Key Value")).to_have_value(KNOWN_KEY)
    expect(dialog.get_by_label("Credential Name")).to_have_value("Trial")
    assert Credential.objects.count() == 0


def test_unreachable_openrouter_saves_not_verified(page, settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    settings.OPENROUTER_BASE_URL = f"http://127.0.0.1:{closed_port}/api/v1"
    open_authenticate(page)
    dialog = open_overlay(page)
    fill_overlay(dialog, "Offline", KNOWN_KEY)
    dialog.get_by_role("button", name="Save").click()

    tile = page.locator(".tile-credential", has_text="Offline")
    expect(tile).to_contain_text("Not verified")
    expect(tile).to_contain_text("Could not connect to OpenRouter")
    assert Credential.objects.get().status == Credential.Status.NOT_VERIFIED


def test_retest_updates_tile_status(page, owner):
    make_credential(owner, name="Unchecked")
    open_authenticate(page)
    tile = page.locator(".tile-credential", has_text="Unchecked")
    expect(tile).to_contain_text("Not verified")

    tile.get_by_role("button", name="Re-test").click()

    expect(tile).to_contain_text("Verified")
    expect(tile).to_contain_text("checked now")
    assert Credential.objects.get().status == Credential.Status.VERIFIED


def test_source_test_shows_sample_rows(page, owner):
    credential = make_credential(owner, name="Reader")
    page.goto(f"/sources/new/openrouter/configure/?credential={credential.pk}")
    page.get_by_label("Name").fill("Catalogue")

    page.get_by_role("button", name="Test").click()

    result = page.locator("#test-result")
    expect(result).to_contain_text("Read the first 10 records from GET /models.")
    expect(result.locator("tbody tr")).to_have_count(10)
    expect(result.locator("thead")).to_contain_text("context_length")
    expect(page.get_by_label("Name")).to_have_value("Catalogue")


def test_source_test_reports_rejected_key(page, owner):
    credential = make_credential(owner, name="Revoked", key=REJECTED_KEY)
    page.goto(f"/sources/new/openrouter/configure/?credential={credential.pk}")
    page.get_by_label("Name").fill("Catalogue")

    page.get_by_role("button", name="Test").click()

    result = page.locator("#test-result")
    expect(result).to_contain_text("OpenRouter rejected the key")
    expect(result.locator("tbody tr")).to_have_count(0)


def test_destination_sends_test_record(page, owner, fake_openrouter):
    credential = make_credential(owner, name="Writer")
    page.goto(f"/destinations/new/openrouter/configure/?credential={credential.pk}")
    page.get_by_role("textbox", name="Name", exact=True).fill("Summaries")
    page.get_by_label("Prompt template").fill("Summarise: {title}")

    page.get_by_role("button", name="Send test record").click()

    result = page.locator("#test-result")
    expect(result).to_contain_text("Echo: Summarise: Quarterly report")
    expect(result).to_contain_text("cost $")
    request = fake_openrouter.received[-1]
    assert request.path == "/api/v1/chat/completions"
    assert request.body["messages"] == [{"role": "user", "content": "Summarise: Quarterly report"}]
    assert request.body["max_tokens"] == 256
