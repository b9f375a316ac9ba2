import logging

from django.conf import settings
from django.db import DatabaseError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from credentials.encryption import configured_key_ids
from credentials.models import Credential
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


@never_cache
@require_GET
def health(request):
    """Report whether the database responds and how many stored keys the configured keys cannot read.

    The count compares each row's encryption key id with the configured keys, so nothing is decrypted.
    """
    try:
        unreadable = Credential.objects.exclude(encryption_key_id__in=configured_key_ids()).count()
    except DatabaseError:
        logger.exception("Health check could not query the database")
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    status = "ok" if unreadable == 0 else "degraded"
    return JsonResponse({"status": status, "database": "ok", "undecryptable_credentials": unreadable})


@require_GET
def favicon(request):
    # The static URL is looked up per request: with hashed file names it exists only after collectstatic.
    return redirect(static("favicon.svg"), permanent=True)
