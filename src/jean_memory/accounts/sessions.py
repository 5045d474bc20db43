"""The site's own login session: cookie ``jm_session``, server-side, stored as SHA-256, rotated at login.

This cookie opens site pages (dashboard, MCP consent) and nothing else: ``/mcp`` and ``/api/v1`` never read it.
"""

from __future__ import annotations

import time
from urllib.parse import quote

from fastapi import Request, Response
from fastapi.responses import RedirectResponse

from ..runtime import Runtime
from ..security import hash_token, new_token
from ..store.records import User
from ..store.sessions import SiteSessionStore

COOKIE = "jm_session"
DEFAULT_NEXT = "/dashboard"
_USER_KEY = "jm_site_user"  # request.state cache: one lookup per request
_MISSING = object()


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def _store(runtime: Runtime) -> SiteSessionStore:
    store: SiteSessionStore = runtime.stores.sessions
    return store


def session_cookie(request: Request) -> str | None:
    """The session value this request carries (or was just given by ``start_session``/``end_session``)."""
    value = getattr(request.state, "jm_session_value", None)
    if value is None:
        value = request.cookies.get(COOKIE)
    return value if value and len(value) <= 128 else None


async def current_site_user(request: Request) -> User | None:
    """The user signed in to the site by the ``jm_session`` cookie, or None (missing, unknown or expired)."""
    cached = getattr(request.state, _USER_KEY, _MISSING)
    if cached is not _MISSING:
        return cached if isinstance(cached, User) else None
    user: User | None = None
    token = session_cookie(request)
    if token:
        runtime = _runtime(request)
        session = await _store(runtime).get_session(hash_token(token), time.time())
        if session is not None:
            user = await runtime.stores.users.get_user(session.user_id)
    setattr(request.state, _USER_KEY, user)
    return user


def _set_cookie(request: Request, response: Response, value: str, max_age: int) -> None:
    settings = _runtime(request).settings
    response.set_cookie(COOKIE, value, max_age=max_age, path="/", httponly=True, samesite="lax",
                        secure=settings.is_https)


async def start_session(request: Request, response: Response, user: User) -> None:
    """Sign ``user`` in: drop any session the browser arrived with and issue a fresh id (no fixation)."""
    runtime = _runtime(request)
    store = _store(runtime)
    old = session_cookie(request)
    if old:
        await store.delete_session(hash_token(old))
    token = new_token()
    ttl = runtime.settings.session_ttl
    await store.create_session(hash_token(token), user.id, time.time() + ttl)
    _set_cookie(request, response, token, ttl)
    setattr(request.state, _USER_KEY, user)
    request.state.jm_session_value = token


async def start_decoy_session(request: Request, response: Response) -> None:
    """Answer as ``start_session`` does, with a cookie that opens nothing: sign-up uses it for an email that
    already has an account, so the answer does not tell. Any session the browser arrived with is dropped."""
    runtime = _runtime(request)
    old = session_cookie(request)
    if old:
        await _store(runtime).delete_session(hash_token(old))
    token = new_token()
    _set_cookie(request, response, token, runtime.settings.session_ttl)
    setattr(request.state, _USER_KEY, None)
    request.state.jm_session_value = token


async def end_session(request: Request, response: Response) -> None:
    """Sign out of the site. Connected OAuth apps keep working (their tokens are not site sessions)."""
    old = session_cookie(request)
    if old:
        await _store(_runtime(request)).delete_session(hash_token(old))
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax", secure=_runtime(request).settings.is_https)
    setattr(request.state, _USER_KEY, None)
    request.state.jm_session_value = ""


def safe_next(value: str | None) -> str:
    """``value`` when it is a same-origin absolute path (``/authorize?...``), else ``/dashboard``.

    Refused: empty, relative, protocol-relative (``//evil``), backslash tricks (``/\\evil``), schemes,
    control characters (CR/LF header injection) and anything over 2048 characters.
    """
    if not value or len(value) > 2048 or not value.startswith("/"):
        return DEFAULT_NEXT
    if value.startswith(("//", "/\\")) or "\\" in value:
        return DEFAULT_NEXT
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value):
        return DEFAULT_NEXT
    return value


def login_redirect(next_path: str) -> RedirectResponse:
    """303 to ``/login?next=<next_path>``; the login page sends the person back there afterwards."""
    return RedirectResponse(f"/login?next={quote(safe_next(next_path), safe='')}", status_code=303)
