"""Client for the OpenRouter REST API (https://openrouter.ai/api/v1).

This module is the only code that sends requests to OpenRouter or builds
their headers. Every API call returns a ``Result`` whose outcome is one
``Outcome`` member, so callers never handle requests' exceptions. Neither
results nor log lines contain the API key.
"""

from __future__ import annotations

import dataclasses
import enum
import logging
import math
import re
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.views.decorators.debug import sensitive_variables
from urllib3.exceptions import ReadTimeoutError

from credentials.masking import mask_secret
from credentials.openrouter_responses import (  # noqa: F401 (KeyInfo is part of this module's API)
    CONTROL_CHARACTERS,
    KeyInfo,
    UnexpectedResponse,
    parse_chat_completion,
    parse_key_info,
    parse_models,
)

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://openrouter.ai/api/v1"
# Slightly more than a multiple of 3 s, the TCP retransmission window, as
# the Timeouts section of the requests "Advanced Usage" guide recommends.
DEFAULT_CONNECT_TIMEOUT = 3.05
DEFAULT_READ_TIMEOUT = 10.0
DEFAULT_MAX_RETRIES = 2
DEFAULT_RETRY_AFTER_CAP = 5.0
DEFAULT_APP_URL = ""
DEFAULT_APP_TITLE = "nexlacreds"

KEY_PREFIX = "sk-or-v1-"
OPENROUTER_KEY_PATTERN = re.compile(r"sk-or-v1-[0-9a-f]{64}")
# Current keys are 73 characters long. The limit only stops a pasted
# document from being sent as a header, so it leaves room for longer formats.
MAX_KEY_LENGTH = 512
# Printable ASCII without the space: nothing here can end or fold a header.
_SENDABLE_KEY_PATTERN = re.compile(r"[\x21-\x7e]+")
_HEADER_VALUE_PATTERN = re.compile(r"[\x20-\x7e]*")

# Rate limiting, a failed or down provider, and no available provider:
# OpenRouter documents these as temporary.
# NOTE: whether OpenRouter can bill a POST /chat/completions that ended in
# 502 was not verified, so a retried completion might be charged twice.
RETRY_STATUSES = frozenset({429, 502, 503})
FIRST_BACKOFF_SECONDS = 0.5
MAX_UPSTREAM_MESSAGE_LENGTH = 300

_LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


class Outcome(enum.StrEnum):
    """Result category of one OpenRouter API call."""

    OK = "ok"
    # The key was not sent because it cannot be a valid header value.
    MALFORMED_KEY = "malformed_key"
    INVALID_KEY = "invalid_key"  # HTTP 401
    NO_CREDIT = "no_credit"  # HTTP 402
    FORBIDDEN = "forbidden"  # HTTP 403, e.g. a key over its spending limit
    RATE_LIMITED = "rate_limited"  # HTTP 429
    UNAVAILABLE = "unavailable"  # HTTP 408, 5xx, 524 and 529
    TIMED_OUT = "timed_out"
    CONNECTION_FAILED = "connection_failed"  # DNS, refused, reset, TLS, proxy
    UNEXPECTED_RESPONSE = "unexpected_response"  # unreadable body, redirect
    REJECTED = "rejected"  # other 4xx: 400, 404, 413, 422


@dataclasses.dataclass(frozen=True)
class Result:
    """Outcome of one API call with a message that can be shown to end users.

    ``status_code`` is the final HTTP status, or None when no response
    arrived. ``data`` is set only when the outcome is OK. ``retry_after`` is
    the wait in seconds that OpenRouter requested in its last response.
    """

    outcome: Outcome
    message: str
    status_code: int | None = None
    data: Any = None
    retry_after: int | None = None

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.OK


def mask_key(key: str) -> str:
    """Return a hint such as ``sk-or-v1-…9f3a`` that identifies a key without revealing it."""
    return mask_secret(key, KEY_PREFIX)


