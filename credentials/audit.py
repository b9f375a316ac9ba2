"""Recording credential events with who did them and from where."""

import logging

from credentials.models import Credential, CredentialEvent

logger = logging.getLogger(__name__)

Action = CredentialEvent.Action


def client_address(request) -> str | None:
    # REMOTE_ADDR only: X-Forwarded-For can be forged unless a trusted proxy rewrites it.
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record_event(credential: Credential, action: str, request=None, detail: str = "") -> CredentialEvent:
    """Add an event to the credential's trail; ``detail`` must never contain key material."""
    actor = getattr(request, "user", None)
    event = CredentialEvent.objects.create(
        credential=credential if action != Action.DELETED else None,
        credential_pk=credential.pk,
        credential_name=credential.name,
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        detail=detail[:500],
        client_address=client_address(request),
    )
    logger.info(
        "Credential %s %s by user %s", credential.pk, action, event.actor_id if event.actor_id else "-"
    )
    return event


def record_changes(credential: Credential, previous: dict, request=None) -> None:
    """Record a rename, a new description and a replaced key, comparing with ``previous`` values.

    ``previous`` has the keys name, description and key_fingerprint, as read before the change.
    """
    if previous["name"] != credential.name:
        record_event(credential, Action.RENAMED, request, f"from “{previous['name']}”")
    if previous["description"] != credential.description:
        record_event(credential, Action.DESCRIBED, request)
    if previous["key_fingerprint"] != credential.key_fingerprint:
        record_event(credential, Action.KEY_REPLACED, request, f"new key {credential.key_hint}")
