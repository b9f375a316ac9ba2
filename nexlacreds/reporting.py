"""Error reports that never show an API key, in production and in DEBUG pages alike."""

import re

from django.views.debug import SafeExceptionReporterFilter

from credentials.connectors import CONNECTORS

MIN_SECRET_LENGTH = 8
# A bearer token, or anything that starts like a key of a declared connector.
SECRET_PATTERN = re.compile(
    "|".join(
        [r"Bearer\s+\S{4,}"]
        + [re.escape(connector.key_prefix) + r"[0-9A-Za-z]{4,}" for connector in CONNECTORS.values() if connector.key_prefix]
    )
)


class SecretScrubbingFilter(SafeExceptionReporterFilter):
    """Star variables that contain a key anywhere in their value, not only the ones marked sensitive.

    Django stars POST parameters named by sensitive_post_parameters and variables named by
    sensitive_variables, and only with DEBUG off. A key also ends up in form.cleaned_data, model
    instances and request headers, so every frame variable whose repr contains a posted secret or
    looks like a key is starred too, with DEBUG on or off.
    """

    def is_active(self, request):
        return True

    def get_traceback_frame_variables(self, request, tb_frame):
        secrets = posted_secrets(request)
        scrubbed = []
        for name, value in super().get_traceback_frame_variables(request, tb_frame):
            if value is not self.cleansed_substitute and contains_secret(value, secrets):
                value = self.cleansed_substitute
            scrubbed.append((name, value))
        return scrubbed


def posted_secrets(request) -> list[str]:
    """Return the values of the POST parameters that the view marked sensitive."""
    names = getattr(request, "sensitive_post_parameters", None)
    if request is None or not names:
        return []
    if names == "__ALL__":
        names = list(request.POST)
    values = []
    for name in names:
        values += [value.strip() for value in request.POST.getlist(name)]
    return [value for value in values if len(value) >= MIN_SECRET_LENGTH]


def contains_secret(value, secrets: list[str]) -> bool:
    try:
        text = repr(value)
    except Exception:
        # A repr that fails cannot be shown either; Django prints its own placeholder then.
        return False
    return any(secret in text for secret in secrets) or SECRET_PATTERN.search(text) is not None
