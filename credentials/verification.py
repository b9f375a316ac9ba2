"""Checking an API key with its provider and turning the response into a credential status."""

import logging
from dataclasses import dataclass, replace
from decimal import Decimal

from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from credentials.audit import Action, record_event
from credentials.connectors import Connector
from credentials.models import Credential
from credentials.openrouter import KeyInfo, Outcome, Result

logger = logging.getLogger(__name__)

# Columns that record_verification writes.
STATUS_FIELDS = (
    "status",
    "status_message",
    "checked_at",
    "last_used_at",
    "key_label",
    "key_usage",
    "key_limit",
    "expires_at",
)

UNDECRYPTABLE_MESSAGE = "Cannot be decrypted: re-enter the key."

STATUS_BY_OUTCOME = {
    Outcome.OK: Credential.Status.VERIFIED,
    Outcome.INVALID_KEY: Credential.Status.INVALID,
    Outcome.MALFORMED_KEY: Credential.Status.INVALID,
    Outcome.NO_CREDIT: Credential.Status.OUT_OF_CREDIT,
    # On GET /key, a 403 means the key exists but has reached its spending limit.
    Outcome.FORBIDDEN: Credential.Status.OUT_OF_CREDIT,
}


@dataclass(frozen=True)
class Verification:
    """The provider's verdict on a key, as a credential status and a message for the user."""

    status: str
    message: str
    key_info: KeyInfo | None = None

    @property
    def rejected(self) -> bool:
        """Tell whether the provider rejected the key, as opposed to not responding."""
        return self.status == Credential.Status.INVALID

    @property
    def verified(self) -> bool:
        return self.status == Credential.Status.VERIFIED


def verification_from(result: Result) -> Verification:
    status = STATUS_BY_OUTCOME.get(result.outcome, Credential.Status.NOT_VERIFIED)
    if result.ok:
        return Verification(status, f"Verified: {describe_key_info(result.data)}", result.data)
    return Verification(status, result.message)


@sensitive_variables("api_key")
def verify_api_key(connector: Connector, api_key: str) -> Verification:
    """Ask the provider whether the key works. Makes a network call of up to the configured timeouts."""
    with connector.client_class(api_key) as client:
        result = client.check_key()
    if result.ok:
        result = replace(result, data=replace(result.data, label=mask_label(result.data.label, connector)))
    verification = verification_from(result)
    logger.info("Key check for %s: %s", connector.slug, verification.status)
    return verification


def mask_label(label: str, connector: Connector) -> str:
    """Cut the provider's label down to the public prefix and the last characters.

    OpenRouter labels a key with its first 12 characters, "...", and its tail. The three characters
    after ``sk-or-v1-`` are secret, so they are neither shown nor stored.
    """
    head, separator, tail = label.partition("...")
    if separator and connector.key_prefix and head.startswith(connector.key_prefix):
        return f"{connector.key_prefix}…{tail[-4:]}"
    if separator:
        return f"…{tail[-4:]}"
    return label


def verify_credential(credential: Credential, request=None) -> Verification:
    """Check a saved credential's key again and record the outcome. Decrypts the key."""
    if not credential.is_decryptable:
        verification = Verification(Credential.Status.NOT_VERIFIED, UNDECRYPTABLE_MESSAGE)
        logger.warning("Credential %s cannot be decrypted with the configured keys", credential.pk)
    else:
        verification = verify_api_key(credential.connector_info, credential.api_key)
    record_verification(credential, verification)
    record_verification_event(credential, verification, request)
    return verification


def record_verification_event(credential: Credential, verification: Verification, request=None) -> None:
    action = Action.VERIFIED if verification.verified else Action.VERIFICATION_FAILED
    record_event(credential, action, request, verification.message)


def describe_key_info(info: KeyInfo) -> str:
    limit = "no limit" if info.limit is None else f"limit ${info.limit:,.2f}"
    return f"{info.label}, used ${info.usage:,.2f}, {limit}"


def to_dollars(amount: float) -> Decimal:
    # The columns keep 6 decimal places; PostgreSQL would round anyway, SQLite would not.
    return Decimal(str(amount)).quantize(Decimal("0.000001"))


def record_verification(credential: Credential, verification: Verification, *, save: bool = True) -> None:
    """Store a check's outcome on the credential; with save, write only the status columns."""
    now = timezone.now()
    credential.status = verification.status
    credential.status_message = verification.message[:500]
    credential.checked_at = now
    credential.last_used_at = now
    fields = ["status", "status_message", "checked_at", "last_used_at"]
    info = verification.key_info
    if info is not None:
        credential.key_label = info.label[:100]
        credential.key_usage = to_dollars(info.usage)
        credential.key_limit = None if info.limit is None else to_dollars(info.limit)
        credential.expires_at = info.expires_at
        fields += ["key_label", "key_usage", "key_limit", "expires_at"]
    if save:
        credential.save(update_fields=fields + ["updated_at"])
