"""One API key floods ``initialize`` at a real ``jean-memory serve`` on loopback; does another user still get in?

Issue 12: 10,050 ``initialize`` calls with one key filled the SDK's 10,000 session slots in 81 s, every other user's
``initialize`` then got 503, and RSS went 309 -> 714 MB until a restart. This runs ``--calls`` (default 2,000)
``initialize`` calls with one key from ``--clients`` concurrent connections, then reads the server's RSS and asks
with a second user's key: ``initialize`` (must be 200) and ``tools/list`` in a session that user opened before the
flood (must still be 200). Two runs: the defaults (the per-principal ``initialize`` rate limit answers most of the
flood with 429) and the rate limit lifted (every call is served; the per-client session cap closes the flooder's
oldest sessions). ``PYTHONPATH=<other checkout>/src`` measures another tree the same way (the server is started
with the environment of this process).

    .venv/bin/python -m bench.session_flood [--calls 2000] [--clients 8]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from jean_memory.accounts.api_keys import create_api_key
from jean_memory.store import open_sqlite

from .common import WORK, write
from .server import free_port, jean_memory

INIT = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
    "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "flood", "version": "0"}}}
ACCEPT = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
RUNS = {"defaults": {}, "rate limit lifted": {"JEAN_MEMORY_RATE_LIMIT_MCP_INITIALIZE": "1000000000"}}


async def two_users(db: Path) -> tuple[str, str]:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    stores = open_sqlite(str(db))
    await stores.database.migrate()
    keys = []
    for email in ("flooder@example.com", "bystander@example.com"):
        user = await stores.users.create_user(email, None)
        keys.append((await create_api_key(stores, user.id, "bench"))[1])
    await stores.database.close()
    return keys[0], keys[1]


async def open_session(http: httpx.AsyncClient, key: str) -> tuple[int, str | None]:
    r = await http.post("/mcp", json=INIT, headers={**ACCEPT, "Authorization": f"Bearer {key}"})
    sid = r.headers.get("mcp-session-id")
    if r.status_code == 200 and sid:
        await http.post("/mcp", json={"jsonrpc": "2.0", "method": "notifications/initialized"}, headers={
            **ACCEPT, "Authorization": f"Bearer {key}", "mcp-session-id": sid, "mcp-protocol-version": "2025-06-18"})
    return r.status_code, sid


async def one_run(name: str, settings: dict[str, str], calls: int, clients: int) -> dict[str, Any]:
    db = WORK / "session-flood.sqlite3"
    db.parent.mkdir(parents=True, exist_ok=True)
    flooder, bystander = await two_users(db)
    port = free_port()
    server = jean_memory(db, port, settings)
    out: dict[str, Any] = {"run": name, "settings": settings, "calls": calls, "clients": clients}
    try:
        limits = httpx.Limits(max_connections=clients + 2)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60, limits=limits) as http:
            _, kept = await open_session(http, bystander)
            out["rss_mib_before"] = server.rss_mib()
            statuses: Counter[int] = Counter()
            todo = iter(range(calls))

            async def worker() -> None:
                for _ in todo:
                    r = await http.post("/mcp", json=INIT, headers={**ACCEPT, "Authorization": f"Bearer {flooder}"})
                    statuses[r.status_code] += 1

            t = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(clients)))
            out["flood_seconds"] = round(time.perf_counter() - t, 1)
            out["flood_statuses"] = {str(k): v for k, v in sorted(statuses.items())}
            out["rss_mib_after"] = server.rss_mib()
            out["bystander_initialize"] = (await open_session(http, bystander))[0]
            listing = await http.post("/mcp", json={"jsonrpc": "2.0", "id": 2, "method": "tools/list"}, headers={
                **ACCEPT, "Authorization": f"Bearer {bystander}", "mcp-session-id": kept or "",
                "mcp-protocol-version": "2025-06-18"})
            out["bystander_old_session"] = listing.status_code
    finally:
        server.stop()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    runs = [asyncio.run(one_run(name, env, args.calls, args.clients)) for name, env in RUNS.items()]
    rows = ["| run | flood statuses | flood s | RSS before MiB | RSS after MiB | bystander initialize | "
            "bystander's old session |", "|---|---|---|---|---|---|---|"]
    rows += [f"| {r['run']} | {r['flood_statuses']} | {r['flood_seconds']} | {r['rss_mib_before']} | "
             f"{r['rss_mib_after']} | {r['bystander_initialize']} | {r['bystander_old_session']} |" for r in runs]
    command = "python -m bench.session_flood " + " ".join(sys.argv[1:])
    write("session_flood", {"runs": runs}, "\n".join(rows), command.strip())


if __name__ == "__main__":
    main()
