"""``jean-memory spaces list|create|share`` and the spaces of ``keys create``: the operator's side of spaces.

A space is named by its id or by the name of one of the account's own spaces (case-insensitively). An unknown one
is a bad argument: one line naming it, exit 2, nothing created.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from .cli import fail, user_by_email, with_runtime
from .errors import InvalidInput
from .runtime import Runtime
from .settings import Settings
from .spaces.manage import SpaceService, email_field
from .spaces.reach import Reach
from .spaces.resolve import reach_of_person
from .store.space_records import Member, Space

SPACE_COMMANDS: dict[str, Callable[[argparse.Namespace, Settings], int]] = {}


def add_parsers(sub: argparse._SubParsersAction[Any], parser_class: type[argparse.ArgumentParser]) -> None:
    spaces = sub.add_parser("spaces", help="an account's spaces: list, create, share").add_subparsers(
        dest="action", required=True, parser_class=parser_class)
    listed = spaces.add_parser("list", help="the account's spaces (own and shared): id, name, role, owner")
    listed.add_argument("--email", required=True)
    create = spaces.add_parser("create", help="create a space for the account")
    create.add_argument("--email", required=True)
    create.add_argument("--name", required=True)
    share = spaces.add_parser("share", help="invite another account to one of the account's spaces")
    share.add_argument("--email", required=True, help="the owner of the space")
    share.add_argument("--space", required=True, metavar="S", help="the space: its id or its name")
    share.add_argument("--with", required=True, dest="invitee", metavar="EMAIL", help="the account to invite")
    share.add_argument("--role", required=True, choices=("reader", "writer"),
                       help="reader (reads only) or writer (also adds, changes and deletes)")


def _find(reach: Reach, value: str, email: str) -> Space:
    folded = value.strip().casefold()
    found = reach.get(value.strip()) or next(
        (s for s in reach.spaces if s.owner_id == reach.user_id and s.name.casefold() == folded), None)
    if found is None:
        fail(f"no space '{value}' for {email}: give a space id or the name of one of its own spaces "
             f"('jean-memory spaces list --email {email}' shows them); nothing was created", 2)
    return found


async def key_reach(rt: Runtime, user_id: str, args: argparse.Namespace
                    ) -> tuple[tuple[str, ...] | None, str | None, str]:
    """What a new key may reach (``--space``, ``--write-space``): the space ids (None: every own space), its
    default write space (None: personal) and a phrase saying so."""
    reach = await reach_of_person(rt.stores, user_id)
    given = [_find(reach, s, args.email) for s in args.spaces or []]
    chosen = list({s.id: s for s in given}.values())
    among = chosen or [s for s in reach.spaces if s.owner_id == user_id]
    write: Space | None = None
    if args.write_space is not None:
        write = _find(reach, args.write_space, args.email)
        if write.id not in {s.id for s in among}:
            fail(f"--write-space '{args.write_space}' must be one of the spaces the key may read "
                 "(give it with --space too); nothing was created", 2)
        if not write.can_write:
            fail(f"--write-space '{write.name}': {args.email} may only read that space; nothing was created", 2)
    elif chosen and not any(s.personal and s.owner_id == user_id for s in chosen):
        write = next((s for s in chosen if s.can_write), None)  # the first it may write to, else read-only
    names = ", ".join(s.name for s in chosen) if chosen else "every space of the account (also later ones)"
    writes = (write.name if write is not None else "personal") if any(s.can_write for s in among) else None
    reaching = f"reaching {names}" + (f", writing to {writes}" if writes else ", read only")
    spaces = tuple(s.id for s in chosen) if chosen else None
    default = None if write is None or (write.personal and write.owner_id == user_id) else write.id
    return spaces, default, reaching


def _command(name: str) -> Callable[[Callable[[argparse.Namespace, Settings], int]],
                                     Callable[[argparse.Namespace, Settings], int]]:
    def register(fn: Callable[[argparse.Namespace, Settings], int]) -> Callable[[argparse.Namespace, Settings], int]:
        SPACE_COMMANDS[name] = fn
        return fn

    return register


@_command("spaces list")
def _spaces_list(args: argparse.Namespace, settings: Settings) -> int:
    async def run(rt: Runtime) -> int:
        for s in await rt.stores.spaces.spaces_of(await user_by_email(rt, args.email)):
            print(f"{s.id}\t{s.name}\t{s.role}\t{s.owner_email}")
        return 0

    return with_runtime(settings, run)


@_command("spaces create")
def _spaces_create(args: argparse.Namespace, settings: Settings) -> int:
    async def run(rt: Runtime) -> int:
        reach = await reach_of_person(rt.stores, await user_by_email(rt, args.email))
        space = await SpaceService(rt.stores).create(reach, args.name)
        print(f"created space {space.name} ({space.id}) for {args.email}")
        return 0

    return with_runtime(settings, run)


@_command("spaces share")
def _spaces_share(args: argparse.Namespace, settings: Settings) -> int:
    try:
        email_field(args.invitee)
    except InvalidInput as exc:
        fail(f"--with: {exc.message}", 2)

    async def run(rt: Runtime) -> int:
        reach = await reach_of_person(rt.stores, await user_by_email(rt, args.email))
        space = _find(reach, args.space, args.email)
        done = await SpaceService(rt.stores).invite(reach, space.id, args.invitee, args.role)
        if isinstance(done, Member):
            print(f"{done.email} is now a {done.role} of space {space.name}")
        else:
            print(f"invited {done.email} to space {space.name} as {done.role} (invitation {done.id}); they accept "
                  "it on the dashboard or with POST /api/v1/invitations/{id}/accept")
        return 0

    return with_runtime(settings, run)

