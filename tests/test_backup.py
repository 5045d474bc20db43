from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import pytest

from jean_memory import cli
from jean_memory.backup import BackupError, backup, database_path, restore, server_lock
from jean_memory.observability.progress import Progress
from jean_memory.runtime import Runtime
from jean_memory.settings import Settings
from tests.conftest import Account

pytestmark = pytest.mark.anyio


def _texts(db: Path) -> set[str]:
    conn = sqlite3.connect(db)
    try:
        return {r[0] for r in conn.execute("SELECT text FROM memories WHERE deleted_at IS NULL")}
    finally:
        conn.close()


async def test_backup_of_a_live_database_restores_elsewhere(runtime: Runtime, alice: Account, tmp_path: Path) -> None:
    for text in ("I prefer window seats", "My sister lives in Oslo"):
        await runtime.memory.add(alice.user_id, text, None, None, None)
    dest = tmp_path / "backups" / "b1.sqlite3"
    dest.parent.mkdir()
    assert backup(runtime.settings, dest) > 0  # the app still has the database open (WAL)
    assert not dest.with_name("b1.sqlite3.partial").exists()
    assert _texts(dest) == {"I prefer window seats", "My sister lives in Oslo"}
    with pytest.raises(BackupError, match="already exists"):
        backup(runtime.settings, dest)

    other = Settings(data_dir=tmp_path / "other", _env_file=None)  # type: ignore[call-arg]
    assert restore(other, dest) is None  # nothing there before
    assert _texts(database_path(other)) == _texts(dest)


def test_restore_refuses_bad_files_and_a_running_server(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", _env_file=None)  # type: ignore[call-arg]
    garbage = tmp_path / "garbage.sqlite3"
    garbage.write_bytes(b"not a database at all" * 100)
    with pytest.raises(BackupError, match="not a Jean Memory backup"):
        restore(settings, garbage)
    foreign = tmp_path / "foreign.sqlite3"
    sqlite3.connect(foreign).execute("CREATE TABLE t(x)").connection.close()
    with pytest.raises(BackupError, match="no schema version|not a Jean Memory backup"):
        restore(settings, foreign)
    with pytest.raises(BackupError, match="is not a file"):
        restore(settings, tmp_path / "missing.sqlite3")

    good = tmp_path / "good.sqlite3"
    _make_db(settings, ["first"])
    backup(settings, good)
    _make_db(settings, ["second"])
    with server_lock(database_path(settings), "test"), pytest.raises(BackupError, match="running server"):
        restore(settings, good)
    kept = restore(settings, good)
    assert kept is not None and _texts(kept) == {"first", "second"}
    assert _texts(database_path(settings)) == {"first"}
    conn = sqlite3.connect(database_path(settings))
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


def _make_db(settings: Settings, texts: list[str]) -> None:
    from jean_memory.store import open_sqlite

    stores = open_sqlite(str(database_path(settings)))
    db = stores.database
    db.migrate_sync()  # type: ignore[attr-defined]

    def insert(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT OR IGNORE INTO users(id, email, created_at) VALUES ('u1', 'u@example.com', 0)")
        for n, text in enumerate(texts):
            conn.execute("INSERT INTO memories(id, user_id, text, key, created_at, updated_at) "
                         "VALUES (?, 'u1', ?, ?, 0, 0)", (f"{text}-{n}", text, f"{text}-{n}"))

    db.write_sync(insert)  # type: ignore[attr-defined]
    db.close_sync()  # type: ignore[attr-defined]


def test_cli_backup_and_postgres_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("JEAN_MEMORY_DATA_DIR", str(tmp_path / "data"))
    _make_db(Settings(_env_file=None), ["x"])  # type: ignore[call-arg]
    assert cli.main(["backup", str(tmp_path / "b.sqlite3")]) == 0
    assert "integrity check ok" in capsys.readouterr().err
    assert _texts(tmp_path / "b.sqlite3") == {"x"}
    monkeypatch.setenv("JEAN_MEMORY_DATABASE_URL", "postgresql://u@localhost/db")
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["backup", str(tmp_path / "c.sqlite3")])
    assert exit_info.value.code == 1 and "pg_dump" in capsys.readouterr().err


def test_progress_draws_on_a_terminal_only() -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    quiet = io.StringIO()
    with Progress("backup", total=10, stream=quiet) as bar:
        bar.update(10)
    assert quiet.getvalue() == ""
    tty = Tty()
    with Progress("backup", total=4, stream=tty) as bar:
        for _ in range(4):
            bar.advance()
    assert "backup [" in tty.getvalue() and "4/4" in tty.getvalue() and tty.getvalue().endswith("\n")
    assert Progress("export", stream=tty).render() == "export: 0"
