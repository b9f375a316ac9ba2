"""The main flow in Chromium: Authenticate screen, Add New Credential overlay, Configure, detail."""

import re

from django.contrib.sessions.models import Session
from playwright.sync_api import expect

from credentials.models import Credential
from flows.models import DataDestination, DataSource
from tests.conftest import KNOWN_KEY, make_credential

SECOND_KEY = "sk-or-v1-" + "a1b2c3d4e5f60718" * 4


def open_authenticate(page, role_label="New data source"):
    page.goto("/")
    page.get_by_role("link", name=role_label).click()
    page.get_by_role("link", name=re.compile("OpenRouter")).click()
    expect(page.get_by_role("heading", name="Authenticate")).to_be_visible()


def open_overlay(page):
    page.get_by_role("link", name="Add Credential").click()
    dialog = page.locator("dialog#modal")
    expect(dialog).to_have_attribute("open", "")
    expect(dialog.get_by_role("heading", name="Add New Credential")).to_be_visible()
    return dialog


def test_data_source_end_to_end(page, owner):
    open_authenticate(page)
    # A marker on window survives only if the page is never reloaded.
    page.evaluate("window.pageMarker = 'kept'")
    expect(page.get_by_role("button", name="Next")).to_be_disabled()

    dialog = open_overlay(page)
    expect(dialog.get_by_label("Credential Name")).to_be_focused()
    dialog.get_by_label("Credential Name").fill("Team key")
    dialog.get_by_label("Credential Description").fill("Shared by the data team")
    dialog.get_by_label("API Key Value").fill(KNOWN_KEY)
    dialog.get_by_role("button", name="Save").click()

    expect(dialog).not_to_have_attribute("open", "")
    tile = page.locator(".tile-credential", has_text="Team key")
    expect(tile).to_be_visible()
    expect(tile).to_contain_text("Shared by the data team")
    expect(tile).to_contain_text("sk-or-v1-…" + KNOWN_KEY[-4:])
    expect(tile.get_by_role("radio")).to_be_checked()
    expect(tile.get_by_role("radio")).to_be_focused()
    assert page.evaluate("window.pageMarker") == "kept"

    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name="Configure data source")).to_be_visible()
    page.get_by_label("Name").fill("Model catalogue")
    page.get_by_label("Models catalogue (GET /models)").check()
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("heading", name="Model catalogue")).to_be_visible()
    expect(page.locator(".details")).to_contain_text("Team key")
    expect(page.locator(".details")).to_contain_text("sk-or-v1-…" + KNOWN_KEY[-4:])
    source = DataSource.objects.get()
    assert source.credential.name == "Team key"
    assert source.owner == owner
    assert source.config == {"resource": "models"}
    assert page.console_errors == []


def test_data_destination_with_existing_credential(page, owner):
    make_credential(owner, name="Existing key")
    open_authenticate(page, "New data destination")

    page.locator(".tile-credential", has_text="Existing key").click()
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name="Configure data destination")).to_be_visible()
    page.get_by_role("textbox", name="Name", exact=True).fill("Summaries")
    page.get_by_label("Model").fill("anthropic/claude-3.5-haiku")
    page.get_by_label("Prompt template").fill("Summarise {title}")
    page.get_by_label("Max tokens").fill("120")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("heading", name="Summaries")).to_be_visible()
    destination = DataDestination.objects.get()
    assert destination.credential.name == "Existing key"
    assert destination.config["model"] == "anthropic/claude-3.5-haiku"
    assert destination.config["max_tokens"] == 120


def test_errors_stay_in_overlay_with_typed_values(page, owner):
    make_credential(owner, name="Taken")
    open_authenticate(page)
    dialog = open_overlay(page)

    dialog.get_by_label("Credential Name").fill("taken")
    dialog.get_by_label("Credential Description").fill("My description")
    dialog.get_by_label("API Key Value").fill("sk-or-v1-with a space")
    dialog.get_by_role("button", name="Save").click()

    expect(dialog.locator(".field", has=page.get_by_label("Credential Name"))).to_contain_text("already have")
    expect(dialog.locator(".field", has=page.get_by_label("API Key Value"))).to_contain_text("space or line break")
    expect(dialog).to_have_attribute("open", "")
    expect(dialog.get_by_label("Credential Name")).to_have_value("taken")
    expect(dialog.get_by_label("Credential Description")).to_have_value("My description")
    expect(dialog.get_by_label("API Key Value")).to_have_value("sk-or-v1-with a space")

    dialog.get_by_label("Credential Name").fill("Fresh name")
    dialog.get_by_label("API Key Value").fill(SECOND_KEY)
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).not_to_have_attribute("open", "")
    expect(page.locator(".tile-credential", has_text="Fresh name").get_by_role("radio")).to_be_checked()
    assert Credential.objects.count() == 2


def test_escape_closes_overlay_without_saving(page):
    open_authenticate(page)
    dialog = open_overlay(page)
    dialog.get_by_label("Credential Name").fill("Abandoned")
    dialog.get_by_label("API Key Value").fill(KNOWN_KEY)

    page.keyboard.press("Escape")

    expect(dialog).not_to_have_attribute("open", "")
    expect(page.get_by_role("link", name="Add Credential")).to_be_focused()
    assert Credential.objects.count() == 0
    dialog = open_overlay(page)
    expect(dialog.get_by_label("Credential Name")).to_have_value("")
    expect(dialog.get_by_label("API Key Value")).to_have_value("")


