"""Dashboard memories: list (paginated), search, filter by app and tag, add, edit, delete, bulk delete; a memory's
history and the Changes page (memories flagged possibly outdated, with confirm and dismiss; recent replacements,
with undo).

Everything goes through ``runtime.memory`` (the MemoryService) as the signed-in person's ``reach_of_person`` (their
own spaces and those shared with them): each memory shows its space, the list filters by space, and a memory added
here goes to the space chosen (personal by default); memories added here are recorded as from the app ``dashboard``.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from ...errors import InvalidInput, NotFound
from ...spaces.reach import Reach
from ...spaces.resolve import reach_of_person
from ...store.records import Memory
from ..common import SiteRoute, SiteUser, checked_form, field, render, runtime_of
from ..links import document_path, memory_path
from .app_names import app_name, app_names
from .confirm import confirm_page, confirmed

router = APIRouter(route_class=SiteRoute, include_in_schema=False)
PAGE = 25
SOURCE = "dashboard"
NOTICES = {"added": "Memory saved.", "exists": "You already had that memory; nothing new was stored.",
           "updated": "Memory updated.", "deleted": "Memory deleted.", "bulk": "Selected memories deleted."}
CHANGE_NOTICES = {"undone": "Undone: both memories are current again.",
                  "confirmed": "Confirmed: the older memory is replaced (kept as history).",
                  "dismissed": "Dismissed: both memories stay current."}


OTHERS = "another account's app"  # their apps are theirs to name


def _author(memory: Memory) -> str:
    """The account that wrote it (the owner of its space, unless a member did)."""
    return memory.author_id or memory.user_id


def _tags(text: str) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()]


async def app_options(request: Request, user_id: str, selected: str,
                      names: dict[str, str]) -> list[tuple[str, str]]:
    """(client id, label) for the app filter: every app the user's memories came from, named by ``app_name``,
    plus the selected id if no memory carries it any more."""
    options: list[tuple[str, str]] = []
    seen: set[str] = set()
    for s in await runtime_of(request).memory.sources(user_id):
        label = app_name(s.client_id, names)
        if label in seen:  # two OAuth clients with one name
            label = f"{label} · {s.client_id[:8]}"
        seen.add(label)
        options.append((s.client_id, f"{label} ({s.memories})"))
    options.sort(key=lambda option: option[1].casefold())
    if selected and selected not in {value for value, _ in options}:
        options.append((selected, app_name(selected, names)))
    return options


async def person(request: Request, user_id: str) -> Reach:
    return await reach_of_person(runtime_of(request).stores, user_id)


async def _notice(request: Request, who: Reach, notice: str, said: str) -> str:
    """The notice after an add names the memory it replaced or flagged (read again: the id comes from the URL)."""
    if notice not in ("replaced", "flagged") or not said:
        return NOTICES.get(notice, "")
    try:
        old = await runtime_of(request).memory.get(who, said[:64])
    except (NotFound, InvalidInput):
        return NOTICES["added"]
    if notice == "replaced":
        return f"Memory saved. It replaced \u201c{old.text[:200]}\u201d (kept as history; undo under Changes)."
    return (f"Memory saved. \u201c{old.text[:200]}\u201d may be outdated now: confirm or dismiss it under Changes.")


def back(notice: str, **params: str) -> RedirectResponse:
    query = urlencode({k: v for k, v in params.items() if v} | {"notice": notice})
    return RedirectResponse(f"/dashboard?{query}", status_code=303)


@router.get("/dashboard")
async def memories_page(request: Request, user: SiteUser, q: str = "", app: str = "", tag: str = "",
                        space: str = "", cursor: str = "", notice: str = "", said: str = "") -> Response:
    memory = runtime_of(request).memory
    who = await person(request, user.id)
    q, app, tag, space = q.strip()[:500], app.strip()[:300], tag.strip()[:100], space.strip()[:64]
    if space and who.get(space) is None:
        raise NotFound("That space is not one of yours or shared with you (it may have been deleted).")
    tags = [tag] if tag else None
    next_cursor = None
    if q:
        found = await memory.search(who, q, limit=50, tags=tags, client_id=app or None, space=space or None)
        items = [r.memory for r in found]
    else:
        page = await memory.list(who, limit=PAGE, cursor=cursor or None, tags=tags, client_id=app or None,
                                 space=space or None)
        items, next_cursor = page.items, page.next_cursor
    filters = {"q": q, "app": app, "tag": tag, "space": space}
    next_url = f"/dashboard?{urlencode({k: v for k, v in filters.items() if v} | {'cursor': next_cursor})}" \
        if next_cursor else None
    names = await app_names(runtime_of(request), user.id, [m.client_id for m in items if _author(m) == user.id],
                            asked=[app])
    apps = await app_options(request, user.id, app, names)
    invitations = await runtime_of(request).stores.spaces.invitations_for(user.email)
    return render(request, "dashboard/memories.html", memories=items, q=q, app=app, tag=tag, apps=apps,
                  app_of={m.id: app_name(m.client_id, names) if _author(m) == user.id else OTHERS
                          for m in items},
                  space=space, spaces=who.spaces, space_of={m.id: who.name_of(m.space_id or m.user_id) for m in items},
                  writable=[s for s in who.spaces if s.can_write], invitations=len(invitations),
                  change_of=await memory.change_notes(who, items), filtered=bool(q or app or tag or space),
                  total=await memory.count(who), next_url=next_url, paged=bool(cursor),
                  notice=await _notice(request, who, notice, said))


@router.post("/dashboard/memories")
async def add_memory(request: Request, user: SiteUser) -> Response:
    form = await checked_form(request)
    results = await runtime_of(request).memory.add(await person(request, user.id), field(form, "text"),
                                                   _tags(field(form, "tags", 2000)), client_id=SOURCE,
                                                   expires=field(form, "expires", 64) or None,
                                                   space=field(form, "space", 200) or None)
    first = results[0]
    if first.replaced:
        return back("replaced", said=first.replaced[0].id)
    if first.flagged:
        return back("flagged", said=first.flagged[0].id)
    return back("added" if first.created else "exists")


@router.get("/dashboard/changes")
async def changes_page(request: Request, user: SiteUser, notice: str = "") -> Response:
    """Recent replacements, each with one-click undo."""
    memory = runtime_of(request).memory
    changes, flags = await memory.changes(user.id, 100), await memory.flags(user.id, 100)
    return render(request, "dashboard/changes.html", changes=changes, flags=flags,
                  notice=CHANGE_NOTICES.get(notice, ""))


@router.post("/dashboard/flags/{memory_id}")
async def resolve_flag(request: Request, user: SiteUser, memory_id: str) -> Response:
    form = await checked_form(request)
    decision = field(form, "decision", 16)
    await runtime_of(request).memory.resolve_flag(user.id, memory_id, decision)
    return RedirectResponse(f"/dashboard/changes?notice={decision}ed", status_code=303)


@router.post("/dashboard/changes/{memory_id}/undo")
async def undo_change(request: Request, user: SiteUser, memory_id: str) -> Response:
    await checked_form(request)
    await runtime_of(request).memory.undo_change(user.id, memory_id)
    return RedirectResponse("/dashboard/changes?notice=undone", status_code=303)


@router.post("/dashboard/memories/delete")
async def bulk_delete(request: Request, user: SiteUser) -> Response:
    form = await checked_form(request)
    ids = [v[:300] for v in form.getlist("memory_ids") if isinstance(v, str)][:1000]
    if not ids:
        raise InvalidInput("Select at least one memory to delete.")
    if not confirmed(form):
        n = len(ids)
        return confirm_page(request, title="Delete memories?", items=(),
                            question=f"Delete the {n} selected memor{'y' if n == 1 else 'ies'}? This cannot be undone.",
                            action="/dashboard/memories/delete", button=f"Delete {n} memor{'y' if n == 1 else 'ies'}",
                            cancel="/dashboard", hidden=[("memory_ids", i) for i in ids])
    await runtime_of(request).memory.delete(await person(request, user.id), ids)
    return back("bulk")


@router.get("/dashboard/memories/{memory_id}")
@router.get("/dashboard/memories/{memory_id}/edit")
async def memory_page(request: Request, user: SiteUser, memory_id: str) -> Response:
    """One memory, to read, edit or delete (the page the MCP connector tools link to). A document chunk's id
    leads to its document; an unknown id and someone else's id get the same 404 page."""
    who = await person(request, user.id)
    item = await runtime_of(request).memory.get(who, memory_id)
    if item.document_id is not None:
        return RedirectResponse(document_path(item.document_id), status_code=303)
    own = _author(item) == user.id
    names = await app_names(runtime_of(request), user.id, [item.client_id] if own else [])
    versions = await runtime_of(request).memory.history(who, item.id)
    space = who.get(item.space_id or item.user_id)
    return render(request, "dashboard/memory.html", memory=item, versions=versions, space=space,
                  app=app_name(item.client_id, names) if own else OTHERS)


@router.post("/dashboard/memories/{memory_id}")
async def update_memory(request: Request, user: SiteUser, memory_id: str) -> Response:
    form = await checked_form(request)
    await runtime_of(request).memory.update(await person(request, user.id), memory_id, field(form, "text"),
                                            _tags(field(form, "tags", 2000)))
    return back("updated")


@router.post("/dashboard/memories/{memory_id}/delete")
async def delete_memory(request: Request, user: SiteUser, memory_id: str) -> Response:
    form = await checked_form(request)
    memory = runtime_of(request).memory
    who = await person(request, user.id)
    item = await memory.get(who, memory_id)  # 404 page for an unknown (or someone else's) id
    if not confirmed(form):
        return confirm_page(request, title="Delete this memory?", question="Delete this memory? This cannot be undone.",
                            items=[item.text], action=memory_path(item.id) + "/delete", button="Delete memory",
                            cancel=memory_path(item.id))
    await memory.delete(who, [memory_id])
    return back("deleted")
