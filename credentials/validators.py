from django.core.exceptions import ValidationError

from credentials.fields import SERIALIZED_TOKEN_PREFIX

# The OpenRouter client refuses to send longer keys (openrouter.MAX_KEY_LENGTH); keep the two equal.
API_KEY_MAX_LENGTH = 512


def validate_api_key_characters(value: str) -> None:
    """Reject keys with whitespace, control or non-ASCII characters inside.

    API keys are printable ASCII. A CR or LF would let a key inject HTTP headers, and a space or a
    non-ASCII letter usually means something else was pasted along with the key.
    """
    for character in value:
        if character.isspace():
            raise ValidationError(
                "The API key contains a space or line break. Paste the key again without it.",
                code="whitespace",
            )
        if not ("\x21" <= character <= "\x7e"):
            raise ValidationError(
                "The API key contains a character that API keys never contain (a control or non-ASCII "
                "character). Copy the key again from the provider's dashboard.",
                code="invalid_character",
            )
    if value.startswith(SERIALIZED_TOKEN_PREFIX):
        raise ValidationError("This is not an API key. Paste the key from the provider's dashboard.", code="token")
