import logging

import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings

from credentials.connectors import OPENROUTER
from credentials.models import Credential
from flows.models import DataDestination, DataSource
from tests.fake_openrouter import FakeOpenRouter, RunningServer

# A well-formed OpenRouter key that tests push through every flow and then look for in every output.
KNOWN_KEY = "sk-or-v1-" + "5e1f0c2a9b8d7e6f" * 4
# Well-formed, but the fake OpenRouter server rejects it with 401.
REJECTED_KEY = "sk-or-v1-" + "0123456789abcdef" * 3 + "0123456789abdead"


@pytest.fixture(scope="session", autouse=True)
def fake_openrouter_server():
    """Point the app at a fake OpenRouter on 127.0.0.1 for the whole run: nothing leaves the machine."""
    with RunningServer(FakeOpenRouter()) as running:
        with override_settings(OPENROUTER_BASE_URL=running.base_url, OPENROUTER_RETRY_AFTER_CAP=0.1):
            yield running


@pytest.fixture
def fake_openrouter(fake_openrouter_server):
    """The fake OpenRouter app, with the requests of earlier tests forgotten."""
    app = fake_openrouter_server.app
    app.received.clear()
    app.delay_seconds = 0.0
    yield app
    app.delay_seconds = 0.0


@pytest.fixture
def owner(db):
    return get_user_model().objects.create_user("owner", password="owner-password-1")


@pytest.fixture
def other_user(db):
    return get_user_model().objects.create_user("other", password="other-password-1")


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


def make_credential(owner, name="Production", key=KNOWN_KEY, **fields) -> Credential:
    credential = Credential(owner=owner, connector=OPENROUTER.slug, name=name)
    credential.set_api_key(key)
    # After set_api_key, which resets the status columns that tests may want to set.
    for field, value in fields.items():
        setattr(credential, field, value)
    credential.save()
    return credential


@pytest.fixture
def credential(owner):
    return make_credential(owner)


@pytest.fixture
def all_logs(caplog):
    """Capture every log record, at every level, from every logger."""
    caplog.set_level(logging.DEBUG)
    return caplog


@pytest.fixture
def source(owner, credential) -> DataSource:
    return DataSource.objects.create(
        owner=owner, name="Model catalogue", connector="openrouter", credential=credential, config={"resource": "models"}
    )


@pytest.fixture
def destination(owner, credential) -> DataDestination:
    return DataDestination.objects.create(
        owner=owner,
        name="Summaries",
        connector="openrouter",
        credential=credential,
        config={"model": "openai/gpt-4o-mini", "prompt_template": "{title}", "max_tokens": 256},
    )
