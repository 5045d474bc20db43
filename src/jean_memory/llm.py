"""Optional OpenAI-compatible chat endpoint (``JEAN_MEMORY_LLM_URL``): better fact extraction, synthesised
answers, and a second opinion on replacements the local judgment is unsure of (``confirm_replacement``). Every
failure (no endpoint, network, timeout, bad JSON) returns None and the caller falls back to the deterministic path;
nothing here is required for the tools to work."""

from __future__ import annotations

import json
import logging

import httpx

from .settings import Settings

log = logging.getLogger("jean_memory.mcp.llm")
TIMEOUT = 20.0
CONFIRM_TIMEOUT = 5.0  # a confirmation holds up an add: past this the local judgment stands

EXTRACT_PROMPT = (
    "Extract the durable facts about the user from their message: facts about them, preferences, plans, names, "
    "dates. One short first-person sentence each. Skip questions, requests and small talk. Answer with a JSON "
    'object {"facts": [...]} and nothing else.'
)
ANSWER_PROMPT = (
    "Answer the question about the user using only the memories given. If they do not contain the answer, say "
    "so. Be brief."
)


CONFIRM_PROMPT = (
    "You keep a person's memory. An older memory and a newer one are given. Answer whether the newer memory makes "
    "the older one no longer true now, because it gives a new value for the same thing about the same person "
    "(where they live, a phone number, a job, a date or time of a plan, a tool, a diet, a name...). Facts that only "
    "share a topic, add a second thing, describe a plan, a question, a one-off or a temporary stay do not replace. "
    'When unsure, answer false. Answer with a JSON object {"replaces": true} or {"replaces": false} and nothing else.'
)


async def complete(settings: Settings, system: str, user: str, max_tokens: int = 400,
                   timeout: float = TIMEOUT) -> str | None:
    if not settings.llm_url:
        return None
    url = settings.llm_url.rstrip("/")
    if not url.endswith("/chat/completions"):
        url += "/chat/completions"
    headers = {"Authorization": f"Bearer {settings.llm_api_key}"} if settings.llm_api_key else {}
    body = {"model": settings.llm_model, "max_tokens": max_tokens, "temperature": 0,
            "messages": [{"role": "system", "content": system}, {"role": "user", "content": user}]}
    try:
        async with httpx.AsyncClient(timeout=timeout) as client:
            response = await client.post(url, json=body, headers=headers)
            response.raise_for_status()
            content = response.json()["choices"][0]["message"]["content"]
    except (httpx.HTTPError, ValueError, KeyError, IndexError, TypeError) as exc:
        log.warning("LLM endpoint failed (%s); using the deterministic path", type(exc).__name__)
        return None
    return content if isinstance(content, str) and content.strip() else None


async def extract_facts(settings: Settings, message: str) -> list[str] | None:
    reply = await complete(settings, EXTRACT_PROMPT, message[:8000])
    if reply is None:
        return None
    answer = _json_object(reply)
    facts = answer.get("facts") if answer is not None else None
    if not isinstance(facts, list) or not all(isinstance(f, str) for f in facts):
        return None
    return [f.strip() for f in facts if f.strip()][:10]


def _json_object(reply: str) -> dict[str, object] | None:
    """The reply as a JSON object (a fenced code block is unwrapped), or None."""
    try:
        answer = json.loads(reply.strip().removeprefix("```json").removeprefix("```").removesuffix("```"))
    except (ValueError, RecursionError):
        return None
    return answer if isinstance(answer, dict) else None


async def confirm_replacement(settings: Settings, new: str, old: str) -> bool | None:
    """Does ``new`` replace ``old``? The endpoint's answer, or None (no endpoint, a failure, an answer that is not
    ``{"replaces": true|false}``): then the local judgment stands."""
    reply = await complete(settings, CONFIRM_PROMPT, f"Older memory: {old[:2000]}\nNewer memory: {new[:2000]}",
                           max_tokens=20, timeout=CONFIRM_TIMEOUT)
    if reply is None:
        return None
    answer = _json_object(reply)
    verdict = answer.get("replaces") if answer is not None else None
    return verdict if isinstance(verdict, bool) else None
