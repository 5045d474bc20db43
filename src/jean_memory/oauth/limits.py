"""Size limits on what anonymous callers make the authorization server store: registration metadata (RFC 7591 §2,
refused with §3.2.2 ``invalid_client_metadata`` / ``invalid_redirect_uri``) and ``/authorize`` parameters
(refused with RFC 6749 §4.1.2.1 ``invalid_request``).

Anyone may register a client or start an authorization, and both are written to the database before anyone has
logged in, so every stored value is bounded here. A registration is read with a byte limit, decoded as strict
UTF-8, and walked whole (depth, list lengths, string lengths, lone surrogates, NUL) before any part of it is used;
Claude's own registration is about 300 bytes.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.datastructures import ImmutableMultiDict
from starlette.requests import Request

from ..json_values import valid_text
from .errors import InvalidClientMetadata, InvalidRedirectUri, OAuthError

MAX_REGISTRATION_BYTES = 16 * 1024  # the whole /register body
MAX_STRING = 2000  # any string in a registration (redirect URIs included), outside jwks
MAX_ITEMS = 20  # any list in a registration: redirect_uris, contacts, grant_types, jwks keys...
MAX_DEPTH = 5  # {"jwks": {"keys": [{"x5c": ["..."]}]}} is 4 levels below the body
MAX_JWKS_BYTES = 8 * 1024  # jwks as JSON; its strings (x5c certificates) may exceed MAX_STRING

MAX_PARAMETERS = 50  # /authorize parameters in one request
MAX_PARAMETER = 2000  # client_id, redirect_uri, state, resource, and anything not listed below
PARAMETER_LIMITS = {"prompt": 100, "scope": 1000, "response_type": 100, "code_challenge": 128,
                    "code_challenge_method": 10}


async def registration_body(request: Request) -> dict[str, Any]:
    """The ``/register`` body as a JSON object, read with a byte limit and checked whole by ``check_registration``."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_REGISTRATION_BYTES:
        raise InvalidClientMetadata(f"a registration must be at most {MAX_REGISTRATION_BYTES} bytes")
    raw = bytearray()
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > MAX_REGISTRATION_BYTES:
            raise InvalidClientMetadata(f"a registration must be at most {MAX_REGISTRATION_BYTES} bytes")
    try:
        body = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise InvalidClientMetadata("the body must be UTF-8") from exc
    except (ValueError, RecursionError) as exc:
        raise InvalidClientMetadata("the body must be a JSON object") from exc
    if not isinstance(body, dict):
        raise InvalidClientMetadata("the body must be a JSON object")
    check_registration(body)
    return body


def check_registration(body: dict[str, Any]) -> None:
    """Raise unless every value in the registration is shallow, short and storable text."""
    for key, value in body.items():
        error = InvalidRedirectUri if key == "redirect_uris" else InvalidClientMetadata
        _check_text(key, key, error)
        _check(value, key, 1, MAX_JWKS_BYTES if key == "jwks" else MAX_STRING, error)
    if "jwks" in body and len(json.dumps(body["jwks"])) > MAX_JWKS_BYTES:
        raise InvalidClientMetadata(f"jwks must be at most {MAX_JWKS_BYTES} bytes of JSON")


def _check(value: object, where: str, depth: int, max_string: int, error: type[OAuthError]) -> None:
    if depth > MAX_DEPTH:
        raise error(f"{where}: nested too deeply (at most {MAX_DEPTH} levels)")
    if isinstance(value, str):
        if len(value) > max_string:
            raise error(f"{where}: a string of at most {max_string} characters")
        _check_text(value, where, error)
    elif isinstance(value, list):
        if len(value) > MAX_ITEMS:
            raise error(f"{where}: a list of at most {MAX_ITEMS} items")
        for item in value:
            _check(item, where, depth + 1, max_string, error)
    elif isinstance(value, dict):
        if len(value) > MAX_ITEMS:
            raise error(f"{where}: an object of at most {MAX_ITEMS} members")
        for key, item in value.items():
            _check_text(key, where, error)
            _check(item, f"{where}.{key[:40]}", depth + 1, max_string, error)


def _check_text(value: str, where: str, error: type[OAuthError]) -> None:
    """Lone surrogates (from ``\\ud800`` escapes) cannot be encoded as UTF-8, and NUL cannot be stored."""
    if not valid_text(value):
        raise error(f"{where[:40]!r}: not valid Unicode text (a lone surrogate)")
    if "\x00" in value:
        raise error(f"{where[:40]!r}: cannot contain NUL characters")


def authorize_problem(params: ImmutableMultiDict[str, str]) -> str | None:
    """Why the ``/authorize`` parameters are too many or too long to consider, or None."""
    items = params.multi_items()
    if len(items) > MAX_PARAMETERS:
        return f"at most {MAX_PARAMETERS} parameters"
    for name, value in items:
        limit = PARAMETER_LIMITS.get(name, MAX_PARAMETER)
        if len(value) > limit or len(name) > 100:
            return f"{name[:100]} must be at most {limit} characters"
    return None
