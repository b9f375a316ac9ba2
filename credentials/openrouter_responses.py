"""Reading the bodies of OpenRouter's successful responses into plain Python values.

Each parser returns ``(data, success message)`` or raises UnexpectedResponse, whose detail names
the problem without quoting the body.
"""

import dataclasses
import math
import re
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


@dataclasses.dataclass(frozen=True)
class KeyInfo:
    """Key details from ``GET /key``. Amounts are OpenRouter credits, which are US dollars."""

    label: str
    usage: float
    limit: float | None = None
    limit_remaining: float | None = None
    limit_reset: str | None = None
    usage_daily: float | None = None
    usage_weekly: float | None = None
    usage_monthly: float | None = None
    is_free_tier: bool | None = None
    is_management_key: bool | None = None
    expires_at: datetime | None = None


class UnexpectedResponse(Exception):
    """Error raised by the body parsers. Its ``detail`` names the problem and never quotes the body."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def parse_key_info(body: Mapping[str, Any]) -> tuple[KeyInfo, str]:
    data = body.get("data")
    if not isinstance(data, Mapping):
        raise UnexpectedResponse("the 'data' object is missing")

    label = data.get("label")
    if not isinstance(label, str):
        raise UnexpectedResponse("'data.label' is missing or not a string")
    usage = _optional_number(data, "usage")
    if usage is None:
        raise UnexpectedResponse("'data.usage' is missing or not a number")

    # OpenRouter has sent expires_at both inside and beside the data object.
    expires_raw = data["expires_at"] if "expires_at" in data else body.get("expires_at")

    info = KeyInfo(
        label=label,
        usage=usage,
        limit=_optional_number(data, "limit"),
        limit_remaining=_optional_number(data, "limit_remaining"),
        limit_reset=_optional_string(data, "limit_reset"),
        usage_daily=_optional_number(data, "usage_daily"),
        usage_weekly=_optional_number(data, "usage_weekly"),
        usage_monthly=_optional_number(data, "usage_monthly"),
        is_free_tier=_optional_bool(data, "is_free_tier"),
        is_management_key=_optional_bool(data, "is_management_key"),
        expires_at=_parse_timestamp(expires_raw),
    )
    return info, "OpenRouter accepted the key."


def parse_models(body: Mapping[str, Any]) -> list[dict[str, Any]]:
    models = body.get("data")
    if not isinstance(models, list):
        raise UnexpectedResponse("the 'data' list is missing")
    for model in models:
        if not isinstance(model, dict) or not isinstance(model.get("id"), str):
            raise UnexpectedResponse("a model entry has no string 'id'")
    return models


def parse_chat_completion(body: Mapping[str, Any], requested_model: str) -> tuple[dict[str, Any], str]:
    choices = body.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], Mapping):
        raise UnexpectedResponse("the 'choices' list is missing or empty")
    message = choices[0].get("message")
    if not isinstance(message, Mapping):
        raise UnexpectedResponse("'choices[0].message' is missing")
    content = message.get("content")
    # Content is null when the model returned only tool calls.
    if content is not None and not isinstance(content, str):
        raise UnexpectedResponse("'choices[0].message.content' is not a string")
    finish_reason = _optional_string(choices[0], "finish_reason")

    usage = body.get("usage")
    if usage is None:
        usage = {}
    elif not isinstance(usage, Mapping):
        raise UnexpectedResponse("'usage' is not an object")
    model = body.get("model")
    if not isinstance(model, str) or not model:
        model = requested_model

    data = {
        "reply": content or "",
        "model": model,
        "finish_reason": finish_reason,
        "usage": dict(usage),
    }
    shown_model = CONTROL_CHARACTERS.sub("", model)[:100]
    return data, f"{shown_model} sent a reply through OpenRouter."


def _optional_number(data: Mapping[str, Any], name: str) -> float | None:
    value = data.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise UnexpectedResponse(f"'{name}' is not a number")
    return float(value)


def _optional_string(data: Mapping[str, Any], name: str) -> str | None:
    value = data.get(name)
    if value is not None and not isinstance(value, str):
        raise UnexpectedResponse(f"'{name}' is not a string")
    return value


def _optional_bool(data: Mapping[str, Any], name: str) -> bool | None:
    value = data.get(name)
    if value is not None and not isinstance(value, bool):
        raise UnexpectedResponse(f"'{name}' is not true or false")
    return value


def _parse_timestamp(value: Any) -> datetime | None:
    """Parse an ISO 8601 timestamp as an aware datetime, taking one without an offset as UTC."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise UnexpectedResponse("'expires_at' is not a string")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise UnexpectedResponse("'expires_at' is not an ISO 8601 timestamp") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed
