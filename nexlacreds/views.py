import logging

from django.views.csrf import csrf_failure as default_csrf_failure
from django_htmx.http import HttpResponseClientRefresh

logger = logging.getLogger(__name__)


def csrf_failure(request, reason=""):
    """Reload the page when an htmx request fails the CSRF check, e.g. after signing in elsewhere.

    htmx does not swap a 403 in, so without this the click would do nothing visible. The reloaded
    page carries a fresh token.
    """
    if request.headers.get("HX-Request") == "true":
        logger.warning("CSRF check failed for htmx request to %s: %s", request.path, reason)
        response = HttpResponseClientRefresh()
        response.status_code = 403
        return response
    return default_csrf_failure(request, reason=reason)
