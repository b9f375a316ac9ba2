"""Tests for credentials.openrouter against real HTTP servers on 127.0.0.1.

pytest-httpserver plays OpenRouter. Timeouts, refused connections and TLS
failures use sockets that the tests open themselves. No test needs a
database or configured Django settings.
"""

import datetime
import ipaddress
import json
import logging
import socket
import ssl
import tempfile
import threading
import time

import pytest
import requests
from django.conf import LazySettings
from pytest_httpserver import HTTPServer

from credentials import openrouter
from credentials.openrouter import (
    MAX_KEY_LENGTH,
    KeyInfo,
    OpenRouterClient,
    Outcome,
    Result,
    is_sendable_key,
    looks_like_openrouter_key,
    mask_key,
)

KEY = "sk-or-v1-" + "0123456789abcdef" * 4
API_PREFIX = "/api/v1"
APP_URL = "https://creds.example.test"
APP_TITLE = "nexlacreds-tests"

KEY_BODY = {
    "data": {
        "label": "sk-or-v1-012...def",
        "limit": 10.0,
        "limit_remaining": 9.5,
        "limit_reset": "monthly",
        "usage": 0.5,
        "usage_daily": 0.1,
        "usage_weekly": 0.2,
        "usage_monthly": 0.5,
        "is_free_tier": False,
        "is_management_key": False,
    },
    "expires_at": "2027-01-01T00:00:00Z",
}

MODELS_BODY = {
    "data": [
        {
            "id": "openai/gpt-4o",
            "name": "OpenAI: GPT-4o",
            "created": 1715367049,
            "description": "GPT-4o is OpenAI's flagship model.",
            "context_length": 128000,
            "architecture": {"modality": "text+image->text"},
            "pricing": {"prompt": "0.0000025", "completion": "0.00001"},
            "top_provider": {"context_length": 128000, "is_moderated": True},
        },
        {
            "id": "anthropic/claude-sonnet-4",
            "name": "Anthropic: Claude Sonnet 4",
            "created": 1747930371,
            "description": "Claude Sonnet 4.",
            "context_length": 200000,
            "architecture": {"modality": "text+image->text"},
            "pricing": {"prompt": "0.000003", "completion": "0.000015"},
            "top_provider": {"context_length": 200000, "is_moderated": False},
        },
    ]
}

CHAT_MESSAGES = [{"role": "user", "content": "Hi"}]
CHAT_BODY = {
    "id": "gen-123",
    "object": "chat.completion",
    "created": 1735689600,
    "model": "openai/gpt-4o",
    "choices": [{"finish_reason": "stop", "message": {"role": "assistant", "content": "Hello!"}}],
    "usage": {"prompt_tokens": 8, "completion_tokens": 3, "total_tokens": 11, "cost": 0.00005},
}


def error_body(code, message):
    return {"error": {"code": code, "message": message, "metadata": {}}}


# Fixtures


@pytest.fixture(autouse=True)
def no_proxy_environment(monkeypatch):
    # A developer's proxy variables would send the loopback requests elsewhere.
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def key_absent_from_logs(caplog):
    """Capture every log record at DEBUG, including urllib3's, and check that none contains the key."""
    caplog.set_level(logging.DEBUG)
    yield caplog
    for record in caplog.records:
        assert KEY not in record.getMessage(), f"key logged by {record.name}"
    assert KEY not in caplog.text


@pytest.fixture
def server(httpserver_ipv4):
    return httpserver_ipv4


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def api(server, sleeps):
    with make_client(server.url_for(API_PREFIX), sleeps) as client:
        yield client


def make_client(base_url, sleeps, key=KEY, **overrides):
    options = {
        "base_url": base_url,
        "connect_timeout": 1.0,
        "read_timeout": 2.0,
        "max_retries": 2,
        "retry_after_cap": 5.0,
        "app_url": APP_URL,
        "app_title": APP_TITLE,
        "sleep": sleeps.append,
    }
    options.update(overrides)
    return OpenRouterClient(key, **options)


def received(server):
    return [request for request, _ in server.log]


def assert_sent_by_client(request, method, path):
    assert request.method == method
    assert request.path == API_PREFIX + path
    assert request.headers.get("Authorization") == f"Bearer {KEY}"
    assert request.headers.get("Content-Type") == "application/json"
    assert request.headers.get("Accept") == "application/json"
    assert request.headers.get("HTTP-Referer") == APP_URL
    assert request.headers.get("X-OpenRouter-Title") == APP_TITLE


def assert_key_hidden(result):
    assert KEY not in result.message
    assert KEY not in repr(result)


def unused_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# GET /key


