"""The conversational tools: ``jean_memory`` (save what matters, return what is relevant) and ``ask_memory``."""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server.mcpserver import MCPServer
from mcp_types import CallToolResult, ToolAnnotations
from pydantic import BaseModel, Field

from .. import llm
from ..errors import Forbidden, InvalidInput
from ..memory import context
from ..memory import validation as v
from ..memory.scope import readable
from ..memory.service import AddResult, shorten
from ..runtime import Runtime
from ..spaces.reach import Reach
from ..store.records import Memory
from .extract import fact_sentences
from .principal import Ctx, principal_of, reach_of
from .results import BUDGET, MemoryItem, fit, iso, item, lines, ok, tool_errors

PROFILE_QUERY = "my name, where I live, my work, my family, my partner, what I like and prefer, my health, my goals"
# depth -> (relevant hits, recent memories, include document passages)
DEPTHS = {1: (5, 0, False), 2: (10, 5, False), 3: (20, 10, True)}


class JeanOut(BaseModel):
    saved: list[MemoryItem]
    already_known: list[MemoryItem]
    profile: list[MemoryItem] = Field(default_factory=list)
    relevant: list[MemoryItem] = Field(default_factory=list)
    recent: list[MemoryItem] = Field(default_factory=list)
    total_memories: int | None = None
    # Why nothing was saved, when the message held something to save but this connection may not write there.
    not_saved: str | None = None


class AskOut(BaseModel):
    question: str
    answer: str | None = None
    memories: list[MemoryItem]


