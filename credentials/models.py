from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse

from credentials.connectors import connector_choices, get_connector
from credentials.encryption import configured_key_ids, current_key_id
from credentials.fields import EncryptedSecretField, EncryptedToken
from credentials.fingerprints import fingerprint

# Columns a tile or a list row needs. Querysets that render many credentials load only these,
# so listing never decrypts a key.
LISTING_FIELDS = (
    "id",
    "owner_id",
    "connector",
    "name",
    "description",
    "key_hint",
    "key_format_ok",
    "encryption_key_id",
    "status",
    "status_message",
    "checked_at",
    "key_label",
    "key_usage",
    "key_limit",
    "expires_at",
    "last_used_at",
    "created_at",
    "updated_at",
)


# Columns written together whenever the key changes.
KEY_FIELDS = ("api_key", "key_hint", "key_fingerprint", "key_format_ok", "encryption_key_id")


class CredentialQuerySet(models.QuerySet):
    def owned_by(self, user):
        return self.filter(owner=user)

    def for_listing(self):
        return self.only(*LISTING_FIELDS)


class Credential(models.Model):
    """An API key saved by a user for one connector, stored encrypted."""

    class Status(models.TextChoices):
        NOT_VERIFIED = "not_verified", "Not verified"
        VERIFIED = "verified", "Verified"
        INVALID = "invalid", "Invalid"
        OUT_OF_CREDIT = "out_of_credit", "Out of credit"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="credentials")
    connector = models.CharField(max_length=50, choices=connector_choices)
    name = models.CharField(max_length=255)
    description = models.TextField(max_length=2000, blank=True)
    api_key = EncryptedSecretField(verbose_name="API key")
    key_hint = models.CharField(max_length=40, editable=False)
    key_fingerprint = models.CharField(max_length=64, editable=False, db_index=True)
    key_format_ok = models.BooleanField(default=True, editable=False)
    # Which FIELD_ENCRYPTION_KEY entry encrypted api_key, so pages can tell an unreadable key without decrypting.
    encryption_key_id = models.CharField(max_length=16, editable=False, db_index=True)

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_VERIFIED, editable=False)
    status_message = models.CharField(max_length=500, blank=True, editable=False)
    checked_at = models.DateTimeField(null=True, blank=True, editable=False)
    # What the provider reports about the key: its own label, spend so far and spending limit in USD.
    key_label = models.CharField(max_length=100, blank=True, editable=False)
    key_usage = models.DecimalField(max_digits=14, decimal_places=6, null=True, blank=True, editable=False)
    key_limit = models.DecimalField(max_digits=14, decimal_places=6, null=True, blank=True, editable=False)
    expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CredentialQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                "owner",
                "connector",
                Lower("name"),
                name="credential_name_unique_per_owner_and_connector",
                violation_error_message="A credential with this name already exists for this owner and connector.",
            )
        ]
        # Migration 0002 adds two indexes in the "most recently used first" order, written per
        # database because SQLite rejects NULLS LAST in an index.

    def __str__(self) -> str:
        return self.name

    @property
    def connector_info(self):
        return get_connector(self.connector)

    @property
    def is_decryptable(self) -> bool:
        """Tell whether the stored key decrypts. Loads and decrypts the key column."""
        return not isinstance(self.api_key, EncryptedToken)

    @property
    def key_is_readable(self) -> bool:
        """Tell, without decrypting, whether one of the configured keys encrypted the stored key."""
        return self.encryption_key_id in configured_key_ids()

    def set_api_key(self, api_key: str) -> None:
        """Store a new key with the hint and fingerprint derived from it, and forget the old key's status."""
        connector = self.connector_info
        self.api_key = api_key
        self.key_hint = connector.mask(api_key)
        self.key_fingerprint = fingerprint(api_key)
        self.key_format_ok = connector.looks_like_key(api_key)
        self.encryption_key_id = current_key_id()
        self.status = self.Status.NOT_VERIFIED
        self.status_message = ""
        self.checked_at = None
        self.key_label = ""
        self.key_usage = None
        self.key_limit = None
        self.expires_at = None

    def get_absolute_url(self) -> str:
        return reverse("credential_detail", args=[self.pk])


class CredentialEvent(models.Model):
    """One entry of a credential's audit trail, with names and outcomes but no secret material."""

    class Action(models.TextChoices):
        CREATED = "created", "Created"
        RENAMED = "renamed", "Renamed"
        DESCRIBED = "described", "Description changed"
        KEY_REPLACED = "key_replaced", "Key replaced"
        VERIFIED = "verified", "Verified"
        VERIFICATION_FAILED = "verification_failed", "Verification failed"
        USED = "used", "Used"
        DELETED = "deleted", "Deleted"

    # SET_NULL with copies of the id and name, so the trail outlives the credential.
    credential = models.ForeignKey(Credential, on_delete=models.SET_NULL, null=True, blank=True, related_name="events")
    credential_pk = models.BigIntegerField("credential id")
    credential_name = models.CharField(max_length=255)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=30, choices=Action.choices)
    detail = models.CharField(max_length=500, blank=True)
    client_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["credential_pk", "-created_at"], name="credential_event_trail")]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.credential_name}"
