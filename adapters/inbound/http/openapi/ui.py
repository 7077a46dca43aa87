"""Swagger UI from the swagger-ui-bundle package's files (no CDN: `/docs` works offline), and the
JSON document, both serving the completed document."""

from __future__ import annotations

from typing import Any

import swagger_ui_bundle
from litestar import Request
from litestar.openapi.plugins import JsonRenderPlugin, SwaggerRenderPlugin
from litestar.static_files import create_static_files_router

from adapters.inbound.http.openapi.document import complete
from adapters.inbound.http.openapi.openapi30 import as_openapi30

ASSETS = "/docs-assets/swagger-ui"


def _completed(request: Request[Any, Any, Any], generated: dict[str, Any]) -> dict[str, Any]:
    """Litestar's document completed, once per app (kept in its state)."""
    document: dict[str, Any] | None = request.app.state.get("openapi_document")
    if document is None:
        document = complete(generated)
        request.app.state["openapi_document"] = document
    return document


class DocumentJson(JsonRenderPlugin):
    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        return super().render(request, _completed(request, openapi_schema))


class OfflineSwagger(SwaggerRenderPlugin):
    """Swagger UI 4 from swagger-ui-bundle, shown the OpenAPI 3.0 rendition it can read."""

    def __init__(self) -> None:
        super().__init__(
            js_url=f"{ASSETS}/swagger-ui-bundle.js",
            css_url=f"{ASSETS}/swagger-ui.css",
            standalone_preset_js_url=f"{ASSETS}/swagger-ui-standalone-preset.js",
            favicon=f"<link rel='icon' type='image/png' href='{ASSETS}/favicon-32x32.png'>",
            path="/",
        )

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        rendition: dict[str, Any] | None = request.app.state.get("openapi_30")
        if rendition is None:
            rendition = as_openapi30(_completed(request, openapi_schema))
            request.app.state["openapi_30"] = rendition
        return super().render(request, rendition)


def swagger_assets() -> Any:
    """The static files of Swagger UI, as installed with the swagger-ui-bundle package."""
    return create_static_files_router(
        path=ASSETS,
        directories=[swagger_ui_bundle.swagger_ui_path],
        include_in_schema=False,
        name="swagger-ui-assets",
    )
