"""Prometheus metrics on a per-app ``CollectorRegistry`` kept at ``runtime.extras["metrics"]``.

Other parts call ``count_oauth(runtime, event, error=None)`` and ``observe_tool(runtime, name, seconds)``.
``GET /metrics`` answers loopback clients without credentials; anyone else needs
``Authorization: Bearer <JEAN_MEMORY_METRICS_TOKEN>`` (and gets 404 when no token is configured).
"""

from __future__ import annotations

import ipaddress
import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from ..http_errors import error_response
from ..runtime import Runtime
from ..security import bearer_token, same
from .context import annotate

OAUTH_EVENTS = ("registration", "grant", "refresh", "revocation", "failure")
_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 120.0, 300.0)
_STORE_QUERIES = {
    "users": "SELECT count(*) FROM users",
    "memories": "SELECT count(*) FROM memories WHERE deleted_at IS NULL",
    "documents": "SELECT count(*) FROM documents",
}


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.requests = Histogram("jean_memory_http_request_duration_seconds", "HTTP request latency by route template",
                                  ["method", "route", "status"], registry=r, buckets=_BUCKETS)
        self.tools = Histogram("jean_memory_tool_duration_seconds", "MCP tool latency", ["tool"], registry=r,
                               buckets=_BUCKETS)
        self.oauth = Counter("jean_memory_oauth_events", "OAuth events (failures labelled by RFC error code)",
                             ["event", "error"], registry=r)
        self.store_rows = Gauge("jean_memory_store_rows", "Rows per store", ["store"], registry=r)
        self.store_bytes = Gauge("jean_memory_store_bytes", "Database size on disk (SQLite)", registry=r)
        self.started = Gauge("jean_memory_start_time_seconds", "Process start time", registry=r)
        self.started.set(time.time())


def of(runtime: Runtime) -> Metrics:
    metrics = runtime.extras.get("metrics")
    if not isinstance(metrics, Metrics):
        metrics = runtime.extras["metrics"] = Metrics()
    return metrics


def count_oauth(runtime: Runtime, event: str, error: str | None = None) -> None:
    """Count an OAuth event: ``registration``, ``grant``, ``refresh``, ``revocation``, or ``failure`` with the
    wire error code (``invalid_grant``, ``invalid_client``...)."""
    if event not in OAUTH_EVENTS:
        raise ValueError(f"unknown OAuth event {event!r}; one of {OAUTH_EVENTS}")
    of(runtime).oauth.labels(event=event, error=(error or "")[:40]).inc()


def observe_tool(runtime: Runtime, name: str, seconds: float) -> None:
    """Record one tool call's duration. Tool calls over HTTP (``/mcp`` POST ``tools/call``) are already measured by
    the request middleware (name from the JSON-RPC body, duration of the request): call this only for tool calls
    that do not arrive as their own HTTP request."""
    of(runtime).tools.labels(tool=name[:60]).observe(seconds)
    annotate(tool=name[:60], tool_observed=True)  # the request middleware then does not observe it again


def observe_request(runtime: Runtime, method: str, route: str, status: int, seconds: float) -> None:
    of(runtime).requests.labels(method=method, route=route, status=str(status)).observe(seconds)


async def refresh_store_sizes(runtime: Runtime) -> None:
    """Update the store gauges. SQLite is counted here; other backends are skipped (see docs)."""
    db: Any = runtime.stores.database
    metrics = of(runtime)
    if getattr(db, "backend", "") != "sqlite":
        return

    def count(conn: Any) -> dict[str, int]:
        sizes = {name: int(conn.execute(sql).fetchone()[0]) for name, sql in _STORE_QUERIES.items()}
        pages = conn.execute("PRAGMA page_count").fetchone()[0] * conn.execute("PRAGMA page_size").fetchone()[0]
        sizes["_bytes"] = int(pages)
        return sizes

    sizes = await db.read(count)
    metrics.store_bytes.set(sizes.pop("_bytes"))
    for name, value in sizes.items():
        metrics.store_rows.labels(store=name).set(value)


def _is_loopback(host: str | None) -> bool:
    try:
        return host is not None and ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


router = APIRouter(include_in_schema=False)


@router.get("/metrics")
async def metrics_endpoint(request: Request) -> Response:
    runtime: Runtime = request.app.state.runtime
    token = runtime.settings.metrics_token
    # request.client is the real peer: the proxy middleware has already resolved forwarded addresses.
    if not _is_loopback(request.client.host if request.client else None):
        if not token:
            return error_response(404, "not_found", "metrics are served to loopback clients only; "
                                  "set JEAN_MEMORY_METRICS_TOKEN to scrape from elsewhere")
        given = bearer_token(request.headers.get("authorization", ""))
        if not given or not same(given, token):
            return error_response(401, "unauthorized", "send 'Authorization: Bearer <metrics token>'",
                                  {"WWW-Authenticate": 'Bearer realm="metrics"'})
    await refresh_store_sizes(runtime)
    return Response(generate_latest(of(runtime).registry), media_type=CONTENT_TYPE_LATEST)
