"""Speed over real HTTP against a real ``jean-memory serve`` process, beside a bare FastAPI ceiling.

For 1k, 10k and 100k memories for one user (seeded in bulk through the store): cold start, first search
(loads the user's vectors), ``GET /api/v1/search`` and ``POST /api/v1/memories`` latency and throughput at
1, 8 and 32 concurrent keep-alive clients with a bearer API key, resident memory; and the MCP tools
``search_memory`` and ``add_memories`` on ``/mcp`` through the official SDK client over Streamable HTTP with the
same key, at 1 and 8 clients. Every search query is distinct (LoCoMo questions), so the embedder's query cache
never answers. Run: ``python -m bench.speed``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time
from contextlib import AsyncExitStack
from importlib import metadata
from typing import Any
from urllib.parse import quote

import httpx2
from mcp.client.client import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError

from .common import LOCOMO, WORK, latency, write
from .loadgen import Run, build, load, load_each
from .locomo_data import load as load_locomo
from .seed import base_texts, seed
from .server import ceiling, free_port, jean_memory

CLIENTS = (1, 8, 32)
MCP_CLIENTS = (1, 8)
Call = tuple[str, dict[str, Any]]


def questions() -> list[str]:
    qs = [q.text for c in load_locomo(LOCOMO) for q in c.questions] if LOCOMO.exists() else []
    qs += [f"what did I note about project {i} in town {i % 13}" for i in range(2000 - len(qs))]
    random.Random(7).shuffle(qs)
    return qs


def search_req(q: str, host: str, token: str) -> bytes:
    return build("GET", f"/api/v1/search?q={quote(q)}&limit=10", host, token)


def add_req(text: str, host: str, token: str) -> bytes:
    return build("POST", "/api/v1/memories", host, token, json.dumps({"text": text}).encode())


async def mcp_load(url: str, token: str, clients: int, calls: list[Call], warm: list[Call]) -> tuple[Run, str]:
    """Every call once, spread over ``clients`` MCP sessions (official SDK client, Streamable HTTP, bearer key).

    Each client opens and initializes one session, makes one untimed ``warm`` call, then reuses the session for
    all its timed calls; only ``call_tool`` is timed (the handshake and the closing DELETE are not). Returns the run
    and the negotiated protocol version.
    """
    run = Run()
    queue = list(reversed(calls))
    async with AsyncExitStack() as stack:
        sessions: list[Client] = []
        for i in range(clients):
            http = await stack.enter_async_context(httpx2.AsyncClient(
                headers={"Authorization": f"Bearer {token}"}, timeout=httpx2.Timeout(30, read=300)))
            session = await stack.enter_async_context(
                Client(streamable_http_client(url, http_client=http), mode="legacy"))
            await session.call_tool(*warm[i % len(warm)])
            sessions.append(session)

        async def client(session: Client) -> None:
            while queue:
                name, arguments = queue.pop()
                t = time.perf_counter()
                try:
                    failed = (await session.call_tool(name, arguments)).is_error
                except MCPError:
                    failed = True
                run.latencies.append(time.perf_counter() - t)
                run.errors += failed

        t0 = time.perf_counter()
        await asyncio.gather(*(client(s) for s in sessions))
        run.seconds = time.perf_counter() - t0
        protocol = sessions[0].protocol_version
    return run, protocol


MCP_HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


async def mcp_sessions(url: str, token: str, count: int) -> list[dict[str, str]]:
    """``count`` initialized MCP sessions (initialize, then notifications/initialized): the headers each sends."""
    sessions = []
    async with httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}", **MCP_HEADERS}) as http:
        for i in range(count):
            init = await http.post(url, json={"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
                "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": f"bench-{i}",
                                                                                     "version": "1"}}})
            init.raise_for_status()
            headers = {**MCP_HEADERS, "Mcp-Session-Id": init.headers["mcp-session-id"],
                       "Mcp-Protocol-Version": init.json()["result"]["protocolVersion"]}
            (await http.post(url, json={"jsonrpc": "2.0", "method": "notifications/initialized"},
                             headers=headers)).raise_for_status()
            sessions.append(headers)
    return sessions


def tool_call(host: str, token: str, headers: dict[str, str], call_id: int, call: Call) -> bytes:
    body = json.dumps({"jsonrpc": "2.0", "id": call_id, "method": "tools/call",
                       "params": {"name": call[0], "arguments": call[1]}}).encode()
    return build("POST", "/mcp", host, token, body, {k: v for k, v in headers.items() if k != "Content-Type"})


def tool_succeeded(status: int, body: bytes) -> bool:
    """A 200 whose JSON-RPC result is not a tool error (the server answers each request with one JSON body)."""
    try:
        result = json.loads(body).get("result")
    except ValueError:
        return False
    return status == 200 and isinstance(result, dict) and not result.get("isError")


async def mcp_lean(port: int, token: str, clients: int, calls: list[Call], warm: list[Call]) -> Run:
    """The same tool calls as ``mcp_load`` from a minimal JSON-RPC-over-HTTP client (the REST rows' load generator):
    one initialized session and one keep-alive connection per client; one untimed warm-up call each."""
    host = f"127.0.0.1:{port}"
    sessions = await mcp_sessions(f"http://{host}/mcp", token, clients)
    await load_each(port, [[tool_call(host, token, h, 1, warm[i % len(warm)])] for i, h in enumerate(sessions)],
                    tool_succeeded)
    lists: list[list[bytes]] = [[] for _ in range(clients)]
    for k, call in enumerate(calls):
        lists[k % clients].append(tool_call(host, token, sessions[k % clients], k + 2, call))
    return await load_each(port, lists, tool_succeeded)


def server_side(lines: list[str], tool: str, last: int) -> dict[str, Any]:
    """Latency of the last ``last`` successful ``tool`` calls as the server itself timed them (its request log:
    from the request's first byte to the response's last, auth, embedding and the MCP transport included; the
    network and the client's own work excluded)."""
    seconds = []
    for line in lines:
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and entry.get("tool") == tool and entry.get("status") == 200:
            seconds.append(float(entry["duration_ms"]) / 1000)
    return {**latency(seconds[-last:]), "from": "server request log"}


async def one_size(n: int, qs: list[str], base: Any, per_cell: int, adds: int, mcp: int) -> dict[str, Any]:
    db = WORK / f"speed-{n}.sqlite3"
    t = time.perf_counter()
    token = await seed(db, n, base)
    out: dict[str, Any] = {"memories": n, "seed_seconds": round(time.perf_counter() - t, 1)}
    port = free_port()
    server = jean_memory(db, port)
    host = f"127.0.0.1:{port}"
    try:
        out["cold_start_s"] = round(server.cold_start_s, 2)
        out["rss_mib_idle"] = server.rss_mib()
        first = await load(port, 1, [search_req("first search of the day", host, token)])
        out["first_search_ms"] = round(first.latencies[0] * 1000, 1)
        await load(port, 4, [search_req(f"warm up {i} walking", host, token) for i in range(40)])
        out["search"] = {}
        for i, c in enumerate(CLIENTS):
            cell = qs[i * per_cell:(i + 1) * per_cell]
            out["search"][c] = (await load(port, c, [search_req(q, host, token) for q in cell])).summary()
        url = f"http://{host}/mcp"
        mcp_qs = iter(qs[len(CLIENTS) * per_cell:])
        out["mcp_search_memory"] = {}
        out["mcp_search_memory_server"] = {}
        out["mcp_search_memory_lean"] = {}
        out["mcp_search_memory_lean_server"] = {}
        for c in MCP_CLIENTS if mcp else ():
            warm = [("search_memory", {"query": f"mcp warm up {c}-{k} walking"}) for k in range(c)]
            calls = [("search_memory", {"query": next(mcp_qs), "limit": 10}) for _ in range(mcp)]
            mark = server.log_size()
            out["mcp_search_memory_lean"][c] = (await mcp_lean(port, token, c, calls, warm)).summary()
            out["mcp_search_memory_lean_server"][c] = server_side(server.log_lines(mark), "search_memory", len(calls))
            calls = [("search_memory", {"query": next(mcp_qs), "limit": 10}) for _ in range(mcp)]
            mark = server.log_size()
            mcp_run, out["mcp_protocol"] = await mcp_load(url, token, c, calls, warm)
            out["mcp_search_memory"][c] = mcp_run.summary()
            out["mcp_search_memory_server"][c] = server_side(server.log_lines(mark), "search_memory", len(calls))
        out["rss_mib_after_search"] = server.rss_mib()
        out["add"] = {}
        texts = base[0]
        for c in CLIENTS:
            reqs = [add_req(f"{texts[(c * 7919 + k) % len(texts)]} (added {c}-{k})", host, token) for k in range(adds)]
            out["add"][c] = (await load(port, c, reqs)).summary()
        after = await load(port, 1, [search_req("search right after writes", host, token)])
        out["search_after_write_ms"] = round(after.latencies[0] * 1000, 1)
        out["mcp_add_memories"] = {}
        for c in MCP_CLIENTS if mcp else ():
            warm = [("search_memory", {"query": f"mcp warm up for adds {c}-{k}"}) for k in range(c)]
            calls = [("add_memories", {"text": f"{texts[(c * 104729 + k) % len(texts)]} (mcp added {c}-{k})"})
                     for k in range(mcp // 2)]
            out["mcp_add_memories"][c] = (await mcp_load(url, token, c, calls, warm))[0].summary()
        out["rss_mib_end"] = server.rss_mib()
    finally:
        server.stop()
    return out


async def run_ceiling(requests: int) -> dict[str, Any]:
    port = free_port()
    server = ceiling(port)
    try:
        host = f"127.0.0.1:{port}"
        await load(port, 4, [build("GET", "/json", host, None)] * 200)
        cells = {c: (await load(port, c, [build("GET", "/json", host, None)] * requests)).summary() for c in CLIENTS}
        return {"cold_start_s": round(server.cold_start_s, 2), "rss_mib": server.rss_mib(), "get": cells}
    finally:
        server.stop()


async def run(sizes: list[int], per_cell: int, adds: int, mcp: int) -> dict[str, Any]:
    base = await base_texts()
    qs = questions()
    result: dict[str, Any] = {"ceiling": await run_ceiling(1000), "sizes": {}, "mcp_sdk": metadata.version("mcp"),
                              "mcp_calls": {"search_memory": mcp, "add_memories": mcp // 2}}
    for n in sizes:
        print(f"speed: {n} memories ...", flush=True)
        result["sizes"][n] = await one_size(n, qs, base, per_cell, adds, mcp)
        (WORK / f"speed-{n}.sqlite3").unlink(missing_ok=True)
    result["mcp_protocol"] = next((s["mcp_protocol"] for s in result["sizes"].values() if "mcp_protocol" in s), None)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="*", default=[1_000, 10_000, 100_000])
    parser.add_argument("--requests", type=int, default=240, help="search requests per concurrency level")
    parser.add_argument("--adds", type=int, default=120, help="add requests per concurrency level")
    parser.add_argument("--mcp", type=int, default=120,
                        help="MCP search_memory calls per client count (add_memories: half as many; 0 skips MCP)")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    data = asyncio.run(run(args.sizes, args.requests, args.adds, args.mcp))
    from .speed_report import markdown

    write("speed", data, markdown(data), "python -m bench.speed")


if __name__ == "__main__":
    main()
