def mask_secret(key: str, public_prefix: str = "") -> str:
    """Return a hint such as ``sk-or-v1-…9f3a`` that identifies a key without revealing it.

    The public prefix stays visible. The last four characters are shown only when at least twelve
    secret characters exist, so a short key is not printed almost in full.
    """
    if not isinstance(key, str):
        return "…"
    prefix = public_prefix if public_prefix and key.startswith(public_prefix) else ""
    tail = key[-4:] if len(key) - len(prefix) >= 12 else ""
    return f"{prefix}…{tail}"