def looks_like_openrouter_key(key: str) -> bool:
    """Return whether the key has the current OpenRouter format: ``sk-or-v1-`` and 64 lowercase hex digits."""
    return isinstance(key, str) and OPENROUTER_KEY_PATTERN.fullmatch(key) is not None


def is_sendable_key(key: str) -> bool:
    """Return whether the key can be sent in an Authorization header.

    A sendable key is 1 to MAX_KEY_LENGTH printable ASCII characters with no
    whitespace. It may still have a format other than ``sk-or-v1-…``.
    """
    return (
        isinstance(key, str)
        and len(key) <= MAX_KEY_LENGTH
        and _SENDABLE_KEY_PATTERN.fullmatch(key) is not None
    )


def _read_setting(name: str, default: Any) -> Any:
    # Reading an unconfigured LazySettings raises ImproperlyConfigured, not
    # AttributeError, so getattr's default alone does not cover scripts and
    # tests that run without Django settings.
    try:
        return getattr(settings, name, default)
    except ImproperlyConfigured:
        return default


class _BearerAuth(requests.auth.AuthBase):
    """Authorization header set as an auth handler.

    requests replaces a plain Authorization header with credentials from
    ~/.netrc unless the request has an auth handler.
    """

    def __init__(self, key: str) -> None:
        self._key = key

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self._key}"
        return request

    def __repr__(self) -> str:
        return f"_BearerAuth({mask_key(self._key)!r})"


