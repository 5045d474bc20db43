"""The OAuth sweeper: anonymous registrations that never got a token are gone within about an hour."""

from __future__ import annotations

import time

import httpx
import pytest

from jean_memory.oauth.sweeper import INTERVAL, sweep_once
from jean_memory.runtime import Runtime

from ..conftest import Account
from .flows import exchange, get_code, register

pytestmark = pytest.mark.anyio


async def test_unused_registrations_are_swept_within_about_an_hour(client: httpx.AsyncClient, runtime: Runtime,
                                                                   alice: Account) -> None:
    unused = await register(client)
    used = await register(client)
    code, verifier = await get_code(client, used["client_id"], alice.email, alice.password)
    assert (await exchange(client, used["client_id"], code, verifier)).status_code == 200
    await sweep_once(runtime, time.time() + 1800)
    assert await runtime.stores.oauth.get_client(unused["client_id"]) is not None  # half an hour: still there
    await sweep_once(runtime, time.time() + 3600 + INTERVAL)  # the sweep after the hour is up
    assert await runtime.stores.oauth.get_client(unused["client_id"]) is None
    assert await runtime.stores.oauth.get_client(used["client_id"]) is not None
