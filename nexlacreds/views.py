import logging

from django.conf import settings
from django.shortcuts import render
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


def sign_in_locked(request, original_response=None, credentials=None):
    """Explain a sign-in lockout by django-axes, with how long it lasts."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    logger.warning("Sign-in locked after repeated failures from %s", request.META.get("REMOTE_ADDR", "-"))
    return render(request, "registration/locked_out.html", {"minutes": minutes}, status=429)
