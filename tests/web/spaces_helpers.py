"""Helpers for the spaces pages' tests: a second person's browser on the same app, and spaces made straight
through the service (the pages under test are the ones posting forms)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from jean_memory.runtime import Runtime
from jean_memory.spaces.manage import SpaceService
from jean_memory.spaces.resolve import reach_of_person
from jean_memory.store.space_records import Space
from tests.conftest import Account
from tests.web.helpers import login

_CHECKED = re.compile(r'<input type="checkbox" name="spaces" value="([^"]+)"[^>]*?( checked)?>')


@asynccontextmanager
async def browser_of(app: FastAPI, who: Account) -> AsyncIterator[httpx.AsyncClient]:
    """Another person's browser, signed in."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as c:
        assert (await login(c, who.email, who.password)).status_code == 303
        yield c


async def make_space(runtime: Runtime, owner: Account, name: str) -> Space:
    return await SpaceService(runtime.stores).create(await reach_of_person(runtime.stores, owner.user_id), name)


async def share(runtime: Runtime, owner: Account, space: Space, member: Account, role: str) -> None:
    """``member`` joins ``space`` as ``role`` (invited and accepted)."""
    svc = SpaceService(runtime.stores)
    await svc.invite(await reach_of_person(runtime.stores, owner.user_id), space.id, member.email, role)
    [invitation] = [i for i in await svc.invitations(member.user_id) if i.space_id == space.id]
    assert await svc.answer(member.user_id, invitation.id, True) is not None


def boxes(html: str) -> dict[str, bool]:
    """The space picker's checkboxes: space id → checked."""
    return {value: bool(checked) for value, checked in _CHECKED.findall(html)}