def test_check_key_valid(api, server, sleeps):
    server.expect_request(API_PREFIX + "/key", method="GET").respond_with_json(KEY_BODY)

    result = api.check_key()

    assert result.ok
    assert result.outcome is Outcome.OK
    assert result.status_code == 200
    assert result.message == "OpenRouter accepted the key."
    assert result.data == KeyInfo(
        label="sk-or-v1-012...def",
        usage=0.5,
        limit=10.0,
        limit_remaining=9.5,
        limit_reset="monthly",
        usage_daily=0.1,
        usage_weekly=0.2,
        usage_monthly=0.5,
        is_free_tier=False,
        is_management_key=False,
        expires_at=datetime.datetime(2027, 1, 1, tzinfo=datetime.timezone.utc),
    )
    assert result.data.expires_at.tzinfo is not None
    requests_seen = received(server)
    assert len(requests_seen) == 1
    assert_sent_by_client(requests_seen[0], "GET", "/key")
    assert requests_seen[0].get_data() == b""
    assert sleeps == []
    assert_key_hidden(result)


def test_check_key_null_limit(api, server):
    body = {
        "data": {
            **KEY_BODY["data"],
            "limit": None,
            "limit_remaining": None,
            "limit_reset": None,
            "expires_at": None,
        }
    }
    server.expect_request(API_PREFIX + "/key").respond_with_json(body)

    result = api.check_key()

    assert result.ok
    assert result.data.limit is None
    assert result.data.limit_remaining is None
    assert result.data.limit_reset is None
    assert result.data.expires_at is None
    assert result.data.usage == 0.5
    assert_key_hidden(result)


def test_check_key_unknown_fields_ignored(api, server):
    body = {
        "data": {
            **KEY_BODY["data"],
            "expires_at": "2026-06-30T12:00:00+02:00",
            "rate_limit": {"requests": 10, "interval": "10s"},
            "byok_usage": 0.0,
            "is_provisioning_key": False,
        },
        "meta": {"request_id": "req-1"},
    }
    server.expect_request(API_PREFIX + "/key").respond_with_json(body)

    result = api.check_key()

    assert result.ok
    assert result.data.label == "sk-or-v1-012...def"
    assert result.data.expires_at == datetime.datetime(2026, 6, 30, 10, 0, tzinfo=datetime.timezone.utc)
    assert_key_hidden(result)


def test_check_key_minimal_data(api, server):
    server.expect_request(API_PREFIX + "/key").respond_with_json({"data": {"label": "x", "usage": 0}})

    result = api.check_key()

    assert result.ok
    assert result.data == KeyInfo(label="x", usage=0.0)


def test_check_key_401_shows_openrouter_message(api, server, sleeps):
    server.expect_request(API_PREFIX + "/key").respond_with_json(error_body(401, "User not found"), status=401)

    result = api.check_key()

    assert not result.ok
    assert result.outcome is Outcome.INVALID_KEY
    assert result.status_code == 401
    assert result.message == "OpenRouter rejected the key: User not found."
    assert result.data is None
    assert len(received(server)) == 1
    assert_sent_by_client(received(server)[0], "GET", "/key")
    assert sleeps == []
    assert_key_hidden(result)


def test_check_key_401_without_body(api, server):
    server.expect_request(API_PREFIX + "/key").respond_with_data("", status=401)

    result = api.check_key()

    assert result.outcome is Outcome.INVALID_KEY
    assert result.message.startswith("OpenRouter rejected the key as invalid.")
    assert_key_hidden(result)


def test_check_key_402_no_credit(api, server):
    server.expect_request(API_PREFIX + "/key").respond_with_json(
        error_body(402, "Insufficient credits. Add more using https://openrouter.ai/credits"), status=402
    )

    result = api.check_key()

    assert result.outcome is Outcome.NO_CREDIT
    assert result.status_code == 402
    assert result.message == (
        "OpenRouter reported insufficient credits: Insufficient credits. Add more using https://openrouter.ai/credits."
    )
    assert len(received(server)) == 1
    assert_key_hidden(result)


def test_check_key_403_forbidden(api, server):
    server.expect_request(API_PREFIX + "/key").respond_with_json(error_body(403, "Key limit exceeded"), status=403)

    result = api.check_key()

    assert result.outcome is Outcome.FORBIDDEN
    assert result.status_code == 403
    assert result.message == "OpenRouter refused the request: Key limit exceeded."
    assert len(received(server)) == 1
    assert_key_hidden(result)


