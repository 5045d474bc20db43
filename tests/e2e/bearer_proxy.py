"""A loopback HTTP proxy that adds ``Authorization: Bearer <token>`` to every request (for clients that send no
credentials, like the MCP conformance suite). Host and Origin are forwarded exactly as the client sent them, so the
server's DNS-rebinding check still sees what the client did. Responses (SSE included) are streamed.

    python -m tests.e2e.bearer_proxy --port P --upstream http://127.0.0.1:Q --token jm_...
"""

from __future__ import annotations

import argparse
from typing import Any

import httpx
import uvicorn
from starlette.types import Receive, Scope, Send

HOP = {b"connection", b"keep-alive", b"transfer-encoding", b"te", b"upgrade", b"proxy-authorization",
       b"authorization", b"content-length"}


def make_app(upstream: str, token: str) -> Any:
    client = httpx.AsyncClient(base_url=upstream, timeout=httpx.Timeout(120, connect=5))

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = [(k, v) for k, v in scope["headers"] if k.lower() not in HOP]
        headers.append((b"authorization", f"Bearer {token}".encode()))
        path = scope["raw_path"].decode() + (f"?{scope['query_string'].decode()}" if scope["query_string"] else "")
        request = client.build_request(scope["method"], path, headers=headers, content=body)
        response = await client.send(request, stream=True)
        try:
            out = [(k.lower().encode(), v.encode()) for k, v in response.headers.items()
                   if k.lower().encode() not in HOP]
            await send({"type": "http.response.start", "status": response.status_code, "headers": out})
            async for chunk in response.aiter_raw():
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b""})
        finally:
            await response.aclose()

    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--upstream", required=True)
    parser.add_argument("--token", required=True)
    args = parser.parse_args()
    uvicorn.run(make_app(args.upstream, args.token), host="127.0.0.1", port=args.port, log_level="warning",
                timeout_graceful_shutdown=1)


if __name__ == "__main__":
    main()
