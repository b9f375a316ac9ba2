import json
import logging

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from credentials.access import get_own_credential
from credentials.connectors import get_connector
from credentials.forms import CredentialForm
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
        credential = form.save_unless_duplicate()
        if credential is not None:
            logger.info("Credential %s created by user %s for %s", credential.pk, request.user.pk, connector.slug)
            if request.htmx:
                # No body: the page listens for the event, closes the dialog and refreshes its tiles.
                event = {CREDENTIAL_CREATED_EVENT: {"id": credential.pk}}
                return HttpResponse(status=204, headers={"HX-Trigger": json.dumps(event)})
            return redirect(with_query(next_url, selected=credential.pk))

    context = {"form": form, "connector": connector, "next_url": next_url}
    template = "credentials/credential_create.html"
    if request.htmx:
        template += "#dialog" if request.method == "GET" else "#form"
    return render(request, template, context)


@login_required
@require_GET
def credential_detail(request, pk):
    credential = get_own_credential(request.user, pk)
    context = {
        "credential": credential,
        "sources": credential.datasources.order_by("name"),
        "destinations": credential.datadestinations.order_by("name"),
    }
    return render(request, "credentials/credential_detail.html", context)
