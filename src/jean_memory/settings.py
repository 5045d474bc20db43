"""Settings: the only module that reads the environment (prefix ``JEAN_MEMORY_``)."""

from __future__ import annotations

import ipaddress
from functools import cached_property
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def _is_loopback_host(host: str) -> bool:
    if host in ("localhost",):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def listen_url(host: str, port: int) -> str:
    """``http://host:port`` for a listen address; a wildcard address is reached through loopback."""
    if host in ("", "0.0.0.0"):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


class Settings(BaseSettings):
    """Every setting is documented in README.md (tests/test_docs.py checks it)."""

    model_config = SettingsConfigDict(env_prefix="JEAN_MEMORY_", extra="ignore")

    data_dir: Path = Path("./data")
    database_url: str = ""
    database_pool_size: int = 10  # PostgreSQL connections per process (replicas x this <= max_connections)
    public_url: str = ""  # unset: the address actually listened on (see listening_on)
    host: str = "127.0.0.1"
    port: int = 8765
    migrate_on_start: bool = True

    # Embeddings: "local" (MiniLM int8 ONNX shipped on PyPI) or "openai" (any OpenAI-compatible endpoint).
    embedder: str = "local"
    embedding_url: str = ""
    embedding_api_key: str = ""
    embedding_model: str = "text-embedding-3-small"
    # Optional OpenAI-compatible chat endpoint, for better memory extraction and synthesised answers.
    llm_url: str = ""
    llm_api_key: str = ""
    llm_model: str = "gpt-4o-mini"

    # Limits
    max_memory_bytes: int = 64 * 1024
    max_document_bytes: int = 5 * 1024 * 1024
    max_batch: int = 100
    deleted_retention: int = 30 * 24 * 3600

    # OAuth / MCP
    access_token_ttl: int = 8 * 3600
    refresh_token_ttl: int = 30 * 24 * 3600
    refresh_grace_seconds: int = 60
    auth_code_ttl: int = 300
    unused_client_ttl: int = 3600  # a registration never used for a token: Claude registers on every connect
    allowed_redirect_schemes: list[str] = Field(default_factory=lambda: ["claude", "cursor", "vscode"])
    client_metadata_allow_private: bool = False
    allowed_origins: list[str] = Field(
        default_factory=lambda: ["https://claude.ai", "https://claude.com", "https://chatgpt.com"]
    )
    stateless: bool = False
    # Stateful MCP sessions (mcp_server/sessions.py): a principal is one user through one OAuth client or API key.
    mcp_session_idle_seconds: int = Field(default=600, gt=0)
    mcp_sessions_per_client: int = Field(default=32, ge=1)
    mcp_sessions_per_user: int = Field(default=100, ge=1)
    mcp_max_sessions: int = Field(default=10_000, ge=1)
    rate_limit_mcp_initialize: int = Field(default=120, ge=1)
    # Long-lived MCP streams (mcp_server/streams.py): GET /mcp and 2026-07-28 subscriptions/listen, one socket each.
    mcp_streams_per_user: int = Field(default=20, ge=1)
    mcp_streams_max: int = Field(default=2000, ge=1)
    mcp_stream_recheck_seconds: float = Field(default=30.0, gt=0)
    rate_limit_register: int = 20
    rate_limit_token: int = 60
    rate_limit_login: int = 10
    rate_limit_window: int = 60

    # Site sign-in
    signup_open: bool | None = None
    session_ttl: int = 14 * 24 * 3600
    google_client_id: str = ""
    google_client_secret: str = ""
    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_name: str = "Single sign-on"

    # Serving
    trusted_proxies: list[str] = Field(default_factory=lambda: ["127.0.0.1", "::1"])
    log_level: str = "INFO"
    log_format: str = "auto"
    metrics_token: str = ""
    shutdown_timeout: int = 20

    @field_validator("trusted_proxies")
    @classmethod
    def _check_proxies(cls, value: list[str]) -> list[str]:
        from .proxy import parse_networks

        parse_networks(value)
        return value

    @field_validator("log_format")
    @classmethod
    def _check_log_format(cls, value: str) -> str:
        if value.lower() not in ("auto", "json", "text"):
            raise ValueError("LOG_FORMAT must be auto, json or text")
        return value.lower()

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        value = value.strip()
        if value and not value.startswith(("sqlite:///", "postgresql://", "postgres://", "postgresql+psycopg://")):
            raise ValueError("DATABASE_URL must start with sqlite:/// or postgresql://")
        return value

    @field_validator("embedder")
    @classmethod
    def _known_embedder(cls, value: str) -> str:
        if value not in ("local", "openai"):
            raise ValueError("EMBEDDER must be 'local' or 'openai'")
        return value

    @field_validator("public_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if not value:
            return value  # unset (or empty): derived from the listen address below
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("PUBLIC_URL must be an absolute http(s) URL such as https://memory.example.com")
        if parts.path or parts.query or parts.fragment:
            raise ValueError("PUBLIC_URL must be an origin only (no path, query or fragment)")
        return value

    @model_validator(mode="after")
    def _default_public_url(self) -> Settings:
        if not self.public_url:
            # Not through assignment, so model_fields_set tells an explicit PUBLIC_URL from a derived one.
            object.__setattr__(self, "public_url", listen_url(self.host, self.port))
            self.model_fields_set.discard("public_url")
        return self

    @property
    def public_url_is_set(self) -> bool:
        return "public_url" in self.model_fields_set

    def listening_on(self, host: str, port: int) -> Settings:
        """These settings once the server listens on ``host``:``port`` (the real port, when 0 was asked for).

        Without JEAN_MEMORY_PUBLIC_URL, the public URL is that address, so links, ``WWW-Authenticate`` and the
        OAuth metadata name the port clients can actually reach.
        """
        update: dict[str, object] = {"host": host, "port": port}
        if not self.public_url_is_set:
            update["public_url"] = listen_url(host, port)
        copy = self.model_copy(update=update)
        copy.__dict__.pop("effective_database_url", None)  # a cached_property: recompute from the copy
        return copy

    @cached_property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'jean_memory.sqlite3').resolve()}"

    @property
    def database_label(self) -> str:
        """The database, for people: the SQLite file's path, or the PostgreSQL URL without its password."""
        url = self.effective_database_url
        if url.startswith("sqlite:///"):
            return url.removeprefix("sqlite:///")
        parts = urlsplit(url)
        user = f"{parts.username}@" if parts.username else ""
        port = f":{parts.port}" if parts.port else ""
        return f"{parts.scheme}://{user}{parts.hostname or ''}{port}{parts.path}"

    @property
    def issuer(self) -> str:
        return self.public_url

    @property
    def mcp_resource(self) -> str:
        return f"{self.public_url}/mcp"

    @property
    def public_host(self) -> str:
        return urlsplit(self.public_url).netloc

    @property
    def is_https(self) -> bool:
        return self.public_url.startswith("https://")

    @property
    def is_loopback(self) -> bool:
        return _is_loopback_host(urlsplit(self.public_url).hostname or "")

    @property
    def signup_enabled(self) -> bool:
        return self.is_loopback if self.signup_open is None else self.signup_open

    @property
    def backend(self) -> str:
        return "postgresql" if self.effective_database_url.startswith("postgres") else "sqlite"
