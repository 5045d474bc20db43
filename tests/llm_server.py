"""An OpenAI-compatible chat endpoint on loopback for tests: a real HTTP server (``/v1/chat/completions``) whose
answer each test scripts. What a configured ``JEAN_MEMORY_LLM_URL`` meets, minus the model."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.loopback import serve_http

# (system prompt, user message) -> the reply's content, or None for a 500
Reply = Callable[[str, str], str | None]


@dataclass
class ChatServer:
    url: str
    reply: Reply = lambda system, user: '{"replaces": false}'
    requests: list[dict[str, Any]] = field(default_factory=list)
    delay: threading.Event | None = None  # when set: every request waits for it (for timeouts)


@contextmanager
def chat_server() -> Iterator[ChatServer]:
    state = ChatServer("")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            state.requests.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
            if state.delay is not None:
                state.delay.wait(10)
            messages = {m["role"]: m["content"] for m in body["messages"]}
            content = state.reply(messages.get("system", ""), messages.get("user", ""))
            if content is None:
                self.send_response(500)
                self.end_headers()
                return
            payload = json.dumps({"choices": [{"message": {"role": "assistant", "content": content}}]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: object) -> None:
            pass

    with serve_http(Handler) as url:
        state.url = f"{url}/v1"
        try:
            yield state
        finally:
            if state.delay is not None:
                state.delay.set()  # a request still waiting on it would hold the shutdown
