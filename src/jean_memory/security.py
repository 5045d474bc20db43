"""Small security primitives shared by every part: random tokens, hashing at rest, constant-time compare."""

from __future__ import annotations

import hashlib
import hmac
import secrets


def new_token(prefix: str = "", nbytes: int = 32) -> str:
    """A URL-safe random token with at least 256 bits of entropy (128 for ``nbytes=16``)."""
    return f"{prefix}{secrets.token_urlsafe(nbytes)}"


def hash_token(token: str) -> str:
    """Tokens are high-entropy, so one SHA-256 is the right hash at rest (no salt or stretching needed)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def bearer_token(authorization: str) -> str:
    """The credential of an ``Authorization: Bearer <token>`` header value (RFC 6750 §2.1), or "" for any other."""
    scheme, _, token = authorization.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def same(a: str, b: str) -> bool:
    """Constant-time string comparison."""
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))
