"""Playwright fixtures that drive Debian's Chromium against Django's live server."""

import os

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect, sync_playwright

from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS


expect.set_options(timeout=10_000)


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}. Install it with: apt-get install chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def new_page(chromium, live_server, user=None, javascript=True):
    context = chromium.new_context(base_url=live_server.url, java_script_enabled=javascript)
    context.set_default_timeout(10_000)
    if user is not None:
        client = Client()
        client.force_login(user)
        session_cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session_cookie.value, "url": live_server.url}])
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda message: message.type == "error" and page.console_errors.append(message.text))
    page.on("pageerror", lambda error: page.console_errors.append(str(error)))
    return page


@pytest.fixture
def page(chromium, live_server, owner):
    """A signed-in page for the `owner` user, with JavaScript on."""
    page = new_page(chromium, live_server, owner)
    yield page
    page.context.close()


@pytest.fixture
def page_without_javascript(chromium, live_server, owner):
    page = new_page(chromium, live_server, owner, javascript=False)
    yield page
    page.context.close()


@pytest.fixture
def anonymous_page(chromium, live_server):
    page = new_page(chromium, live_server)
    yield page
    page.context.close()


@pytest.fixture
def owner(transactional_db):
    # The live server runs in another thread, so the data must be committed, not rolled back per test.
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user("owner", password="owner-password-1")
