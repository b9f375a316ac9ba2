import logging

import pytest
from django.contrib.auth import get_user_model

from credentials.connectors import OPENROUTER
from credentials.models import Credential

# A well-formed OpenRouter key that tests push through every flow and then look for in every output.
KNOWN_KEY = "sk-or-v1-" + "5e1f0c2a9b8d7e6f" * 4


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
    credential = Credential(owner=owner, connector=OPENROUTER.slug, name=name, **fields)
    credential.set_api_key(key)
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
