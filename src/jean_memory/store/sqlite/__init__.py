"""The SQLite backend: one file, WAL mode, FTS5 for lexical search, numpy brute force for dense search."""

from .db import SqliteDatabase

__all__ = ["SqliteDatabase"]
