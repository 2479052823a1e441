"""The caller's own notices: GET /api/v1/me/notifications, POST …/{id}/read, POST …/read-all."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter

from mediation.api.auth import AUTHENTICATED
from mediation.api.openapi_docs import BEARER, errors
from mediation.directory.actors import Actor
from mediation.notifications.inbox import (
    MAX_PAGE_SIZE,
    NoticePage,
    mark_all_read,
    mark_read,
    notifications_for,
    unread_count,
)
from mediation.services import services_of


class ReadAnswer(msgspec.Struct):
    """How many of the caller's notices are still unread (and how many this call marked read)."""

    unread: int
    marked: int


class NotificationController(Controller):
    path = "/api/v1/me/notifications"
    tags = ["me"]
    dependencies = AUTHENTICATED
    security = BEARER

    @get("/", sync_to_thread=False, responses=errors(400, 401),
         summary="My notices: unread first, then newest, each as a sentence in Chinese and English")
    def index(
        self,
        request: Request,
        actor: NamedDependency[Actor],
        unread: Annotated[bool, QueryParameter(description="true: unread notices only")] = False,
        page: Annotated[int, QueryParameter(ge=1, le=1_000_000)] = 1,
        page_size: Annotated[int, QueryParameter(ge=1, le=MAX_PAGE_SIZE)] = 50,
    ) -> NoticePage:
        """`topic` is a stable code (case_assigned, case_referred, supervise, reminder …); `text` says it in words."""
        with services_of(request).db.snapshot() as tx:
            return notifications_for(tx=tx, user_id=actor.user_id, page=page, page_size=page_size,
                                     unread_only=unread)

    @post("/{notification_id:int}/read", sync_to_thread=False, status_code=200, responses=errors(400, 401, 404),
          summary="Mark one of my notices read (again is fine; someone else's is 404)")
    def read(self, request: Request, actor: NamedDependency[Actor], notification_id: FromPath[int]) -> ReadAnswer:
        services = services_of(request)
        with services.db.write() as tx:
            before = unread_count(tx=tx, user_id=actor.user_id)
            mark_read(tx=tx, user_id=actor.user_id, notification_id=notification_id, now=services.clock())
            after = unread_count(tx=tx, user_id=actor.user_id)
        return ReadAnswer(unread=after, marked=before - after)

    @post("/read-all", sync_to_thread=False, status_code=200, responses=errors(401),
          summary="Mark all my notices read")
    def read_all(self, request: Request, actor: NamedDependency[Actor]) -> ReadAnswer:
        services = services_of(request)
        with services.db.write() as tx:
            marked = mark_all_read(tx=tx, user_id=actor.user_id, now=services.clock())
        return ReadAnswer(unread=0, marked=marked)
