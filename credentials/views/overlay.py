"""The Add New Credential overlay: an htmx dialog, or a plain page without JavaScript."""

import json
import logging

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from credentials.connectors import get_connector
from credentials.forms import ApiKeyForm, CredentialForm
from credentials.audit import Action, record_event
from credentials.verification import record_verification_event, verify_api_key
from nexlacreds.auth import login_required
from nexlacreds.navigation import safe_next_url, with_query

logger = logging.getLogger(__name__)

CREDENTIAL_CREATED_EVENT = "credentialCreated"


@sensitive_post_parameters("api_key")
@login_required
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def credential_create(request, connector_slug):
    connector = get_connector(connector_slug)
    next_url = safe_next_url(request, default="/")
    form = CredentialForm(request.POST or None, owner=request.user, connector=connector)

    if request.method == "POST" and form.is_valid():
        # The key is checked before it is stored; only a definite rejection stops the save.
        verification = verify_api_key(connector, form.cleaned_data["api_key"])
        if verification.rejected and not form.warnings_confirmed:
            form.reject_key(verification.message)
        else:
            credential = form.save_unless_duplicate(verification=verification)
            if credential is not None:
                record_event(credential, Action.CREATED, request)
                record_verification_event(credential, verification, request)
                return_url = with_query(next_url, selected=credential.pk)
                if request.htmx:
                    # No body: the page listens for the event, closes the dialog and refreshes its tiles.
                    # A page without tiles, such as this form opened on its own, goes to "next" instead.
                    event = {CREDENTIAL_CREATED_EVENT: {"id": credential.pk, "next": return_url}}
                    return HttpResponse(status=204, headers={"HX-Trigger": json.dumps(event)})
                return redirect(return_url)

    context = {"form": form, "connector": connector, "next_url": next_url}
    template = "credentials/credential_create.html"
    if request.htmx:
        template += "#dialog" if request.method == "GET" else "#form"
    return render(request, template, context)


@sensitive_post_parameters("api_key")
@login_required
@require_POST
@vary_on_headers("HX-Request")
def credential_test_key(request, connector_slug):
    """Check a typed key with the provider without saving anything."""
    connector = get_connector(connector_slug)
    key_form = ApiKeyForm(request.POST)
    if key_form.is_valid():
        verification = verify_api_key(connector, key_form.cleaned_data["api_key"])
        test_result = {"ok": verification.verified, "message": verification.message}
    else:
        test_result = {"ok": False, "message": " ".join(key_form.errors["api_key"])}

    if request.htmx:
        return render(request, "credentials/credential_create.html#key_test_result", {"test_result": test_result})
    # Without JavaScript the whole form comes back, with what was typed except the key.
    form = CredentialForm(
        initial={"name": request.POST.get("name", ""), "description": request.POST.get("description", "")},
        owner=request.user,
        connector=connector,
    )
    context = {
        "form": form,
        "connector": connector,
        "next_url": safe_next_url(request, default="/"),
        "test_result": test_result,
    }
    return render(request, "credentials/credential_create.html", context)
