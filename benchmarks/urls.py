"""The project's URLs plus a minimal signed-in page, the baseline that app pages are compared with."""

from django.http import HttpResponse
from django.urls import path

from nexlacreds.auth import login_required
from nexlacreds.urls import urlpatterns as project_urlpatterns

MINIMAL_PAGE_PATH = "benchmark/minimal/"


@login_required
def minimal_page(request):
    """Return a short text response after the same sign-in check as the app's pages."""
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


urlpatterns = [*project_urlpatterns, path(MINIMAL_PAGE_PATH, minimal_page, name="benchmark_minimal")]
