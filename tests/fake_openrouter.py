"""A small HTTP server on 127.0.0.1 that responds like OpenRouter's API, for tests and local trials.

The response a key gets depends on its last four characters:
``dead`` → 401, ``0402`` → 402, ``0403`` → 403, ``0429`` → 429, ``0503`` → 503; anything else is valid.
Run it alone with ``python -m tests.fake_openrouter --port 8001`` and start the app with
``OPENROUTER_BASE_URL=http://127.0.0.1:8001/api/v1``.
"""

import argparse
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

API_PREFIX = "/api/v1"
ERRORS_BY_SUFFIX = {
    "dead": (401, "User not found."),
    "0402": (402, "Insufficient credits. Add more using https://openrouter.ai/credits"),
    "0403": (403, "Key limit exceeded."),
    "0429": (429, "Rate limit exceeded."),
    "0503": (503, "No provider available."),
}
MODELS = [
    {
        "id": f"vendor-{number}/model-{number}",
        "name": f"Vendor {number}: Model {number}",
        "created": 1_700_000_000 + number,
        "description": f"Test model number {number}.",
        "context_length": 8192 * number,
        "architecture": {"modality": "text->text"},
        "pricing": {"prompt": f"0.00000{number % 10}", "completion": f"0.0000{number % 10}1"},
        "top_provider": {"is_moderated": False},
    }
    for number in range(1, 16)
]


@dataclass
class ReceivedRequest:
    method: str
    path: str
    headers: dict
    body: dict | None


@dataclass
class Reply:
    status: int
    payload: dict


@dataclass
class FakeOpenRouter:
    """The fake API's routes; ``received`` lists every request it handled."""

    received: list[ReceivedRequest] = field(default_factory=list)
    delay_seconds: float = 0.0

    def handle(self, method: str, path: str, headers: dict, body: dict | None) -> Reply:
        self.received.append(ReceivedRequest(method, path, headers, body))
        if self.delay_seconds:
            time.sleep(self.delay_seconds)

        authorization = headers.get("Authorization", "")
        if not authorization.startswith("Bearer ") or not authorization[7:]:
            return error(401, "No auth credentials found")
        key = authorization[7:]
        status_and_message = ERRORS_BY_SUFFIX.get(key[-4:])
        if status_and_message:
            return error(*status_and_message)

        route = path.split("?")[0].removeprefix(API_PREFIX)
        if method == "GET" and route == "/key":
            return Reply(200, {"data": key_data(key)})
        if method == "GET" and route == "/models":
            return Reply(200, {"data": MODELS})
        if method == "POST" and route == "/chat/completions":
            return chat_completion(body or {})
        return error(404, f"No route for {method} {path}")


def key_data(key: str) -> dict:
    return {
        "label": f"{key[:12]}...{key[-3:]}",
        "limit": None,
        "limit_remaining": None,
        "limit_reset": None,
        "usage": 0.25,
        "usage_daily": 0.05,
        "usage_weekly": 0.1,
        "usage_monthly": 0.25,
        "is_free_tier": False,
        "is_management_key": False,
        "include_byok_in_limit": False,
    }


def chat_completion(body: dict) -> Reply:
    messages = body.get("messages") or [{}]
    prompt = str(messages[-1].get("content", ""))
    return Reply(
        200,
        {
            "id": "gen-test-1",
            "object": "chat.completion",
            "created": 1_700_000_000,
            "model": body.get("model", "unknown"),
            "choices": [{"finish_reason": "stop", "message": {"role": "assistant", "content": f"Echo: {prompt[:200]}"}}],
            "usage": {"prompt_tokens": len(prompt.split()), "completion_tokens": 7, "total_tokens": len(prompt.split()) + 7, "cost": 0.000042},
        }
    )


def error(status: int, message: str) -> Reply:
    return Reply(status, {"error": {"code": status, "message": message}})


def handler_for(app: FakeOpenRouter) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.answer()

        def do_POST(self):
            self.answer()

        def answer(self):
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = None
            reply = app.handle(self.command, self.path, dict(self.headers.items()), body)
            encoded = json.dumps(reply.payload).encode()
            self.send_response(reply.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(encoded)))
            self.end_headers()
            self.wfile.write(encoded)

        def log_message(self, format, *args):
            # Quiet: request lines would only clutter test output.
            pass

    return Handler


class RunningServer:
    """The fake served from a background thread on 127.0.0.1; ``base_url`` ends in /api/v1."""

    def __init__(self, app: FakeOpenRouter, port: int = 0):
        self.app = app
        self.server = ThreadingHTTPServer(("127.0.0.1", port), handler_for(app))
        self.server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.server.server_port}{API_PREFIX}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.server.shutdown()
        self.thread.join(timeout=5)


def main():
    parser = argparse.ArgumentParser(description="Serve a fake OpenRouter API on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=8001, help="TCP port to listen on (default 8001).")
    port = parser.parse_args().port
    with RunningServer(FakeOpenRouter(), port) as running:
        print(f"Fake OpenRouter listening at {running.base_url}", flush=True)
        try:
            running.thread.join()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
