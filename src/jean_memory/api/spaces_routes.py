"""``/api/v1/spaces`` and ``/api/v1/invitations``: the spaces this key reaches, creating, renaming, deleting and
sharing them, and answering invitations. ``SpaceService`` decides who may do what; a space this key was not given is
unknown here (404), as another account's memory is."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from ..deps import ApiPrincipal, RuntimeDep
from ..errors import InvalidInput
from ..runtime import Runtime
from ..spaces.manage import SpaceService
from ..spaces.reach import Reach
from ..spaces.resolve import KEY_CLIENT_PREFIX, given
from ..store.space_records import Member
from .access import ReadReach, WriteReach
from .space_schemas import (
    InvitationOut,
    MemberOut,
    SharedOut,
    ShareIn,
    SharingOut,
    SpaceDeleteIn,
    SpaceIn,
    SpaceOut,
)

router = APIRouter(prefix="/api/v1", tags=["spaces"])


async def _owner_email(runtime: Runtime, reach: Reach) -> str:
    """The acting account's e-mail (a space it just made may not carry it)."""
    own = next((s.owner_email for s in reach.spaces if s.owner_id == reach.user_id and s.owner_email), "")
    if own:
        return own
    user = await runtime.stores.users.get_user(reach.user_id)
    return user.email if user is not None else ""


@router.get("/spaces", operation_id="listSpaces", summary="List spaces", response_model=list[SpaceOut])
async def list_spaces(reach: ReadReach) -> list[SpaceOut]:
    """The spaces this key reaches (your own first, then those shared with you that you gave it), with your role in
    each, whether this key may write there, and which one new memories go to by default."""
    return [SpaceOut.of(s, reach) for s in reach.spaces]


@router.post("/spaces", operation_id="createSpace", summary="Create a space", status_code=201,
             response_model=SpaceOut)
async def create_space(body: SpaceIn, principal: ApiPrincipal, reach: WriteReach, runtime: RuntimeDep) -> SpaceOut:
    """A new space of yours. A key given a list of spaces is given the new one too (a key with every space of yours
    reaches it anyway). 409 when you have a space of that name."""
    grant = await given(runtime.stores, principal)
    client = principal.client_id or ""
    key_id = client.removeprefix(KEY_CLIENT_PREFIX) if principal.via == "api_key" else None
    space = await SpaceService(runtime.stores).create(reach, body.name, grant, key_id)
    return SpaceOut.of(space, reach, await _owner_email(runtime, reach))


@router.patch("/spaces/{space_id}", operation_id="renameSpace", summary="Rename a space", response_model=SpaceOut)
async def rename_space(space_id: str, body: SpaceIn, reach: WriteReach, runtime: RuntimeDep) -> SpaceOut:
    """Only the owner renames a space (403 for a member); 409 when another space of yours has the name."""
    space = await SpaceService(runtime.stores).rename(reach, space_id, body.name)
    return SpaceOut.of(space, reach, await _owner_email(runtime, reach))


@router.delete("/spaces/{space_id}", operation_id="deleteSpace", summary="Delete a space", status_code=204)
async def delete_space(
    space_id: str, reach: WriteReach, runtime: RuntimeDep,
    move_to: Annotated[str | None, Query(description=(
        "Another space of yours (id or name) that receives its memories and documents. Without it, they are "
        "deleted with the space."))] = None,
    body: SpaceDeleteIn | None = None,
) -> Response:
    """Delete a space of yours (never the personal one), with its members and invitations. Its memories and
    documents **move** to ``move_to`` (query or body) when given; **without ``move_to`` they are deleted**."""
    target = move_to
    if body is not None and body.move_to is not None:
        if target is not None and target != body.move_to:
            raise InvalidInput("move_to was given twice, differently (query and body); give it once")
        target = body.move_to
    await SpaceService(runtime.stores).delete(reach, space_id, target)
    return Response(status_code=204)


@router.get("/spaces/{space_id}/members", operation_id="listSpaceMembers", summary="List a space's members",
            response_model=SharingOut)
async def list_members(space_id: str, reach: ReadReach, runtime: RuntimeDep) -> SharingOut:
    """Its members with their roles; for the owner, also the invitations not yet answered."""
    sharing = await SpaceService(runtime.stores).sharing(reach, space_id)
    return SharingOut(space=SpaceOut.of(sharing.space, reach, await _owner_email(runtime, reach)),
                      members=[MemberOut.of(m) for m in sharing.members],
                      invitations=[InvitationOut.of(i) for i in sharing.invitations])


@router.post("/spaces/{space_id}/members", operation_id="shareSpace", summary="Invite a member or change a role",
             status_code=201, response_model=SharedOut,
             responses={200: {"model": SharedOut, "description": "Already a member: their role changed"}})
async def share_space(space_id: str, body: ShareIn, reach: WriteReach, runtime: RuntimeDep,
                      response: Response) -> SharedOut:
    """The owner invites an account by e-mail as ``reader`` or ``writer`` (201; they accept or decline); for an
    account that is already a member, its role changes (200)."""
    done = await SpaceService(runtime.stores).invite(reach, space_id, body.email, body.role)
    if isinstance(done, Member):
        response.status_code = 200
        return SharedOut(email=done.email, role=done.role, status="member")
    return SharedOut(email=done.email, role=done.role, status="invited", invitation=InvitationOut.of(done))


@router.delete("/spaces/{space_id}/members/{email}", operation_id="removeSpaceMember",
               summary="Remove a member or cancel an invitation", status_code=204)
async def remove_member(space_id: str, email: str, reach: WriteReach, runtime: RuntimeDep) -> Response:
    """The owner removes a member or cancels an invitation; a member may remove themself (leave the space). Their
    keys lose the space on their next request."""
    await SpaceService(runtime.stores).remove(reach, space_id, email)
    return Response(status_code=204)


@router.get("/invitations", operation_id="listInvitations", summary="List invitations to you",
            response_model=list[InvitationOut])
async def list_invitations(reach: ReadReach, runtime: RuntimeDep) -> list[InvitationOut]:
    """Invitations addressed to your e-mail that you have not answered yet, newest first."""
    return [InvitationOut.of(i) for i in await SpaceService(runtime.stores).invitations(reach.user_id)]


@router.post("/invitations/{invitation_id}/accept", operation_id="acceptInvitation", summary="Accept an invitation",
             response_model=SpaceOut)
async def accept_invitation(invitation_id: str, reach: WriteReach, runtime: RuntimeDep) -> SpaceOut:
    """You become a member of the space with the invitation's role. Your keys reach it once you give it to them
    (``jean-memory keys create --space``, or the dashboard)."""
    space = await SpaceService(runtime.stores).answer(reach.user_id, invitation_id, True)
    assert space is not None
    mine = next((s for s in await runtime.stores.spaces.spaces_of(reach.user_id) if s.id == space.id), space)
    return SpaceOut.of(mine, reach)


@router.post("/invitations/{invitation_id}/decline", operation_id="declineInvitation",
             summary="Decline an invitation", status_code=204)
async def decline_invitation(invitation_id: str, reach: WriteReach, runtime: RuntimeDep) -> Response:
    """The invitation is dropped; the owner may invite you again."""
    await SpaceService(runtime.stores).answer(reach.user_id, invitation_id, False)
    return Response(status_code=204)
