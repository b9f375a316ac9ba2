"""Sign-in enforcement that also works for htmx requests."""

from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import resolve_url
from django_htmx.http import HttpResponseClientRedirect


def login_required(view):
    """Send anonymous visitors to the sign-in page.

    An htmx request gets an HX-Redirect, so the browser loads the sign-in page as a whole page and
    returns to the page the user was on, instead of the sign-in form landing inside a fragment.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if request.htmx:
            return_to = request.htmx.current_url_abs_path or "/"
            login_url = resolve_url(settings.LOGIN_URL)
            return HttpResponseClientRedirect(f"{login_url}?{urlencode({'next': return_to})}")
        return redirect_to_login(request.get_full_path())

    return wrapper
