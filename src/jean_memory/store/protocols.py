"""Narrow store Protocols. Every memory method takes a ``user_id``: no query runs without a user.

Backends: ``store.sqlite`` (default) and ``store.postgres``; ``store.open_store`` picks one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import numpy as np

from .records import (
    ApiKey,
    Document,
    DocumentHeader,
    Filters,
    HybridQuery,
    Memory,
    MemorySource,
    NewMemory,
    Scored,
    User,
)
from .space_records import Activity, Invitation, Member, NewActivity, Reachable, Space


class UserStore(Protocol):
    async def create_user(self, email: str, password_hash: str | None, display_name: str = "") -> User: ...
    async def get_user(self, user_id: str) -> User | None: ...
    async def get_user_by_email(self, email: str) -> User | None: ...
    async def set_password(self, user_id: str, password_hash: str) -> None: ...
    async def list_users(self, limit: int, offset: int) -> list[User]: ...
    async def delete_user(self, user_id: str) -> None:
        """Delete the user and everything they own (memories, documents, keys, sessions, OAuth grants)."""
        ...

    async def user_for_identity(self, issuer: str, subject: str) -> User | None:
        """The account an upstream OpenID Connect identity is linked to."""
        ...

    async def link_identity(self, user_id: str, issuer: str, subject: str) -> None:
        """Link (issuer, subject) to the user; linking it again is a no-op. ``errors.Conflict`` when the identity
        belongs to another account, or the user is already linked to a different subject of this issuer."""
        ...


class ApiKeyStore(Protocol):
    async def create_key(self, user_id: str, name: str, key_hash: str, prefix: str,
                         spaces: tuple[str, ...] | None = None, write_space: str | None = None) -> ApiKey:
        """``spaces``: what it may read (None: every space the user owns); ``write_space``: its default (None:
        personal)."""
        ...
    async def find_key(self, key_hash: str) -> ApiKey | None:
        """The unrevoked key with this hash, marking it used."""
        ...

    async def list_keys(self, user_id: str) -> list[ApiKey]: ...
    async def revoke_key(self, user_id: str, key_id: str) -> bool: ...


class MemoryStore(Protocol):
    async def insert(self, user_id: str, items: Sequence[NewMemory]) -> list[Memory]:
        """All or nothing; ``errors.Conflict`` when a memory's key is already held by a current memory of the user.
        In the same transaction, each item's ``replaces`` (those still current, of its own space) are marked replaced
        by it (``superseded_by`` its id, ``valid_until`` its ``created_at``) and its ``flags`` flagged by it
        (``possibly_outdated_by`` its id), and an "add" activity entry is written for each (chunks left out). An
        item's ``id``, when set, is its id."""
        ...
    async def get(self, user_id: str, ids: Sequence[str]) -> list[Memory]:
        """Live memories by id, replaced and expired ones too (their fields say so)."""
        ...
    async def get_by_seq(self, user_id: str, seqs: Sequence[int]) -> list[Memory]: ...
    async def find_by_keys(self, user_id: str, keys: Sequence[str], space_id: str | None = None
                           ) -> dict[str, Memory]:
        """The user's not-replaced memories (expired ones included) of one space (None: the personal space, whose
        id is ``user_id``) holding these keys."""
        ...
    async def get_in_spaces(self, spaces: Sequence[str], ids: Sequence[str]) -> list[Memory]:
        """Live memories by id that belong to one of ``spaces``, whichever account owns them (a shared space's
        memories live in its owner's partition). The caller has checked the spaces are reachable."""
        ...
    async def page(self, user_id: str, limit: int, before_seq: int | None, filters: Filters) -> list[Memory]:
        """Newest first (by ``seq``), live memories only; current ones unless ``filters.include_history``."""
        ...

    async def update(
        self, user_id: str, memory_id: str, text: str | None, key: str | None, embedding: bytes | None,
        tags: tuple[str, ...] | None, metadata: Mapping[str, Any] | None = None, *, actor: str | None = None,
    ) -> Memory | None:
        """Change what is not None (``text``, ``key`` and ``embedding`` come together or not at all; ``tags`` and
        ``metadata`` replace the old ones). None for an unknown id; ``errors.Conflict`` when another current memory
        of the user has ``key``. A changed text keeps the previous version as a new row (a new id) replaced by this
        one (``superseded_by`` = ``memory_id``, ``valid_until`` now), in the same transaction, with an "update" activity
        entry by ``actor`` (None: the owner)."""
        ...
    async def delete(self, user_id: str, ids: Sequence[str] | None, spaces: Sequence[str] | None = None, *,
                     actor: str | None = None) -> int:
        """Soft-delete the given ids (or all of the user's memories when ``ids`` is None), only those in ``spaces``
        when given; a "delete" activity entry for each, by ``actor`` (None: the owner), in the same transaction."""
        ...

    async def lexical(self, user_id: str, terms: Sequence[str], limit: int, filters: Filters) -> list[Scored]:
        """BM25 over live memories: OR of the terms; higher score is better."""
        ...

    async def dense(self, user_id: str, vector: np.ndarray, limit: int, filters: Filters) -> list[Scored]:
        """Cosine similarity over live memories; higher is better."""
        ...

    async def hybrid(self, user_id: str, query: HybridQuery) -> list[tuple[Memory, float]]:
        """``lexical`` and ``dense`` (``query.pool`` each), ranked by ``query.rank``; the best ``query.limit`` live
        memories with their ranked scores, best first."""
        ...

    async def count(self, user_id: str, spaces: Sequence[str] | None = None) -> int:
        """The user's current memories (of ``spaces`` when given)."""
        ...
    async def purge_deleted(self, before: float) -> int:
        """Erase, for every user, memories soft-deleted or expired before ``before``; return how many."""
        ...

    async def predecessors(self, user_id: str, ids: Sequence[str]) -> list[Memory]:
        """The live memories that ``ids`` replaced (``superseded_by`` among them), latest ``valid_until`` first."""
        ...

    async def versions(self, user_id: str, memory_id: str, limit: int) -> list[Memory]:
        """A memory's versions, at most ``limit``: the latest memory of its chain of replacements first, then every
        live memory that chain replaced, the latest replaced first (``store/chains.py``); [] when it is unknown."""
        ...

    async def changes(self, user_id: str, limit: int) -> list[Memory]:
        """The user's live replaced memories, most recently replaced first (versions kept by edits left out)."""
        ...

    async def flagged(self, user_id: str, limit: int) -> list[Memory]:
        """The user's current memories flagged possibly outdated (``possibly_outdated_by`` set), newest first."""
        ...

    async def resolve_flag(self, user_id: str, old_id: str, confirm: bool, new_id: str | None = None
                           ) -> Memory | None:
        """Confirm: mark the current memory ``old_id`` replaced by the memory that flagged it (or by ``new_id``:
        a replacement the assistant names). Dismiss: clear its flag and record the pair, never flagged again. The
        memory as it is now; None when it is unknown, not current, has no flag (and no ``new_id``) or its newer
        memory is gone."""
        ...

    async def unlink(self, user_id: str, old_id: str) -> Memory | None:
        """Make a replaced memory current again and record the pair (old, its replacement) as un-replaced; the
        memory as it is now, None when it is unknown or not replaced. ``errors.Conflict`` when a current memory
        holds its key."""
        ...

    async def unlinked(self, user_id: str, old_ids: Sequence[str]) -> set[tuple[str, str]]:
        """The (old id, new id) pairs the user un-replaced, among ``old_ids``."""
        ...

    async def sources(self, user_id: str) -> list[MemorySource]:
        """The distinct apps (client ids) the user's live memories came from, document chunks and memories without
        a client left out; ordered by name (or client id when unnamed), case-insensitively."""
        ...


