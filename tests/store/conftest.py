"""The ``stores`` fixture: one fresh, migrated store per test, parametrised over every backend."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from jean_memory.store import Stores, open_sqlite
from jean_memory.store.postgres import open_postgres
from tests.pg_fixtures import PostgresServer, drop_database, fresh_database

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
async def stores(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Stores]:
    database = None
    if request.param == "sqlite":
        s = open_sqlite(str(tmp_path / "contract.sqlite3"))
    else:
        server: PostgresServer = request.getfixturevalue("postgres_server")
        database = fresh_database(server)
        s = open_postgres(server.url(database), max_connections=4)
    await s.database.migrate()
    try:
        yield s
    finally:
        await s.database.close()
        if database is not None:
            drop_database(server, database)
