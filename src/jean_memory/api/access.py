"""What a ``/api/v1`` request may do: its scope (``memory:read`` to read, ``memory:write`` to change), and its
``Reach`` (the spaces its API key was given), read from the database on every request so that narrowing a key or
removing a member acts on the next one."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from ..accounts.api_keys import Principal
from ..deps import ApiPrincipal, RuntimeDep
from ..errors import Forbidden
from ..oauth.scopes import READ as READ_SCOPE
from ..oauth.scopes import WRITE as WRITE_SCOPE
from ..spaces.reach import Reach
from ..spaces.resolve import reach_for


def require(principal: Principal, scope: str) -> None:
    if scope not in principal.scopes:
        raise Forbidden(f"this connection lacks the {scope} scope")


async def reading(principal: ApiPrincipal, runtime: RuntimeDep) -> Reach:
    require(principal, READ_SCOPE)
    return await reach_for(runtime.stores, principal)


async def writing(principal: ApiPrincipal, runtime: RuntimeDep) -> Reach:
    require(principal, WRITE_SCOPE)
    return await reach_for(runtime.stores, principal)


ReadReach = Annotated[Reach, Depends(reading)]
WriteReach = Annotated[Reach, Depends(writing)]
