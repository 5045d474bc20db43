"""The best BM25 score a query could reach on SQLite FTS5: what ``fusion.fuse`` weighs weak lexical matches by.

FTS5's ``bm25()`` scores a row as the sum, over the query phrases it contains, of
``idf x tf x (k1 + 1) / (tf + k1 x (1 - b + b x len / avglen))`` with ``idf = log((N - n + 0.5) / (n + 0.5))``
(at least 1e-6), N the rows in the index and n those holding the phrase. A memory of average length holding
every query word once scores about the sum of their IDFs: that sum is the query's best possible score. N is the
first varint of FTS5's "averages" record (row 1 of ``memories_fts_data``); each n is a count of matches, stopped
at N / 2, where the IDF reaches its floor. One statement for all the terms.

The same counts, stopped lower, tell an add which of its words are common (``rare_terms``).
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Sequence

_AVERAGES_ROWID = 1
# A term in this share of the rows, and in at least this many, is common (``rare_terms``).
COMMON_SHARE = 0.05
COMMON_LEAST = 200


def best_possible(c: sqlite3.Connection, terms: Sequence[str]) -> float | None:
    """The sum of the terms' BM25 IDFs over the whole index, or None when the index is empty."""
    if not terms:
        return None
    rows = _rows(c)
    if rows <= 0:
        return None
    counts = _matches(c, terms, rows // 2 + 1)
    return sum(max(1e-6, math.log((rows - n + 0.5) / (n + 0.5))) for n in counts)


def rare_terms(c: sqlite3.Connection, terms: Sequence[str]) -> list[str]:
    """``terms`` without those in at least ``COMMON_SHARE`` of the index's rows (and ``COMMON_LEAST``); all of
    them when every one is that common.

    What an add looks for its candidates with (``HybridQuery.common_terms``): a long text's common words ("good",
    "went", "user") add every row that holds them to the query's work (FTS5 scores each match of an OR), and
    say little about which memory the text is about, where its rarer words (names, places, things) say much.
    One statement, counting each term's matches only up to the bar.
    """
    rows = _rows(c)
    bar = max(COMMON_LEAST, int(rows * COMMON_SHARE))
    if rows < bar or len(terms) < 2:
        return list(terms)
    rare = [t for t, n in zip(terms, _matches(c, terms, bar), strict=True) if n < bar]
    return rare or list(terms)


def _rows(c: sqlite3.Connection) -> int:
    row = c.execute("SELECT block FROM memories_fts_data WHERE id=?", (_AVERAGES_ROWID,)).fetchone()
    return _varint(bytes(row[0])) if row and row[0] else 0


def _matches(c: sqlite3.Connection, terms: Sequence[str], cap: int) -> tuple[int, ...]:
    """Each term's count of matching rows, stopped at ``cap``."""
    counted = "(SELECT count(*) FROM (SELECT 1 FROM memories_fts WHERE memories_fts MATCH ? LIMIT ?))"
    params: list[object] = []
    for t in terms:
        params += ['"' + t.replace('"', '""') + '"', cap]
    return tuple(c.execute("SELECT " + ", ".join([counted] * len(terms)), params).fetchone())


def _varint(data: bytes) -> int:
    """SQLite's varint (big-endian, 7 bits a byte, the ninth byte whole): FTS5 writes its row count in one."""
    value = 0
    for i, byte in enumerate(data[:9]):
        if i == 8:
            return (value << 8) | byte
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value
    return value
