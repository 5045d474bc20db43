"""Optional OpenAI-compatible chat endpoint (``JEAN_MEMORY_LLM_URL``): better fact extraction and synthesised
answers. Every failure (no endpoint, network, timeout, bad JSON) returns None and the caller falls back to the
deterministic path; nothing here is required for the tools to work."""

from __future__ import annotations

import json
import logging

import httpx

from ..settings import Settings

log = logging.getLogger("jean_memory.mcp.llm")
TIMEOUT = 20.0

EXTRACT_PROMPT = (
    "Extract the durable facts about the user from their message: facts about them, preferences, plans, names, "
    "dates. One short first-person sentence each. Skip questions, requests and small talk. Answer with a JSON "
    'object {"facts": [...]} and nothing else.'
)
ANSWER_PROMPT = (
    "Answer the question about the user using only the memories given. If they do not contain the answer, say "
    "so. Be brief."
)


async def complete(settings: Settings, system: str, user: str, max_tokens: int = 400) -> str | None:
    if not settings.llm_url:
        return None
    url = settings.llm_url.rstrip("/")
    if not url.endswith("/chat/completions"):
        url += "/chat/completions"
    headers = {"Authorization": f"Bearer {settings.llm_api_key}"} if settings.llm_api_key else {}
    body = {"model": settings.llm_model, "max_tokens": max_tokens, "temperature": 0,
            "messages": [{"role": "system", "content": system}, {"role": "user", "content": user}]}
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT) as client:
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
    try:
        facts = json.loads(reply.strip().removeprefix("```json").removesuffix("```"))["facts"]
    except (ValueError, KeyError, TypeError):
        return None
    if not isinstance(facts, list) or not all(isinstance(f, str) for f in facts):
        return None
    return [f.strip() for f in facts if f.strip()][:10]
