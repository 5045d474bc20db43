"""Soak traffic: closed-loop clients, each bound to one account, mixing REST, MCP tools and dashboard pages.

Every request is recorded as a ``Sample`` (operation, start, end, HTTP status or 0 for a connection error). Every
add the server acknowledged (a 2xx carrying memory ids) is recorded as an ``Ack`` so the run can check afterwards
that each one is still there. A client behaves as a real one would across a restart: on a connection error it
waits a little and tries again; when its MCP session is unknown to the new process (404) it opens a new one.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx

from .soak_auth import Account, rotate

MCP_HEADERS = {"Accept": "application/json, text/event-stream"}
# operation -> weight in the mix (token refreshes run beside the clients: see ``refresher``)
MIX = {"rest_add": 14, "rest_search": 16, "rest_get": 6, "mcp_add": 12, "mcp_search": 16, "mcp_jean_memory": 12,
       "dashboard": 12}
PAGES = ("/dashboard", "/dashboard?q={q}", "/dashboard/memories/{id}", "/dashboard/keys", "/dashboard/apps",
         "/dashboard/account")
BACKOFF_S = 0.25  # after a connection error: the server is down, do not spin
BIG_BYTES = 65_536 - 64  # JEAN_MEMORY_MAX_MEMORY_BYTES, less room for the client's " (soak client i note n)"
PATTERNS = ("May ", "mid-", "since May 3 ", "0123456789", "a@b.c ", "+1 (555) 010-0199, ", " - / . ")


@dataclass(slots=True)
class Sample:
    op: str
    start: float
    end: float
    status: int  # 0: no HTTP response (connection refused, reset, timed out)


@dataclass(slots=True)
class Ack:
    account: int
    memory_id: str
    at: float
    op: str


@dataclass
class Record:
    samples: list[Sample] = field(default_factory=list)
    acks: list[Ack] = field(default_factory=list)
    missing_during_run: list[tuple[str, float]] = field(default_factory=list)  # acked, then 404 on a read
    mcp_reinit: int = 0
    tool_errors: dict[str, int] = field(default_factory=dict)
    listening: int = 0  # listen streams open now (soak_streams.py), and the most at once
    listening_max: int = 0


class Stop(Exception):
    pass


class Client:
    def __init__(self, index: int, account_index: int, account: Account, base_url: str, rec: Record,
                 texts: list[str], queries: list[str], stop_at: float, big_adds: float = 0.0) -> None:
        self.i, self.ai, self.account, self.rec, self.big_adds = index, account_index, account, rec, big_adds
        self.http = httpx.AsyncClient(base_url=base_url, timeout=httpx.Timeout(30, read=120))
        self.rng = random.Random(index)
        self.texts, self.queries, self.stop_at = texts, queries, stop_at
        self.session: dict[str, str] | None = None
        self.n = 0
        self.mine: list[str] = []  # acknowledged memory ids of this client (read back by rest_get and the pages)

    # -- plumbing ---------------------------------------------------------------------------------------------
    async def timed(self, op: str, send: Callable[[], Awaitable[httpx.Response]]) -> httpx.Response | None:
        t = time.monotonic()
        try:
            r = await send()
        except httpx.TransportError:
            self.rec.samples.append(Sample(op, t, time.monotonic(), 0))
            await asyncio.sleep(BACKOFF_S)
            return None
        self.rec.samples.append(Sample(op, t, time.monotonic(), r.status_code))
        return r

    def acked(self, op: str, ids: list[str]) -> None:
        now = time.monotonic()
        for memory_id in ids:
            self.rec.acks.append(Ack(self.ai, memory_id, now, op))
            self.mine.append(memory_id)

    def text(self, big: bool = False) -> str:
        self.n += 1
        body = big_text(self.rng, self.texts) if big else self.rng.choice(self.texts)
        return f"{body} (soak client {self.i} note {self.n})"

    def big(self) -> bool:
        """Whether this add is one of the ``big_adds`` share of 64 KB ones (no draw at all when there are none)."""
        return self.big_adds > 0 and self.rng.random() < self.big_adds

    def query(self) -> str:
        return self.rng.choice(self.queries)

    @property
    def api(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.account.api_key}"}

    # -- REST (personal API key) ------------------------------------------------------------------------------
    async def rest_add(self) -> None:
        big = self.big()
        op, text = "rest_add_64k" if big else "rest_add", self.text(big)
        r = await self.timed(op, lambda: self.http.post("/api/v1/memories", json={"text": text}, headers=self.api))
        if r is not None and r.status_code == 201:
            self.acked(op, [m["id"] for m in r.json()["memories"]])

    async def rest_search(self) -> None:
        await self.timed("rest_search", lambda: self.http.get(f"/api/v1/search?q={quote(self.query())}&limit=10",
                                                              headers=self.api))

    async def rest_get(self) -> None:
        if not self.mine:
            return await self.rest_search()
        memory_id = self.rng.choice(self.mine)
        r = await self.timed("rest_get", lambda: self.http.get(f"/api/v1/memories/{memory_id}", headers=self.api))
        if r is not None and r.status_code == 404:
            self.rec.missing_during_run.append((memory_id, time.monotonic()))

    # -- MCP (OAuth access token, refreshed beside the clients) ----------------------------------------------
    def bearer(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.account.access}", **MCP_HEADERS}

    async def open_session(self) -> bool:
        init = {"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
            "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": f"soak-{self.i}",
                                                                                 "version": "1"}}}
        r = await self.timed("mcp_initialize", lambda: self.http.post("/mcp", json=init, headers=self.bearer()))
        if r is None or r.status_code != 200:
            return False
        session = {"Mcp-Session-Id": r.headers["mcp-session-id"],
                   "Mcp-Protocol-Version": r.json()["result"]["protocolVersion"]}
        done = await self.timed("mcp_initialize", lambda: self.http.post(
            "/mcp", json={"jsonrpc": "2.0", "method": "notifications/initialized"},
            headers={**self.bearer(), **session}))
        if done is None or done.status_code >= 300:
            return False
        self.session = session
        return True

    async def tool(self, op: str, name: str, arguments: dict[str, Any]) -> dict[str, Any] | None:
        """The tool's structured result, or None (transport error, HTTP error, tool error)."""
        for _ in range(2):
            if self.session is None and not await self.open_session():
                return None
            call = {"jsonrpc": "2.0", "id": self.n, "method": "tools/call",
                    "params": {"name": name, "arguments": arguments}}
            r = await self.timed(op, lambda: self.http.post(
                "/mcp", json=call, headers={**self.bearer(), **(self.session or {})}))  # noqa: B023 (awaited here)
            if r is None:  # keep the session id: as the SDK client does, find out from the server whether it still is
                return None
            if r.status_code == 404:  # a session the (new) process does not know: open another, once
                self.rec.mcp_reinit += 1
                self.session = None
                continue
            if r.status_code != 200:
                return None
            result = r.json().get("result") or {}
            if result.get("isError"):
                self.rec.tool_errors[op] = self.rec.tool_errors.get(op, 0) + 1
                return None
            structured: dict[str, Any] = result.get("structuredContent") or {}
            return structured
        return None

    async def mcp_add(self) -> None:
        big = self.big()
        op = "mcp_add_64k" if big else "mcp_add"
        out = await self.tool(op, "add_memories", {"text": self.text(big)})
        if out is not None:
            self.acked(op, [m["id"] for m in out["saved"] + out["already_known"]])

    async def mcp_search(self) -> None:
        await self.tool("mcp_search", "search_memory", {"query": self.query(), "limit": 10})

    async def mcp_jean_memory(self) -> None:
        message = f"{self.text()}. What do you remember about {self.query().rstrip('?')}?"
        out = await self.tool("mcp_jean_memory", "jean_memory", {
            "user_message": message, "is_new_conversation": self.rng.random() < 0.2, "depth": 1})
        if out is not None:
            self.acked("mcp_jean_memory", [m["id"] for m in out.get("saved", []) + out.get("already_known", [])])

    # -- the site (session cookie) ---------------------------------------------------------------------------
    async def dashboard(self) -> None:
        page = self.rng.choice(PAGES)
        if "{id}" in page and not self.mine:
            page = "/dashboard"
        path = page.format(q=quote(self.query()), id=self.rng.choice(self.mine) if self.mine else "")
        await self.timed("dashboard", lambda: self.http.get(path, headers={"Cookie": self.account.cookie}))

    async def run(self) -> None:
        ops = list(MIX)
        weights = [MIX[o] for o in ops]
        try:
            while time.monotonic() < self.stop_at:
                await getattr(self, self.rng.choices(ops, weights)[0])()
        finally:
            await self.http.aclose()


