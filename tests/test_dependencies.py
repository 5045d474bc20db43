"""Every FastAPI route and dependency of the app is ``async``: FastAPI runs a plain ``def`` in its thread pool, a hop
to a worker thread and back on every request (about half a millisecond of each API call on a small VM)."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute

pytestmark = pytest.mark.anyio


def _api_routes(routes: list[Any]) -> Iterator[APIRoute]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        included = getattr(route, "original_router", None)  # FastAPI >= 0.16x wraps included routers
        if included is not None:
            yield from _api_routes(included.routes)


def _calls(dependant: Any) -> Iterator[Any]:
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from _calls(sub)


async def test_routes_and_their_dependencies_run_on_the_event_loop(app: FastAPI) -> None:
    sync = []
    routes = list(_api_routes(app.routes))
    assert any(r.path == "/api/v1/search" for r in routes)
    for route in routes:
        for call in (route.endpoint, *_calls(route.dependant)):
            instance = not inspect.isfunction(call) and not inspect.ismethod(call)
            if not (inspect.iscoroutinefunction(call)
                    or (instance and inspect.iscoroutinefunction(type(call).__call__))):
                sync.append(f"{route.path}: {getattr(call, '__qualname__', call)}")
    assert sync == []
