"""Storage: Protocols and records, one module per backend, and ``open_store(settings)`` to pick one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..settings import Settings
from .protocols import ApiKeyStore, Database, DocumentStore, MemoryStore, RateLimitStore, UserStore


@dataclass(slots=True)
class Stores:
    """Every store of one backend. Parts added by later features hang off ``extra`` until promoted."""

    database: Database
    users: UserStore
    api_keys: ApiKeyStore
    memories: MemoryStore
    documents: DocumentStore
    rate_limits: RateLimitStore
    oauth: Any = None
    sessions: Any = None
    logins: Any = None  # logins.LoginThrottleStore
    spaces: Any = None  # protocols.SpaceStore


def open_store(settings: Settings) -> Stores:
    url = settings.effective_database_url
    if url.startswith(("postgresql://", "postgres://", "postgresql+psycopg://")):
        from .postgres import open_postgres

        return open_postgres(url, settings.database_pool_size)
    if url.startswith("sqlite:///"):
        if not settings.database_url:  # the default file in the data directory, which is ours: owner-only
            from ..private_files import private_dir

            private_dir(settings.data_dir, tighten=True)
        return open_sqlite(url.removeprefix("sqlite:///"))
    raise ValueError("JEAN_MEMORY_DATABASE_URL must start with sqlite:/// or postgresql://")


def open_sqlite(path: str) -> Stores:
    from .sqlite import SqliteDatabase
    from .sqlite.documents import SqliteDocumentStore
    from .sqlite.logins import SqliteLoginThrottleStore
    from .sqlite.memories import SqliteMemoryStore
    from .sqlite.oauth import SqliteOAuthStore
    from .sqlite.sessions import SqliteSiteSessionStore
    from .sqlite.spaces import SqliteSpaceStore
    from .sqlite.users import SqliteApiKeyStore, SqliteRateLimitStore, SqliteUserStore

    db = SqliteDatabase(path)
    return Stores(
        database=db, users=SqliteUserStore(db), api_keys=SqliteApiKeyStore(db), memories=SqliteMemoryStore(db),
        documents=SqliteDocumentStore(db), rate_limits=SqliteRateLimitStore(db),
        sessions=SqliteSiteSessionStore(db),
        oauth=SqliteOAuthStore(db), logins=SqliteLoginThrottleStore(db), spaces=SqliteSpaceStore(db),
    )
