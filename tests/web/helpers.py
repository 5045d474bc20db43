"""Helpers for driving the site in-process like a browser: read the CSRF token, sign in, post forms."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

from jean_memory.app import create_app
from jean_memory.embeddings import Embedder
from jean_memory.settings import Settings

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "page has no CSRF field"
    return found.group(1)


async def page_csrf(client: httpx.AsyncClient, path: str = "/login") -> str:
    r = await client.get(path)
    assert r.status_code == 200, r.text
    return csrf_of(r.text)


async def login(client: httpx.AsyncClient, email: str, password: str, next_path: str = "") -> httpx.Response:
    r = await client.get("/login")
    token = csrf_of(r.text if r.status_code == 200 else (await client.get("/dashboard")).text)
    return await client.post("/login", data={"email": email, "password": password, "csrf_token": token,
                                             "next": next_path})


async def post_form(client: httpx.AsyncClient, page: str, action: str, data: dict[str, Any],
                    **kwargs: Any) -> httpx.Response:
    """Open ``page`` (for its CSRF token) and submit ``data`` to ``action``."""
    token = await page_csrf(client, page)
    return await client.post(action, data={"csrf_token": token, **data}, **kwargs)


@asynccontextmanager
async def site(tmp_path: Path, embedder: Embedder,
               **overrides: Any) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """A fresh app with settings overrides, and a client for it."""
    settings = Settings(data_dir=tmp_path / "site", public_url=overrides.pop("public_url", "http://testserver"),
                        _env_file=None, **overrides)  # type: ignore[call-arg]
    app = create_app(settings, embedder=embedder)
    async with app.router.lifespan_context(app):
        base = settings.public_url
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base) as client:
            yield app, client
