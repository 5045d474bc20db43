"""Markdown summary of a speed run."""

from __future__ import annotations

from typing import Any


def markdown(data: dict[str, Any]) -> str:
    ceil = data["ceiling"]
    mcp = data.get("mcp_calls", {})
    lines = [
        "Real HTTP on loopback, one `jean-memory serve` process (uvicorn, one worker, SQLite), bearer API key, "
        "closed-loop keep-alive clients in a second process on the same 2 cores. Search: `GET /api/v1/search"
        "?q=...&limit=10`, every query distinct (embedding included). Add: `POST /api/v1/memories`, one text.",
        "",
        *([mcp_note(data), ""] if mcp.get("search_memory") else []),
        "| memories | op | clients | p50 ms | p95 ms | p99 ms | req/s | errors | vs ceiling req/s |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for n, size in data["sizes"].items():
        for op, key in (("search", "search"), ("add", "add"), ("mcp search_memory, JSON-RPC client",
                                                                "mcp_search_memory_lean"),
                        ("mcp search_memory, SDK client", "mcp_search_memory"), ("mcp add_memories, SDK client",
                                                                                 "mcp_add_memories")):
            for c, cell in size.get(key, {}).items():
                top = ceil["get"][c]["throughput_rps"] if c in ceil["get"] else ceil["get"][str(c)]["throughput_rps"]
                ratio = f"{100 * cell['throughput_rps'] / top:.1f}%" if top else "-"
                lines.append(f"| {int(n):,} | {op} | {c} | {cell['p50_ms']} | {cell['p95_ms']} | {cell['p99_ms']} | "
                             f"{cell['throughput_rps']} | {cell['errors']} | {ratio} |")
                own = size.get(f"{key}_server", {}).get(c) if key.startswith("mcp_search") else None
                if own:
                    lines.append(f"| {int(n):,} | {op.split(', ')[0]}, server-side of the row above | {c} | "
                                 f"{own['p50_ms']} | {own['p95_ms']} | {own['p99_ms']} | | | |")
    lines += ["", "| memories | seed s | cold start s | first search ms | search after writes ms | RSS idle MiB | "
              "RSS after searches MiB | RSS end MiB |", "|---|---|---|---|---|---|---|---|"]
    for n, s in data["sizes"].items():
        lines.append(f"| {int(n):,} | {s['seed_seconds']} | {s['cold_start_s']} | {s['first_search_ms']} | "
                     f"{s['search_after_write_ms']} | {s['rss_mib_idle']} | {s['rss_mib_after_search']} | "
                     f"{s['rss_mib_end']} |")
    lines += ["", f"Ceiling: bare FastAPI `GET /json` under the same uvicorn (cold start {ceil['cold_start_s']} s, "
              f"RSS {ceil['rss_mib']} MiB):", "", "| clients | p50 ms | p95 ms | p99 ms | req/s |",
              "|---|---|---|---|---|"]
    for c, cell in ceil["get"].items():
        lines.append(f"| {c} | {cell['p50_ms']} | {cell['p95_ms']} | {cell['p99_ms']} | {cell['throughput_rps']} |")
    lines += ["", "'first search' loads the user's vectors into memory; 'search after writes' is the first search "
              "after the add runs (writes append to the user's in-memory vector matrix; a write from another "
              "process makes the next search reload it)."]
    return "\n".join(lines)


def mcp_note(data: dict[str, Any]) -> str:
    mcp = data["mcp_calls"]
    return ("MCP rows, JSON-RPC client: `tools/call` POSTs to `/mcp` from the same minimal keep-alive HTTP client as "
            "the REST rows (bearer API key, `Accept: application/json, text/event-stream`, one initialized session "
            "per client; a call counts as an error unless it answers 200 with a result that is not `isError`). "
            "This is the server's latency as any MCP client sees it before its own processing.\n\n"
            "MCP rows, SDK client: the tools on `/mcp` through the official MCP Python SDK client "
            f"(`mcp` {data['mcp_sdk']}, "
            f"Streamable HTTP, initialize handshake, protocol {data['mcp_protocol']}) with the same API key as bearer; "
            "one initialized session per client, reused for all its calls (handshake and one warm-up call not "
            f"timed). {mcp['search_memory']} `search_memory` calls (`limit` 10, distinct queries, none used by the "
            f"REST rows) and {mcp['add_memories']} `add_memories` calls (one text each) per client count; the MCP "
            "searches run right after the REST searches, the MCP adds right after the REST adds. The SDK client runs "
            "in the load process and its own work (its message streams, pydantic models, JSON-schema validation of "
            "each result against the tool's output schema) is inside these timings; the 'server-side' rows are the "
            "same calls as the server's own request log timed them (first byte in to "
            "last byte out: bearer check, MCP transport, embedding and search included; the client excluded). The "
            "server runs as deployed by default, logging one JSON line per request at INFO.")
