"""Site sign-in with a local account: ``/login``, ``/signup``, ``/logout`` (forms, CSRF, rate limits).

``/login`` is the one place a password is checked (the MCP consent step sends people here too). It is limited
per source (``throttle``, IPv6 by /64) and per account with a bounded backoff (``accounts.login_throttle``);
both answer 429 with ``Retry-After``. ``/signup`` answers alike whether or not the email already has an account
(a 303 to ``next`` with a session cookie; for a taken email the cookie opens nothing and the account is untouched).
"""

from __future__ import annotations

import logging
import re
from typing import Any

import anyio.to_thread
from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from ..accounts import login_throttle, oidc
from ..accounts.passwords import check_new_password, hash_password, verify_password
from ..accounts.sessions import current_site_user, end_session, safe_next, start_decoy_session, start_session
from ..errors import Conflict, InvalidInput, NotFound, RateLimited
from ..runtime import Runtime
from ..throttle import throttle
from .common import SiteRoute, checked_form, field, render, runtime_of

log = logging.getLogger("jean_memory.accounts")
router = APIRouter(route_class=SiteRoute, include_in_schema=False)
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
WRONG = "Wrong email or password."


async def _limit(request: Request, action: str) -> None:
    runtime = runtime_of(request)
    wait = await throttle(request, runtime, action, runtime.settings.rate_limit_login)
    if wait is not None:
        raise RateLimited(f"Too many attempts from your network. Try again in {wait} seconds.", wait)


def _login_page(request: Request, next_path: str, status: int = 200, **extra: Any) -> Response:
    settings = runtime_of(request).settings
    return render(request, "login.html", status, next=next_path, providers=oidc.providers(settings),
                  signup=settings.signup_enabled, **extra)


@router.get("/login")
async def login_form(request: Request, next: str | None = None) -> Response:
    next_path = safe_next(next)
    if await current_site_user(request) is not None:
        return RedirectResponse(next_path, status_code=303)
    return _login_page(request, next_path)


@router.post("/login")
async def login(request: Request) -> Response:
    await _limit(request, "login")
    form = await checked_form(request)
    email = field(form, "email", 254).strip().lower()
    password = field(form, "password", 1024)
    next_path = safe_next(field(form, "next", 2048))
    users = runtime_of(request).stores.users
    runtime = runtime_of(request)
    wait = await login_throttle.reserve(request, runtime, email)  # counted now, before the slow check
    if wait is not None:
        raise RateLimited(f"Too many failed sign-ins for this account. Try again in {wait} seconds.", wait)
    user = await users.get_user_by_email(email) if email else None
    # verify_password checks against a dummy hash when there is no account: same work, same time.
    ok = await anyio.to_thread.run_sync(verify_password, user.password_hash if user else None, password)
    if not ok or user is None:
        return _login_page(request, next_path, 400, error=WRONG, email=email)
    await login_throttle.succeeded(request, runtime, email)
    response = RedirectResponse(next_path, status_code=303)
    await start_session(request, response, user)
    return response


@router.get("/signup")
async def signup_form(request: Request, next: str | None = None) -> Response:
    if not runtime_of(request).settings.signup_enabled:
        raise NotFound("Sign-up is closed on this server. Ask its administrator for an account.")
    return render(request, "signup.html", next=safe_next(next))


@router.post("/signup")
async def signup(request: Request) -> Response:
    runtime = runtime_of(request)
    if not runtime.settings.signup_enabled:
        raise NotFound("Sign-up is closed on this server. Ask its administrator for an account.")
    await _limit(request, "signup")
    form = await checked_form(request)
    email = field(form, "email", 300).strip().lower()
    password = field(form, "password", 2048)
    next_path = safe_next(field(form, "next", 2048))
    try:
        if not _EMAIL.match(email) or len(email) > 254:
            raise InvalidInput("Enter a valid email address.")
        if password != field(form, "password_confirm", 2048):
            raise InvalidInput("The two passwords do not match.")
        check_new_password(password)
        hashed = await anyio.to_thread.run_sync(hash_password, password)  # hashed whether or not the email is taken
    except InvalidInput as exc:
        return render(request, "signup.html", exc.status, next=next_path, email=email, error=exc.message)
    response = RedirectResponse(next_path, status_code=303)
    try:
        user = await runtime.stores.users.create_user(email, hashed)
    except Conflict:
        # Answered as a new account is (same status, Location and cookie), so sign-up does not tell who has one.
        await _tell_existing_owner(runtime, email)
        await start_decoy_session(request, response)
        return response
    await start_session(request, response, user)
    return response


async def _tell_existing_owner(runtime: Runtime, email: str) -> None:
    """Where mail is set up, the owner would get a notice here; this server sends no mail, so the operator's log
    gets one line (the account's id, never the email)."""
    user = await runtime.stores.users.get_user_by_email(email)
    log.info("sign-up with the email of an existing account (user %s): nothing created, no mail sent",
             user.id if user else "?")


@router.get("/logout")
async def logout_form(request: Request) -> Response:
    await current_site_user(request)
    return render(request, "logout.html")


@router.post("/logout")
async def logout(request: Request) -> Response:
    await checked_form(request)
    response = RedirectResponse("/", status_code=303)
    await end_session(request, response)
    return response
