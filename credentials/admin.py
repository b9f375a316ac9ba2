from django import forms
from django.contrib import admin

from credentials.models import Credential
from credentials.validators import API_KEY_MAX_LENGTH, validate_api_key_characters


class CredentialAdminForm(forms.ModelForm):
    """Admin form where the key can only be written: it is never rendered, not even encrypted."""

    replace_api_key = forms.CharField(
        label="Replace API key",
        required=False,
        max_length=API_KEY_MAX_LENGTH,
        strip=True,
        validators=[validate_api_key_characters],
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Leave blank to keep the stored key. The stored key is never shown.",
    )

    class Meta:
        model = Credential
        fields = ["owner", "connector", "name", "description"]

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None and not cleaned.get("replace_api_key"):
            self.add_error("replace_api_key", "Enter the API key of the new credential.")
        return cleaned

    def save(self, commit=True):
        credential = super().save(commit=False)
        if self.cleaned_data.get("replace_api_key"):
            credential.set_api_key(self.cleaned_data["replace_api_key"])
        if commit:
            credential.save()
        return credential


@admin.register(Credential)
class CredentialAdmin(admin.ModelAdmin):
    form = CredentialAdminForm
    list_display = ["name", "connector", "owner", "key_hint", "status", "created_at"]
    list_filter = ["connector", "status"]
    list_select_related = ["owner"]
    # Only plain-text columns: the encrypted column can be neither searched nor filtered.
    search_fields = ["name", "description"]
    readonly_fields = ["key_hint", "status", "status_message", "checked_at", "last_used_at", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["owner", "connector", "name", "description"]}),
        ("API key", {"fields": ["key_hint", "replace_api_key"]}),
        ("Status", {"fields": ["status", "status_message", "checked_at", "last_used_at", "created_at", "updated_at"]}),
    ]

    def get_queryset(self, request):
        # Deferring the key keeps the admin from decrypting every row it lists or edits.
        return super().get_queryset(request).defer("api_key")
