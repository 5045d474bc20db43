"""The CLI as a user runs it: real processes, a real SQLite file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

CLI = str(Path(sys.executable).with_name("jean-memory"))


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    e = {k: v for k, v in os.environ.items() if not k.startswith("JEAN_MEMORY_")}
    e["JEAN_MEMORY_DATA_DIR"] = str(tmp_path / "data")
    return e


def run(env: dict[str, str], *args: str, input: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([CLI, *args], env=env, input=input, capture_output=True, timeout=120)


def test_users_keys_and_errors(env: dict[str, str]) -> None:
    r = run(env, "users", "create", "--email", "c@example.com", "--password", "long enough pw")
    assert r.returncode == 0, r.stderr
    again = run(env, "users", "create", "--email", "c@example.com", "--password", "long enough pw")
    assert again.returncode == 1 and b"already exists" in again.stderr and b"Traceback" not in again.stderr
    key = run(env, "keys", "create", "--email", "c@example.com", "--name", "laptop")
    secret = key.stdout.decode().strip().splitlines()[-1]
    assert key.returncode == 0 and secret.startswith("jm_") and len(secret) > 40
    listed = run(env, "keys", "list", "--email", "c@example.com").stdout.decode()
    key_id = listed.split("\t")[0]
    assert "laptop" in listed and secret not in listed
    assert run(env, "keys", "revoke", "--email", "c@example.com", "--id", key_id).returncode == 0
    assert "revoked" in run(env, "keys", "list", "--email", "c@example.com").stdout.decode()
    missing = run(env, "keys", "create", "--email", "nobody@example.com")
    assert missing.returncode == 1 and b"no account" in missing.stderr and b"Traceback" not in missing.stderr
    bad = run(env, "users", "create")
    assert bad.returncode == 2 and b"--email" in bad.stderr and b"Traceback" not in bad.stderr
    short = run(env, "users", "create", "--email", "s@example.com", "--password", "short")
    assert short.returncode == 1 and b"at least" in short.stderr


def test_bad_setting_is_a_clear_error(env: dict[str, str]) -> None:
    r = run(env | {"JEAN_MEMORY_PUBLIC_URL": "memory.example.com/path"}, "migrate")
    assert r.returncode == 2 and b"PUBLIC_URL" in r.stderr and b"Traceback" not in r.stderr


def test_export_import_round_trip_is_lossless(env: dict[str, str], tmp_path: Path) -> None:
    from tests.e2e.server import running_server

    with running_server(tmp_path / "data") as server:
        server.cli("users", "create", "--email", "x@example.com", "--password", "long enough pw")
        key = server.cli("keys", "create", "--email", "x@example.com").stdout.decode().strip().splitlines()[-1]
        import httpx

        h = {"Authorization": f"Bearer {key}"}
        httpx.post(f"{server.url}/api/v1/memories", headers=h, timeout=30,
                   json={"text": ["Prefers tea over coffee", "Birthday is 3 May"], "tags": ["prefs"],
                         "metadata": {"source": "chat", "n": 1}})
        httpx.post(f"{server.url}/api/v1/documents", headers=h, timeout=30,
                   json={"title": "Recipe", "content": "Soup.\n\nWith paprika and ünïcödé.", "document_type": "note",
                         "source_url": "https://example.com/r"})
    exported = run(env, "export", "--email", "x@example.com")
    assert exported.returncode == 0, exported.stderr
    assert run(env, "users", "create", "--email", "y@example.com", "--no-password").returncode == 0
    imported = run(env, "import", "--email", "y@example.com", input=exported.stdout)
    assert imported.returncode == 0, imported.stderr
    again = run(env, "export", "--email", "y@example.com")

    def strip(out: bytes) -> list[dict[str, object]]:
        # Ids (of the memory, and of its space: an account's personal space has the account's id) are the
        # account's own; everything else, the space's name included, must come back as it was.
        return [{k: v for k, v in json.loads(line).items() if k not in ("id", "space")}
                for line in out.decode().splitlines()]

    assert strip(again.stdout) == strip(exported.stdout)
    assert len(strip(exported.stdout)) == 3
    # Importing twice adds nothing new; a broken file imports nothing and says which line.
    twice = run(env, "import", "--email", "y@example.com", input=exported.stdout)
    assert b"imported 0 memories" in twice.stderr
    broken = run(env, "import", "--email", "y@example.com", input=b'{"type": "memory", "text": "ok"}\n{oops\n')
    assert broken.returncode == 1 and b"line 2" in broken.stderr
    invalid = run(env, "import", "--email", "y@example.com",
                  input=b'{"type": "memory", "text": "a new fact"}\n{"type": "memory", "text": ""}\n')
    assert invalid.returncode == 1 and b"line 2" in invalid.stderr and b"nothing was imported" in invalid.stderr
    after = run(env, "export", "--email", "y@example.com").stdout.decode()
    assert "a new fact" not in after


READ_ONLY = [
    ("users", "list"), ("users", "delete", "--email", "a@example.com"),
    ("users", "set-password", "a@example.com", "--password-stdin"),
    ("keys", "list", "--email", "a@example.com"), ("keys", "create", "--email", "a@example.com"),
    ("keys", "revoke", "--email", "a@example.com", "--id", "k1"),
    ("export", "--email", "a@example.com"), ("export", "--email", "a@example.com", "-o", "out.jsonl"),
    ("import", "--email", "a@example.com"), ("stdio", "--email", "a@example.com"),
    ("copy", "--to", "postgresql://nobody@127.0.0.1:9/x"), ("backup", "copy.sqlite3"),
    ("keys", "create", "--email", "a@example.com", "--space", "work", "--write-space", "work"),
    ("spaces", "list", "--email", "a@example.com"), ("spaces", "create", "--email", "a@example.com", "--name", "w"),
    ("spaces", "share", "--email", "a@example.com", "--space", "w", "--with", "b@example.com", "--role", "reader"),
]


@pytest.mark.parametrize("args", READ_ONLY, ids=" ".join)
def test_commands_on_an_existing_database_never_create_one(env: dict[str, str], tmp_path: Path,
                                                           args: tuple[str, ...]) -> None:
    """Run from another directory without the server's settings: one line naming the file looked for, nothing made."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in env.items() if k != "JEAN_MEMORY_DATA_DIR"}
    done = subprocess.run([CLI, *args], env=env, cwd=elsewhere, input=b"pw that is long enough\n",
                          capture_output=True, timeout=120)
    looked_for = elsewhere / "data" / "jean_memory.sqlite3"
    assert done.returncode == 1, done.stderr
    assert str(looked_for).encode() in done.stderr and b"JEAN_MEMORY_DATA_DIR" in done.stderr
    assert len(done.stderr.decode().strip().splitlines()) == 1, done.stderr
    assert done.stdout == b"" and list(elsewhere.iterdir()) == []