def test_check_key_408_unavailable_not_retried(api, server, sleeps):
    server.expect_request(API_PREFIX + "/key").respond_with_json(error_body(408, "Request timed out"), status=408)

    result = api.check_key()

    assert result.outcome is Outcome.UNAVAILABLE
    assert result.status_code == 408
    assert result.message == "OpenRouter is temporarily unavailable: Request timed out."
    assert len(received(server)) == 1
    assert sleeps == []
    assert_key_hidden(result)


@pytest.mark.parametrize("retry_after, expected_sleep", [("30", 5.0), ("2", 2.0)])
def test_check_key_429_retry_after_honoured(api, server, sleeps, retry_after, expected_sleep):
    server.expect_oneshot_request(API_PREFIX + "/key").respond_with_json(
        error_body(429, "Rate limit exceeded"), status=429, headers={"Retry-After": retry_after}
    )
    server.expect_request(API_PREFIX + "/key").respond_with_json(KEY_BODY)

    result = api.check_key()

    assert result.ok
    assert sleeps == [expected_sleep]
    requests_seen = received(server)
    assert len(requests_seen) == 2
    for request in requests_seen:
        assert_sent_by_client(request, "GET", "/key")
    assert_key_hidden(result)


def test_check_key_429_without_retry_after(api, server, sleeps):
    server.expect_oneshot_request(API_PREFIX + "/key").respond_with_json(
        error_body(429, "Rate limit exceeded"), status=429
    )
    server.expect_request(API_PREFIX + "/key").respond_with_json(KEY_BODY)

    result = api.check_key()

    assert result.ok
    assert sleeps == [0.5]
    assert len(received(server)) == 2


def test_check_key_429_http_date_retry_after_ignored(api, server, sleeps):
    server.expect_oneshot_request(API_PREFIX + "/key").respond_with_json(
        error_body(429, "Rate limit exceeded"), status=429, headers={"Retry-After": "Wed, 21 Oct 2037 07:28:00 GMT"}
    )
    server.expect_request(API_PREFIX + "/key").respond_with_json(KEY_BODY)

    result = api.check_key()

    assert result.ok
    assert sleeps == [0.5]


def test_check_key_429_retries_exhausted(api, server, sleeps):
    server.expect_request(API_PREFIX + "/key").respond_with_json(error_body(429, "Rate limit exceeded"), status=429)

    result = api.check_key()

    assert result.outcome is Outcome.RATE_LIMITED
    assert result.status_code == 429
    assert result.retry_after is None
    assert result.message == "OpenRouter rate limited the request: Rate limit exceeded. Wait a minute and try again."
    assert len(received(server)) == 3
    assert sleeps == [0.5, 1.0]
    assert_key_hidden(result)


def test_check_key_429_exhausted_with_retry_after(api, server, sleeps):
    server.expect_request(API_PREFIX + "/key").respond_with_json(
        error_body(429, "Rate limit exceeded"), status=429, headers={"Retry-After": "1"}
    )

    result = api.check_key()

    assert result.outcome is Outcome.RATE_LIMITED
    assert result.retry_after == 1
    assert result.message == "OpenRouter rate limited the request: Rate limit exceeded. Try again in 1 second."
    assert len(received(server)) == 3
    assert sleeps == [1.0, 1.0]


def test_check_key_429_max_retries_zero(server, sleeps):
    server.expect_request(API_PREFIX + "/key").respond_with_json(error_body(429, "Rate limit exceeded"), status=429)

    with make_client(server.url_for(API_PREFIX), sleeps, max_retries=0) as api:
        result = api.check_key()

    assert result.outcome is Outcome.RATE_LIMITED
    assert len(received(server)) == 1
    assert sleeps == []


def test_check_key_retries_are_logged(api, server, caplog):
    server.expect_request(API_PREFIX + "/key").respond_with_data("busy", status=503)

    api.check_key()

    messages = [record.getMessage() for record in caplog.records if record.name == "credentials.openrouter"]
    assert messages == [
        "OpenRouter GET /key returned HTTP 503, retrying in 0.50 s (retry 1 of 2)",
        "OpenRouter GET /key returned HTTP 503, retrying in 1.00 s (retry 2 of 2)",
        "OpenRouter GET /key failed: outcome=unavailable status=503 attempts=3 error=-",
    ]


def test_check_key_500_not_retried(api, server, sleeps):
    server.expect_request(API_PREFIX + "/key").respond_with_json(error_body(500, "Internal Server Error"), status=500)

    result = api.check_key()

    assert result.outcome is Outcome.UNAVAILABLE
    assert result.status_code == 500
    assert result.message == "OpenRouter is temporarily unavailable: Internal Server Error."
    assert len(received(server)) == 1
    assert sleeps == []
    assert_key_hidden(result)


