"""Dashboard account: export everything as JSON lines, import such a file, delete the account after confirmation.
(Changing the password: ``password.py``.)"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse, StreamingResponse

from ...accounts.api_keys import key_cache
from ...accounts.revoked import credentials_revoked
from ...accounts.sessions import end_session
from ...errors import InvalidInput
from ..common import SiteRoute, SiteUser, checked_form, field, render, runtime_of, upload

router = APIRouter(route_class=SiteRoute, include_in_schema=False)
NOTICES = {"password": "Password changed. Every other browser signed in to this account was signed out."}


@router.get("/dashboard/account")
async def account_page(request: Request, user: SiteUser, notice: str = "") -> Response:
    return render(request, "dashboard/account.html", count=await runtime_of(request).memory.count(user.id),
                  notice=NOTICES.get(notice, ""))


@router.get("/dashboard/account/export")
async def export(request: Request, user: SiteUser) -> Response:
    memory = runtime_of(request).memory

    async def lines() -> AsyncIterator[bytes]:
        async for line in memory.export_lines(user.id):
            yield line.encode("utf-8")

    headers = {"Content-Disposition": 'attachment; filename="jean-memory-export.jsonl"', "Cache-Control": "no-store"}
    return StreamingResponse(lines(), media_type="application/x-ndjson", headers=headers)


def _parse_jsonl(raw: bytes) -> list[dict[str, Any]]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput("The import file must be UTF-8 JSON lines, as written by Export.") from exc
    records = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except (ValueError, RecursionError) as exc:
            raise InvalidInput(f"Line {n} of the import file is not valid JSON.") from exc
        if not isinstance(record, dict):
            raise InvalidInput(f"Line {n} of the import file is not a JSON object.")
        records.append(record)
    if not records:
        raise InvalidInput("The import file is empty.")
    return records


@router.post("/dashboard/account/import")
async def import_file(request: Request, user: SiteUser) -> Response:
    form = await checked_form(request)
    file = upload(form, "file")
    if file is None or not file.filename:
        raise InvalidInput("Choose a .jsonl file written by Export.")
    records = _parse_jsonl(await file.read())
    counts = await runtime_of(request).memory.import_records(user.id, records)
    notice = (f"Imported {counts['memories']} memories, {counts['documents']} documents; "
              f"skipped {counts['duplicates'] + counts['duplicate_documents']} you already had.")
    return render(request, "dashboard/account.html", count=await runtime_of(request).memory.count(user.id),
                  notice=notice)


@router.post("/dashboard/account/delete")
async def delete_account(request: Request, user: SiteUser) -> Response:
    form = await checked_form(request)
    if field(form, "confirm_email", 300).strip().lower() != user.email.lower():
        return render(request, "dashboard/account.html", 400, count=await runtime_of(request).memory.count(user.id),
                      error="Type your email address exactly to confirm deleting your account.")
    runtime = runtime_of(request)
    await runtime.stores.users.delete_user(user.id)
    key_cache(runtime.extras).forget(user.id)
    credentials_revoked(runtime.extras, user.id)
    response = RedirectResponse("/?notice=deleted", status_code=303)
    await end_session(request, response)
    return response