def _key_rows(env: dict[str, str]) -> dict[str, tuple[object, object]]:
    """Each key's stored spaces and write space, by name (read from the database the CLI wrote)."""
    import sqlite3

    db = sqlite3.connect(Path(env["JEAN_MEMORY_DATA_DIR"]) / "jean_memory.sqlite3")
    try:
        return {name: (None if spaces is None else json.loads(spaces), write) for name, spaces, write in
                db.execute("SELECT name, spaces, write_space FROM api_keys")}
    finally:
        db.close()


def test_spaces_and_keys_given_some_of_them(env: dict[str, str]) -> None:
    for who in ("a@example.com", "b@example.com"):
        assert run(env, "users", "create", "--email", who, "--no-password").returncode == 0
    made = run(env, "spaces", "create", "--email", "a@example.com", "--name", "Work")
    assert made.returncode == 0 and b"created space Work" in made.stdout, made.stderr
    again = run(env, "spaces", "create", "--email", "a@example.com", "--name", "work")
    assert again.returncode == 1 and b"Traceback" not in again.stderr
    long = run(env, "spaces", "create", "--email", "a@example.com", "--name", "x" * 61)
    assert long.returncode == 1 and b"at most 60" in long.stderr
    rows = [line.split("\t") for line in run(env, "spaces", "list", "--email", "a@example.com").stdout.decode()
            .splitlines()]
    assert [(name, role, owner) for _, name, role, owner in rows] == [("personal", "owner", "a@example.com"),
                                                                      ("Work", "owner", "a@example.com")]
    personal, work = rows[0][0], rows[1][0]
    # A key given work (by name, any case) writes there; without --space, every own space (stored as NULL).
    scoped = run(env, "keys", "create", "--email", "a@example.com", "--name", "w", "--space", "work")
    assert scoped.returncode == 0 and b"reaching Work, writing to Work" in scoped.stderr, scoped.stderr
    both = run(env, "keys", "create", "--email", "a@example.com", "--name", "both", "--space", personal,
               "--space", "Work", "--write-space", "work")
    assert both.returncode == 0, both.stderr
    assert run(env, "keys", "create", "--email", "a@example.com", "--name", "all").returncode == 0
    assert _key_rows(env) == {"w": ([work], work), "both": ([personal, work], work), "all": (None, None)}
    # Unknown names and a write space outside the given ones: exit 2, one clear line, no key.
    for args, said in ((("--space", "nowhere"), b"no space 'nowhere'"),
                       (("--write-space", "nowhere"), b"no space 'nowhere'"),
                       (("--space", "work", "--write-space", "personal"), b"--write-space 'personal'")):
        bad = run(env, "keys", "create", "--email", "a@example.com", "--name", "bad", *args)
        assert bad.returncode == 2 and said in bad.stderr and b"nothing was created" in bad.stderr, bad.stderr
        assert b"Traceback" not in bad.stderr
    assert "bad" not in _key_rows(env)
    # Sharing is an invitation; b's own spaces are not a's to name.
    shared = run(env, "spaces", "share", "--email", "a@example.com", "--space", "work", "--with", "b@example.com",
                 "--role", "reader")
    assert shared.returncode == 0 and b"invited b@example.com to space Work as reader" in shared.stdout, shared.stderr
    for args, code in ((("--space", "work", "--with", "b@example.com", "--role", "admin"), 2),
                       (("--space", "work", "--with", "not-an-address", "--role", "reader"), 2),
                       (("--space", "elsewhere", "--with", "b@example.com", "--role", "reader"), 2)):
        bad = run(env, "spaces", "share", "--email", "a@example.com", *args)
        assert bad.returncode == code and b"Traceback" not in bad.stderr, bad.stderr
    assert run(env, "spaces", "list", "--email", "b@example.com").stdout.decode().count("\n") == 1
    foreign = run(env, "keys", "create", "--email", "b@example.com", "--name", "x", "--space", "work")
    assert foreign.returncode == 2 and b"no space 'work'" in foreign.stderr