def test_check_key_502_retried_then_ok(api, server, sleeps):
    server.expect_oneshot_request(API_PREFIX + "/key").respond_with_data("<html>Bad gateway</html>", status=502)
    server.expect_request(API_PREFIX + "/key").respond_with_json(KEY_BODY)

    result = api.check_key()

    assert result.ok
    assert len(received(server)) == 2
    assert sleeps == [0.5]


def test_check_key_502_retries_exhausted(api, server, sleeps):
    server.expect_request(API_PREFIX + "/key").respond_with_data("<html>Bad gateway</html>", status=502)

    result = api.check_key()

    assert result.outcome is Outcome.UNAVAILABLE
    assert result.status_code == 502
    assert result.message == "OpenRouter is temporarily unavailable. Try again in a few minutes."
    assert len(received(server)) == 3
    assert sleeps == [0.5, 1.0]
    assert_key_hidden(result)


def test_check_key_503_retry_after(api, server, sleeps):
    server.expect_request(API_PREFIX + "/key").respond_with_json(
        error_body(503, "No available providers"), status=503, headers={"Retry-After": "3"}
    )

    result = api.check_key()

    assert result.outcome is Outcome.UNAVAILABLE
    assert result.status_code == 503
    assert result.retry_after == 3
    assert result.message == "OpenRouter is temporarily unavailable: No available providers."
    assert len(received(server)) == 3
    assert sleeps == [3.0, 3.0]
    assert_key_hidden(result)


@pytest.mark.parametrize(
    "status, outcome",
    [
        (400, Outcome.REJECTED),
        (404, Outcome.REJECTED),
        (413, Outcome.REJECTED),
        (422, Outcome.REJECTED),
        (504, Outcome.UNAVAILABLE),
        (524, Outcome.UNAVAILABLE),
        (529, Outcome.UNAVAILABLE),
    ],
)
def test_check_key_other_statuses_not_retried(api, server, sleeps, status, outcome):
    server.expect_request(API_PREFIX + "/key").respond_with_json(error_body(status, "Something failed"), status=status)

    result = api.check_key()

    assert result.outcome is outcome
    assert result.status_code == status
    assert result.message.endswith(": Something failed.")
    assert len(received(server)) == 1
    assert sleeps == []
    assert_key_hidden(result)


def test_check_key_html_body_with_200(api, server):
    server.expect_request(API_PREFIX + "/key").respond_with_data(
        "<!DOCTYPE html><html><body>Welcome to the captive portal</body></html>", content_type="text/html"
    )

    result = api.check_key()

    assert not result.ok
    assert result.outcome is Outcome.UNEXPECTED_RESPONSE
    assert result.status_code == 200
    assert result.data is None
    assert "not a JSON object" in result.message
    assert_key_hidden(result)


def test_check_key_broken_json_body(api, server):
    server.expect_request(API_PREFIX + "/key").respond_with_data('{"data": {"label": ', content_type="application/json")

    result = api.check_key()

    assert result.outcome is Outcome.UNEXPECTED_RESPONSE
    assert result.data is None
    assert_key_hidden(result)


def test_check_key_json_array_body(api, server):
    server.expect_request(API_PREFIX + "/key").respond_with_json([KEY_BODY])

    result = api.check_key()

    assert result.outcome is Outcome.UNEXPECTED_RESPONSE


def test_check_key_json_without_data(api, server):
    server.expect_request(API_PREFIX + "/key").respond_with_json({"label": "sk-or-v1-012...def", "usage": 0.5})

    result = api.check_key()

    assert result.outcome is Outcome.UNEXPECTED_RESPONSE
    assert "'data' object is missing" in result.message
    assert result.data is None


@pytest.mark.parametrize(
    "data",
    [
        None,
        [],
        "ok",
        {"usage": 0.5},
        {"label": "x"},
        {"label": 7, "usage": 0.5},
        {"label": "x", "usage": "lots"},
        {"label": "x", "usage": True},
        {"label": "x", "usage": 0.5, "limit": "10"},
        {"label": "x", "usage": 0.5, "is_free_tier": "no"},
        {"label": "x", "usage": 0.5, "limit_reset": 30},
        {"label": "x", "usage": 0.5, "expires_at": "next year"},
        {"label": "x", "usage": 0.5, "expires_at": 1798761600},
    ],
)
def test_check_key_wrong_types_unexpected(api, server, data):
    server.expect_request(API_PREFIX + "/key").respond_with_json({"data": data})

    result = api.check_key()

    assert result.outcome is Outcome.UNEXPECTED_RESPONSE
    assert not result.ok
    assert result.data is None


