"""The confirmation step before a delete, without JavaScript: a delete form posted without ``confirm=yes``
answers with a page that names what would go and posts the same form again with ``confirm=yes`` (and its own
CSRF token). One click never deletes anything, framed or not."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import Request, Response
from starlette.datastructures import FormData

from ..common import field, render

FIELD = "confirm"


def confirmed(form: FormData) -> bool:
    return field(form, FIELD, 10) == "yes"


def confirm_page(request: Request, *, title: str, question: str, items: Sequence[str], action: str,
                 button: str, cancel: str, hidden: Sequence[tuple[str, str]] = ()) -> Response:
    """``items``: what would be deleted, as the person knows it (texts, titles); ``hidden``: fields to post again."""
    return render(request, "dashboard/confirm.html", title=title, question=question, items=list(items),
                  action=action, button=button, cancel=cancel, hidden=list(hidden))
