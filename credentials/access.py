from django.shortcuts import get_object_or_404

from credentials.models import Credential


def get_own_credential(user, pk, connector_slug: str | None = None) -> Credential:
    """Return the user's credential, or raise Http404 for anyone else's, so that ids reveal nothing.

    The key column is deferred: reading ``api_key`` loads and decrypts it in a further query.
    """
    credentials = Credential.objects.owned_by(user).for_listing()
    if connector_slug is not None:
        credentials = credentials.filter(connector=connector_slug)
    return get_object_or_404(credentials, pk=pk)
