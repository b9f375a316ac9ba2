"""Searching, filtering and ordering a user's credentials for the Credentials page and the tiles."""

from django import forms
from django.db.models import F, Q
from django.db.models.functions import Lower

from credentials.connectors import connector_choices
from credentials.models import Credential

SORT_ORDERS = {
    "name": (Lower("name"), "id"),
    "created": ("-created_at", "-id"),
    "last_used": (F("last_used_at").desc(nulls_last=True), "-created_at", "-id"),
}
SORT_CHOICES = [("last_used", "Recently used"), ("name", "Name"), ("created", "Newest first")]


def search(queryset, text: str):
    """Keep credentials whose name or description contains ``text``, ignoring case."""
    text = text.strip()
    if not text:
        return queryset
    return queryset.filter(Q(name__icontains=text) | Q(description__icontains=text))


def most_recently_used_first(queryset):
    return queryset.order_by(*SORT_ORDERS["last_used"])


class CredentialFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=255)
    connector = forms.ChoiceField(label="Connector", required=False)
    status = forms.ChoiceField(label="Status", required=False)
    sort = forms.ChoiceField(label="Sort by", required=False, choices=SORT_CHOICES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["connector"].choices = [("", "All connectors"), *connector_choices()]
        self.fields["status"].choices = [("", "Any status"), *Credential.Status.choices]
        self.fields["q"].widget.attrs.update({"type": "search", "placeholder": "Name or description", "autocomplete": "off"})

    def apply(self, queryset):
        """Return the queryset narrowed and ordered by the valid choices; invalid ones are ignored."""
        values = {}
        if self.is_bound:
            self.is_valid()
            # Only the fields that passed validation are in cleaned_data.
            values = self.cleaned_data
        queryset = search(queryset, values.get("q") or "")
        if values.get("connector"):
            queryset = queryset.filter(connector=values["connector"])
        if values.get("status"):
            queryset = queryset.filter(status=values["status"])
        return queryset.order_by(*SORT_ORDERS[values.get("sort") or "last_used"])
