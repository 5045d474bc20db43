"""OAuth wire errors (RFC 6749 §4.1.2.1 and §5.2, RFC 6750 §3.1, RFC 7591 §3.2.2, RFC 8707 §2), one class per code.

    OAuthError                      base: ``error`` is the wire value, ``status`` the HTTP status
    ├── InvalidRequest              400 invalid_request
    ├── InvalidClient               401 invalid_client (the signal for Claude to register again)
    ├── InvalidGrant                400 invalid_grant
    ├── UnauthorizedClient          400 unauthorized_client
    ├── UnsupportedGrantType        400 unsupported_grant_type
    ├── UnsupportedResponseType     400 unsupported_response_type
    ├── InvalidScope                400 invalid_scope
    ├── InvalidTarget               400 invalid_target (RFC 8707)
    ├── AccessDenied                403 access_denied (only ever sent in a redirect)
    ├── InvalidRedirectUri          400 invalid_redirect_uri (RFC 7591)
    ├── InvalidClientMetadata       400 invalid_client_metadata (RFC 7591)
    ├── InvalidToken                401 invalid_token (RFC 6750 §3.1: a bad registration access token, RFC 7592)
    └── TooManyRequests             429 slow_down-style refusal, with ``Retry-After``

The SDK's ``mcp.server.auth.errors`` only carries a string union, so the classes live here.
"""

from __future__ import annotations

from starlette.responses import JSONResponse

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class OAuthError(Exception):
    error = "server_error"
    status = 400

    def __init__(self, description: str = "") -> None:
        super().__init__(description or self.error)
        self.description = description

    def response(self, headers: dict[str, str] | None = None) -> JSONResponse:
        body = {"error": self.error}
        if self.description:
            body["error_description"] = self.description
        return JSONResponse(body, status_code=self.status, headers=NO_STORE | (headers or {}))


class InvalidRequest(OAuthError):
    error = "invalid_request"


class InvalidClient(OAuthError):
    error = "invalid_client"
    status = 401

    def response(self, headers: dict[str, str] | None = None) -> JSONResponse:
        return super().response({"WWW-Authenticate": 'Basic realm="oauth"'} | (headers or {}))


class InvalidGrant(OAuthError):
    error = "invalid_grant"


class UnauthorizedClient(OAuthError):
    error = "unauthorized_client"


class UnsupportedGrantType(OAuthError):
    error = "unsupported_grant_type"


class UnsupportedResponseType(OAuthError):
    error = "unsupported_response_type"


class InvalidScope(OAuthError):
    error = "invalid_scope"


class InvalidTarget(OAuthError):
    error = "invalid_target"


class AccessDenied(OAuthError):
    error = "access_denied"
    status = 403


class InvalidRedirectUri(OAuthError):
    error = "invalid_redirect_uri"


class InvalidClientMetadata(OAuthError):
    error = "invalid_client_metadata"


class InvalidToken(OAuthError):
    error = "invalid_token"
    status = 401

    def response(self, headers: dict[str, str] | None = None) -> JSONResponse:
        return super().response({"WWW-Authenticate": 'Bearer error="invalid_token"'} | (headers or {}))


class TooManyRequests(OAuthError):
    error = "too_many_requests"
    status = 429

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many requests; try again in {retry_after} s")
        self.retry_after = retry_after

    def response(self, headers: dict[str, str] | None = None) -> JSONResponse:
        return super().response({"Retry-After": str(self.retry_after)} | (headers or {}))
