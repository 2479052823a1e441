"""The server's application: the API and the web workspace assembled on one Litestar app (the only module that imports both)."""

from __future__ import annotations

from pathlib import Path

from litestar import Litestar, MediaType, Request, Response, get
from litestar.datastructures import State
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.static_files import create_static_files_router

from mediation.api.auth import issue_token
from mediation.api.cases import CaseController
from mediation.api.documents import DocumentController
from mediation.api.errors import EXCEPTION_HANDLERS
from mediation.api.metrics import metrics_report
from mediation.api.openapi_docs import ClosedStructSchemaPlugin
from mediation.api.orders import order_index
from mediation.api.reference import health, list_workflows, show_workflow
from mediation.db import Database
from mediation.directory.identity import ActorCache
from mediation.directory.tokens import TokenService, shared_secret
from mediation.services import Services
from mediation.web import TEMPLATE_CONFIG, WEB_ROUTES

REQUEST_BODY_LIMIT = 256 * 1024
STATIC_DIR = Path(__file__).parent / "static"
SWAGGER = "/static/vendor/swagger-ui"


@get("/api/v1/ping", sync_to_thread=False, include_in_schema=False)
def ping() -> dict[str, str]:
    """A trivial JSON endpoint: the benchmark's reference."""
    return {"pong": "ok"}


def answer_options(request: Request) -> Response | None:
    """OPTIONS names every method of the path (Litestar 2 can name only some when routes merge)."""
    if request.method != "OPTIONS":
        return None
    handler = request.scope.get("route_handler")
    methods = sorted({
        method for route in request.app.routes if handler in getattr(route, "route_handlers", ())
        for method in route.methods
    })
    return Response(None, status_code=204, headers={"Allow": ", ".join(methods)}, media_type=MediaType.TEXT)


def create_app(database_url: str | None = None) -> Litestar:
    """The API for one database (MEDIATION_DATABASE_URL unless given)."""
    db = Database(database_url)
    db.start_checkpointer()
    services = Services(db=db, tokens=TokenService(shared_secret(db)), actors=ActorCache(db))
    db.workflows.current_version_id()
    return Litestar(
        route_handlers=[
            issue_token, CaseController, health, list_workflows, show_workflow, ping, metrics_report, order_index,
            create_static_files_router(path="/static", directories=[STATIC_DIR], include_in_schema=False),
            DocumentController,
            *WEB_ROUTES,
        ],
        template_config=TEMPLATE_CONFIG,
        state=State({"services": services}),
        exception_handlers=EXCEPTION_HANDLERS,
        request_max_body_size=REQUEST_BODY_LIMIT,
        plugins=[ClosedStructSchemaPlugin()],
        before_request=answer_options,
        openapi_config=OpenAPIConfig(
            title="mediation API",
            version="1",
            description="社区矛盾纠纷多元化解 — cases, transitions, documents, metrics.",
            path="/schema",
            components=Components(
                security_schemes={"BearerToken": SecurityScheme(type="http", scheme="bearer", bearer_format="JWT")}
            ),
            render_plugins=[
                SwaggerRenderPlugin(
                    js_url=f"{SWAGGER}/swagger-ui-bundle.js",
                    css_url=f"{SWAGGER}/swagger-ui.css",
                    standalone_preset_js_url=f"{SWAGGER}/swagger-ui-standalone-preset.js",
                    favicon=f'<link rel="icon" type="image/png" href="{SWAGGER}/favicon-32x32.png">',
                )
            ],
        ),
        on_shutdown=[db.dispose],
    )