def test_check_key_redirect_not_followed(api, server):
    server.expect_request(API_PREFIX + "/key").respond_with_data(
        "", status=302, headers={"Location": server.url_for("/elsewhere")}
    )

    result = api.check_key()

    assert result.outcome is Outcome.UNEXPECTED_RESPONSE
    assert result.status_code == 302
    assert [request.path for request in received(server)] == [API_PREFIX + "/key"]


def test_check_key_error_message_echoing_key_is_masked(api, server):
    server.expect_request(API_PREFIX + "/key").respond_with_json(
        error_body(401, f"Key {KEY} was revoked\r\nContact support"), status=401
    )

    result = api.check_key()

    assert result.outcome is Outcome.INVALID_KEY
    assert result.message == "OpenRouter rejected the key: Key sk-or-v1-…cdef was revoked Contact support."
    assert_key_hidden(result)


def test_check_key_long_error_message_truncated(api, server):
    server.expect_request(API_PREFIX + "/key").respond_with_json(error_body(400, "x" * 5000), status=400)

    result = api.check_key()

    assert result.outcome is Outcome.REJECTED
    assert len(result.message) < 400
    assert result.message.endswith("…")


# Network failures


def test_check_key_server_never_answers(sleeps):
    # The kernel completes the TCP handshake for a listening socket even
    # though nothing calls accept(), so the client waits for a response.
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        port = listener.getsockname()[1]
        with make_client(f"http://127.0.0.1:{port}/api/v1", sleeps, read_timeout=0.5) as api:
            started = time.monotonic()
            result = api.check_key()
            elapsed = time.monotonic() - started
    finally:
        listener.close()

    assert result.outcome is Outcome.TIMED_OUT
    assert result.status_code is None
    assert result.message == "OpenRouter did not respond within 0.5 seconds. Try again later."
    assert elapsed < 3
    assert sleeps == []
    assert_key_hidden(result)


def test_check_key_body_stalls_after_headers(sleeps):
    release = threading.Event()
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]

    def serve_headers_then_stall():
        connection, _ = listener.accept()
        with connection:
            connection.recv(65536)
            connection.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"data\""
            )
            release.wait(5)

    thread = threading.Thread(target=serve_headers_then_stall, daemon=True)
    thread.start()
    try:
        with make_client(f"http://127.0.0.1:{port}/api/v1", sleeps, read_timeout=0.5) as api:
            started = time.monotonic()
            result = api.check_key()
            elapsed = time.monotonic() - started
    finally:
        release.set()
        thread.join(5)
        listener.close()

    assert result.outcome is Outcome.TIMED_OUT
    assert elapsed < 3
    assert sleeps == []
    assert_key_hidden(result)


def test_check_key_connection_refused(sleeps):
    port = unused_port()

    with make_client(f"http://127.0.0.1:{port}/api/v1", sleeps) as api:
        result = api.check_key()

    assert result.outcome is Outcome.CONNECTION_FAILED
    assert result.status_code is None
    assert result.message.startswith("Could not connect to OpenRouter.")
    assert sleeps == []
    assert_key_hidden(result)


def test_check_key_proxy_refused(sleeps):
    session = requests.Session()
    session.proxies = {"http": f"http://127.0.0.1:{unused_port()}"}

    with make_client(f"http://127.0.0.1:{unused_port()}/api/v1", sleeps, session=session) as api:
        result = api.check_key()
    session.close()

    assert result.outcome is Outcome.CONNECTION_FAILED
    assert "proxy" in result.message
    assert_key_hidden(result)


