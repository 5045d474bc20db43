"""Whatever the umask, the database, its -wal/-shm, backups and exports are owner-only (0600), the data dir 0700."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from jean_memory.backup import backup, database_path, restore
from jean_memory.settings import Settings
from jean_memory.store import open_store
from tests.test_cli import run


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def umask_022() -> Iterator[None]:
    """The usual login-shell umask (the systemd unit's 0077 would hide the problem)."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def _settings(data_dir: Path) -> Settings:
    return Settings(data_dir=data_dir, _env_file=None)  # type: ignore[call-arg]


@pytest.mark.anyio
async def test_database_and_data_dir_are_owner_only(tmp_path: Path) -> None:
    settings = _settings(tmp_path / "data")
    stores = open_store(settings)
    try:
        await stores.database.migrate()
        await stores.users.create_user("m@example.com", None)
        db = database_path(settings)
        files = [db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")]
        assert all(f.exists() for f in files)
        assert {f.name: mode(f) for f in files} == {f.name: 0o600 for f in files}
        assert mode(tmp_path / "data") == 0o700
    finally:
        await stores.database.close()


@pytest.mark.anyio
async def test_an_existing_world_readable_deployment_is_tightened(tmp_path: Path) -> None:
    data = tmp_path / "data"
    settings = _settings(data)
    stores = open_store(settings)
    await stores.database.migrate()
    await stores.database.close()
    db = database_path(settings)
    os.chmod(data, 0o755)  # as `mkdir -p data` and an older version left them
    os.chmod(db, 0o644)
    stores = open_store(settings)
    try:
        await stores.users.create_user("m@example.com", None)
        assert (mode(data), mode(db), mode(db.with_name(db.name + "-wal"))) == (0o700, 0o600, 0o600)
    finally:
        await stores.database.close()
    other = tmp_path / "shared"
    other.mkdir(mode=0o755)
    named = Settings(database_url=f"sqlite:///{other / 'm.sqlite3'}", _env_file=None)  # type: ignore[call-arg]
    stores = open_store(named)  # a file named in DATABASE_URL: the file is ours, its directory is not
    await stores.database.close()
    assert mode(other) == 0o755 and mode(other / "m.sqlite3") == 0o600


@pytest.mark.anyio
async def test_backups_and_restores_are_owner_only(tmp_path: Path) -> None:
    settings = _settings(tmp_path / "data")
    stores = open_store(settings)
    await stores.database.migrate()
    await stores.database.close()
    dest = tmp_path / "b.sqlite3"
    backup(settings, dest)
    assert mode(dest) == 0o600
    kept = restore(settings, dest)
    assert kept is not None and mode(kept) == 0o600 and mode(database_path(settings)) == 0o600
    fresh = _settings(tmp_path / "fresh")
    restore(fresh, dest)
    assert mode(database_path(fresh)) == 0o600 and mode(tmp_path / "fresh") == 0o700


def test_export_to_a_file_is_owner_only_and_never_overwrites(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JEAN_MEMORY_")}
    env["JEAN_MEMORY_DATA_DIR"] = str(tmp_path / "data")
    assert run(env, "users", "create", "--email", "x@example.com", "--no-password").returncode == 0
    out = tmp_path / "x.jsonl"
    done = run(env, "export", "--email", "x@example.com", "--output", str(out))
    assert done.returncode == 0 and mode(out) == 0o600, done.stderr
    out.write_text("kept\n")
    again = run(env, "export", "--email", "x@example.com", "-o", str(out))
    assert again.returncode == 1 and b"already exists" in again.stderr and out.read_text() == "kept\n"
    missing = run(env, "export", "--email", "nobody@example.com", "-o", str(tmp_path / "n.jsonl"))
    assert missing.returncode == 1 and not (tmp_path / "n.jsonl").exists()