class DocumentStore(Protocol):
    async def insert_document(self, doc: Document, chunks: Sequence[NewMemory]) -> Document: ...
    async def get_document(self, user_id: str, document_id: str) -> Document | None: ...
    async def get_document_in_spaces(self, spaces: Sequence[str], document_id: str) -> Document | None:
        """A document of one of ``spaces``, whichever account owns it."""
        ...
    async def list_documents(self, user_id: str, limit: int, offset: int, spaces: Sequence[str] | None = None
                             ) -> list[Document]: ...
    async def find_document(self, user_id: str, title: str, content: str, space_id: str | None = None
                            ) -> str | None:
        """The id of one of the user's documents of one space (None: the personal space, whose id is ``user_id``)
        with exactly this title and content (an import seen before)."""
        ...

    async def document_headers(self, user_id: str, ids: Sequence[str]) -> dict[str, DocumentHeader]:
        """Id, title and source url of the user's documents among ``ids`` (others' and unknown ids left out)."""
        ...

    async def delete_document(self, user_id: str, document_id: str) -> bool: ...


class SpaceStore(Protocol):
    """Spaces, their members and invitations, their activity, and what each connection may reach."""

    async def create_space(self, owner_id: str, name: str) -> Space:
        """``errors.Conflict`` when the owner has a space of that name (case-insensitively)."""
        ...

    async def rename_space(self, owner_id: str, space_id: str, name: str) -> Space | None:
        """None when the owner has no such space; ``errors.Conflict`` on a taken name."""
        ...

    async def delete_space(self, owner_id: str, space_id: str, move_to: str | None) -> bool:
        """Delete an owned space (never the personal one: False), its members, invitations and activity, in one
        transaction. Its live memories and documents move to ``move_to`` (another space the owner owns; a memory
        whose text that space already holds is deleted instead) or, when None, are deleted (soft) with it."""
        ...

    async def get_space(self, space_id: str) -> Space | None:
        """The space as its owner sees it (role "owner", with the owner's e-mail)."""
        ...

    async def spaces_of(self, user_id: str) -> list[Space]:
        """Every space the account owns (role "owner") or is a member of (its role), with the owner's e-mail:
        owned first (personal first, then by name), then shared ones by owner e-mail and name."""
        ...

    async def members(self, space_id: str) -> list[Member]:
        """Its members (the owner is not one), by e-mail."""
        ...

    async def set_member(self, space_id: str, user_id: str, role: str) -> None:
        """Add the account as a member with ``role``, or change its role."""
        ...

    async def remove_member(self, space_id: str, user_id: str) -> bool: ...

    async def invite(self, space_id: str, email: str, role: str, invited_by: str) -> Invitation:
        """A pending invitation (the e-mail lower-cased); inviting the same e-mail again changes its role."""
        ...

    async def invitations(self, space_id: str) -> list[Invitation]:
        """A space's pending invitations, by e-mail."""
        ...

    async def invitations_for(self, email: str) -> list[Invitation]:
        """The pending invitations addressed to ``email`` (case-insensitively), newest first."""
        ...

    async def accept_invitation(self, invitation_id: str, user_id: str, email: str) -> Space | None:
        """Make the account a member with the invitation's role and drop the invitation, in one transaction; None
        when no pending invitation with that id is addressed to ``email``."""
        ...

    async def decline_invitation(self, invitation_id: str, email: str) -> bool: ...
    async def cancel_invitation(self, space_id: str, email: str) -> bool: ...

    async def record(self, entries: Sequence[NewActivity]) -> None: ...
    async def activity(self, space_id: str, limit: int) -> list[Activity]:
        """The latest entries, newest first, with the actor's e-mail."""
        ...

    async def key_reach(self, key_id: str) -> Reachable | None:
        """What the (unrevoked) API key may reach; None for an unknown or revoked key."""
        ...

    async def set_key_reach(self, user_id: str, key_id: str, reach: Reachable) -> bool: ...
    async def grant_reach(self, user_id: str, client_id: str) -> Reachable | None:
        """What the user's OAuth grant to ``client_id`` may reach; None when there is no grant."""
        ...

    async def set_grant_reach(self, user_id: str, client_id: str, reach: Reachable) -> bool: ...


class RateLimitStore(Protocol):
    async def hit(self, key: str, limit: int, window: int) -> int | None:
        """Count one hit in a fixed window; return seconds to wait when over ``limit``, else None."""
        ...

    async def sweep(self, before: float) -> int:
        """Forget the counts of windows that started before ``before`` (they no longer limit anything)."""
        ...


class Database(Protocol):
    """Lifecycle and health of the backend."""

    backend: str

    async def ping(self) -> bool: ...
    async def migrate(self) -> int: ...
    async def close(self) -> None: ...
