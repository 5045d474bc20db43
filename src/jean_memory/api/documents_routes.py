"""``/api/v1/documents``: long texts split into passages that search returns, each in one space."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from ..deps import RuntimeDep
from .access import ReadReach, WriteReach
from .schemas import SPACE_READ, DocumentIn, DocumentOut

router = APIRouter(prefix="/api/v1", tags=["documents"])


@router.post("/documents", operation_id="storeDocument", summary="Store a document", status_code=201,
             response_model=DocumentOut)
async def store_document(body: DocumentIn, reach: WriteReach, runtime: RuntimeDep) -> DocumentOut:
    """Store a long text: it is split into passages that search can return."""
    doc = await runtime.memory.store_document(reach, body.title, body.content, body.document_type,
                                              body.source_url, reach.client_id, body.metadata, space=body.space)
    return DocumentOut.of(doc, reach, with_content=False)


@router.get("/documents", operation_id="listDocuments", summary="List documents", response_model=list[DocumentOut])
async def list_documents(
    reach: ReadReach, runtime: RuntimeDep, limit: int = 50, offset: int = 0,
    space: Annotated[str | None, Query(description=SPACE_READ + ".")] = None,
) -> list[DocumentOut]:
    """Your documents, newest first (without their content)."""
    docs = await runtime.memory.list_documents(reach, limit, offset, space=space)
    return [DocumentOut.of(d, reach, with_content=False) for d in docs]


@router.get("/documents/{document_id}", operation_id="getDocument", summary="Get a document",
            response_model=DocumentOut)
async def get_document(document_id: str, reach: ReadReach, runtime: RuntimeDep) -> DocumentOut:
    """One document, with its content."""
    return DocumentOut.of(await runtime.memory.get_document(reach, document_id), reach)


@router.delete("/documents/{document_id}", operation_id="deleteDocument", summary="Delete a document", status_code=204)
async def delete_document(document_id: str, reach: WriteReach, runtime: RuntimeDep) -> Response:
    """Delete a document and its passages."""
    await runtime.memory.delete_document(reach, document_id)
    return Response(status_code=204)