class OpenRouterClient:
    """Send requests to the OpenRouter API with one API key.

    Each API method returns a ``Result`` for network and API errors instead
    of raising requests' exceptions. A key that is empty, longer than
    MAX_KEY_LENGTH, or contains whitespace, control or non-ASCII characters
    is never sent. For such a key the methods return a MALFORMED_KEY result
    without opening a connection. Arguments that are programming errors (a
    bad base URL, a negative timeout, an empty model name) raise ValueError.

    Statuses 429, 502 and 503 are retried up to ``max_retries`` times.
    The client waits for the integer Retry-After seconds, capped at
    ``retry_after_cap``, or else 0.5 s, 1 s, 2 s and so on (also capped).
    Retry-After in HTTP-date form is ignored. Timeouts and connection errors
    are not retried because the caller is usually a web request, and one
    slow upstream should not hold a worker for several timeout periods.

    Settings read when the client is created, unless given as arguments:
    OPENROUTER_BASE_URL, OPENROUTER_CONNECT_TIMEOUT and
    OPENROUTER_READ_TIMEOUT (seconds), OPENROUTER_MAX_RETRIES,
    OPENROUTER_RETRY_AFTER_CAP (seconds), OPENROUTER_APP_URL (sent as
    HTTP-Referer, omitted when empty) and OPENROUTER_APP_TITLE (sent as
    X-OpenRouter-Title). Without configured Django settings the module
    defaults apply.

    A session passed in stays open when the client is closed.
    """

    @sensitive_variables("api_key")
    def __init__(
        self,
        api_key: str,
        *,
        base_url: str | None = None,
        connect_timeout: float | None = None,
        read_timeout: float | None = None,
        max_retries: int | None = None,
        retry_after_cap: float | None = None,
        app_url: str | None = None,
        app_title: str | None = None,
        session: requests.Session | None = None,
        sleep: Callable[[float], object] = time.sleep,
    ) -> None:
        self._api_key = api_key
        self.base_url = _validate_base_url(
            base_url if base_url is not None else _read_setting("OPENROUTER_BASE_URL", DEFAULT_BASE_URL)
        )
        self.connect_timeout = _validate_seconds(
            "OPENROUTER_CONNECT_TIMEOUT",
            connect_timeout
            if connect_timeout is not None
            else _read_setting("OPENROUTER_CONNECT_TIMEOUT", DEFAULT_CONNECT_TIMEOUT),
            allow_zero=False,
        )
        self.read_timeout = _validate_seconds(
            "OPENROUTER_READ_TIMEOUT",
            read_timeout if read_timeout is not None else _read_setting("OPENROUTER_READ_TIMEOUT", DEFAULT_READ_TIMEOUT),
            allow_zero=False,
        )
        self.max_retries = _validate_max_retries(
            max_retries if max_retries is not None else _read_setting("OPENROUTER_MAX_RETRIES", DEFAULT_MAX_RETRIES)
        )
        self.retry_after_cap = _validate_seconds(
            "OPENROUTER_RETRY_AFTER_CAP",
            retry_after_cap
            if retry_after_cap is not None
            else _read_setting("OPENROUTER_RETRY_AFTER_CAP", DEFAULT_RETRY_AFTER_CAP),
            allow_zero=True,
        )
        self.app_url = _validate_header_value(
            "OPENROUTER_APP_URL", app_url if app_url is not None else _read_setting("OPENROUTER_APP_URL", DEFAULT_APP_URL)
        )
        self.app_title = _validate_header_value(
            "OPENROUTER_APP_TITLE",
            app_title if app_title is not None else _read_setting("OPENROUTER_APP_TITLE", DEFAULT_APP_TITLE),
        )
        self._owns_session = session is None
        self._session = session if session is not None else requests.Session()
        self._sleep = sleep

    def __repr__(self) -> str:
        return f"OpenRouterClient(key={mask_key(self._api_key)!r}, base_url={self.base_url!r})"

    def __enter__(self) -> OpenRouterClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the HTTP session if this client created it."""
        if self._owns_session:
            self._session.close()

    def check_key(self) -> Result:
        """Fetch the key's limits and usage with ``GET /key``.

        On success ``data`` is a KeyInfo. The response must contain a ``data``
        object with a string ``label`` and a numeric ``usage``. Other known
        fields may be missing or null, but a present field of the wrong type
        makes the result UNEXPECTED_RESPONSE. Unknown fields are ignored.
        """
        return self._call("GET", "/key", parse_key_info)

    def list_models(self, limit: int | None = None) -> Result:
        """Fetch the model catalogue with ``GET /models``.

        On success ``data`` is a list of model dicts as OpenRouter sent them,
        at most ``limit`` of them. OpenRouter serves this list without a key,
        so success does not prove that the key is valid.
        """
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
            raise ValueError(f"limit must be a non-negative integer or None, got {limit!r}.")

        def parse(body: Mapping[str, Any]) -> tuple[list[dict[str, Any]], str]:
            models = parse_models(body)
            if limit is not None:
                models = models[:limit]
            return models, f"OpenRouter returned {len(models)} models."

        return self._call("GET", "/models", parse)

    def chat_completion(
        self,
        model: str,
        messages: list[Mapping[str, Any]],
        max_tokens: int | None = None,
    ) -> Result:
        """Request one completion with ``POST /chat/completions``, which OpenRouter bills to the key.

        On success ``data`` is a dict with ``reply`` (the first choice's
        text, empty when the model sent none), ``model``, ``finish_reason``
        and ``usage`` (token counts and ``cost`` as OpenRouter sent them).
        """
        if not isinstance(model, str) or not model.strip():
            raise ValueError(f"model must be a non-empty model id such as 'openai/gpt-4o', got {model!r}.")
        if not isinstance(messages, list) or not messages or not all(isinstance(m, Mapping) for m in messages):
            raise ValueError("messages must be a non-empty list of message dicts with 'role' and 'content'.")
        if max_tokens is not None and (
            isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or max_tokens < 1
        ):
            raise ValueError(f"max_tokens must be a positive integer or None, got {max_tokens!r}.")

        body: dict[str, Any] = {"model": model, "messages": [dict(m) for m in messages]}
        if max_tokens is not None:
            body["max_tokens"] = max_tokens
        return self._call("POST", "/chat/completions", lambda payload: parse_chat_completion(payload, model), body)

    def _call(
        self,
        method: str,
        path: str,
        parse: Callable[[Mapping[str, Any]], tuple[Any, str]],
        body: Mapping[str, Any] | None = None,
    ) -> Result:
        if not is_sendable_key(self._api_key):
            result = Result(
                Outcome.MALFORMED_KEY,
                "The key is empty, too long, or contains spaces, line breaks or other characters "
                "that an OpenRouter key cannot contain. Copy the key again and paste only the key.",
            )
            self._log_failure(method, path, result, attempts=0)
            return result

        attempt = 0
        while True:
            attempt += 1
            try:
                response = self._session.request(
                    method,
                    self.base_url + path,
                    headers=self._headers(),
                    json=body,
                    auth=_BearerAuth(self._api_key),
                    # NOTE: the read timeout limits each wait between received
                    # bytes, so a server that trickles bytes can hold the call longer.
                    timeout=(self.connect_timeout, self.read_timeout),
                    # Explicit so that an injected session with verify=False
                    # still checks certificates.
                    verify=True,
                    # A redirect is not part of the API, and following one
                    # could send the key to another host.
                    allow_redirects=False,
                )
            except requests.RequestException as exc:
                result = self._result_for_exception(exc)
                self._log_failure(method, path, result, attempt, error=type(exc).__name__)
                return result

            if response.status_code in RETRY_STATUSES and attempt <= self.max_retries:
                delay = self._retry_delay(response, attempt)
                logger.info(
                    "OpenRouter %s %s returned HTTP %s, retrying in %.2f s (retry %d of %d)",
                    method,
                    path,
                    response.status_code,
                    delay,
                    attempt,
                    self.max_retries,
                )
                response.close()
                self._sleep(delay)
                continue
            break

        result = self._result_for_response(response, parse)
        if not result.ok:
            self._log_failure(method, path, result, attempt)
        return result

    def _headers(self) -> dict[str, str]:
        headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "X-OpenRouter-Title": self.app_title,
        }
        if self.app_url:
            headers["HTTP-Referer"] = self.app_url
        return headers

    def _retry_delay(self, response: requests.Response, attempt: int) -> float:
        retry_after = _parse_retry_after(response.headers.get("Retry-After"))
        if retry_after is not None:
            return min(float(retry_after), self.retry_after_cap)
        return min(FIRST_BACKOFF_SECONDS * 2 ** (attempt - 1), self.retry_after_cap)

    def _result_for_exception(self, exc: requests.RequestException) -> Result:
        # Exception texts can contain URLs and header values, so no message
        # here is built from str(exc).
        if isinstance(exc, requests.ConnectTimeout):
            return Result(
                Outcome.TIMED_OUT,
                f"OpenRouter did not accept the connection within {self.connect_timeout:g} seconds. "
                "Try again later.",
            )
        if isinstance(exc, requests.Timeout) or _is_body_read_timeout(exc):
            return Result(
                Outcome.TIMED_OUT,
                f"OpenRouter did not respond within {self.read_timeout:g} seconds. Try again later.",
            )
        if isinstance(exc, requests.exceptions.SSLError):
            return Result(
                Outcome.CONNECTION_FAILED,
                "Could not open a secure connection to OpenRouter because the TLS handshake or "
                "certificate check failed. Check the server's CA certificates and clock.",
            )
        if isinstance(exc, requests.exceptions.ProxyError):
            return Result(
                Outcome.CONNECTION_FAILED,
                "Could not connect to OpenRouter through the configured proxy. Check the proxy settings.",
            )
        if isinstance(exc, requests.exceptions.ChunkedEncodingError):
            return Result(
                Outcome.CONNECTION_FAILED,
                "The connection to OpenRouter broke while the response was being read. Try again.",
            )
        if isinstance(exc, requests.exceptions.ContentDecodingError):
            return Result(
                Outcome.UNEXPECTED_RESPONSE,
                "OpenRouter sent a compressed response that could not be decoded. Try again later.",
            )
        if isinstance(exc, requests.ConnectionError):
            return Result(
                Outcome.CONNECTION_FAILED,
                "Could not connect to OpenRouter. Check the server's network connection and DNS, then try again.",
            )
        return Result(
            Outcome.CONNECTION_FAILED,
            "The request to OpenRouter failed before a response arrived. Try again later.",
        )

    def _result_for_response(
        self,
        response: requests.Response,
        parse: Callable[[Mapping[str, Any]], tuple[Any, str]],
    ) -> Result:
        status = response.status_code
        body = _json_object_or_none(response)

        if not 200 <= status < 300:
            retry_after = _parse_retry_after(response.headers.get("Retry-After"))
            return self._error_result(status, status, self._upstream_message(body), retry_after)

        if body is None:
            return _unexpected_result(status, "the body is not a JSON object")
        # OpenRouter's errors documentation says that an error raised after
        # the model started producing output comes with HTTP 200, and the
        # body's error.code then contains the status.
        error_code = _error_code(body)
        if error_code is not None:
            return self._error_result(error_code, status, self._upstream_message(body), None)

        try:
            data, message = parse(body)
        except UnexpectedResponse as exc:
            return _unexpected_result(status, exc.detail)
        return Result(Outcome.OK, message, status, data)

    def _error_result(
        self,
        error_status: int,
        http_status: int,
        upstream_message: str | None,
        retry_after: int | None,
    ) -> Result:
        """Build the failure result for ``error_status``, which is the HTTP status or a 200 body's error.code."""
        outcome = _outcome_for_status(error_status)
        if outcome is Outcome.UNEXPECTED_RESPONSE:
            return _unexpected_result(http_status, f"HTTP {http_status} is not an API response")

        prefix, fallback = _ERROR_MESSAGES[outcome]
        if upstream_message:
            message = f"{prefix}: {upstream_message}"
        else:
            message = fallback
        if outcome is Outcome.RATE_LIMITED:
            if retry_after is not None:
                unit = "second" if retry_after == 1 else "seconds"
                message += f" Try again in {retry_after} {unit}."
            elif upstream_message:
                message += " Wait a minute and try again."
        return Result(outcome, message, http_status, None, retry_after)

    def _upstream_message(self, body: Mapping[str, Any] | None) -> str | None:
        """Return OpenRouter's error message cleaned for display, with the key masked."""
        if body is None or not isinstance(body.get("error"), Mapping):
            return None
        text = body["error"].get("message")
        if not isinstance(text, str):
            return None
        if isinstance(self._api_key, str) and self._api_key:
            text = text.replace(self._api_key, mask_key(self._api_key))
        text = " ".join(CONTROL_CHARACTERS.sub(" ", text).split())
        if not text:
            return None
        if len(text) > MAX_UPSTREAM_MESSAGE_LENGTH:
            text = text[: MAX_UPSTREAM_MESSAGE_LENGTH - 1].rstrip() + "…"
        if text[-1] not in ".!?…":
            text += "."
        return text

    def _log_failure(
        self,
        method: str,
        path: str,
        result: Result,
        attempts: int,
        error: str | None = None,
    ) -> None:
        logger.warning(
            "OpenRouter %s %s failed: outcome=%s status=%s attempts=%d error=%s",
            method,
            path,
            result.outcome.value,
            result.status_code,
            attempts,
            error or "-",
        )


