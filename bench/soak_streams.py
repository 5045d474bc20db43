"""Soak side load: long-lived MCP listen streams held open beside the clients (``--listen``).

``listener`` holds one 2026-07-28 ``subscriptions/listen`` stream with an API key, as a client waiting for list
changes would, and opens it again when it ends (the restart ends them all). The listeners use accounts of their
own, at most ``JEAN_MEMORY_MCP_STREAMS_PER_USER`` (default 20) streams each, so the server runs with its default
caps and the searching clients are other users.
"""

from __future__ import annotations

import asyncio
import time

import httpx

from .soak_auth import PASSWORD, Account, cli
from .soak_traffic import BACKOFF_S, Record, Sample

STREAMS_PER_ACCOUNT = 20  # the default JEAN_MEMORY_MCP_STREAMS_PER_USER
LISTEN_HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json",
                  "MCP-Protocol-Version": "2026-07-28", "Mcp-Method": "subscriptions/listen"}


def create_listener_accounts(env: dict[str, str], streams: int) -> list[Account]:
    """Enough accounts (API keys only) for ``streams`` listen streams under the default per-user cap."""
    accounts = []
    for i in range(-(-streams // STREAMS_PER_ACCOUNT)):
        email = f"listen{i}@example.com"
        cli(env, "users", "create", "--email", email, "--password", PASSWORD)
        key = cli(env, "keys", "create", "--email", email, "--name", "listen").strip().splitlines()[-1].strip()
        accounts.append(Account(email, key))
    return accounts


def listen_request(index: int) -> dict[str, object]:
    return {"jsonrpc": "2.0", "id": index, "method": "subscriptions/listen", "params": {
        "notifications": {"toolsListChanged": True},
        "_meta": {"io.modelcontextprotocol/protocolVersion": "2026-07-28",
                  "io.modelcontextprotocol/clientCapabilities": {},
                  "io.modelcontextprotocol/clientInfo": {"name": f"soak-listen-{index}", "version": "1"}}}}


async def listener(index: int, account: Account, base_url: str, rec: Record, stop_at: float) -> None:
    """Hold one listen stream until ``stop_at``; each opening is a ``mcp_listen`` sample (time to the headers)."""
    headers = {**LISTEN_HEADERS, "Authorization": f"Bearer {account.api_key}"}
    async with httpx.AsyncClient(base_url=base_url, timeout=httpx.Timeout(30, read=60)) as http:
        pause = BACKOFF_S * 4
        while time.monotonic() < stop_at:
            t = time.monotonic()
            answered = False
            try:
                async with http.stream("POST", "/mcp", json=listen_request(index), headers=headers) as r:
                    answered = True
                    rec.samples.append(Sample("mcp_listen", t, time.monotonic(), r.status_code))
                    if r.status_code == 200:
                        rec.listening += 1
                        rec.listening_max = max(rec.listening_max, rec.listening)
                        try:
                            await asyncio.wait_for(_drain(r), timeout=max(0.0, stop_at - time.monotonic()))
                        except TimeoutError:
                            return
                        finally:
                            rec.listening -= 1
            except httpx.TransportError:  # refused while the server restarts, or the stream cut by the SIGKILL
                if not answered:
                    rec.samples.append(Sample("mcp_listen", t, time.monotonic(), 0))
            # Ended or refused: open it again a moment later, backing off (to 8 s) while the server is down.
            pause = BACKOFF_S * 4 if answered else min(8.0, pause * 2)
            await asyncio.sleep(pause)


async def _drain(response: httpx.Response) -> None:
    async for _ in response.aiter_raw():
        pass
