"""Site session store contract (every backend): hashed ids, expiry, per-user deletion, login states."""

from __future__ import annotations

import time

import pytest

from jean_memory.store import Stores

pytestmark = pytest.mark.anyio


async def test_sessions_expire_and_delete(stores: Stores) -> None:
    user = await stores.users.create_user("s@example.com", None)
    now = time.time()
    await stores.sessions.create_session("h-live", user.id, now + 60)
    await stores.sessions.create_session("h-old", user.id, now - 1)
    assert (await stores.sessions.get_session("h-live", now)).user_id == user.id
    assert await stores.sessions.get_session("h-old", now) is None
    assert await stores.sessions.get_session("h-live", now + 61) is None
    assert await stores.sessions.sweep_expired(now) == 1
    await stores.sessions.create_session("h-two", user.id, now + 60)
    assert await stores.sessions.delete_user_sessions(user.id) == 2
    assert await stores.sessions.get_session("h-two", now) is None


async def test_login_states_are_short_lived_values(stores: Stores) -> None:
    now = time.time()
    await stores.sessions.put_login_state("_state_google_abc", '{"data": 1}', now + 60)
    assert await stores.sessions.get_login_state("_state_google_abc", now) == '{"data": 1}'
    assert await stores.sessions.get_login_state("_state_google_abc", now + 61) is None
    await stores.sessions.delete_login_state("_state_google_abc")
    assert await stores.sessions.get_login_state("_state_google_abc", now) is None