# Prefix used before OpenRouter's own message, and the message used when the
# error body has none.
_ERROR_MESSAGES: dict[Outcome, tuple[str, str]] = {
    Outcome.INVALID_KEY: (
        "OpenRouter rejected the key",
        "OpenRouter rejected the key as invalid. Check that it was copied in full and has not been deleted.",
    ),
    Outcome.NO_CREDIT: (
        "OpenRouter reported insufficient credits",
        "The OpenRouter account has insufficient credits. Add credits and try again.",
    ),
    Outcome.FORBIDDEN: (
        "OpenRouter refused the request",
        "OpenRouter refused the request. The key may have reached its spending limit "
        "or may not have access to this resource.",
    ),
    Outcome.RATE_LIMITED: (
        "OpenRouter rate limited the request",
        "OpenRouter rate limited the request. Wait a minute and try again.",
    ),
    Outcome.UNAVAILABLE: (
        "OpenRouter is temporarily unavailable",
        "OpenRouter is temporarily unavailable. Try again in a few minutes.",
    ),
    Outcome.REJECTED: (
        "OpenRouter rejected the request",
        "OpenRouter rejected the request as invalid.",
    ),
}


def _outcome_for_status(status: int) -> Outcome:
    if status == 401:
        return Outcome.INVALID_KEY
    if status == 402:
        return Outcome.NO_CREDIT
    if status == 403:
        return Outcome.FORBIDDEN
    if status == 429:
        return Outcome.RATE_LIMITED
    # 408 and Cloudflare's 524 are upstream timeouts and 529 means
    # overloaded: like 5xx, the request may succeed later.
    if status == 408 or 500 <= status <= 599:
        return Outcome.UNAVAILABLE
    if 400 <= status <= 499:
        return Outcome.REJECTED
    return Outcome.UNEXPECTED_RESPONSE


