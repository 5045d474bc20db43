from __future__ import annotations

import httpx
import pytest

from jean_memory.runtime import Runtime

pytestmark = pytest.mark.anyio


async def test_status_is_503_when_the_database_is_down_and_livez_stays_up(client: httpx.AsyncClient,
                                                                          runtime: Runtime) -> None:
    assert (await client.get("/status")).json()["database"] == "ok"
    await runtime.stores.database.close()  # the database stops answering
    r = await client.get("/status")
    assert r.status_code == 503 and r.json() == {**r.json(), "status": "unavailable", "database": "down"}
    assert (await client.get("/livez")).status_code == 200
