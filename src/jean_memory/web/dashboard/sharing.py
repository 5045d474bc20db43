"""Dashboard sharing: invite by e-mail as reader or writer (or change a member's role), remove a member or cancel an
invitation, leave a space, and accept or decline an invitation. ``SpaceService`` checks who may do what."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from ...errors import Conflict, InvalidInput
from ...store.space_records import Member
from ..common import SiteRoute, SiteUser, checked_form, field
from .spaces import person, services, space_page, space_path

router = APIRouter(route_class=SiteRoute, include_in_schema=False)


@router.post("/dashboard/spaces/{space_id}/members")
async def invite(request: Request, user: SiteUser, space_id: str) -> Response:
    """Invite ``email`` as ``role``; for someone already a member, change their role."""
    form = await checked_form(request)
    try:
        done = await services(request).invite(await person(request, user.id), space_id[:64],
                                              field(form, "email", 400), field(form, "role", 16))
    except (InvalidInput, Conflict) as exc:
        return await space_page(request, user.id, space_id[:64], exc.status, error=exc.message)
    notice = "role" if isinstance(done, Member) else "invited"
    return RedirectResponse(f"{space_path(done.space_id)}?notice={notice}", status_code=303)


@router.post("/dashboard/spaces/{space_id}/members/remove")
async def remove(request: Request, user: SiteUser, space_id: str) -> Response:
    """The owner removes a member (``email``) or cancels an invitation to it."""
    form = await checked_form(request)
    reach = await person(request, user.id)
    invited, email = field(form, "invitation", 8) == "yes", field(form, "email", 400)
    await services(request).remove(reach, space_id[:64], email)
    if email.strip().lower() == user.email.lower():
        return RedirectResponse("/dashboard/spaces?notice=left", status_code=303)
    notice = "cancelled" if invited else "removed"
    return RedirectResponse(f"{space_path(space_id[:64])}?notice={notice}", status_code=303)


@router.post("/dashboard/spaces/{space_id}/leave")
async def leave(request: Request, user: SiteUser, space_id: str) -> Response:
    await checked_form(request)
    await services(request).remove(await person(request, user.id), space_id[:64], user.email)
    return RedirectResponse("/dashboard/spaces?notice=left", status_code=303)


@router.post("/dashboard/invitations/{invitation_id}/{answer}")
async def answer(request: Request, user: SiteUser, invitation_id: str, answer: str) -> Response:
    """``answer``: accept or decline."""
    await checked_form(request)
    if answer not in ("accept", "decline"):
        raise InvalidInput("Answer an invitation with Accept or Decline.")
    space = await services(request).answer(user.id, invitation_id[:64], answer == "accept")
    if space is not None:
        return RedirectResponse(f"{space_path(space.id)}?notice=accepted", status_code=303)
    return RedirectResponse("/dashboard/spaces?notice=declined", status_code=303)
