"""Structured request logs, Prometheus metrics and CLI progress bars.

Public surface for other parts:
- ``annotate(user_id=..., client_id=..., tool=...)``: add who/what to the current request's log line.
- ``metrics.count_oauth(runtime, event, error=None)`` and ``metrics.observe_tool(runtime, name, seconds)``.
"""

from __future__ import annotations

from .context import annotate, request_fields

__all__ = ["annotate", "request_fields"]