async def refresher(account: Account, base_url: str, rec: Record, every_s: float, stop_at: float) -> None:
    """Rotate the account's refresh token every ``every_s`` seconds (within the default /token rate limit)."""
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
        while time.monotonic() < stop_at:
            t = time.monotonic()
            try:
                status = await rotate(http, account)
            except httpx.TransportError:
                status = 0
            rec.samples.append(Sample("token_refresh", t, time.monotonic(), status))
            await asyncio.sleep(max(0.0, min(every_s, stop_at - time.monotonic())) if status else BACKOFF_S * 4)


def big_text(rng: random.Random, texts: list[str]) -> str:
    """About 64 KB: a repetition of the kind that made the add path's text scanners quadratic (issue 20: ``"May " *
    16250``, ``"mid-" * 16000``, digits, ``@``, separators), or (one time in four) prose made of many memory texts."""
    if rng.random() < 0.25:
        parts: list[str] = []
        size = 0
        while size < BIG_BYTES:
            parts.append(rng.choice(texts))
            size += len(parts[-1].encode()) + 1
        return " ".join(parts).encode()[:BIG_BYTES].decode(errors="ignore")
    pattern = rng.choice(PATTERNS)
    return (pattern * (BIG_BYTES // len(pattern)))[:BIG_BYTES]


def load_texts() -> tuple[list[str], list[str]]:
    """Memory texts (LoCoMo turns when the data set is there) and search queries (LoCoMo questions)."""
    from .common import LOCOMO
    from .speed import questions

    texts: list[str] = []
    if LOCOMO.exists():
        from .locomo_data import load

        texts = [t.text for c in load(LOCOMO) for t in c.turns]
    texts += [f"I moved to town {i} in {1990 + i % 30} and my sister works at company {i * 7}" for i in range(500)]
    return texts, questions()
