"""Dashboard documents: list (paginated), read, add (paste or upload text), delete."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from ...errors import InvalidInput
from ..common import SiteRoute, SiteUser, checked_form, field, render, runtime_of, upload
from ..links import document_path
from .app_names import app_name, app_names
from .confirm import confirm_page, confirmed

router = APIRouter(route_class=SiteRoute, include_in_schema=False)
PAGE = 20
NOTICES = {"added": "Document stored: its text is now searchable.", "deleted": "Document deleted."}


@router.get("/dashboard/documents")
async def documents_page(request: Request, user: SiteUser, page: int = 1, notice: str = "") -> Response:
    page = min(max(page, 1), 10_000)
    docs = await runtime_of(request).memory.list_documents(user.id, PAGE + 1, (page - 1) * PAGE)
    names = await app_names(runtime_of(request), user.id, [d.client_id for d in docs[:PAGE]])
    return render(request, "dashboard/documents.html", documents=docs[:PAGE], page=page, more=len(docs) > PAGE,
                  app_of={d.id: app_name(d.client_id, names) for d in docs[:PAGE]}, notice=NOTICES.get(notice, ""))


@router.get("/dashboard/documents/{document_id}")
async def document_page(request: Request, user: SiteUser, document_id: str) -> Response:
    doc = await runtime_of(request).memory.get_document(user.id, document_id)
    names = await app_names(runtime_of(request), user.id, [doc.client_id])
    return render(request, "dashboard/document.html", document=doc, app=app_name(doc.client_id, names))


@router.post("/dashboard/documents")
async def add_document(request: Request, user: SiteUser) -> Response:
    form = await checked_form(request)
    content = field(form, "content", 10_000_000)
    file = upload(form, "file")
    title = field(form, "title", 1000)
    if file is not None and file.filename:
        raw = await file.read()
        try:
            content = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidInput("Upload a UTF-8 text or Markdown file.") from exc
        title = title or file.filename
    await runtime_of(request).memory.store_document(user.id, title, content, client_id="dashboard")
    return RedirectResponse("/dashboard/documents?notice=added", status_code=303)


@router.post("/dashboard/documents/{document_id}/delete")
async def delete_document(request: Request, user: SiteUser, document_id: str) -> Response:
    form = await checked_form(request)
    memory = runtime_of(request).memory
    doc = await memory.get_document(user.id, document_id)  # 404 page for an unknown (or someone else's) id
    if not confirmed(form):
        return confirm_page(request, title="Delete this document?", items=[doc.title], button="Delete document",
                            question="Delete this document and its searchable text? This cannot be undone.",
                            action=document_path(doc.id) + "/delete", cancel="/dashboard/documents")
    await memory.delete_document(user.id, document_id)
    return RedirectResponse("/dashboard/documents?notice=deleted", status_code=303)