def _unexpected_result(status: int | None, detail: str) -> Result:
    return Result(
        Outcome.UNEXPECTED_RESPONSE,
        f"OpenRouter sent a response this app cannot read ({detail}), so the request's result is unknown. "
        "Try again later.",
        status,
    )


def _is_body_read_timeout(exc: requests.RequestException) -> bool:
    # requests raises ConnectionError, not ReadTimeout, when the read
    # timeout expires after the headers arrived and while the body is read.
    return isinstance(exc, requests.ConnectionError) and any(isinstance(arg, ReadTimeoutError) for arg in exc.args)


def _json_object_or_none(response: requests.Response) -> dict[str, Any] | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _error_code(body: Mapping[str, Any] | None) -> int | None:
    if body is None or not isinstance(body.get("error"), Mapping):
        return None
    code = body["error"].get("code")
    if isinstance(code, int) and not isinstance(code, bool) and 400 <= code <= 599:
        return code
    return None


def _parse_retry_after(value: str | None) -> int | None:
    if value is None:
        return None
    value = value.strip()
    if not value.isascii() or not value.isdigit():
        return None
    return int(value)


def _validate_base_url(url: Any) -> str:
    if not isinstance(url, str):
        raise ValueError(f"OPENROUTER_BASE_URL must be a string, got {url!r}.")
    parts = urlsplit(url.strip())
    is_https = parts.scheme == "https" and bool(parts.hostname)
    is_local_http = parts.scheme == "http" and parts.hostname in _LOOPBACK_HOSTS
    # Plain HTTP would send the key in cleartext, so it is allowed only for
    # test servers on this machine.
    if not (is_https or is_local_http) or parts.query or parts.fragment:
        raise ValueError(
            f"OPENROUTER_BASE_URL must be an https:// URL without query or fragment "
            f"(http:// is allowed only for localhost), got {url!r}."
        )
    return url.strip().rstrip("/")


def _validate_seconds(name: str, value: Any, *, allow_zero: bool) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{name} must be a number of seconds, got {value!r}.")
    if value < 0 or (value == 0 and not allow_zero):
        lowest = "zero or more" if allow_zero else "more than zero"
        raise ValueError(f"{name} must be {lowest} seconds, got {value!r}.")
    return float(value)


def _validate_max_retries(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"OPENROUTER_MAX_RETRIES must be a non-negative integer, got {value!r}.")
    return value


def _validate_header_value(name: str, value: Any) -> str:
    if not isinstance(value, str) or _HEADER_VALUE_PATTERN.fullmatch(value) is None:
        raise ValueError(f"{name} must be printable ASCII without line breaks, got {value!r}.")
    return value
