from django import forms
from django.db import IntegrityError, transaction

from credentials.connectors import Connector
from credentials.fingerprints import fingerprint
from credentials.models import KEY_FIELDS, Credential
from credentials.validators import API_KEY_MAX_LENGTH, validate_api_key_characters
from credentials.verification import STATUS_FIELDS, Verification, record_verification

DUPLICATE_NAME_MESSAGE = "You already have a credential named “{name}” for {connector}. Choose another name."


def api_key_field(label: str = "API Key Value") -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=API_KEY_MAX_LENGTH,
        # Never rendered back: a response must not contain the key, not even the one just typed.
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password", "spellcheck": "false"}),
        validators=[validate_api_key_characters],
        error_messages={
            "required": "Enter the API key.",
            "max_length": "An API key is at most %(limit_value)d characters long.",
        },
    )


class ApiKeyForm(forms.Form):
    """Just the key, for checking it with the provider without saving anything."""

    api_key = api_key_field()


class UniqueNameMixin:
    """Validates that the owner has no other credential of the connector with this name, ignoring case."""

    owner = None
    connector: Connector

    def clean_name(self) -> str:
        name = self.cleaned_data["name"]
        if self.name_taken(name):
            raise forms.ValidationError(
                DUPLICATE_NAME_MESSAGE.format(connector=self.connector.name, name=name), code="duplicate"
            )
        return name

    def name_taken(self, name: str) -> bool:
        others = Credential.objects.filter(owner=self.owner, connector=self.connector.slug, name__iexact=name)
        return others.exclude(pk=self.instance.pk).exists()

    def save_unless_duplicate(self, **save_arguments) -> Credential | None:
        """Save, or add the duplicate-name error and return None when a concurrent request won the name."""
        try:
            with transaction.atomic():
                return self.save(**save_arguments)
        except IntegrityError:
            name = self.cleaned_data["name"]
            if not self.name_taken(name):
                raise
            self.add_error("name", DUPLICATE_NAME_MESSAGE.format(connector=self.connector.name, name=name))
            return None


class KeyWarningsMixin:
    """Warnings on a new key that "Save anyway" confirms: the same key saved before, or a rejected key."""

    owner = None
    connector: Connector

    def setup_key_warnings(self) -> None:
        self.fields["api_key"].help_text = (
            f"Format: {self.connector.key_format}. Stored encrypted and never shown again."
        )
        self.warnings_confirmed = bool(self.data.get("save_anyway"))
        self.offer_save_anyway = False

    def clean_api_key(self) -> str:
        api_key = self.cleaned_data["api_key"]
        duplicate = self.credential_with_key(api_key)
        if duplicate is not None and not self.warnings_confirmed:
            self.offer_save_anyway = True
            raise forms.ValidationError(
                f"This key is already saved as “{duplicate.name}”. Cancel and choose that credential, "
                "or Save anyway to keep a second credential with the same key.",
                code="duplicate_key",
            )
        return api_key

    def credential_with_key(self, api_key: str) -> Credential | None:
        """Find the owner's credential holding the same key, by fingerprint: nothing is decrypted."""
        same_key = Credential.objects.filter(
            owner=self.owner, connector=self.connector.slug, key_fingerprint=fingerprint(api_key)
        )
        return same_key.exclude(pk=self.instance.pk).only("id", "name").first()

    def reject_key(self, message: str) -> None:
        """Put the provider's rejection at the key field and offer to save anyway."""
        self.add_error("api_key", message)
        self.offer_save_anyway = True


class CredentialForm(UniqueNameMixin, KeyWarningsMixin, forms.ModelForm):
    """Name, description and API key of a new credential, for one owner and connector."""

    api_key = api_key_field()

    class Meta:
        model = Credential
        fields = ["name", "description"]
        labels = {"name": "Credential Name", "description": "Credential Description"}
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "off", "autofocus": True}),
            "description": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {"name": {"required": "Enter a name for this credential."}}

    def __init__(self, *args, owner, connector: Connector, **kwargs):
        super().__init__(*args, **kwargs)
        self.owner = owner
        self.connector = connector
        self.setup_key_warnings()

    def save(self, commit: bool = True, verification: Verification | None = None) -> Credential:
        credential = super().save(commit=False)
        credential.owner = self.owner
        credential.connector = self.connector.slug
        credential.set_api_key(self.cleaned_data["api_key"])
        if verification is not None:
            record_verification(credential, verification, save=False)
        if commit:
            credential.save()
        return credential


class CredentialDetailsForm(UniqueNameMixin, forms.ModelForm):
    """Renaming and describing a saved credential; saving writes only those two columns."""

    class Meta(CredentialForm.Meta):
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "off", "autofocus": True}),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, instance: Credential, **kwargs):
        super().__init__(*args, instance=instance, **kwargs)
        self.owner = instance.owner_id
        self.connector = instance.connector_info

    def save(self, commit: bool = True) -> Credential:
        credential = super().save(commit=False)
        # Only these columns: a key replaced at the same moment in another browser is kept.
        credential.save(update_fields=["name", "description", "updated_at"])
        return credential


class ReplaceKeyForm(KeyWarningsMixin, forms.Form):
    """A new key for a saved credential, checked like a new credential's key."""

    api_key = api_key_field("New API Key Value")

    def __init__(self, *args, instance: Credential, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance = instance
        self.owner = instance.owner_id
        self.connector = instance.connector_info
        self.setup_key_warnings()
        self.fields["api_key"].widget.attrs["autofocus"] = True

    def save(self, verification: Verification) -> Credential:
        credential = self.instance
        credential.set_api_key(self.cleaned_data["api_key"])
        record_verification(credential, verification, save=False)
        # Only key and status columns: a rename made at the same moment in another browser is kept.
        credential.save(update_fields=[*KEY_FIELDS, *STATUS_FIELDS, "updated_at"])
        return credential


class MoveUsersForm(forms.Form):
    """Pick another credential of the same owner and connector to take over every source and destination."""

    target = forms.ModelChoiceField(
        label="Move everything to",
        queryset=Credential.objects.none(),
        empty_label="Choose a credential",
        error_messages={"required": "Choose the credential to move them to.", "invalid_choice": "Choose one of your credentials."},
    )

    def __init__(self, *args, credential: Credential, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].label_from_instance = lambda other: f"{other.name} ({other.get_status_display()}, {other.key_hint})"
        self.fields["target"].queryset = (
            Credential.objects.owned_by(credential.owner_id)
            .filter(connector=credential.connector)
            .exclude(pk=credential.pk)
            .for_listing()
            .order_by("name")
        )
