"""Ordered schema migrations for both backends, kept in one place.

Each migration is a pair of files ``NNNN_name.sqlite.sql`` and ``NNNN_name.postgres.sql`` in this folder;
a backend applies, in order, the versions above the one recorded in its ``schema_version`` table, each in
one transaction. Plain SQL files (not Alembic) because the schema is small, the two dialects differ where
it matters (FTS5 against tsvector, BLOB against pgvector), and there is no ORM model to autogenerate from.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str


def load(backend: str) -> list[Migration]:
    """Every migration for ``backend`` ("sqlite" or "postgres"), ordered by version."""
    found: list[Migration] = []
    for entry in resources.files(__package__).iterdir():
        name = entry.name
        suffix = f".{backend}.sql"
        if not name.endswith(suffix):
            continue
        version, _, rest = name.partition("_")
        found.append(Migration(int(version), rest[: -len(suffix)], entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise RuntimeError(f"duplicate migration versions for {backend}: {versions}")
    return found