def test_cancel_closes_overlay_without_saving(page):
    open_authenticate(page)
    dialog = open_overlay(page)
    dialog.get_by_label("Credential Name").fill("Abandoned")

    dialog.get_by_role("link", name="Cancel").click()

    expect(dialog).not_to_have_attribute("open", "")
    expect(page.locator("#modal-body form")).to_have_count(0)
    expect(page.get_by_role("link", name="Add Credential")).to_be_focused()
    expect(page).to_have_url(re.compile(r"/sources/new/openrouter/$"))
    assert Credential.objects.count() == 0


def test_double_click_save_creates_one_credential(page):
    open_authenticate(page)
    dialog = open_overlay(page)
    dialog.get_by_label("Credential Name").fill("Clicked twice")
    dialog.get_by_label("API Key Value").fill(KNOWN_KEY)

    dialog.get_by_role("button", name="Save").dblclick()

    expect(page.locator(".tile-credential", has_text="Clicked twice")).to_have_count(1)
    expect(dialog).not_to_have_attribute("open", "")
    assert Credential.objects.filter(name="Clicked twice").count() == 1


def test_show_hide_reveals_typed_key(page):
    open_authenticate(page)
    dialog = open_overlay(page)
    key_input = dialog.get_by_label("API Key Value")
    key_input.fill(KNOWN_KEY)
    expect(key_input).to_have_attribute("type", "password")
    expect(key_input).to_have_attribute("autocomplete", "new-password")

    dialog.get_by_role("button", name="Show").click()
    expect(key_input).to_have_attribute("type", "text")
    dialog.get_by_role("button", name="Hide").click()
    expect(key_input).to_have_attribute("type", "password")


def test_keyboard_moves_tile_selection(page, owner):
    make_credential(owner, name="First key")
    make_credential(owner, name="Second key", key=SECOND_KEY)
    open_authenticate(page)
    next_button = page.get_by_role("button", name="Next")
    expect(next_button).to_be_disabled()

    page.get_by_role("link", name="Add Credential").focus()
    page.keyboard.press("Tab")
    first_radio = page.get_by_role("radio").first
    expect(first_radio).to_be_focused()
    page.keyboard.press("Space")
    expect(first_radio).to_be_checked()
    expect(next_button).to_be_enabled()

    page.keyboard.press("ArrowRight")
    second_radio = page.get_by_role("radio").nth(1)
    expect(second_radio).to_be_checked()
    outline = page.locator(".tile-credential").nth(1).evaluate("tile => getComputedStyle(tile).outlineStyle")
    assert outline == "solid"


def test_expired_session_loads_sign_in_as_whole_page(page):
    open_authenticate(page)
    dialog = open_overlay(page)
    dialog.get_by_label("Credential Name").fill("Late")
    dialog.get_by_label("API Key Value").fill(KNOWN_KEY)
    Session.objects.all().delete()

    dialog.get_by_role("button", name="Save").click()

    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=%2Fsources%2Fnew%2Fopenrouter%2F"))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.locator("dialog#modal")).not_to_have_attribute("open", "")
    assert Credential.objects.count() == 0


def test_sign_in_form_leads_home(anonymous_page, owner):
    anonymous_page.goto("/")
    expect(anonymous_page).to_have_url(re.compile(r"/accounts/login/"))
    anonymous_page.get_by_label("Username").fill("owner")
    anonymous_page.get_by_label("Password").fill("owner-password-1")
    anonymous_page.get_by_role("button", name="Sign in").click()
    expect(anonymous_page.get_by_role("link", name="New data source")).to_be_visible()
    expect(anonymous_page.get_by_role("link", name="New data destination")).to_be_visible()


def test_enter_in_overlay_saves(page):
    open_authenticate(page)
    dialog = open_overlay(page)
    dialog.get_by_label("Credential Name").fill("Typed fast")
    dialog.get_by_label("API Key Value").fill(KNOWN_KEY)

    dialog.get_by_label("API Key Value").press("Enter")

    expect(dialog).not_to_have_attribute("open", "")
    expect(page.locator(".tile-credential", has_text="Typed fast").get_by_role("radio")).to_be_checked()


def test_form_opened_alone_returns_to_next(page):
    page.goto("/credentials/new/openrouter/?next=/destinations/new/openrouter/")
    page.get_by_label("Credential Name").fill("Standalone")
    page.get_by_label("API Key Value").fill(KNOWN_KEY)

    page.get_by_role("button", name="Save", exact=True).click()

    expect(page).to_have_url(re.compile(r"/destinations/new/openrouter/\?selected=\d+$"))
    expect(page.locator(".tile-credential", has_text="Standalone").get_by_role("radio")).to_be_checked()


def test_clicking_tile_status_selects_it(page, owner):
    make_credential(owner, name="Whole tile")
    open_authenticate(page)
    tile = page.locator(".tile-credential", has_text="Whole tile")
    status = tile.locator(".tile-status")
    box = status.bounding_box()

    page.mouse.click(box["x"] + 5, box["y"] + box["height"] / 2)

    expect(tile.get_by_role("radio")).to_be_checked()
    expect(page.get_by_role("button", name="Next")).to_be_enabled()
