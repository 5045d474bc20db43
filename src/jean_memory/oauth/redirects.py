"""Redirect URI rules (RFC 6749 §3.1.2, OAuth 2.1 §7.5, RFC 8252 §7.1-7.3) for registration and matching.

The SDK's registration accepts any URI (``javascript:`` included) and matches exactly; these rules replace it:
``https`` anywhere, ``http`` only on loopback (port ignored when matching), private-use schemes from settings.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from ..settings import Settings

LOOPBACK = ("127.0.0.1", "::1", "localhost")
_NEVER = ("javascript", "data", "vbscript", "file", "blob", "about")
MAX_LEN = 2000


def problem(uri: object, settings: Settings) -> str | None:
    """Why ``uri`` cannot be a redirect URI, or None when it can."""
    if not isinstance(uri, str) or not uri or len(uri) > MAX_LEN:
        return "a redirect URI must be a non-empty string"
    if any(ord(ch) <= 0x20 or ord(ch) == 0x7F for ch in uri) or "\\" in uri:
        return "a redirect URI cannot contain spaces, backslashes or control characters"
    if "#" in uri:
        return "a redirect URI cannot contain a fragment"
    if "*" in uri:
        return "a redirect URI cannot contain a wildcard"
    try:
        parts = urlsplit(uri)
        _ = parts.port  # raises ValueError on a malformed port
    except ValueError:
        return "a redirect URI must be a valid absolute URI"
    scheme = parts.scheme.lower()
    if not scheme or scheme in _NEVER:
        return f"the scheme {scheme or '(none)'!r} is not allowed"
    if "@" in parts.netloc:
        return "a redirect URI cannot carry user information"
    if scheme == "https":
        return None if parts.hostname else "an https redirect URI needs a host"
    if scheme == "http":
        if parts.hostname in LOOPBACK:
            return None
        return "http redirect URIs are allowed only on loopback (127.0.0.1, [::1], localhost)"
    allowed = {s.lower() for s in settings.allowed_redirect_schemes}
    if scheme in allowed:
        return None
    return f"the scheme {scheme!r} is not allowed (allowed private-use schemes: {', '.join(sorted(allowed))})"


def _loopback_key(uri: str) -> tuple[str, str, str, str] | None:
    try:
        parts = urlsplit(uri)
    except ValueError:
        return None
    if parts.scheme.lower() != "http" or parts.hostname not in LOOPBACK:
        return None
    return ("http", parts.hostname or "", parts.path or "/", parts.query)


def is_native(uri: str) -> bool:
    """A loopback ``http`` or private-use scheme redirect (RFC 8252 §7.1, §7.3): any local program can listen
    there (on any port) or claim the scheme, so the redirect does not prove which program gets the code."""
    try:
        scheme = urlsplit(uri).scheme.lower()
    except ValueError:
        return False
    return _loopback_key(uri) is not None or scheme not in ("http", "https")


def matches(registered: str, presented: str) -> bool:
    """Exact match, except that on ``http`` loopback the port is ignored (RFC 8252 §7.3)."""
    if registered == presented:
        return True
    a, b = _loopback_key(registered), _loopback_key(presented)
    return a is not None and a == b


def pick(registered: tuple[str, ...], presented: str | None) -> str | None:
    """The redirect URI to use: the presented one when it matches a registered one; the only registered one
    when none is presented; otherwise None (never redirect there)."""
    if presented is None:
        return registered[0] if len(registered) == 1 else None
    return presented if any(matches(r, presented) for r in registered) else None
