"""``jean-memory export`` over rows stored before the JSON rules (issue 12): every line, UTF-8, re-importable."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import numpy as np

from jean_memory.store import open_sqlite
from tests.legacy_rows import LEGACY_TEXT, LEGACY_TITLE, insert_legacy_rows
from tests.test_cli import env, run

__all__ = ["env"]  # the fixture


async def _store_legacy(path: Path, email: str) -> None:
    stores = open_sqlite(str(path))
    try:
        user = await stores.users.get_user_by_email(email)
        assert user is not None
        vector = np.full(384, 384**-0.5, dtype=np.float32).tobytes()
        await insert_legacy_rows(stores, user.id, vector)
    finally:
        await stores.database.close()


def test_export_writes_every_row_as_utf8_whatever_it_holds(env: dict[str, str]) -> None:
    assert run(env, "users", "create", "--email", "o@example.com", "--password", "long enough pw").returncode == 0
    asyncio.run(_store_legacy(Path(env["JEAN_MEMORY_DATA_DIR"]) / "jean_memory.sqlite3", "o@example.com"))
    exported = run(env, "export", "--email", "o@example.com")
    assert exported.returncode == 0 and b"Traceback" not in exported.stderr, exported.stderr
    records = [json.loads(line) for line in exported.stdout.decode("utf-8").splitlines()]
    assert [x.get("text", x.get("title")) for x in records] == [LEGACY_TEXT, LEGACY_TITLE]
    assert records[0]["metadata"]["k"] == "\ufffd" and records[0]["tags"] == ["garden", "odd\ufffd"]
    assert run(env, "users", "create", "--email", "p@example.com", "--password", "long enough pw").returncode == 0
    imported = run(env, "import", "--email", "p@example.com", input=exported.stdout)
    assert imported.returncode == 0 and b"imported 1 memories" in imported.stderr, imported.stderr


def test_import_of_json_nested_too_deep_for_the_parser_is_a_clean_error(env: dict[str, str]) -> None:
    assert run(env, "users", "create", "--email", "q@example.com", "--password", "long enough pw").returncode == 0
    line = b'{"text": "deep", "metadata": ' + b'{"a": ' * 5000 + b"1" + b"}" * 5001 + b"\n"
    imported = run(env, "import", "--email", "q@example.com", input=line)
    assert imported.returncode != 0 and b"Traceback" not in imported.stderr, imported.stderr
    assert b"line 1" in imported.stderr


def test_import_of_a_bad_client_id_is_one_clean_line_and_imports_nothing(env: dict[str, str]) -> None:
    assert run(env, "users", "create", "--email", "r@example.com", "--password", "long enough pw").returncode == 0
    lines = (b'{"type": "memory", "id": "a", "text": "I keep my passport in the blue folder", "superseded_by": null}\n'
             b'{"type": "memory", "id": "b", "text": "a fact", "superseded_by": null, "client_id": 7}\n')
    imported = run(env, "import", "--email", "r@example.com", input=lines)
    assert imported.returncode == 1 and b"Traceback" not in imported.stderr, imported.stderr
    error = imported.stderr.decode().strip().splitlines()[-1]
    assert error == ("jean-memory: error: line 2: client_id must be a string or null, not int; nothing was imported")
    assert run(env, "export", "--email", "r@example.com").stdout == b""


def _lines(records: list[dict[str, object]]) -> bytes:
    return b"".join(json.dumps(r).encode() + b"\n" for r in records)


def _by_space(exported: bytes) -> set[tuple[object, ...]]:
    records = [json.loads(line) for line in exported.decode("utf-8").splitlines()]
    text = {r["id"]: r.get("text", r.get("title")) for r in records}
    return {(r["space_name"], r["type"], text[r["id"]], text.get(r.get("superseded_by"))) for r in records}


def test_export_and_import_keep_spaces(env: dict[str, str]) -> None:
    """Spaces (issue 21): `export` of one account, `import` into another: the same spaces by name, each with its
    memories (the same text in two of them), replaced versions and documents; importing it again adds nothing."""
    for email in ("s@example.com", "t@example.com"):
        assert run(env, "users", "create", "--email", email, "--password", "long enough pw").returncode == 0
    assert run(env, "spaces", "create", "--email", "s@example.com", "--name", "work").returncode == 0
    written = _lines([
        {"type": "memory", "id": "a", "text": "Standup is at 9:30", "superseded_by": None},
        {"type": "memory", "id": "b", "text": "Standup is at 9:30", "superseded_by": None, "space_name": "WORK"},
        {"type": "memory", "id": "c", "text": "The office is in Munich", "superseded_by": None, "space_name": "work"},
        {"type": "memory", "id": "d", "text": "The office is in Berlin", "superseded_by": "c", "space_name": "work"},
        {"type": "memory", "id": "e", "text": "Grandma's birthday is in May", "superseded_by": None,
         "space_name": "Family"},
        {"type": "document", "id": "f", "title": "Roadmap", "content": "Q3 plans", "space_name": "work"}])
    assert run(env, "import", "--email", "s@example.com", input=written).returncode == 0
    exported = run(env, "export", "--email", "s@example.com").stdout
    expected = {("personal", "memory", "Standup is at 9:30", None), ("work", "memory", "Standup is at 9:30", None),
                ("work", "memory", "The office is in Munich", None),
                ("work", "memory", "The office is in Berlin", "The office is in Munich"),
                ("Family", "memory", "Grandma's birthday is in May", None), ("work", "document", "Roadmap", None)}
    assert _by_space(exported) == expected
    imported = run(env, "import", "--email", "t@example.com", input=exported)
    assert imported.returncode == 0 and b"imported 5 memories" in imported.stderr, imported.stderr
    assert _by_space(run(env, "export", "--email", "t@example.com").stdout) == expected
    again = run(env, "import", "--email", "t@example.com", input=exported)
    assert again.returncode == 0 and b"imported 0 memories" in again.stderr, again.stderr
    listed = run(env, "spaces", "list", "--email", "t@example.com").stdout.decode()
    assert sorted(line.split()[1] for line in listed.strip().splitlines()) == ["Family", "personal", "work"], listed


def test_import_of_a_bad_space_name_is_one_clean_line_and_imports_nothing(env: dict[str, str]) -> None:
    assert run(env, "users", "create", "--email", "u@example.com", "--password", "long enough pw").returncode == 0
    lines = _lines([{"type": "memory", "text": "Standup is at 9:30", "space_name": "work"},
                    {"type": "memory", "text": "a fact", "space_name": "x" * 61}])
    imported = run(env, "import", "--email", "u@example.com", input=lines)
    assert imported.returncode == 1 and b"Traceback" not in imported.stderr, imported.stderr
    assert imported.stderr.decode().strip().splitlines()[-1] == (
        "jean-memory: error: line 2: space_name must be the name of a space: a string of at most 60 printable "
        "characters; nothing was imported")
    assert run(env, "export", "--email", "u@example.com").stdout == b""
    assert len(run(env, "spaces", "list", "--email", "u@example.com").stdout.decode().strip().splitlines()) == 1
