"""The PostgreSQL backend: psycopg 3 async pool, tsvector + GIN for lexical search, pgvector HNSW for dense.

Every store keeps no state between calls, so several processes (stateless replicas) can share one database.
"""

from __future__ import annotations

from .. import Stores
from .db import PostgresDatabase


def open_postgres(url: str, max_connections: int = 10) -> Stores:
    from .documents import PostgresDocumentStore
    from .logins import PostgresLoginThrottleStore
    from .memories import PostgresMemoryStore
    from .oauth import PostgresOAuthStore
    from .sessions import PostgresSiteSessionStore
    from .spaces import PostgresSpaceStore
    from .users import PostgresApiKeyStore, PostgresRateLimitStore, PostgresUserStore

    db = PostgresDatabase(url, max_connections)
    return Stores(
        database=db, users=PostgresUserStore(db), api_keys=PostgresApiKeyStore(db), memories=PostgresMemoryStore(db),
        documents=PostgresDocumentStore(db), rate_limits=PostgresRateLimitStore(db),
        sessions=PostgresSiteSessionStore(db), oauth=PostgresOAuthStore(db), logins=PostgresLoginThrottleStore(db),
        spaces=PostgresSpaceStore(db),
    )


__all__ = ["PostgresDatabase", "open_postgres"]
