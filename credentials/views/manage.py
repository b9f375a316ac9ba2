"""The Credentials page and a credential's own page: edit, replace the key, re-test, delete."""

import json
import logging
from datetime import timedelta

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import ProtectedError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from credentials.access import get_own_credential
from credentials.audit import Action, record_changes, record_event
from credentials.connectors import CONNECTORS
from credentials.forms import CredentialDetailsForm, MoveUsersForm, ReplaceKeyForm
from credentials.listing import CredentialFilterForm
from credentials.models import Credential
from credentials.verification import record_verification_event, verify_api_key, verify_credential
from nexlacreds.auth import login_required
from nexlacreds.navigation import safe_next_url

logger = logging.getLogger(__name__)

PAGE_SIZE = 25
TRAIL_LENGTH = 50
CREDENTIAL_CHANGED_EVENT = "credentialChanged"
USERS_MOVED_EVENT = "credentialUsersMoved"
EXPIRES_SOON = timedelta(days=14)


@login_required
@require_GET
@vary_on_headers("HX-Request")
def credential_list(request):
    filters = CredentialFilterForm(request.GET or None)
    credentials = filters.apply(Credential.objects.owned_by(request.user).for_listing())
    page = Paginator(credentials, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"filters": filters, "page": page, "query": query.urlencode(), "connectors": CONNECTORS.values()}
    template = "credentials/credential_list.html"
    # htmx restores a pushed URL it has not cached with an htmx request, and needs the whole page then.
    if request.htmx and not request.htmx.history_restore_request:
        template += "#results"
    return render(request, template, context)


@login_required
@require_GET
def credential_detail(request, pk):
    credential = get_own_credential(request.user, pk)
    return render(request, "credentials/credential_detail.html", detail_context(credential))


def detail_context(credential: Credential, **extra) -> dict:
    time_left = credential.expires_at - timezone.now() if credential.expires_at else None
    return {
        "credential": credential,
        "expired": time_left is not None and time_left <= timedelta(0),
        "expires_soon": time_left is not None and time_left < EXPIRES_SOON,
        "sources": credential.datasources.order_by("name"),
        "destinations": credential.datadestinations.order_by("name"),
        "events": credential.events.select_related("actor")[:TRAIL_LENGTH],
        **extra,
    }


@login_required
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def credential_edit(request, pk):
    """Rename and describe in place; only the name and description columns are written."""
    credential = get_own_credential(request.user, pk)
    previous = {"name": credential.name, "description": credential.description, "key_fingerprint": credential.key_fingerprint}
    form = CredentialDetailsForm(request.POST or None, instance=credential)

    if request.method == "POST" and form.is_valid():
        form.save_unless_duplicate()
        if not form.errors:
            record_changes(credential, previous, request)
            if request.htmx:
                return render(request, "credentials/credential_detail.html#details", detail_context(credential))
            messages.success(request, "Saved.")
            return redirect(credential)

    if request.method == "POST":
        # Show the stored values beside the form until the edit is saved.
        credential.refresh_from_db(fields=["name", "description"])
    template = "credentials/credential_edit.html"
    if request.htmx:
        template += "#details_form"
    return render(request, template, {"credential": credential, "form": form})


@sensitive_post_parameters("api_key")
@login_required
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def credential_replace_key(request, pk):
    credential = get_own_credential(request.user, pk)
    form = ReplaceKeyForm(request.POST or None, instance=credential)

    if request.method == "POST" and form.is_valid():
        verification = verify_api_key(credential.connector_info, form.cleaned_data["api_key"])
        if verification.rejected and not form.warnings_confirmed:
            form.reject_key(verification.message)
        else:
            previous_hint = credential.key_hint
            form.save(verification)
            record_event(credential, Action.KEY_REPLACED, request, f"{previous_hint} → {credential.key_hint}")
            record_verification_event(credential, verification, request)
            if request.htmx:
                event = {CREDENTIAL_CHANGED_EVENT: {"id": credential.pk}}
                return HttpResponse(status=204, headers={"HX-Trigger": json.dumps(event)})
            messages.success(request, f"Replaced the key. {verification.message}")
            return redirect(credential)

    template = "credentials/credential_replace_key.html"
    if request.htmx:
        template += "#dialog" if request.method == "GET" else "#form"
    return render(request, template, {"credential": credential, "form": form})


@login_required
@require_POST
@vary_on_headers("HX-Request")
def credential_retest(request, pk):
    credential = get_own_credential(request.user, pk)
    verify_credential(credential, request)
    if request.htmx:
        return render(request, "credentials/_tile.html#status", {"credential": credential})
    return redirect(safe_next_url(request, default=credential.get_absolute_url()))


@login_required
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def credential_delete(request, pk):
    """Confirm and delete, or explain why not: a credential in use cannot be deleted."""
    credential = get_own_credential(request.user, pk)
    if request.method == "POST" and not in_use(credential):
        try:
            with transaction.atomic():
                # Recorded first, while the credential still has its id; rolled back if the delete fails.
                record_event(credential, Action.DELETED, request)
                credential.delete()
        except ProtectedError:
            logger.info("Delete of credential %s rejected: it came into use", credential.pk)
        else:
            messages.success(request, f"Deleted “{credential.name}”.")
            if request.htmx:
                return HttpResponseClientRedirect(reverse("credential_list"))
            return redirect("credential_list")
    return render_delete(request, credential, MoveUsersForm(credential=credential))


@login_required
@require_POST
@vary_on_headers("HX-Request")
def credential_move_users(request, pk):
    """Point every source and destination of this credential at another one, in one transaction."""
    credential = get_own_credential(request.user, pk)
    form = MoveUsersForm(request.POST, credential=credential)
    moved = None
    if form.is_valid():
        target = form.cleaned_data["target"]
        with transaction.atomic():
            sources = credential.datasources.update(credential=target)
            destinations = credential.datadestinations.update(credential=target)
        moved = moved_text(sources, destinations)
        logger.info("Moved %s of credential %s to credential %s", moved, credential.pk, target.pk)
        if not request.htmx:
            messages.success(request, f"Moved {moved} to “{target.name}”. You can delete “{credential.name}” now.")
            return redirect("credential_delete", pk=credential.pk)
    response = render_delete(request, credential, form, moved=moved)
    if moved is not None:
        # The page behind the dialog lists what uses the credential; it refreshes on this event.
        response["HX-Trigger"] = json.dumps({USERS_MOVED_EVENT: {"id": credential.pk}})
    return response


def moved_text(sources: int, destinations: int) -> str:
    parts = [
        f"{count} data {kind}{'' if count == 1 else 's'}"
        for count, kind in ((sources, "source"), (destinations, "destination"))
        if count
    ]
    return " and ".join(parts) or "nothing"


def in_use(credential: Credential) -> bool:
    return credential.datasources.exists() or credential.datadestinations.exists()


def render_delete(request, credential: Credential, move_form: MoveUsersForm, **extra):
    context = {
        "credential": credential,
        "sources": credential.datasources.order_by("name"),
        "destinations": credential.datadestinations.order_by("name"),
        "move_form": move_form,
        **extra,
    }
    template = "credentials/credential_delete.html"
    if request.htmx:
        # The dialog opens with a GET; later steps replace only its body.
        template += "#dialog" if request.method == "GET" else "#body"
    return render(request, template, context)
