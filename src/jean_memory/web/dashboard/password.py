"""Dashboard password change for local accounts: current password, new one twice, CSRF; argon2id
(``accounts/passwords.py``). Every other session of the account is signed out and this browser gets a fresh
one. Accounts that sign in only through OpenID Connect have no password here and see a note instead."""

from __future__ import annotations

import anyio.to_thread
from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from ...accounts.passwords import check_new_password, hash_password, verify_password
from ...accounts.sessions import start_session
from ...errors import InvalidInput, RateLimited
from ...throttle import throttle
from ..common import SiteRoute, SiteUser, checked_form, field, render, runtime_of

router = APIRouter(route_class=SiteRoute, include_in_schema=False)
PATH = "/dashboard/account/password"


@router.post(PATH)
async def change_password(request: Request, user: SiteUser) -> Response:
    runtime = runtime_of(request)
    wait = await throttle(request, runtime, "password", runtime.settings.rate_limit_login)
    if wait is not None:
        raise RateLimited(f"Too many attempts from your network. Try again in {wait} seconds.", wait)
    form = await checked_form(request)
    if user.password_hash is None:
        raise InvalidInput("This account signs in through an identity provider and has no password here.")
    current, new = field(form, "current_password", 2048), field(form, "new_password", 2048)
    try:
        if not await anyio.to_thread.run_sync(verify_password, user.password_hash, current):
            raise InvalidInput("Your current password is not right.")
        if new != field(form, "new_password_confirm", 2048):
            raise InvalidInput("The two new passwords do not match.")
        check_new_password(new)
    except InvalidInput as exc:
        return render(request, "dashboard/account.html", 400, count=await runtime.memory.count(user.id),
                      error=exc.message)
    await runtime.stores.users.set_password(user.id, await anyio.to_thread.run_sync(hash_password, new))
    await runtime.stores.sessions.delete_user_sessions(user.id)  # signed out everywhere else
    response = RedirectResponse("/dashboard/account?notice=password", status_code=303)
    await start_session(request, response, user)
    return response
