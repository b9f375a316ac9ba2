from django.shortcuts import get_object_or_404

from flows.models import ENDPOINT_MODELS


def get_own_endpoint(user, role: str, pk):
    """Return the user's data source or destination, or raise Http404 for anyone else's."""
    model = ENDPOINT_MODELS[role]
    return get_object_or_404(model.objects.listing_for(user), pk=pk)
