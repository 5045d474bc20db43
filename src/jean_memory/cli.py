"""``jean-memory``: serve, manage users and keys, export and import, migrate.

Errors print one line to stderr and exit non-zero (2 for bad arguments, 1 for everything else); never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import os
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any, BinaryIO, NoReturn

from pydantic import ValidationError

from .accounts.passwords import check_new_password
from .errors import JeanMemoryError
from .runtime import Runtime, build_runtime
from .settings import Settings

Command = Callable[[argparse.Namespace, Settings], int]
COMMANDS: dict[str, Command] = {}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"jean-memory: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="jean-memory", description="Personal memory for AI assistants.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    serve = sub.add_parser("serve", help="start the HTTP server (MCP at /mcp, dashboard at /)")
    serve.add_argument("--host", help="listen address (default JEAN_MEMORY_HOST, 127.0.0.1)")
    serve.add_argument("--port", type=int,
                       help="listen port (default JEAN_MEMORY_PORT, 8765; 0: any free port, printed at start)")

    users = sub.add_parser("users", help="manage accounts").add_subparsers(dest="action", required=True,
                                                                            parser_class=_Parser)
    create = users.add_parser("create", help="create a local account")
    create.add_argument("--email", required=True)
    given = create.add_mutually_exclusive_group()
    given.add_argument("--password", help="the password (visible to other local users in ps; prefer the prompt or "
                                          "--password-stdin)")
    given.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    given.add_argument("--no-password", action="store_true",
                       help="an account that signs in only through Google or OpenID Connect")
    setpw = users.add_parser("set-password", help="set or reset an account's password; signs it out of the site")
    setpw.add_argument("email", nargs="?", help="the account (or --email)")
    setpw.add_argument("--email", dest="email_option", metavar="EMAIL", help=argparse.SUPPRESS)
    setpw.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    users.add_parser("list", help="list accounts")
    delete = users.add_parser("delete", help="delete an account and all its data")
    delete.add_argument("--email", required=True)

    keys = sub.add_parser("keys", help="manage personal API keys").add_subparsers(dest="action", required=True,
                                                                                   parser_class=_Parser)
    kc = keys.add_parser("create", help="create a key; it is printed once, as the last line")
    kc.add_argument("--email", required=True)
    kc.add_argument("--name", default="API key")
    kc.add_argument("--space", action="append", dest="spaces", metavar="S",
                    help="a space it may read: an id, or the name of one of the account's own spaces (repeatable; "
                         "default: every space the account owns, also ones made later)")
    kc.add_argument("--write-space", metavar="S", help="where it writes when no space is named (one of --space)")
    kr = keys.add_parser("revoke", help="revoke a key by id")
    kr.add_argument("--email", required=True)
    kr.add_argument("--id", required=True, dest="key_id")
    kl = keys.add_parser("list", help="list a user's keys")
    kl.add_argument("--email", required=True)

    export = sub.add_parser("export", help="write a user's memories and documents as JSON lines to stdout")
    export.add_argument("--email", required=True)
    export.add_argument("--output", "-o", metavar="PATH", help="write to this new file (owner-only) instead of stdout")
    imp = sub.add_parser("import", help="read JSON lines (as written by export) from stdin")
    imp.add_argument("--email", required=True)

    sub.add_parser("migrate", help="apply pending schema migrations and exit")
    cp = sub.add_parser("copy", help="copy this (SQLite) deployment into an empty PostgreSQL database")
    cp.add_argument("--to", required=True, dest="target", metavar="postgresql://...")
    stdio = sub.add_parser("stdio", help="serve the MCP tools over stdin/stdout for one local user")
    stdio.add_argument("--email", required=True)

    bk = sub.add_parser("backup", help="copy the SQLite database to PATH while the server runs (consistent snapshot)")
    bk.add_argument("path", help="new file to write (must not exist)")
    rs = sub.add_parser("restore", help="replace the database with a backup (stop the server first)")
    rs.add_argument("path", help="a file written by 'jean-memory backup'")
    from .cli_spaces import SPACE_COMMANDS, add_parsers

    add_parsers(sub, _Parser)
    COMMANDS.update(SPACE_COMMANDS)
    return parser


def command(name: str) -> Callable[[Command], Command]:
    def register(fn: Command) -> Command:
        COMMANDS[name] = fn
        return fn

    return register


def fail(message: str, code: int = 1) -> NoReturn:
    print(f"jean-memory: error: {message}", file=sys.stderr)
    raise SystemExit(code)


def with_runtime(settings: Settings, fn: Callable[[Runtime], Awaitable[int]], embedder: bool = False,
                 announce: bool = True, create: bool = False) -> int:
    """Run ``fn`` against a migrated store (named on stderr first). The embedding model loads only when needed.

    Only commands that may start a deployment (``create``: users create, migrate) make a new SQLite database; the
    others fail with one line naming the file they looked for, and leave no file or directory behind.
    """
    if not create:
        require_database(settings)
    if announce:
        print(f"jean-memory: {describe_database(settings)}", file=sys.stderr)

    async def main() -> int:
        runtime = build_runtime(settings, None if embedder else _NoEmbedder())
        try:
            await runtime.stores.database.migrate()
            return await fn(runtime)
        finally:
            await runtime.stores.database.close()

    return asyncio.run(main())


def _missing_database(settings: Settings) -> bool:
    return settings.backend == "sqlite" and not os.path.exists(settings.database_label)


def require_database(settings: Settings) -> None:
    """Fail, in one line naming the file looked for, when the SQLite database does not exist."""
    if _missing_database(settings):
        fail(f"no database at {settings.database_label}: run this with the server's JEAN_MEMORY_DATA_DIR "
             "(or JEAN_MEMORY_DATABASE_URL); a new deployment starts with 'jean-memory users create'")


def describe_database(settings: Settings) -> str:
    """Which database a command uses: the admin's shell may not have the server's settings."""
    where = settings.database_label
    if _missing_database(settings):
        return (f"database {where} does not exist yet and is created now (if the server keeps its data "
                "elsewhere, set JEAN_MEMORY_DATA_DIR as it does)")
    return f"database {where}"


class _NoEmbedder:
    name = "none"
    dimensions = 0

    async def embed(self, texts: Sequence[str]) -> Any:
        raise RuntimeError("this command does not load the embedding model")


async def user_by_email(runtime: Runtime, email: str) -> str:
    user = await runtime.stores.users.get_user_by_email(email)
    if user is None:
        fail(f"no account for {email}; create one with 'jean-memory users create --email {email}'")
    return user.id


@command("serve")
def _serve(args: argparse.Namespace, settings: Settings) -> int:
    from .serving import serve

    host = args.host or settings.host
    port = settings.port if args.port is None else args.port
    return serve(settings, host, port)


@command("backup")
def _backup(args: argparse.Namespace, settings: Settings) -> int:
    from .backup import backup

    require_database(settings)
    pages = backup(settings, Path(args.path))
    print(f"backed up {pages} pages to {args.path} (integrity check ok)", file=sys.stderr)
    return 0


@command("restore")
def _restore(args: argparse.Namespace, settings: Settings) -> int:
    from .backup import restore

    kept = restore(settings, Path(args.path))
    print(f"restored {args.path}" + (f"; the previous database is kept at {kept}" if kept else ""), file=sys.stderr)
    return 0


def _ask(prompt: str) -> str:
    try:
        return getpass.getpass(prompt)
    except EOFError:
        print(file=sys.stderr)
        fail("no password entered (end of input); nothing changed")
    except KeyboardInterrupt:
        print(file=sys.stderr)
        fail("interrupted; nothing changed", 130)


def new_password(args: argparse.Namespace, *, may_be_empty: bool) -> str | None:
    """The password from --password, --password-stdin or the terminal (asked twice); None for no password."""
    if getattr(args, "password", None) is not None:
        if not args.password:  # `--password "$PW"` with PW unset must not make an account without a password
            fail("--password is empty; pass --no-password for an account without one", 2)
        return str(args.password)
    if args.password_stdin:
        try:
            line = sys.stdin.readline().rstrip("\r\n")
        except UnicodeDecodeError:
            fail("--password-stdin: the password is not valid text in this locale's encoding; nothing changed", 2)
        if not line:
            fail("--password-stdin: stdin has no password on its first line; nothing changed", 2)
        return line
    if getattr(args, "no_password", False):
        return None
    if not sys.stdin.isatty():
        fail("no terminal to ask for the password: pipe it to --password-stdin"
             + (", or pass --no-password for an account that signs in only through Google/OIDC" if may_be_empty
                else ""), 2)
    password = _ask("Password (empty for none: Google/OIDC sign-in only): " if may_be_empty else "New password: ")
    if not password:
        if may_be_empty:
            return None
        fail("an empty password; nothing changed")
    check_new_password(password)  # before asking again, so a too-short one is said at once
    if _ask("Again: ") != password:
        fail("the two passwords differ; nothing changed")
    return password


@command("users create")
def _users_create(args: argparse.Namespace, settings: Settings) -> int:
    from .accounts.passwords import hash_password

    _check_email(args.email)
    password = new_password(args, may_be_empty=True)
    password_hash = hash_password(password) if password else None

    async def run(rt: Runtime) -> int:
        user = await rt.stores.users.create_user(args.email, password_hash)
        print(f"created {user.email} ({user.id})" + ("" if password_hash else " without a password"))
        return 0

    return with_runtime(settings, run, create=True)


@command("users set-password")
def _users_set_password(args: argparse.Namespace, settings: Settings) -> int:
    from .accounts.passwords import hash_password

    email = args.email or args.email_option
    if not email:
        fail("which account? jean-memory users set-password EMAIL", 2)
    _check_email(email)

    async def find(rt: Runtime) -> int:
        await user_by_email(rt, email)
        return 0

    with_runtime(settings, find)  # "no account" before asking for a password
    # Asked outside the event loop: asyncio.run turns the first Ctrl-C into a task cancellation, not an interrupt.
    password_hash = hash_password(str(new_password(args, may_be_empty=False)))

    async def run(rt: Runtime) -> int:
        user_id = await user_by_email(rt, email)
        await rt.stores.users.set_password(user_id, password_hash)
        ended = await rt.stores.sessions.delete_user_sessions(user_id)
        print(f"password set for {email}; signed out of {ended} site session(s) (connected assistants stay "
              "connected: disconnect them on the dashboard)")
        return 0

    return with_runtime(settings, run, announce=False)


@command("users list")
def _users_list(args: argparse.Namespace, settings: Settings) -> int:
    async def run(rt: Runtime) -> int:
        offset = 0
        while batch := await rt.stores.users.list_users(500, offset):
            for user in batch:
                print(f"{user.email}\t{user.id}")
            offset += len(batch)
        return 0

    return with_runtime(settings, run)


@command("users delete")
def _users_delete(args: argparse.Namespace, settings: Settings) -> int:
    async def run(rt: Runtime) -> int:
        await rt.stores.users.delete_user(await user_by_email(rt, args.email))
        print(f"deleted {args.email} and all their data")
        return 0

    return with_runtime(settings, run)


@command("keys create")
def _keys_create(args: argparse.Namespace, settings: Settings) -> int:
    from .accounts.api_keys import create_api_key
    from .cli_spaces import key_reach

    async def run(rt: Runtime) -> int:
        user_id = await user_by_email(rt, args.email)
        spaces, write_space, reaching = await key_reach(rt, user_id, args)
        record, secret = await create_api_key(rt.stores, user_id, args.name, spaces, write_space)
        print(f"key {record.id} ({record.name}) for {args.email}, {reaching}; it is shown once, store it now:",
              file=sys.stderr)
        print(secret)
        return 0

    return with_runtime(settings, run)


@command("keys revoke")
def _keys_revoke(args: argparse.Namespace, settings: Settings) -> int:
    async def run(rt: Runtime) -> int:
        if not await rt.stores.api_keys.revoke_key(await user_by_email(rt, args.email), args.key_id):
            fail(f"no active key {args.key_id} for {args.email}")
        print(f"revoked {args.key_id}")
        return 0

    return with_runtime(settings, run)


@command("keys list")
def _keys_list(args: argparse.Namespace, settings: Settings) -> int:
    async def run(rt: Runtime) -> int:
        for key in await rt.stores.api_keys.list_keys(await user_by_email(rt, args.email)):
            state = "revoked" if key.revoked_at else "active"
            print(f"{key.id}\t{key.prefix}…\t{state}\t{key.name}")
        return 0

    return with_runtime(settings, run)


@command("export")
def _export(args: argparse.Namespace, settings: Settings) -> int:
    from .private_files import create_private

    async def run(rt: Runtime) -> int:
        from .observability.progress import Progress

        user_id = await user_by_email(rt, args.email)

        async def write(out: BinaryIO) -> None:
            with Progress("export") as bar:
                async for line in rt.memory.export_lines(user_id):
                    out.write(line.encode("utf-8"))  # the file is UTF-8 whatever the terminal's locale
                    bar.advance()
            out.flush()

        if not args.output:
            await write(sys.stdout.buffer)
            return 0
        path = Path(args.output)
        try:
            fd = create_private(path)
        except FileExistsError:
            fail(f"{path} already exists; choose a new file name")
        try:
            with os.fdopen(fd, "wb") as out:
                await write(out)
        except BaseException:
            path.unlink(missing_ok=True)  # never a half-written export
            raise
        print(f"exported to {path}", file=sys.stderr)
        return 0

    return with_runtime(settings, run)


@command("import")
def _import(args: argparse.Namespace, settings: Settings) -> int:
    require_database(settings)  # before reading stdin
    records = []
    try:
        for n, line in enumerate(sys.stdin.buffer, 1):
            if line.strip():
                try:
                    records.append(json.loads(line.decode("utf-8")))
                except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
                    fail(f"line {n} is not UTF-8 JSON: {exc}")
    except KeyboardInterrupt:
        fail("interrupted; nothing imported")

    async def run(rt: Runtime) -> int:
        user_id = await user_by_email(rt, args.email)
        from .observability.progress import Progress

        with Progress("import", total=len(records)) as bar:
            counts = await rt.memory.import_records(user_id, records, bar.update)
        print(f"imported {counts['memories']} memories ({counts['duplicates']} already there) and "
              f"{counts['documents']} documents ({counts['duplicate_documents']} already there)", file=sys.stderr)
        return 0

    return with_runtime(settings, run, embedder=True)


@command("stdio")
def _stdio(args: argparse.Namespace, settings: Settings) -> int:
    from .mcp_server.stdio import serve_stdio

    async def run(rt: Runtime) -> int:
        return await serve_stdio(rt, await user_by_email(rt, args.email))

    return with_runtime(settings, run, embedder=True)


@command("copy")
def _copy(args: argparse.Namespace, settings: Settings) -> int:
    from .store.postgres.copy import copy_sqlite_to_postgres

    source = settings.effective_database_url
    if not source.startswith("sqlite:///"):
        fail("copy reads a SQLite deployment; JEAN_MEMORY_DATABASE_URL points elsewhere", 2)
    if not args.target.startswith(("postgresql://", "postgres://", "postgresql+psycopg://")):
        fail("--to must be a postgresql:// URL", 2)

    async def run(rt: Runtime) -> int:  # rt: the source, migrated first so both schemas are current
        await rt.stores.database.close()
        counts = await copy_sqlite_to_postgres(source.removeprefix("sqlite:///"), args.target)
        print("copied " + ", ".join(f"{n} {table}" for table, n in counts.items()), file=sys.stderr)
        return 0

    return with_runtime(settings, run)


@command("migrate")
def _migrate(args: argparse.Namespace, settings: Settings) -> int:
    async def run(rt: Runtime) -> int:
        print("schema is up to date", file=sys.stderr)
        return 0

    return with_runtime(settings, run, create=True)


def _check_email(email: str) -> None:
    if "@" not in email or len(email) > 254 or email.strip() != email or " " in email:
        fail(f"'{email}' is not an email address", 2)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    key = " ".join(p for p in (args.command, getattr(args, "action", None)) if p)
    try:
        settings = Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        fail(f"bad setting JEAN_MEMORY_{str(first['loc'][0]).upper()}: {first['msg']}", 2)
    try:
        return COMMANDS[key](args, settings)
    except JeanMemoryError as exc:
        fail(exc.message)
    except KeyboardInterrupt:
        fail("interrupted", 130)
    except OSError as exc:
        fail(str(exc))


if __name__ == "__main__":
    raise SystemExit(main())
