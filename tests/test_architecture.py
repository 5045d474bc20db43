"""The folders keep their boundaries: store/ knows nothing above it, memory/ knows no HTTP (imports parsed with ast)."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "jean_memory"


def imported_modules(package: str) -> dict[str, set[str]]:
    """Absolute module names imported by each file of ``package`` (relative imports resolved)."""
    found: dict[str, set[str]] = {}
    for path in (SRC / package).rglob("*.py"):
        parts = ["jean_memory", *path.relative_to(SRC).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = parts[: len(parts) - node.level + (1 if path.name == "__init__.py" else 0)]
                    names.add(".".join([*base, *(node.module.split(".") if node.module else [])]))
                else:
                    names.add(node.module or "")
        found[str(path.relative_to(SRC))] = names
    return found


def offenders(package: str, forbidden: tuple[str, ...]) -> list[str]:
    return sorted(
        f"{file} imports {name}"
        for file, names in imported_modules(package).items()
        for name in names
        if any(name == f or name.startswith(f + ".") for f in forbidden)
    )


ABOVE_STORE = tuple(f"jean_memory.{p}" for p in ("web", "oauth", "mcp_server", "api", "accounts", "memory", "app"))
HTTP = ("fastapi", "starlette", "httpx", "uvicorn", "mcp", *(f"jean_memory.{p}" for p in ("web", "oauth",
                                                                                           "mcp_server", "api")))


def test_store_imports_nothing_above_it() -> None:
    assert offenders("store", ABOVE_STORE) == []


def test_memory_domain_knows_no_http() -> None:
    assert offenders("memory", HTTP) == []


def test_the_judgment_is_pure_and_faces_the_service_with_one_function() -> None:
    """``judge/`` reads text only: no store, no HTTP, no embedder, no service; ``memory/`` uses its face (``decide``,
    ``Verdict``) and its note test, never a rule module."""
    assert offenders("judge", (*HTTP, "jean_memory.store", "jean_memory.embeddings", "jean_memory.memory.service",
                               "sqlite3", "psycopg", "numpy", "onnxruntime")) == []
    used = {name for names in imported_modules("memory").values() for name in names
            if name.startswith("jean_memory.judge")}
    assert used <= {"jean_memory.judge", "jean_memory.judge.supersede", "jean_memory.judge.verdict",
                    "jean_memory.judge._differing"}


def test_the_check_sees_relative_imports() -> None:
    names = imported_modules("store")["store/sqlite/memories.py"]
    assert "jean_memory.store.records" in names
