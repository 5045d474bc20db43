"""The ``stores`` fixture: one fresh, migrated store per test, parametrised over every backend."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from jean_memory.store import Stores, open_sqlite

BACKENDS = ["sqlite"]


@pytest.fixture(params=BACKENDS)
async def stores(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Stores]:
    if request.param == "sqlite":
        s = open_sqlite(str(tmp_path / "contract.sqlite3"))
    else:  # pragma: no cover - filled in by the PostgreSQL backend
        raise NotImplementedError(request.param)
    await s.database.migrate()
    try:
        yield s
    finally:
        await s.database.close()
