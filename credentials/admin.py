from django import forms
from django.contrib import admin
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters

from credentials.audit import Action, record_changes, record_event
from credentials.models import Credential, CredentialEvent
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            field = self.fields["replace_api_key"]
            field.label = "API key"
            field.help_text = "Stored encrypted and never shown again."

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


class CredentialEventInline(admin.TabularInline):
    model = CredentialEvent
    fields = ["created_at", "action", "actor", "client_address", "detail"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Credential)
class CredentialAdmin(admin.ModelAdmin):
    form = CredentialAdminForm
    list_display = ["name", "connector", "owner", "key_hint", "status_shown", "created_at"]
    list_filter = ["connector", "status"]
    list_select_related = ["owner"]
    # Only plain-text columns: the encrypted column can be neither searched nor filtered.
    search_fields = ["name", "description"]
    readonly_fields = ["key_hint", "status_shown", "status_message", "checked_at", "last_used_at", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["owner", "connector", "name", "description"]}),
        ("API key", {"fields": ["key_hint", "replace_api_key"]}),
        ("Status", {"fields": ["status_shown", "status_message", "checked_at", "last_used_at", "created_at", "updated_at"]}),
    ]

    inlines = [CredentialEventInline]

    def get_queryset(self, request):
        # Deferring the key keeps the admin from decrypting every row it lists or edits.
        return super().get_queryset(request).defer("api_key")

    @admin.display(description="Status", ordering="status")
    def status_shown(self, credential):
        if credential.pk is None:
            return "-"
        if not credential.key_is_readable:
            return "Cannot be decrypted: re-enter the key"
        return credential.get_status_display()

    @method_decorator(sensitive_post_parameters("replace_api_key"))
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        previous = None
        if change:
            previous = Credential.objects.filter(pk=obj.pk).values("name", "description", "key_fingerprint").first()
        super().save_model(request, obj, form, change)
        if previous is None:
            record_event(obj, Action.CREATED, request, "in the admin")
        else:
            record_changes(obj, previous, request)

    def delete_model(self, request, obj):
        record_event(obj, Action.DELETED, request, "in the admin")
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for credential in queryset:
            record_event(credential, Action.DELETED, request, "in the admin")
        super().delete_queryset(request, queryset)


@admin.register(CredentialEvent)
class CredentialEventAdmin(admin.ModelAdmin):
    """The audit trail, read-only: events are written by the application, never edited."""

    list_display = ["created_at", "action", "credential_name", "credential_pk", "actor", "client_address", "detail"]
    list_filter = ["action"]
    list_select_related = ["actor"]
    search_fields = ["credential_name", "detail"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
