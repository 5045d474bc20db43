"""One error tree for the whole service.

    JeanMemoryError                 base; ``status`` and ``code`` map to HTTP and tool errors
    ├── InvalidInput                400 invalid_input: empty, oversized, malformed or wrong-typed input
    │   └── TooLarge                413 too_large: over a configured size limit
    ├── NotFound                    404 not_found: unknown id, or another user's id (indistinguishable)
    ├── Conflict                    409 conflict: e.g. an email already registered
    ├── Unauthorized                401 unauthorized: no or bad credentials
    ├── Forbidden                   403 forbidden: authenticated but not allowed
    ├── RateLimited                 429 rate_limited: carries ``retry_after`` seconds
    ├── StorageError                503 storage_unavailable: the database did not answer
    └── BackupError                 400 backup_failed: a backup or restore refused (CLI only; backup.py)

Transport-level refusals that are not domain errors: 413 ``too_large`` (http_errors.BodyLimit) and 421
``https_required`` (proxy.py: a plain-http request where PUBLIC_URL is https).

OAuth wire errors (RFC 6749 §5.2, RFC 7591 §3.2.2, RFC 8707) live in ``jean_memory.oauth.errors``:
they are a protocol vocabulary of their own and never leak into the domain.
"""

from __future__ import annotations


class JeanMemoryError(Exception):
    status: int = 500
    code: str = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(JeanMemoryError):
    status = 400
    code = "invalid_input"


class TooLarge(InvalidInput):
    status = 413
    code = "too_large"


class NotFound(JeanMemoryError):
    status = 404
    code = "not_found"


class Conflict(JeanMemoryError):
    status = 409
    code = "conflict"


class Unauthorized(JeanMemoryError):
    status = 401
    code = "unauthorized"


class Forbidden(JeanMemoryError):
    status = 403
    code = "forbidden"


class RateLimited(JeanMemoryError):
    status = 429
    code = "rate_limited"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class StorageError(JeanMemoryError):
    status = 503
    code = "storage_unavailable"
