"""Request and response bodies of ``/api/v1/spaces`` and ``/api/v1/invitations``."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from ..spaces.reach import Reach
from ..store.space_records import Invitation, Member, Space
from .schemas import iso


class SpaceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(description="At most 60 printable characters, unique among your spaces (case-insensitively)")


class SpaceDeleteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    move_to: str | None = Field(None, description=(
        "Another space of yours (id or name) to move its memories and documents to; without it they are deleted"))


class ShareIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: str = Field(description="The e-mail address of the account to invite")
    role: str = Field(description="reader (reads only) or writer (also adds, changes and deletes)")


class SpaceOut(BaseModel):
    id: str
    name: str
    owner: str = Field(description="The owner's e-mail address")
    role: str = Field(description="Your role in it: owner, writer or reader")
    can_write: bool = Field(description="Whether this key may add, change and delete memories in it")
    personal: bool = Field(description="Whether it is its owner's personal space (which cannot be deleted)")
    default: bool = Field(description="New memories go here when no space is given")

    @classmethod
    def of(cls, space: Space, reach: Reach, owner: str = "") -> SpaceOut:
        return cls(id=space.id, name=space.name, owner=space.owner_email or owner, role=space.role,
                   can_write=space.can_write, personal=space.personal, default=space.id == reach.write_id)


class MemberOut(BaseModel):
    email: str
    role: str = Field(description="reader or writer")
    added_at: str

    @classmethod
    def of(cls, m: Member) -> MemberOut:
        return cls(email=m.email, role=m.role, added_at=iso(m.added_at))


class InvitationOut(BaseModel):
    id: str
    space: str = Field(description="The id of the space")
    space_name: str
    email: str = Field(description="Who is invited")
    role: str = Field(description="reader or writer")
    invited_by: str = Field(description="The e-mail address of the space's owner who invited")
    created_at: str

    @classmethod
    def of(cls, i: Invitation) -> InvitationOut:
        return cls(id=i.id, space=i.space_id, space_name=i.space_name, email=i.email, role=i.role,
                   invited_by=i.invited_by_email, created_at=iso(i.created_at))


class SharingOut(BaseModel):
    space: SpaceOut
    members: list[MemberOut] = Field(description="Members other than the owner, by e-mail")
    invitations: list[InvitationOut] = Field(description="Pending invitations (shown to the owner only)")


class SharedOut(BaseModel):
    """What ``POST /spaces/{id}/members`` did: invited the address, or changed an existing member's role."""

    email: str
    role: str
    status: str = Field(description="invited (pending until they accept) or member (their role changed)")
    invitation: InvitationOut | None = None
