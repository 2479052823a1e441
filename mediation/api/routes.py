"""What the API brings to the server: its routes, error mapping, OpenAPI document and OPTIONS answers."""

from __future__ import annotations

from litestar import MediaType, Request, Response, get
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme

from mediation.api.attachments import AttachmentController
from mediation.api.audit import directory_changes, personal_data_views
from mediation.api.auth import issue_token
from mediation.api.bulk import bulk_transitions
from mediation.api.calendar import calendar_feed, issue_calendar_token
from mediation.api.case_export import export_cases
from mediation.api.cases import CaseController
from mediation.api.directory import UnitController, UserController
from mediation.api.documents import DocumentController, FormController
from mediation.api.errors import EXCEPTION_HANDLERS
from mediation.api.metrics import metrics_report
from mediation.api.monitoring import prometheus_metrics
from mediation.api.my_work import my_work
from mediation.api.notifications import NotificationController
from mediation.api.openapi_docs import ClosedStructSchemaPlugin
from mediation.api.orders import order_index
from mediation.api.reference import health, list_workflows, show_workflow
from mediation.api.saved_filters import SavedFilterController
from mediation.api.trigger_schemas import TransitionRequestSchemaPlugin
from mediation.api.workflow_versions import WorkflowVersionController
from mediation.workflows.loader import current_definition

SWAGGER = "/static/vendor/swagger-ui"


@get("/api/v1/ping", sync_to_thread=False, include_in_schema=False)
def ping() -> dict[str, str]:
    """A trivial JSON endpoint: the benchmark's reference."""
    return {"pong": "ok"}


async def answer_options(request: Request) -> Response | None:
    """OPTIONS names every method of the path (Litestar 2 can name only some when routes merge)."""
    if request.method != "OPTIONS":
        return None
    handler = request.scope.get("route_handler")
    methods = sorted({
        method for route in request.app.routes if handler in getattr(route, "route_handlers", ())
        for method in route.methods
    })
    return Response(None, status_code=204, headers={"Allow": ", ".join(methods)}, media_type=MediaType.TEXT)


API_ROUTES = [
    issue_token, CaseController, health, list_workflows, show_workflow, WorkflowVersionController, ping,
    metrics_report, order_index,
    DocumentController, AttachmentController, FormController, bulk_transitions,
    my_work, export_cases, SavedFilterController,
    UnitController, UserController, personal_data_views, directory_changes,
    NotificationController, issue_calendar_token, calendar_feed, prometheus_metrics,
]


def api_plugins() -> list:
    """The API's plugins, new for each app; each trigger's data is published as the current workflow defines it."""
    return [TransitionRequestSchemaPlugin(current_definition()), ClosedStructSchemaPlugin()]


def openapi_config() -> OpenAPIConfig:
    """The OpenAPI document at /schema, with a Swagger UI served from our own static files."""
    return OpenAPIConfig(
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
    )


__all__ = ["API_ROUTES", "EXCEPTION_HANDLERS", "answer_options", "api_plugins", "openapi_config"]
