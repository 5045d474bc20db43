"""``OAuthRoute``: the one place an ``OAuthError`` raised by an endpoint becomes its JSON error response
(RFC 6749 §5.2, RFC 7591 §3.2.2, RFC 6750 §3.1), and is counted as a ``failure`` with its wire error code.

Endpoints of the authorization server raise; they never build error responses themselves. Errors that travel
back in a redirect instead (RFC 6749 §4.1.2.1) are counted by ``authorize.redirect_with``.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

from ..observability.metrics import count_oauth
from .errors import OAuthError


class OAuthRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await original(request)
            except OAuthError as exc:
                count_oauth(request.app.state.runtime, "failure", exc.error)
                return exc.response()

        return handler
