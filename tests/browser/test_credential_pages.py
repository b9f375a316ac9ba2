"""The Credentials page, a credential's own page and the Authenticate tiles, in Chromium."""

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from credentials.models import Credential
from flows.models import DataSource
from flows.views import TILES_PER_PAGE as PER_PAGE
from tests.conftest import KNOWN_KEY, make_credential

SECOND_KEY = "sk-or-v1-" + "a1b2c3d4e5f60718" * 4
THIRD_KEY = "sk-or-v1-" + "9f8e7d6c5b4a3921" * 4


def mark_page(page) -> None:
    """Set a marker on window that survives only if the page is never reloaded."""
    page.evaluate("window.pageMarker = 'kept'")


def page_was_not_reloaded(page) -> bool:
    return page.evaluate("window.pageMarker") == "kept"


def make_used_in_order(owner, count: int) -> list[Credential]:
    """Make credentials named Key 00, Key 01, …, the first one most recently used."""
    now = timezone.now()
    credentials = []
    for number in range(count):
        last_used_at = now - timedelta(minutes=number)
        credentials.append(make_credential(owner, name=f"Key {number:02d}", last_used_at=last_used_at))
    return credentials


def open_dialog(page, link_name: str):
    page.get_by_role("link", name=link_name).click()
    dialog = page.locator("dialog#modal")
    expect(dialog).to_have_attribute("open", "")
    return dialog


def test_list_search_as_you_type(page, owner):
    for name in ("Production", "Staging", "Backup"):
        make_credential(owner, name=name)
    page.goto("/credentials/")
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(3)
    mark_page(page)

    page.get_by_label("Search").press_sequentially("stag")

    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Staging")
    expect(page).to_have_url(re.compile(r"[?&]q=stag"))
    assert page_was_not_reloaded(page)
    assert page.console_errors == []


def test_list_next_and_previous(page, owner):
    make_used_in_order(owner, 30)
    page.goto("/credentials/")
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(25)

    page.get_by_role("link", name="Next").click()
    expect(page.get_by_text("Page 2 of 2")).to_be_visible()
    expect(rows).to_have_count(5)
    expect(rows.first).to_contain_text("Key 25")
    expect(page.get_by_role("link", name="Next")).to_have_count(0)

    page.get_by_role("link", name="Previous").click()
    expect(page.get_by_text("Page 1 of 2")).to_be_visible()
    expect(rows).to_have_count(25)
    expect(rows.first).to_contain_text("Key 00")
    assert page.console_errors == []


def test_inline_edit_shows_error_then_saves(page, owner):
    credential = make_credential(owner, name="Production")
    page.goto(credential.get_absolute_url())
    mark_page(page)

    page.get_by_role("link", name="Edit").click()
    name_input = page.get_by_label("Credential Name")
    expect(name_input).to_have_value("Production")
    name_input.fill("")
    page.get_by_role("button", name="Save").click()

    name_row = page.locator("#credential-details .field", has=page.get_by_label("Credential Name"))
    expect(name_row).to_contain_text("Enter a name for this credential.")
    expect(page.get_by_label("Credential Name")).to_have_value("")

    page.get_by_label("Credential Name").fill("Renamed")
    page.get_by_label("Credential Description").fill("Now with words")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("heading", name="Renamed")).to_be_visible()
    expect(page.locator("#credential-details")).to_contain_text("Now with words")
    expect(page.get_by_label("Credential Name")).to_have_count(0)
    assert page_was_not_reloaded(page)
    assert Credential.objects.get(pk=credential.pk).name == "Renamed"
    assert page.console_errors == []


def test_replace_key_dialog_updates_summary(page, owner):
    credential = make_credential(owner, name="Production")
    page.goto(credential.get_absolute_url())
    summary = page.locator("#credential-summary")
    expect(summary).to_contain_text("sk-or-v1-…" + KNOWN_KEY[-4:])
    mark_page(page)

    dialog = open_dialog(page, "Replace key")
    expect(dialog.get_by_label("New API Key Value")).to_be_focused()
    dialog.get_by_label("New API Key Value").fill(SECOND_KEY)
    dialog.get_by_role("button", name="Save").click()

    expect(dialog).not_to_have_attribute("open", "")
    expect(summary).to_contain_text("sk-or-v1-…" + SECOND_KEY[-4:])
    expect(summary).not_to_contain_text("sk-or-v1-…" + KNOWN_KEY[-4:])
    assert page_was_not_reloaded(page)
    assert Credential.objects.get(pk=credential.pk).api_key == SECOND_KEY
    assert page.console_errors == []


