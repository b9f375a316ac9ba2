from django import forms
from django.db import IntegrityError, transaction

from credentials.connectors import Connector
from credentials.models import Credential
from credentials.validators import API_KEY_MAX_LENGTH, validate_api_key_characters
from credentials.verification import Verification, record_verification

def api_key_field() -> forms.CharField:
    return forms.CharField(
        label="API Key Value",
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


DUPLICATE_NAME_MESSAGE = "You already have a {connector} credential named “{name}”. Choose another name."


class CredentialForm(forms.ModelForm):
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
        error_messages = {
            "name": {"required": "Enter a name for this credential."},
        }

    def __init__(self, *args, owner, connector: Connector, **kwargs):
        super().__init__(*args, **kwargs)
        self.owner = owner
        self.connector = connector
        self.fields["api_key"].help_text = f"Format: {connector.key_format}. Stored encrypted and never shown again."

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

    def save_unless_duplicate(self, verification: Verification | None = None) -> Credential | None:
        """Save, or add the duplicate-name error and return None when a concurrent request won the name."""
        try:
            with transaction.atomic():
                return self.save(verification=verification)
        except IntegrityError:
            name = self.cleaned_data["name"]
            if not self.name_taken(name):
                raise
            self.add_error("name", DUPLICATE_NAME_MESSAGE.format(connector=self.connector.name, name=name))
            return None
