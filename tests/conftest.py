"""Shared fixtures: a real SQLite file per test, the real embedding model (loaded once), the real ASGI app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from jean_memory.accounts.api_keys import create_api_key
from jean_memory.accounts.passwords import hash_password
from jean_memory.app import create_app
from jean_memory.embeddings.minilm import MiniLMEmbedder
from jean_memory.runtime import Runtime
from jean_memory.settings import Settings
from tests.pg_fixtures import postgres_server, postgres_url  # noqa: F401  (session PostgreSQL, per-test database)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def embedder() -> MiniLMEmbedder:
    return MiniLMEmbedder.shared()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", public_url="http://testserver", _env_file=None)  # type: ignore[call-arg]


@pytest.fixture
async def app(settings: Settings, embedder: MiniLMEmbedder) -> AsyncIterator[FastAPI]:
    application = create_app(settings, embedder=embedder)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
def runtime(app: FastAPI) -> Runtime:
    rt: Runtime = app.state.runtime
    return rt


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@dataclass
class Account:
    user_id: str
    email: str
    password: str
    api_key: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"}


async def make_account(runtime: Runtime, email: str, password: str = "correct horse battery") -> Account:
    user = await runtime.stores.users.create_user(email, hash_password(password))
    _, secret = await create_api_key(runtime.stores, user.id, "test")
    return Account(user.id, email, password, secret)


@pytest.fixture
async def alice(runtime: Runtime) -> Account:
    return await make_account(runtime, "alice@example.com")


@pytest.fixture
async def bob(runtime: Runtime) -> Account:
    return await make_account(runtime, "bob@example.com")
