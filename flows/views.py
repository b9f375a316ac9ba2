from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from credentials.access import get_own_credential
from credentials.connectors import SOURCE, connectors_for, get_connector
from credentials.listing import most_recently_used_first, search
from credentials.models import Credential
from flows.access import get_own_endpoint
from flows.forms import CONFIG_FORMS
from flows.models import ENDPOINT_MODELS, DataDestination, DataSource
from flows.previews import SAMPLE_RECORD, preview_source, send_test_record
from nexlacreds.auth import login_required

# Three rows of four on a wide screen; Show more loads the next twelve.
TILES_PER_PAGE = 12
ROLE_TITLES = {"source": "data source", "destination": "data destination"}


def get_connector_for(role: str, connector_slug: str):
    connector = get_connector(connector_slug)
    if role not in connector.roles:
        raise Http404(f"{connector.name} cannot be a {ROLE_TITLES[role]}.")
    return connector


@login_required
@require_GET
def home(request):
    context = {
        "sources": DataSource.objects.listing_for(request.user)[:20],
        "destinations": DataDestination.objects.listing_for(request.user)[:20],
    }
    return render(request, "flows/home.html", context)


@login_required
@require_GET
def choose_connector(request, role):
    context = {"role": role, "role_title": ROLE_TITLES[role], "connectors": connectors_for(role)}
    return render(request, "flows/choose_connector.html", context)


@login_required
@require_GET
@vary_on_headers("HX-Request")
def authenticate(request, role, connector_slug):
    connector = get_connector_for(role, connector_slug)
    context = {
        "role": role,
        "role_title": ROLE_TITLES[role],
        "connector": connector,
        **tiles_context(request, connector),
    }
    template = "flows/authenticate.html"
    if request.htmx and request.GET.get("page"):
        template += "#tile_page"
    elif request.htmx:
        # A search, or the refresh after a credential was added: the tiles only.
        template += "#tiles"
    return render(request, template, context)


def tiles_context(request, connector) -> dict:
    """Pick the tiles to show: most recently used first, TILES_PER_PAGE at a time.

    An htmx "Show more" request gets one page; a plain request gets every page up to ``page``, so the
    same link works without JavaScript.
    """
    query = request.GET.get("q", "").strip()[:255]
    page = request.GET.get("page", "1")
    page = int(page) if page.isdigit() and 0 < int(page) < 10_000 else 1
    selected = request.GET.get("selected", "")
    selected = selected if selected.isdigit() else ""

    credentials = Credential.objects.owned_by(request.user).filter(connector=connector.slug).for_listing()
    # Without a search, the selected credential is pinned first even if it is not on the first page.
    selected_credential = credentials.filter(pk=selected).first() if selected and not query else None
    listed = most_recently_used_first(search(credentials, query))
    if selected_credential is not None:
        listed = listed.exclude(pk=selected_credential.pk)

    first = (page - 1) * TILES_PER_PAGE if request.htmx else 0
    # Fetching one row more than shown reveals a next page without a COUNT query.
    tiles = list(listed[first : page * TILES_PER_PAGE + 1])
    has_more = len(tiles) > page * TILES_PER_PAGE - first
    tiles = tiles[: page * TILES_PER_PAGE - first]
    if selected_credential is not None and first == 0:
        tiles.insert(0, selected_credential)
    return {
        "credentials": tiles,
        "selected": selected,
        "selected_id": int(selected) if selected else None,
        "query": query,
        "has_more": has_more,
        "next_page": page + 1,
    }


def selected_credential_id(request) -> str | None:
    credential_id = request.POST.get("credential") or request.GET.get("credential")
    return credential_id if credential_id and credential_id.isdigit() else None


@login_required
@require_http_methods(["GET", "POST"])
def configure(request, role, connector_slug):
    connector = get_connector_for(role, connector_slug)
    authenticate_url = reverse(f"{role}_authenticate", args=[connector.slug])
    credential_id = selected_credential_id(request)
    if credential_id is None:
        messages.error(request, "Select a credential, or add one, to continue.")
        return redirect(authenticate_url)
    credential = get_own_credential(request.user, credential_id, connector.slug)

    form = CONFIG_FORMS[(connector.slug, role)](request.POST or None)
    if request.method == "POST" and form.is_valid():
        endpoint = ENDPOINT_MODELS[role].objects.create(
            owner=request.user,
            name=form.cleaned_data["name"],
            connector=connector.slug,
            credential=credential,
            config=form.config(),
        )
        messages.success(request, f"Saved {ROLE_TITLES[role]} “{endpoint.name}”.")
        return redirect(endpoint)

    return render(request, "flows/configure.html", configure_context(role, connector, credential, form))


@login_required
@require_POST
@vary_on_headers("HX-Request")
def configure_test(request, role, connector_slug):
    """Try the settings being configured: sample records of a source, one test record to a destination."""
    connector = get_connector_for(role, connector_slug)
    credential_id = selected_credential_id(request)
    if credential_id is None:
        raise Http404("No credential selected.")
    credential = get_own_credential(request.user, credential_id, connector.slug)
    form = CONFIG_FORMS[(connector.slug, role)](request.POST)

    test_run = None
    if form.is_valid():
        run = preview_source if role == SOURCE else send_test_record
        test_run = run(credential, form.config(), request)
    context = {**configure_context(role, connector, credential, form), "test_run": test_run}
    if request.htmx:
        return render(request, "flows/configure.html#test_result", context)
    return render(request, "flows/configure.html", context)


def configure_context(role, connector, credential, form) -> dict:
    return {
        "role": role,
        "role_title": ROLE_TITLES[role],
        "connector": connector,
        "credential": credential,
        "form": form,
        "authenticate_url": reverse(f"{role}_authenticate", args=[connector.slug]),
        "test_url": reverse(f"{role}_configure_test", args=[connector.slug]),
        "sample_record": SAMPLE_RECORD,
    }


@login_required
@require_GET
def endpoint_detail(request, role, pk):
    endpoint = get_own_endpoint(request.user, role, pk)
    form_class = CONFIG_FORMS[(endpoint.connector, role)]
    context = {
        "role": role,
        "role_title": ROLE_TITLES[role],
        "endpoint": endpoint,
        "credential": endpoint.credential,
        "settings": form_class.describe(endpoint.config),
    }
    return render(request, "flows/endpoint_detail.html", context)
