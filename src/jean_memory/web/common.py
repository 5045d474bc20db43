"""What every site page shares: ``render`` (``templating.py``), friendly HTML error pages, the signed-in user.

Site routes use ``SiteRoute`` as their route class: domain errors, bad forms and HTTP errors become an HTML
page (never JSON, never a stack trace), and ``SiteUser`` sends anonymous visitors to ``/login?next=...``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException

from .. import templating
from ..accounts.csrf import FIELD, check_csrf
from ..accounts.sessions import current_site_user, login_redirect
from ..errors import JeanMemoryError, RateLimited
from ..http_errors import error_response
from ..runtime import Runtime
from ..store.records import User

log = logging.getLogger("jean_memory.web")

_TITLES = {400: "That didn't work", 403: "Not allowed", 404: "Not found", 405: "Not allowed", 409: "Already exists",
           413: "Too large", 429: "Too many attempts", 503: "Temporarily unavailable"}


def runtime_of(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


render = templating.render  # ``user`` (may be None), ``csrf`` and ``settings`` in every page's context


def error_page(request: Request, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    title = _TITLES.get(status, "Something went wrong")
    return render(request, "error.html", status_code=status, headers=headers, title=title, message=message,
                  status=status)


def _wants_json(request: Request) -> bool:
    """A script posting a site form with ``Accept: application/json`` (and not HTML) gets the API's JSON error."""
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


class _NeedLogin(Exception):
    pass


class SiteRoute(APIRoute):
    """An ``APIRoute`` whose failures are friendly HTML pages."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await original(request)
            except _NeedLogin:
                return login_redirect(request.url.path if request.method == "GET" else "/dashboard")
            except RateLimited as exc:
                headers = {"Retry-After": str(exc.retry_after)}
                if _wants_json(request):
                    return error_response(429, exc.code, exc.message, headers)
                return error_page(request, 429, exc.message, headers)
            except JeanMemoryError as exc:
                return error_page(request, exc.status, exc.message)
            except RequestValidationError:
                return error_page(request, 400, "Some fields of the form were missing or not valid.")
            except HTTPException as exc:
                return error_page(request, exc.status_code, str(exc.detail), dict(exc.headers or {}))
            except Exception as exc:  # a bug: log it, show a friendly page
                log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
                return error_page(request, 500, "Something went wrong on our side; it has been logged.")

        return handler


async def site_user(request: Request) -> User:
    user = await current_site_user(request)
    if user is None:
        raise _NeedLogin()
    return user


SiteUser = Annotated[User, Depends(site_user)]


def field(form: FormData, name: str, max_chars: int = 100_000) -> str:
    """A text field of a submitted form ("" when absent or a file), cut to ``max_chars``."""
    value = form.get(name)
    return value[:max_chars] if isinstance(value, str) else ""


def upload(form: FormData, name: str) -> UploadFile | None:
    value = form.get(name)
    return value if isinstance(value, UploadFile) else None


async def checked_form(request: Request) -> FormData:
    """The submitted form, after its CSRF token was checked (403 page otherwise)."""
    form = await request.form()
    await check_csrf(request, field(form, FIELD, 200) or None)
    return form
