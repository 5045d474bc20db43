"""Local passwords, hashed with argon2id (argon2-cffi defaults)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from ..errors import InvalidInput

_hasher = PasswordHasher()
MIN_LENGTH = 8
MAX_LENGTH = 1024
# A real hash to verify against when the account does not exist, so both paths take the same time.
_DUMMY = _hasher.hash("not-a-real-password")


def check_new_password(password: object) -> str:
    if not isinstance(password, str):
        raise InvalidInput("password must be text")
    if len(password) < MIN_LENGTH:
        raise InvalidInput(f"password must be at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise InvalidInput(f"password must be at most {MAX_LENGTH} characters")
    return password


def hash_password(password: str) -> str:
    return _hasher.hash(check_new_password(password))


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY, password[:MAX_LENGTH]) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
