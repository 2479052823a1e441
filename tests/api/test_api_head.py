"""HEAD works wherever GET does (DESIGN §9.1): the same status and headers, and no body.

Health monitors and link checkers send HEAD; before, every route answered it with 405.
"""

from __future__ import annotations

import httpx
import pytest
from api_support import Api
from web_session import anonymous_browser, signed_in

pytestmark = pytest.mark.usefixtures("no_server_errors")

# Headers that differ from one answer to the next whatever the method.
VARYING = {"date", "set-cookie", "x-request-id"}

API_PATHS = (
    "/health",
    "/api/v1/cases",
    "/api/v1/cases?stage=mediation&page_size=5",
    "/api/v1/cases/{case}",
    "/api/v1/cases/{case}/events",
    "/api/v1/cases/999999999",
    "/api/v1/workflows",
    "/api/v1/workflows/mediation",
    "/api/v1/orders",
    "/api/v1/metrics",
    "/api/v1/cases/{case}/documents/case_file.pdf",
    "/schema/openapi.json",
)
WEB_PATHS = ("/", "/cases/{case}", "/cases/new", "/orders", "/dashboard", "/cases/999999999")
ANONYMOUS_PATHS = ("/health", "/login", "/", "/cases/{case}", "/api/v1/cases", "/static/vendor/swagger-ui/swagger-ui.css",
                   "/no/such/page")


def _same_as_get(client: httpx.Client, path: str) -> httpx.Response:
    """HEAD of `path` answers as its GET does, without a body; the HEAD answer."""
    got = client.get(path)
    head = client.head(path)
    assert head.status_code == got.status_code, f"HEAD {path}: {head.status_code}, GET: {got.status_code}"
    assert head.content == b"", f"HEAD {path} sent a body"
    got_headers = {k: v for k, v in got.headers.items() if k not in VARYING}
    head_headers = {k: v for k, v in head.headers.items() if k not in VARYING}
    assert head_headers == got_headers, f"HEAD {path}"
    assert int(head.headers.get("content-length", "0")) == len(got.content), f"HEAD {path}"
    return head


@pytest.mark.parametrize("path", API_PATHS)
def test_head_answers_like_get_on_the_api(api: Api, path: str) -> None:
    head = _same_as_get(api.as_user("mediator1"), path.format(case=api.cases["own_in_session"]))
    if path == "/api/v1/cases/{case}":
        assert head.headers["etag"] == f'"{api.version(api.cases["own_in_session"])}"'


@pytest.mark.parametrize("path", WEB_PATHS)
def test_head_answers_like_get_on_web_pages(api: Api, path: str) -> None:
    with signed_in(api, "mediator1") as browser:
        _same_as_get(browser, path.format(case=api.cases["own_in_session"]))


@pytest.mark.parametrize("path", ANONYMOUS_PATHS)
def test_head_answers_like_get_without_login(api: Api, path: str) -> None:
    with anonymous_browser(api) as browser:
        _same_as_get(browser, path.format(case=api.cases["own_in_session"]))


def test_health_monitors_get_200_from_head(api: Api) -> None:
    head = api.anonymous().head("/health")
    assert head.status_code == 200
    assert head.headers["content-type"].startswith("application/json")
    assert int(head.headers["content-length"]) > 0


def test_head_is_no_write_and_routes_without_get_still_refuse_it(api: Api) -> None:
    case_id = api.cases["own_in_session"]
    before = api.version(case_id), api.event_count(case_id)
    for path in ("/api/v1/auth/token", f"/api/v1/cases/{case_id}/transitions", "/logout", f"/cases/{case_id}/fire"):
        head = api.as_user("mediator1").head(path)
        assert head.status_code == 405, path
        assert head.content == b""
    assert (api.version(case_id), api.event_count(case_id)) == before


@pytest.mark.parametrize("method", ["OPTIONS", "DELETE"])
def test_allow_names_head_beside_get(api: Api, method: str) -> None:
    for path in ("/health", f"/api/v1/cases/{api.cases['own_in_session']}", "/login"):
        answer = api.as_user("mediator1").request(method, path)
        assert answer.status_code in (204, 405), (path, answer.status_code)
        allowed = {name.strip() for name in answer.headers["allow"].split(",")}
        assert {"GET", "HEAD"} <= allowed, (path, allowed)