def test_retest_on_detail_page_shows_status(page, owner, fake_openrouter):
    credential = make_credential(owner, name="Production")
    page.goto(credential.get_absolute_url())
    status = page.locator(f"#credential-{credential.pk}-status")
    expect(status).to_contain_text("Not verified")
    mark_page(page)

    status.get_by_role("button", name="Re-test").click()

    expect(status).to_contain_text("Verified")
    expect(status).not_to_contain_text("Not verified")
    expect(status.get_by_role("button", name="Re-test")).to_be_visible()
    assert page_was_not_reloaded(page)
    assert len(fake_openrouter.received) == 1
    assert page.console_errors == []


def test_delete_used_credential_after_move(page, owner):
    credential = make_credential(owner, name="Production")
    backup = make_credential(owner, name="Backup", key=SECOND_KEY)
    source = DataSource.objects.create(
        owner=owner, name="Catalogue", connector="openrouter", credential=credential, config={"resource": "models"}
    )
    page.goto(credential.get_absolute_url())

    dialog = open_dialog(page, "Delete")
    expect(dialog).to_contain_text("cannot be deleted while these use it")
    expect(dialog.get_by_role("link", name="Catalogue")).to_be_visible()
    dialog.get_by_label("Move everything to").select_option(label=f"Backup (Not verified, {backup.key_hint})")
    dialog.get_by_role("button", name="Move all").click()

    expect(dialog).to_contain_text("Moved 1 data source to “Backup”")
    expect(page.locator("#credential-users")).to_contain_text("Nothing uses this credential yet.")
    dialog.get_by_role("button", name="Delete").click()

    expect(page).to_have_url(re.compile(r"/credentials/$"))
    expect(page.get_by_role("heading", name="Credentials")).to_be_visible()
    expect(page.get_by_text("Deleted “Production”.")).to_be_visible()
    expect(page.locator("#results tbody tr")).to_have_count(1)
    source.refresh_from_db()
    assert source.credential_id == backup.pk
    assert not Credential.objects.filter(pk=credential.pk).exists()
    assert page.console_errors == []


def test_delete_unused_credential_cancel_keeps_it(page, owner):
    credential = make_credential(owner, name="Production")
    page.goto(credential.get_absolute_url())

    dialog = open_dialog(page, "Delete")
    expect(dialog).to_contain_text("Delete “Production”")
    dialog.get_by_role("link", name="Cancel").click()

    expect(dialog).not_to_have_attribute("open", "")
    expect(page.get_by_role("heading", name="Production")).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/credentials/{credential.pk}/$"))
    assert Credential.objects.filter(pk=credential.pk).exists()
    assert page.console_errors == []


def test_authenticate_search_filters_tiles(page, owner):
    make_credential(owner, name="Production")
    make_credential(owner, name="Staging", key=SECOND_KEY)
    make_credential(owner, name="Backup", key=THIRD_KEY)
    page.goto("/sources/new/openrouter/")
    tiles = page.locator(".tile-credential")
    expect(tiles).to_have_count(3)
    mark_page(page)

    page.get_by_role("searchbox", name="Search credentials").press_sequentially("stag")

    expect(tiles).to_have_count(1)
    expect(tiles.first).to_contain_text("Staging")
    expect(page.get_by_role("link", name="Add Credential")).to_be_visible()
    assert page_was_not_reloaded(page)
    assert page.console_errors == []


def test_authenticate_show_more_appends_tiles(page, owner):
    make_used_in_order(owner, PER_PAGE + 6)
    page.goto("/sources/new/openrouter/")
    tiles = page.locator(".tile-credential")
    expect(tiles).to_have_count(PER_PAGE)
    mark_page(page)

    page.get_by_role("link", name="Show more").click()

    expect(tiles).to_have_count(PER_PAGE + 6)
    expect(tiles.nth(0)).to_contain_text("Key 00")
    expect(tiles.nth(PER_PAGE)).to_contain_text(f"Key {PER_PAGE:02d}")
    expect(tiles.nth(PER_PAGE + 5)).to_contain_text(f"Key {PER_PAGE + 5:02d}")
    expect(page.get_by_role("link", name="Show more")).to_have_count(0)
    assert page_was_not_reloaded(page)
    assert page.console_errors == []
