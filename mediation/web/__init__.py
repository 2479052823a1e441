"""The web workspace: server-rendered pages on the API's engine, reach and masking (issue 6)."""

from __future__ import annotations

from pathlib import Path

from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig

from mediation.web.admin_audit import PersonalDataLog
from mediation.web.admin_changes import DirectoryChanges
from mediation.web.admin_units import AdminUnits
from mediation.web.admin_users import AdminUsers
from mediation.web.admin_workflows import WorkflowVersionPages
from mediation.web.board import Board
from mediation.web.calendar import CalendarPages
from mediation.web.case_attachments import CaseAttachments
from mediation.web.case_documents import CaseDocuments
from mediation.web.case_page import CasePages
from mediation.web.dashboard import DashboardPages
from mediation.web.inboxes import WorkLists
from mediation.web.intake import Intake
from mediation.web.list_exports import ListExports
from mediation.web.my_work import MyWork, offer_helpers
from mediation.web.notifications import NotificationPages
from mediation.web.sign_in import SignIn

TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "templates" / "web"
TEMPLATE_CONFIG = TemplateConfig(directory=TEMPLATE_DIR, engine=JinjaTemplateEngine, engine_callback=offer_helpers)
WEB_ROUTES = [SignIn, Board, CasePages, Intake, WorkLists, CaseDocuments, CaseAttachments, DashboardPages,
              AdminUnits, AdminUsers, DirectoryChanges, PersonalDataLog, WorkflowVersionPages, MyWork, NotificationPages, CalendarPages, ListExports]

__all__ = ["TEMPLATE_CONFIG", "TEMPLATE_DIR", "WEB_ROUTES"]
