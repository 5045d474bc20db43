"""Passwords at the command line: asked twice on a terminal, piped with --password-stdin, never silently absent."""

from __future__ import annotations

import asyncio
import os
import select
import signal
import subprocess
import time
from pathlib import Path

import pytest

from jean_memory.accounts.passwords import verify_password
from jean_memory.settings import Settings
from jean_memory.store import open_store
from tests.test_cli import CLI, run


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    e = {k: v for k, v in os.environ.items() if not k.startswith("JEAN_MEMORY_")}
    e["JEAN_MEMORY_DATA_DIR"] = str(tmp_path / "data")
    return e


CREATE_PROMPT = b"(empty for none: Google/OIDC sign-in only): "


def _interruptible() -> None:
    """Ctrl-C as in a terminal, even when the test runs in a background job (which inherits SIGINT ignored)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class Tty:
    """The CLI on a pseudo-terminal of its own (a new session, so it never reaches the terminal running pytest)."""

    def __init__(self, env: dict[str, str], *args: str) -> None:
        self.master, slave = os.openpty()
        self.process = subprocess.Popen([CLI, *args], env=env, stdin=slave, stdout=slave, stderr=slave,
                                        start_new_session=True, preexec_fn=_interruptible)
        os.close(slave)
        self.output = b""

    def expect(self, text: bytes, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.output:
            ready, _, _ = select.select([self.master], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                raise AssertionError(f"no {text!r} in {self.output!r}")
            self.output += self._read()

    def send(self, data: bytes) -> None:
        os.write(self.master, data)

    def finish(self, timeout: float = 60) -> tuple[int, bytes]:
        code = self.process.wait(timeout=timeout)
        while select.select([self.master], [], [], 0)[0] and (chunk := self._read()):
            self.output += chunk
        os.close(self.master)
        return code, self.output

    def _read(self) -> bytes:
        try:
            return os.read(self.master, 4096)
        except OSError:  # EIO: the other side is closed
            return b""


def _user(data_dir: Path, email: str) -> tuple[str | None, int] | None:
    """(password hash, site sessions) of an account, read straight from the database."""

    async def read() -> tuple[str | None, int] | None:
        stores = open_store(Settings(data_dir=data_dir, _env_file=None))  # type: ignore[call-arg]
        try:
            await stores.database.migrate()
            user = await stores.users.get_user_by_email(email)
            if user is None:
                return None
            sessions = await stores.sessions.delete_user_sessions(user.id)
            return user.password_hash, sessions
        finally:
            await stores.database.close()

    return asyncio.run(read())


def _add_session(data_dir: Path, email: str) -> None:
    async def add() -> None:
        stores = open_store(Settings(data_dir=data_dir, _env_file=None))  # type: ignore[call-arg]
        try:
            user = await stores.users.get_user_by_email(email)
            assert user is not None
            await stores.sessions.create_session("a" * 64, user.id, time.time() + 3600)
        finally:
            await stores.database.close()

    asyncio.run(add())


def test_ctrl_d_and_ctrl_c_at_the_prompt_are_clean(env: dict[str, str]) -> None:
    tty = Tty(env, "users", "create", "--email", "d@example.com")
    tty.expect(CREATE_PROMPT)
    tty.send(b"\x04")  # Ctrl-D
    code, out = tty.finish()
    assert code == 1 and b"no password entered" in out and b"Traceback" not in out, out
    tty = Tty(env, "users", "create", "--email", "d@example.com")
    tty.expect(CREATE_PROMPT)
    tty.process.send_signal(signal.SIGINT)  # Ctrl-C
    code, out = tty.finish()
    assert code == 130 and b"interrupted" in out and b"Traceback" not in out, out
    assert _user(Path(env["JEAN_MEMORY_DATA_DIR"]), "d@example.com") is None


def test_without_a_terminal_an_account_needs_an_explicit_password_choice(env: dict[str, str]) -> None:
    data = Path(env["JEAN_MEMORY_DATA_DIR"])
    silent = run(env, "users", "create", "--email", "n@example.com", input=b"")
    assert silent.returncode == 2 and b"--password-stdin" in silent.stderr and b"--no-password" in silent.stderr
    assert not (data / "jean_memory.sqlite3").exists()  # refused before anything was created
    piped = run(env, "users", "create", "--email", "n@example.com", "--password-stdin", input=b"piped password\n")
    assert piped.returncode == 0, piped.stderr
    found = _user(data, "n@example.com")
    assert found is not None and verify_password(found[0], "piped password")
    empty = run(env, "users", "create", "--email", "e@example.com", "--password-stdin", input=b"")
    assert empty.returncode == 2 and b"first line" in empty.stderr
    none = run(env, "users", "create", "--email", "o@example.com", "--no-password")
    assert none.returncode == 0 and b"without a password" in none.stdout
    assert _user(data, "o@example.com") == (None, 0)
    blank = run(env, "users", "create", "--email", "b@example.com", "--password", "")  # --password "$UNSET"
    assert blank.returncode == 2 and b"--no-password" in blank.stderr
    both = run(env, "users", "create", "--email", "b@example.com", "--no-password", "--password", "long enough pw")
    assert both.returncode == 2 and b"not allowed with" in both.stderr


def test_terminal_create_asks_twice(env: dict[str, str]) -> None:
    tty = Tty(env, "users", "create", "--email", "t@example.com")
    tty.expect(CREATE_PROMPT)
    tty.send(b"terminal password\n")
    tty.expect(b"Again: ")
    tty.send(b"terminal password\n")
    code, out = tty.finish()
    assert code == 0 and b"created t@example.com" in out and b"terminal password" not in out, out
    found = _user(Path(env["JEAN_MEMORY_DATA_DIR"]), "t@example.com")
    assert found is not None and verify_password(found[0], "terminal password")


def test_set_password_resets_it_and_signs_the_user_out(env: dict[str, str]) -> None:
    data = Path(env["JEAN_MEMORY_DATA_DIR"])
    assert run(env, "users", "create", "--email", "p@example.com", "--password", "old password 1").returncode == 0
    _add_session(data, "p@example.com")
    done = run(env, "users", "set-password", "p@example.com", "--password-stdin", input=b"new password 2\n")
    assert done.returncode == 0 and b"signed out of 1 site session" in done.stdout, done.stderr
    found = _user(data, "p@example.com")
    assert found is not None and verify_password(found[0], "new password 2") and found[1] == 0
    assert not verify_password(found[0], "old password 1")

    tty = Tty(env, "users", "set-password", "p@example.com")
    tty.expect(b"New password: ")
    tty.send(b"third password\n")
    tty.expect(b"Again: ")
    tty.send(b"a typo password\n")
    code, out = tty.finish()
    assert code == 1 and b"differ" in out and b"Traceback" not in out, out
    tty = Tty(env, "users", "set-password", "--email", "p@example.com")
    tty.expect(b"New password: ")
    tty.send(b"third password\n")
    tty.expect(b"Again: ")
    tty.send(b"third password\n")
    assert tty.finish()[0] == 0
    found = _user(data, "p@example.com")
    assert found is not None and verify_password(found[0], "third password")

    assert run(env, "users", "set-password", "p@example.com").returncode == 2  # no terminal, no --password-stdin
    short = run(env, "users", "set-password", "p@example.com", "--password-stdin", input=b"short\n")
    assert short.returncode == 1 and b"at least" in short.stderr
    missing = run(env, "users", "set-password", "nobody@example.com", "--password-stdin", input=b"whatever pw\n")
    assert missing.returncode == 1 and b"no account" in missing.stderr and b"Traceback" not in missing.stderr
    assert run(env, "users", "set-password").returncode == 2


def test_commands_say_which_database_they_use(env: dict[str, str]) -> None:
    db = Path(env["JEAN_MEMORY_DATA_DIR"]).resolve() / "jean_memory.sqlite3"
    first = run(env, "migrate")
    assert f"database {db} does not exist yet".encode() in first.stderr and b"JEAN_MEMORY_DATA_DIR" in first.stderr
    again = run(env, "users", "list")
    assert f"database {db}\n".encode() in again.stderr and b"does not exist" not in again.stderr
    pg = Settings(database_url="postgresql://me:s3cret@db.example:5433/memory", _env_file=None)  # type: ignore[call-arg]
    assert pg.database_label == "postgresql://me@db.example:5433/memory"
