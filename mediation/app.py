"""The server's application: the API and the web workspace on one Litestar app.

This is the only module that imports both `mediation.api` and `mediation.web`; neither imports
the other. What both need at run time (the database, tokens, actors, the clock) is the
`Services` of `mediation.services`, kept in the app's state.
"""

from __future__ import annotations

from pathlib import Path

from litestar import Litestar
from litestar.datastructures import State
from litestar.static_files import create_static_files_router

from mediation.api.routes import (
    API_ROUTES,
    EXCEPTION_HANDLERS,
    answer_options,
    api_plugins,
    openapi_config,
)
from mediation.db import Database
from mediation.db.pool_watch import watch_pools
from mediation.directory.identity import ActorCache
from mediation.directory.tokens import TokenService, shared_secret
from mediation.head_requests import with_head_requests
from mediation.observability import json_logs, observe_requests
from mediation.services import Services
from mediation.web import TEMPLATE_CONFIG, WEB_ROUTES

REQUEST_BODY_LIMIT = 256 * 1024
STATIC_DIR = Path(__file__).parent / "static"


def create_app(database_url: str | None = None) -> Litestar:
    """The server for one database (MEDIATION_DATABASE_URL unless given)."""
    db = Database(database_url)
    watch_pools(db)
    db.start_checkpointer()
    services = Services(db=db, tokens=TokenService(shared_secret(db)), actors=ActorCache(db))
    db.workflows.current_version_id()
    static = create_static_files_router(path="/static", directories=[STATIC_DIR], include_in_schema=False)
    json_lines = json_logs()  # then `serve` has set logging up for every line; Litestar leaves it alone
    app = Litestar(
        route_handlers=[*API_ROUTES, static, *WEB_ROUTES],
        template_config=TEMPLATE_CONFIG,
        state=State({"services": services}),
        exception_handlers=EXCEPTION_HANDLERS,
        request_max_body_size=REQUEST_BODY_LIMIT,
        plugins=api_plugins(),
        before_request=answer_options,
        openapi_config=openapi_config(),
        on_shutdown=[db.dispose],
        **({"logging_config": None} if json_lines else {}),
    )
    app.asgi_handler = observe_requests(app.asgi_handler, access_lines=json_lines)
    return with_head_requests(app)
