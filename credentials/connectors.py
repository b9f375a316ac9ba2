"""The connectors that authenticate with an API key.

A connector is declared here once. The models, views and templates read what they need from its
entry, so a second API-key connector needs a new entry and its configuration forms, not new views.
"""

import re
from dataclasses import dataclass

from django.http import Http404

from credentials.masking import mask_secret
from credentials.openrouter import OpenRouterClient

SOURCE = "source"
DESTINATION = "destination"


@dataclass(frozen=True)
class Connector:
    """An API that data sources or destinations connect to with a stored API key."""

    slug: str
    name: str
    summary: str
    # The public, non-secret start of every key, kept visible in masked hints.
    key_prefix: str
    key_pattern: re.Pattern
    key_format: str
    roles: frozenset[str]
    # Takes the API key; has check_key() returning an openrouter.Result, and works as a context manager.
    client_class: type

    def looks_like_key(self, key: str) -> bool:
        return bool(self.key_pattern.fullmatch(key))

    def mask(self, key: str) -> str:
        """Return a hint such as ``sk-or-v1-…9f3a`` that identifies a key without revealing it."""
        return mask_secret(key, self.key_prefix)


OPENROUTER = Connector(
    slug="openrouter",
    name="OpenRouter",
    summary="One API for hundreds of large language models.",
    key_prefix="sk-or-v1-",
    key_pattern=re.compile(r"sk-or-v1-[0-9a-f]{64}"),
    key_format="sk-or-v1- followed by 64 lowercase hexadecimal characters",
    roles=frozenset({SOURCE, DESTINATION}),
    client_class=OpenRouterClient,
)

CONNECTORS = {connector.slug: connector for connector in (OPENROUTER,)}


def get_connector(slug: str) -> Connector:
    try:
        return CONNECTORS[slug]
    except KeyError:
        raise Http404(f"No connector named {slug!r}.") from None


def connectors_for(role: str) -> list[Connector]:
    return [connector for connector in CONNECTORS.values() if role in connector.roles]


def connector_choices() -> list[tuple[str, str]]:
    return [(connector.slug, connector.name) for connector in CONNECTORS.values()]
