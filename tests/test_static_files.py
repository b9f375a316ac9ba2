"""Static files are served by the app itself, with htmx vendored at a pinned version."""

import re
from pathlib import Path

import pytest
from django.conf import settings

HTMX_VERSION = "2.0.11"
CDN_HOSTS = ("unpkg", "jsdelivr", "cdnjs")
SCRIPT_SRC = re.compile(r'<script[^>]*\ssrc="([^"]+)"')


def body_of(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def template_files() -> list[Path]:
    folders = [Path(folder) for folder in settings.TEMPLATES[0]["DIRS"]]
    folders += [Path(settings.BASE_DIR) / app / "templates" for app in ("credentials", "flows")]
    return sorted(path for folder in folders if folder.is_dir() for path in folder.rglob("*.html"))


@pytest.fixture
def script_sources(owner_client) -> list[str]:
    html = owner_client.get("/").content.decode()
    return SCRIPT_SRC.findall(html)


@pytest.fixture
def htmx_url(script_sources) -> str:
    matches = [source for source in script_sources if "htmx" in source]
    assert len(matches) == 1, script_sources
    return matches[0]


def test_htmx_script_is_served(client, htmx_url):
    response = client.get(htmx_url)

    assert response.status_code == 200
    assert "javascript" in response["Content-Type"]
    assert f'version:"{HTMX_VERSION}"'.encode() in body_of(response)


def test_htmx_url_names_pinned_version(htmx_url):
    assert htmx_url.startswith("/static/")
    assert f"htmx-{HTMX_VERSION}/" in htmx_url


def test_htmx_license_is_served(client, htmx_url):
    license_url = htmx_url.rsplit("/", 1)[0] + "/LICENSE"

    response = client.get(license_url)

    assert response.status_code == 200
    assert b"BSD" in body_of(response)


def test_every_page_script_is_served(client, script_sources):
    assert script_sources
    for source in script_sources:
        response = client.get(source)
        assert response.status_code == 200, source
        assert body_of(response), source


def test_scripts_come_from_this_site(script_sources):
    for source in script_sources:
        assert source.startswith("/static/"), source


def test_stylesheet_is_served(owner_client, client):
    html = owner_client.get("/").content.decode()
    stylesheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)

    assert stylesheets
    for href in stylesheets:
        response = client.get(href)
        assert response.status_code == 200, href
        assert "text/css" in response["Content-Type"]


def test_templates_are_found():
    names = {path.name for path in template_files()}

    assert "base.html" in names
    assert "credential_create.html" in names


def test_no_template_references_cdn():
    for path in template_files():
        text = path.read_text(encoding="utf-8").lower()
        for host in CDN_HOSTS:
            assert host not in text, f"{path} references {host}"


def test_csp_allows_only_own_scripts(owner_client):
    policy = owner_client.get("/")["Content-Security-Policy"]

    assert "script-src 'self'" in policy
    for host in CDN_HOSTS:
        assert host not in policy
