"""``GET /api/docs``: Swagger UI for the REST API, served from the ``swagger-ui-bundle-v2`` package (no CDN).

FastAPI's own docs page loads Swagger UI from a CDN and starts it with an inline script: blank offline, and a
third party's script on the dashboard's origin. This page loads the vendored files from ``/api/docs/assets``
and starts them with ``/static/api-docs.js``, so it works offline and under the site's CSP (``script-src 'self'``).
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

from .. import templating

PATH = "/api/docs"
ASSETS = PATH + "/assets"
router = APIRouter(include_in_schema=False)


@router.get(PATH)
async def api_docs(request: Request) -> Response:
    return templating.render(request, "api_docs.html", assets=ASSETS, openapi_url=request.app.openapi_url)


def install_api_docs(app: FastAPI) -> None:
    app.include_router(router)
    app.mount(ASSETS, StaticFiles(directory=str(swagger_ui_path)), name="swagger-ui")
