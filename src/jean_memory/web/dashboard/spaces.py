"""Dashboard spaces: the Spaces page (own and shared spaces, pending invitations, create), a space's own page
(members, invitations, activity; rename), and deleting a space (its memories move to another space or go with it).

Everything goes through ``spaces.manage.SpaceService`` with the signed-in person's ``reach_of_person``; sharing
(invite, change a role, remove, leave, answer an invitation) is in ``sharing``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from ...errors import Conflict, Forbidden, InvalidInput
from ...spaces.manage import NAME_CHARS, SpaceService
from ...spaces.reach import Reach
from ...spaces.resolve import reach_of_person
from ...store.space_records import PERSONAL, Space
from ..common import SiteRoute, SiteUser, checked_form, field, render, runtime_of
from .app_names import app_name, app_names
from .confirm import confirmed

router = APIRouter(route_class=SiteRoute, include_in_schema=False)
NOTICES = {"created": "Space created.", "renamed": "Space renamed.", "deleted": "Space deleted.",
           "accepted": "Invitation accepted: the space is now on your list. Give it to an app under Connected apps "
           "or API keys for the app to see it.", "declined": "Invitation declined.", "left": "You left the space.",
           "invited": "Invitation sent: it waits on their Spaces page.", "role": "Role changed.",
           "removed": "Removed.", "cancelled": "Invitation cancelled."}
ACTIONS = {"add": "added", "update": "changed", "delete": "deleted", "replace": "replaced", "undo": "undid"}


def services(request: Request) -> SpaceService:
    return SpaceService(runtime_of(request).stores)


async def person(request: Request, user_id: str) -> Reach:
    return await reach_of_person(runtime_of(request).stores, user_id)


def space_path(space_id: str) -> str:
    return f"/dashboard/spaces/{space_id}"


async def list_page(request: Request, user_id: str, status: int = 200, **extra: Any) -> Response:
    reach = await person(request, user_id)
    store = runtime_of(request).stores.spaces
    rows = [(s, len(await store.members(s.id))) for s in reach.spaces]
    invitations = await services(request).invitations(user_id)
    return render(request, "dashboard/spaces.html", status, rows=rows, invitations=invitations,
                  name_chars=NAME_CHARS, **extra)


@router.get("/dashboard/spaces")
async def spaces_page(request: Request, user: SiteUser, notice: str = "") -> Response:
    return await list_page(request, user.id, notice=NOTICES.get(notice, ""))


@router.post("/dashboard/spaces")
async def create_space(request: Request, user: SiteUser) -> Response:
    form = await checked_form(request)
    try:
        space = await services(request).create(await person(request, user.id), field(form, "name", 500))
    except (InvalidInput, Conflict) as exc:
        return await list_page(request, user.id, exc.status, error=exc.message)
    return RedirectResponse(f"{space_path(space.id)}?notice=created", status_code=303)


async def space_page(request: Request, user_id: str, space_id: str, status: int = 200, **extra: Any) -> Response:
    reach = await person(request, user_id)
    svc = services(request)
    sharing = await svc.sharing(reach, space_id)  # 404 page for a space out of reach
    activity = await svc.activity(reach, sharing.space.id, 50)
    mine = [a.client_id for a in activity if a.actor_id == user_id]
    names = await app_names(runtime_of(request), user_id, owned=mine)
    return render(request, "dashboard/space.html", status, space=sharing.space, members=sharing.members,
                  invitations=sharing.invitations, activity=activity, actions=ACTIONS, name_chars=NAME_CHARS,
                  via={a.seq: app_name(a.client_id, names) for a in activity if a.actor_id == user_id and a.client_id},
                  count=await runtime_of(request).memory.count(reach, space=sharing.space.id), **extra)


@router.get("/dashboard/spaces/{space_id}")
async def show_space(request: Request, user: SiteUser, space_id: str, notice: str = "") -> Response:
    return await space_page(request, user.id, space_id[:64], notice=NOTICES.get(notice, ""))


@router.post("/dashboard/spaces/{space_id}/rename")
async def rename_space(request: Request, user: SiteUser, space_id: str) -> Response:
    form = await checked_form(request)
    try:
        space = await services(request).rename(await person(request, user.id), space_id[:64], field(form, "name", 500))
    except (InvalidInput, Conflict) as exc:
        return await space_page(request, user.id, space_id[:64], exc.status, error=exc.message)
    return RedirectResponse(f"{space_path(space.id)}?notice=renamed", status_code=303)


def _targets(reach: Reach, space: Space) -> list[Space]:
    return [s for s in reach.spaces if s.owner_id == reach.user_id and s.id != space.id]


@router.post("/dashboard/spaces/{space_id}/delete")
async def delete_space(request: Request, user: SiteUser, space_id: str) -> Response:
    """Without ``confirm=yes``: the question (move its memories to ``move_to``, or delete them when it is "")."""
    form = await checked_form(request)
    reach = await person(request, user.id)
    svc = services(request)
    if not confirmed(form):
        space = (await svc.sharing(reach, space_id[:64])).space
        if space.owner_id != user.id:
            raise Forbidden(f"space '{space.name}': only its owner ({space.owner_email}) can delete it")
        if space.personal:
            raise InvalidInput(f"the {PERSONAL} space cannot be deleted (rename it, or move its memories)")
        count = await runtime_of(request).memory.count(reach, space=space.id)
        return render(request, "dashboard/space_delete.html", space=space, count=count, targets=_targets(reach, space))
    await svc.delete(reach, space_id[:64], field(form, "move_to", 64) or None)
    return RedirectResponse("/dashboard/spaces?notice=deleted", status_code=303)
