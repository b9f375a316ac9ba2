from django.utils.cache import add_never_cache_headers, patch_cache_control


def no_store_for_signed_in_users(get_response):
    """Keep browsers and proxies from storing any page shown to a signed-in user.

    Such pages list credentials, and a shared or back-button cache must not keep them.
    """

    def middleware(request):
        response = get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "Cache-Control" not in response:
            add_never_cache_headers(response)
            patch_cache_control(response, no_store=True)
        return response

    return middleware
