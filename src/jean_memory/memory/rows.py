"""How memories go into a store and come back a page at a time: vector bytes and row-number cursors."""

from __future__ import annotations

import base64
from dataclasses import dataclass

import numpy as np

from ..errors import InvalidInput
from ..store.records import Memory

MAX_SEQ = 2**63 - 1  # the largest row number and offset both databases take (a signed 64-bit integer)


@dataclass(frozen=True, slots=True)
class Page:
    items: list[Memory]
    next_cursor: str | None


def vec_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=np.float32).tobytes()


def encode_cursor(seq: int) -> str:
    return base64.urlsafe_b64encode(f"m{seq}".encode()).decode().rstrip("=")


def decode_cursor(cursor: object) -> int | None:
    if cursor is None or cursor == "":
        return None
    if not isinstance(cursor, str) or len(cursor) > 40:
        raise InvalidInput("cursor is not one this server gave out")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        if not raw.startswith("m") or not raw[1:].isdigit():
            raise ValueError
        seq = int(raw[1:])
    except ValueError as exc:
        raise InvalidInput("cursor is not one this server gave out") from exc
    if seq > MAX_SEQ:  # no row has it, and the database could not compare with it
        raise InvalidInput("cursor is not one this server gave out")
    return seq