@pytest.fixture
def self_signed_tls_server():
    """Yield a pytest-httpserver on 127.0.0.1 whose certificate no CA signed."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    private_key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .sign(private_key, hashes.SHA256())
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    # load_cert_chain reads only files, so both PEMs go to a temporary file.
    with tempfile.NamedTemporaryFile("wb", suffix=".pem") as pem:
        pem.write(certificate.public_bytes(serialization.Encoding.PEM))
        pem.write(
            private_key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        pem.flush()
        context.load_cert_chain(pem.name)

    tls_server = HTTPServer(host="127.0.0.1", port=0, ssl_context=context)
    tls_server.start()
    try:
        yield tls_server
    finally:
        tls_server.clear()
        tls_server.stop()


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_check_key_untrusted_certificate(self_signed_tls_server, sleeps, monkeypatch):
    # requests replaces a session's verify=False with these variables' CA
    # bundle, which would hide a client that stopped verifying.
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    self_signed_tls_server.expect_request(API_PREFIX + "/key").respond_with_json(KEY_BODY)
    # verify=False on an injected session must not switch verification off.
    session = requests.Session()
    session.verify = False

    with make_client(self_signed_tls_server.url_for(API_PREFIX), sleeps, session=session) as api:
        result = api.check_key()
    session.close()

    assert result.outcome is Outcome.CONNECTION_FAILED
    assert "TLS" in result.message
    assert received(self_signed_tls_server) == []
    assert_key_hidden(result)
    # The server itself works, so the certificate check alone stopped the client.
    unverified = requests.get(self_signed_tls_server.url_for(API_PREFIX + "/key"), verify=False, timeout=2)
    assert unverified.status_code == 200


# Keys rejected before any request


@pytest.mark.parametrize(
    "bad_key",
    [
        "",
        " ",
        KEY + "\r\nX-Injected: 1",
        KEY + "\n",
        KEY + "\r",
        "\t" + KEY,
        KEY[:20] + " " + KEY[20:],
        KEY + "\x00",
        KEY + "\x1b[31m",
        KEY + "\x7f",
        KEY + "\u00e9",
        KEY + "\u2028",
        "sk-or-v1-ключ",
        "x" * (MAX_KEY_LENGTH + 1),
        None,
    ],
    ids=[
        "empty",
        "space",
        "crlf-header",
        "lf",
        "cr",
        "tab",
        "inner-space",
        "nul",
        "escape",
        "del",
        "latin1",
        "line-separator",
        "cyrillic",
        "too-long",
        "none",
    ],
)
def test_malformed_key_never_sent(server, sleeps, caplog, bad_key):
    with make_client(server.url_for(API_PREFIX), sleeps, key=bad_key) as api:
        results = [
            api.check_key(),
            api.list_models(),
            api.chat_completion("openai/gpt-4o", CHAT_MESSAGES, max_tokens=5),
        ]

    assert received(server) == []
    # One- or two-character keys such as " " occur in any sentence.
    check_leak = isinstance(bad_key, str) and len(bad_key) > 8
    for result in results:
        assert result.outcome is Outcome.MALFORMED_KEY
        assert result.status_code is None
        assert result.data is None
        if check_leak:
            assert bad_key not in result.message
    if check_leak:
        assert bad_key not in caplog.text
    assert sleeps == []


def test_format_check_is_separate_from_sending(server):
    # A key in an unknown but header-safe format is still sent, and
    # OpenRouter decides whether it is valid.
    server.expect_request(API_PREFIX + "/key").respond_with_json(error_body(401, "User not found"), status=401)
    other_key = "sk-or-v2-" + "A" * 40

    with make_client(server.url_for(API_PREFIX), [], key=other_key) as api:
        result = api.check_key()

    assert result.outcome is Outcome.INVALID_KEY
    assert received(server)[0].headers["Authorization"] == f"Bearer {other_key}"


# GET /models


def test_list_models_ok(api, server):
    server.expect_request(API_PREFIX + "/models", method="GET").respond_with_json(MODELS_BODY)

    result = api.list_models()

    assert result.ok
    assert result.data == MODELS_BODY["data"]
    assert result.message == "OpenRouter returned 2 models."
    assert len(received(server)) == 1
    assert_sent_by_client(received(server)[0], "GET", "/models")
    assert_key_hidden(result)


def test_list_models_limit(api, server):
    server.expect_request(API_PREFIX + "/models").respond_with_json(MODELS_BODY)

    result = api.list_models(limit=1)

    assert result.ok
    assert [model["id"] for model in result.data] == ["openai/gpt-4o"]


def test_list_models_invalid_limit_raises(api, server):
    with pytest.raises(ValueError, match="limit"):
        api.list_models(limit=-1)
    assert received(server) == []


@pytest.mark.parametrize("body", [{"data": {"id": "openai/gpt-4o"}}, {"data": None}, {}, {"data": [{"name": "x"}]}])
def test_list_models_data_not_list(api, server, body):
    server.expect_request(API_PREFIX + "/models").respond_with_json(body)

    result = api.list_models()

    assert result.outcome is Outcome.UNEXPECTED_RESPONSE
    assert result.data is None


def test_list_models_500(api, server, sleeps):
    server.expect_request(API_PREFIX + "/models").respond_with_json(error_body(500, "Internal Server Error"), status=500)

    result = api.list_models()

    assert result.outcome is Outcome.UNAVAILABLE
    assert len(received(server)) == 1
    assert sleeps == []


# POST /chat/completions


def test_chat_completion_ok(api, server):
    server.expect_request(API_PREFIX + "/chat/completions", method="POST").respond_with_json(CHAT_BODY)

    result = api.chat_completion("openai/gpt-4o", CHAT_MESSAGES, max_tokens=50)

    assert result.ok
    assert result.data == {
        "reply": "Hello!",
        "model": "openai/gpt-4o",
        "finish_reason": "stop",
        "usage": {"prompt_tokens": 8, "completion_tokens": 3, "total_tokens": 11, "cost": 0.00005},
    }
    assert result.message == "openai/gpt-4o sent a reply through OpenRouter."
    requests_seen = received(server)
    assert len(requests_seen) == 1
    assert_sent_by_client(requests_seen[0], "POST", "/chat/completions")
    assert json.loads(requests_seen[0].get_data()) == {
        "model": "openai/gpt-4o",
        "messages": [{"role": "user", "content": "Hi"}],
        "max_tokens": 50,
    }
    assert_key_hidden(result)


def test_chat_completion_omits_unset_max_tokens(api, server):
    server.expect_request(API_PREFIX + "/chat/completions", method="POST").respond_with_json(CHAT_BODY)

    result = api.chat_completion("openai/gpt-4o", CHAT_MESSAGES)

    assert result.ok
    assert json.loads(received(server)[0].get_data()) == {"model": "openai/gpt-4o", "messages": CHAT_MESSAGES}


def test_chat_completion_null_content(api, server):
    body = {**CHAT_BODY, "choices": [{"finish_reason": "tool_calls", "message": {"role": "assistant", "content": None}}]}
    server.expect_request(API_PREFIX + "/chat/completions", method="POST").respond_with_json(body)

    result = api.chat_completion("openai/gpt-4o", CHAT_MESSAGES)

    assert result.ok
    assert result.data["reply"] == ""
    assert result.data["finish_reason"] == "tool_calls"


def test_chat_completion_402_no_credit(api, server, sleeps):
    server.expect_request(API_PREFIX + "/chat/completions", method="POST").respond_with_json(
        error_body(402, "This request requires more credits"), status=402
    )

    result = api.chat_completion("openai/gpt-4o", CHAT_MESSAGES, max_tokens=50)

    assert result.outcome is Outcome.NO_CREDIT
    assert result.message == "OpenRouter reported insufficient credits: This request requires more credits."
    assert len(received(server)) == 1
    assert sleeps == []
    assert_key_hidden(result)


def test_chat_completion_error_inside_200(api, server):
    # An error after the model started producing output arrives with
    # HTTP 200, and error.code contains the status.
    server.expect_request(API_PREFIX + "/chat/completions", method="POST").respond_with_json(
        error_body(502, "Provider returned error")
    )

    result = api.chat_completion("openai/gpt-4o", CHAT_MESSAGES)

    assert result.outcome is Outcome.UNAVAILABLE
    assert result.status_code == 200
    assert result.message == "OpenRouter is temporarily unavailable: Provider returned error."
    assert len(received(server)) == 1


@pytest.mark.parametrize(
    "body",
    [
        {**CHAT_BODY, "choices": []},
        {**CHAT_BODY, "choices": None},
        {**CHAT_BODY, "choices": [{"finish_reason": "stop"}]},
        {**CHAT_BODY, "choices": [{"finish_reason": "stop", "message": {"content": ["Hello"]}}]},
        {**CHAT_BODY, "usage": "8 tokens"},
    ],
    ids=["empty-choices", "null-choices", "no-message", "content-list", "usage-string"],
)
def test_chat_completion_malformed_body(api, server, body):
    server.expect_request(API_PREFIX + "/chat/completions", method="POST").respond_with_json(body)

    result = api.chat_completion("openai/gpt-4o", CHAT_MESSAGES)

    assert result.outcome is Outcome.UNEXPECTED_RESPONSE
    assert result.data is None


@pytest.mark.parametrize(
    "model, messages, max_tokens",
    [
        ("", CHAT_MESSAGES, None),
        ("openai/gpt-4o", [], None),
        ("openai/gpt-4o", "Hi", None),
        ("openai/gpt-4o", CHAT_MESSAGES, 0),
        ("openai/gpt-4o", CHAT_MESSAGES, True),
    ],
)
def test_chat_completion_invalid_arguments_raise(api, server, model, messages, max_tokens):
    with pytest.raises(ValueError):
        api.chat_completion(model, messages, max_tokens=max_tokens)
    assert received(server) == []


# Configuration


def test_defaults_without_django_settings(monkeypatch):
    monkeypatch.delenv("DJANGO_SETTINGS_MODULE", raising=False)
    monkeypatch.setattr(openrouter, "settings", LazySettings())

    api = OpenRouterClient(KEY)

    assert api.base_url == "https://openrouter.ai/api/v1"
    assert api.connect_timeout == 3.05
    assert api.read_timeout == 10.0
    assert api.max_retries == 2
    assert api.retry_after_cap == 5.0
    assert api.app_url == ""
    assert api.app_title == "nexlacreds"
    api.close()


def test_settings_used_when_arguments_missing(monkeypatch, server):
    configured = LazySettings()
    configured.configure(
        OPENROUTER_BASE_URL=server.url_for(API_PREFIX) + "/",
        OPENROUTER_CONNECT_TIMEOUT=2,
        OPENROUTER_READ_TIMEOUT=4,
        OPENROUTER_MAX_RETRIES=0,
        OPENROUTER_RETRY_AFTER_CAP=1,
        OPENROUTER_APP_URL="https://settings.example.test",
        OPENROUTER_APP_TITLE="from-settings",
    )
    monkeypatch.setattr(openrouter, "settings", configured)
    server.expect_request(API_PREFIX + "/key").respond_with_json(KEY_BODY)

    with OpenRouterClient(KEY, read_timeout=6) as api:
        result = api.check_key()

    assert result.ok
    assert api.base_url == server.url_for(API_PREFIX)
    assert api.connect_timeout == 2.0
    assert api.read_timeout == 6.0
    assert api.max_retries == 0
    assert api.retry_after_cap == 1.0
    request = received(server)[0]
    assert request.headers.get("HTTP-Referer") == "https://settings.example.test"
    assert request.headers.get("X-OpenRouter-Title") == "from-settings"


def test_empty_app_url_omits_referer(server):
    server.expect_request(API_PREFIX + "/key").respond_with_json(KEY_BODY)

    with make_client(server.url_for(API_PREFIX), [], app_url="") as api:
        api.check_key()

    request = received(server)[0]
    assert "HTTP-Referer" not in request.headers
    assert request.headers.get("X-OpenRouter-Title") == APP_TITLE


@pytest.mark.parametrize(
    "option, value",
    [
        ("base_url", "http://openrouter.ai/api/v1"),
        ("base_url", "ftp://127.0.0.1/api/v1"),
        ("base_url", "https://openrouter.ai/api/v1?debug=1"),
        ("connect_timeout", 0),
        ("read_timeout", -1),
        ("read_timeout", float("inf")),
        ("max_retries", -1),
        ("max_retries", 1.5),
        ("retry_after_cap", -0.1),
        ("app_title", "nexlacreds\r\nX-Injected: 1"),
        ("app_url", "https://example.test/\u00e9"),
    ],
)
def test_invalid_configuration_raises(option, value):
    with pytest.raises(ValueError):
        OpenRouterClient(KEY, **{"base_url": "https://openrouter.ai/api/v1", option: value})


def test_client_repr_masks_key():
    with make_client("https://openrouter.ai/api/v1", []) as api:
        assert KEY not in repr(api)
        assert "sk-or-v1-…cdef" in repr(api)


def test_injected_session_left_open(server):
    session = requests.Session()
    server.expect_request(API_PREFIX + "/key").respond_with_json(KEY_BODY)

    with make_client(server.url_for(API_PREFIX), [], session=session) as api:
        api.check_key()
    second = session.get(server.url_for(API_PREFIX + "/key"), timeout=2)
    session.close()

    assert second.status_code == 200


# Helpers


@pytest.mark.parametrize(
    "key, hint",
    [
        (KEY, "sk-or-v1-…cdef"),
        ("sk-or-v1-abcdef", "sk-or-v1-…"),
        ("abcdefghijkl9f3a", "…9f3a"),
        ("abcdefghijk", "…"),
        ("", "…"),
        (None, "…"),
    ],
)
def test_mask_key(key, hint):
    assert mask_key(key) == hint


@pytest.mark.parametrize(
    "key, expected",
    [
        (KEY, True),
        (KEY.upper().replace("SK-OR-V1-", "sk-or-v1-"), False),
        (KEY[:-1], False),
        (KEY + "0", False),
        (KEY + "\n", False),
        ("sk-or-v2-" + "0" * 64, False),
        (None, False),
    ],
)
def test_looks_like_openrouter_key(key, expected):
    assert looks_like_openrouter_key(key) is expected


def test_is_sendable_key():
    assert is_sendable_key(KEY)
    assert is_sendable_key("!" * MAX_KEY_LENGTH)
    assert not is_sendable_key("!" * (MAX_KEY_LENGTH + 1))
    assert not is_sendable_key(KEY + " ")


def test_result_ok_only_for_ok_outcome():
    assert Result(Outcome.OK, "fine").ok
    for outcome in Outcome:
        if outcome is not Outcome.OK:
            assert not Result(outcome, "failed").ok