def register(server: MCPServer[Any], runtime: Runtime) -> None:
    service = runtime.memory
    settings = runtime.settings

    async def relevant(reach: Reach, query: str, n: int, documents: bool, skip: set[str], fill: bool = True,
                       flags: dict[str, str] | None = None, space: str | None = None) -> list[MemoryItem]:
        kept = await context.relevant(service, reach, query, n, documents, skip, fill, space)
        return await items(reach, [(h.memory, h.score) for h in kept], flags)

    async def latest(reach: Reach, n: int, skip: set[str], flags: dict[str, str],
                     space: str | None) -> list[MemoryItem]:
        memories = [m for m in (await service.list(reach, n, space=space)).items if m.id not in skip]
        return await items(reach, [(m, None) for m in memories], flags)

    async def items(reach: Reach, found: list[tuple[Memory, float | None]],
                    flags: dict[str, str] | None = None) -> list[MemoryItem]:
        """Memory items with their change notes; ``flags`` collects which are possibly outdated, and by what."""
        notes = await service.change_notes(reach, [m for m, _ in found])
        if flags is not None:
            flags.update((m.id, newer) for m, _ in found if (newer := _outdated_by(m)))
        return [item(m, score, 800, notes.get(m.id), reach=reach) for m, score in found]

    async def newer_first(reach: Reach, out: JeanOut, flags: dict[str, str]) -> None:
        """Each possibly outdated memory right after its newer one (``context.newer_first``), fetched if needed
        (from the spaces this call reaches only)."""
        shown = {m.id: m for part in (out.saved, out.already_known, out.profile, out.relevant, out.recent)
                 for m in part}
        placed = {m.id for part in (out.profile, out.relevant, out.recent) for m in part}
        for _ in range(3):  # the newer one may itself be flagged: follow a short chain
            missing = list({new for old, new in flags.items() if old in placed and new not in shown})
            fetched = await readable(service.stores, reach, missing) if missing else []
            if not fetched:
                break
            shown.update((m.id, m) for m in await items(reach, [(m, None) for m in fetched], flags))
            placed |= {m.id for m in fetched}
        links = {old: new for old, new in flags.items() if new in shown}
        parts = [[m.id for m in part] for part in (out.saved, out.already_known, out.profile, out.relevant,
                                                       out.recent)]
        _, _, out.profile, out.relevant, out.recent = (
            [shown[i] for i in ids] for ids in context.newer_first(parts, links, fixed=2))

    @server.tool(title="Jean Memory", annotations=ToolAnnotations(
        read_only_hint=False, destructive_hint=False, idempotent_hint=True, open_world_hint=False), description=(
        "Call this on EVERY user message, before answering. It remembers what is worth remembering from the "
        "message (facts, preferences, plans, names, dates; never twice) and returns the memories relevant to it. "
        "Set is_new_conversation=true on the first message of a conversation to also get a short profile of the "
        "user. depth: 0 = only save; 1 = a few most relevant memories (fast, default); 2 = plus related and recent "
        "context; 3 = comprehensive, including passages of stored documents. space (list_spaces): save to and "
        "recall from that space only; by default saves go to the default space and recall covers every space."))
    @tool_errors
    async def jean_memory(
        user_message: Annotated[str, Field(description="The user's message, verbatim.")], ctx: Ctx,
        is_new_conversation: Annotated[bool, Field(description="True on a conversation's first message.")] = False,
        depth: Annotated[int, Field(ge=0, le=3,
                                    description="0 save only, 1 fast (default), 2 more, 3 comprehensive.")] = 1,
        space: Annotated[str | None, Field(description=(
            "Optional: a space's id or name (list_spaces) to save to and recall from. Default: save to the default "
            "space, recall from every space."))] = None,
    ) -> Annotated[CallToolResult, JeanOut]:
        who = principal_of(ctx)
        reach = await reach_of(ctx, runtime.stores)
        if depth not in (0, 1, 2, 3):
            raise InvalidInput("depth must be 0, 1, 2 or 3")
        message = v.text_field(user_message, "user_message", settings.max_memory_bytes * 4)
        facts = (await llm.extract_facts(settings, message) if settings.llm_url else None) or fact_sentences(message)
        refused: str | None = None
        try:
            added = await service.add(reach, facts, client_id=who.client_id, infer_expiry=True,
                                      space=space) if facts else []
        except Forbidden as exc:  # a read-only connection still gets its context, told plainly what was not saved
            added, refused = [], f"Nothing was saved: {exc.message}"
        out = JeanOut(saved=[item(r.memory, change=_changed(r), reach=reach) for r in added if r.created],
                      already_known=[item(r.memory, reach=reach) for r in added if not r.created], not_saved=refused)
        shown = {m.id for m in out.saved}
        flags = {r.memory.id: new for r in added if not r.created and (new := _outdated_by(r.memory))}
        if is_new_conversation:
            important = await relevant(reach, PROFILE_QUERY, 5, False, shown, flags=flags, space=space)
            shown |= {m.id for m in important}
            newest = await latest(reach, 5, shown, flags, space)
            out.profile = important + newest
            out.total_memories = await service.count(reach, space=space)
            shown |= {m.id for m in newest}
        if depth:
            n, recent_n, documents = DEPTHS[depth]
            query = message[: v.MAX_QUERY_CHARS]
            out.relevant = [m for m in await relevant(reach, query, n, documents, shown, flags=flags, space=space)
                            if m.id not in shown]
            shown |= {m.id for m in out.relevant}
            if recent_n:
                out.recent = await latest(reach, recent_n, shown, flags, space)
        if flags:
            await newer_first(reach, out, flags)
        out.profile, cut1 = fit(out.profile, BUDGET // 4)
        out.relevant, cut2 = fit(out.relevant, BUDGET // 2 if depth < 3 else BUDGET)
        out.recent, cut3 = fit(out.recent, BUDGET // 4)
        return ok(_render(out, flags), out)

    @server.tool(title="Ask memory", annotations=ToolAnnotations(read_only_hint=True, open_world_hint=False),
                 description=(
        "Answer a question about the user from their memories, e.g. 'What are my dietary restrictions?'. Returns "
        "the memories that bear on it (and a synthesised answer when the server has a language model configured)."))
    @tool_errors
    async def ask_memory(
        question: Annotated[str, Field(description="The question, in natural language.")], ctx: Ctx,
    ) -> Annotated[CallToolResult, AskOut]:
        reach = await reach_of(ctx, runtime.stores)
        q = v.query_field(question)
        found, _ = fit(await relevant(reach, q, 8, False, set(), fill=False))
        answer = None
        if found and settings.llm_url:
            facts = "\n".join(f"- ({m.created_at[:10]}) {m.text}" for m in found)
            answer = await llm.complete(settings, llm.ANSWER_PROMPT, f"Memories:\n{facts}\n\nQuestion: {q}")
        if not found:
            text = "Nothing in memory bears on this question."
        else:
            text = (f"Answer: {answer}\n\nFrom:\n" if answer else "What memory holds on this:\n") + lines(found)
        return ok(text, AskOut(question=q, answer=answer, memories=found))


def _changed(result: AddResult) -> str | None:
    """"changed from Berlin on 2026-11-27" for a memory saved now that replaced another."""
    if not result.replaced:
        return None
    old = result.replaced[0]
    value = old.replaced_value or shorten(old.text)
    return f"changed from {value} on {iso(result.memory.created_at)[:10]}"


def _outdated_by(memory: Memory) -> str | None:
    """The newer memory that may make this one outdated (``Memory.possibly_outdated_by``, where the store has it)."""
    newer = getattr(memory, "possibly_outdated_by", None)
    return newer if isinstance(newer, str) else None


def _lines(items: list[MemoryItem], flags: dict[str, str], mixed: bool = False) -> str:
    """``results.lines``, a possibly outdated memory marked so, never shown as a plain fact."""
    out = []
    for it in items:
        line = lines([it], mixed)
        if it.id in flags and "possibly outdated" not in line.lower():
            head, sep, tail = line.rpartition(" (id ")
            line = f"{head} [possibly outdated (newer: {flags[it.id]})]{sep}{tail}"
        out.append(line)
    return "\n".join(out)


def _render(out: JeanOut, flags: dict[str, str]) -> str:
    """The text form; each memory names its space when they come from more than one."""
    parts = [out.not_saved] if out.not_saved else []
    mixed = len({m.space for part in (out.saved, out.profile, out.relevant, out.recent) for m in part}) > 1
    if out.saved:
        parts.append("Saved to memory:\n" + _lines(out.saved, flags, mixed))
    if out.already_known:
        parts.append("Already remembered:\n" + "\n".join(
            f"- {m.text}" + (f" [possibly outdated (newer: {flags[m.id]})]" if m.id in flags else "")
            for m in out.already_known))
    if out.profile:
        parts.append(f"About the user ({out.total_memories} memories in all):\n" + _lines(out.profile, flags, mixed))
    elif out.total_memories == 0 and not out.saved:
        parts.append("Nothing is remembered about this user yet.")
    if out.relevant:
        parts.append("Relevant memories:\n" + _lines(out.relevant, flags, mixed))
    if out.recent:
        parts.append("Recent memories:\n" + _lines(out.recent, flags, mixed))
    return "\n\n".join(parts) or "Nothing relevant in memory; nothing new to remember."
