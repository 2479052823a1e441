"""422 answers carry a stable `code` and both languages; `detail` is Chinese for a reader whose
Accept-Language ranks Chinese first, English otherwise (and for a client that sends none)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from api_support import Api, assert_error

pytestmark = pytest.mark.usefixtures("no_server_errors")

CHINESE = {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}


def _fire(api: Api, case_id: int, trigger: str, data: dict[str, Any],
          headers: dict[str, str] | None = None) -> httpx.Response:
    return api.as_user("mediator1").post(f"/api/v1/cases/{case_id}/transitions", headers=headers or {},
                                         json={"trigger": trigger, "expected_version": api.version(case_id),
                                               "data": data})


def _names(api: Api, case_id: int) -> list[tuple[int, str]]:
    return [(p["id"], p["name"]) for p in api.as_user("mediator1").get(f"/api/v1/cases/{case_id}").json()["parties"]]


def test_a_guard_refusal_names_the_parties_in_the_readers_language(api: Api) -> None:
    case_id = api.new_case("mediation.assigned")
    parties = _names(api, case_id)
    version = api.version(case_id)
    english = assert_error(_fire(api, case_id, "start_session", {}), 422)
    chinese = assert_error(_fire(api, case_id, "start_session", {}, CHINESE), 422)
    assert api.version(case_id) == version
    names = [name for _, name in parties]
    assert chinese["detail"] == f"当事人{'、'.join(names)}尚未同意调解"
    assert english["detail"] == f"{', '.join(names)} have not consented to mediation"
    for body in (english, chinese):
        assert body["extra"]["code"] == "consent_missing" and body["extra"]["guard"] == "all_parties_consented"
        assert body["extra"]["parties"] == [party_id for party_id, _ in parties]
        assert body["extra"]["reasons"] == {"zh": chinese["detail"], "en": english["detail"]}
        assert not any(str(party_id) in body["detail"] for party_id, _ in parties)


def test_a_second_signature_is_refused_with_its_code(api: Api) -> None:
    case_id = api.new_case("mediation.agreement_drafted")
    (party_id, name), *_ = _names(api, case_id)
    assert _fire(api, case_id, "sign", {"party_id": party_id}).status_code == 200
    events = api.event_count(case_id)
    twice = assert_error(_fire(api, case_id, "sign", {"party_id": party_id}, CHINESE), 422)
    assert (twice["extra"]["code"], twice["detail"]) == ("already_signed", f"当事人{name}已签名")
    assert api.event_count(case_id) == events


@pytest.mark.parametrize(("accept", "detail"), [
    (None, "data.party_id: is required"),
    ("en-US,en;q=0.9,zh-CN;q=0.5", "data.party_id: is required"),
    ("zh-CN", "当事人：必填"),
    ("en;q=0.4, zh-TW;q=0.8", "当事人：必填"),
])
def test_a_data_rule_answers_with_its_code_and_the_readers_words(api: Api, accept: str | None, detail: str) -> None:
    case_id = api.new_case("mediation.assigned")
    body = assert_error(_fire(api, case_id, "record_consent", {}, {"Accept-Language": accept} if accept else None),
                        422)
    assert body["detail"] == detail
    assert body["extra"]["field"] == "data.party_id" and body["extra"]["code"] == "required"
    assert body["extra"]["reasons"] == {"zh": "必填", "en": "is required"}


def test_a_trigger_the_state_does_not_offer_is_told_in_the_readers_words(api: Api) -> None:
    case_id = api.new_case("mediation.assigned")
    events = api.event_count(case_id)
    chinese = assert_error(_fire(api, case_id, "sign", {"party_id": _names(api, case_id)[0][0]}, CHINESE), 409)
    assert chinese["extra"]["code"] == "not_allowed_in_state" and chinese["extra"]["trigger"] == "sign"
    assert chinese["detail"].startswith("案件处于“已指派调解员”，不能办理“签名（捺印）”；现在可以办理：")
    assert "start_session" not in chinese["detail"] and "开始调解" in chinese["detail"]
    english = assert_error(_fire(api, case_id, "sign", {}), 409)
    assert english["detail"] == "trigger 'sign' is not allowed in state 'mediation.assigned'"
    assert english["extra"]["reasons"]["en"].startswith("In the state 'Mediator assigned', 'Sign' cannot be done")
    assert api.event_count(case_id) == events


def test_a_role_that_may_not_fire_is_told_in_the_readers_words(api: Api) -> None:
    case_id = api.new_case("screening.reported")
    response = api.as_user("grid1").post(f"/api/v1/cases/{case_id}/transitions", headers=CHINESE, json={
        "trigger": "triage", "expected_version": api.version(case_id), "data": {"risk_level": "low"}})
    body = assert_error(response, 403)
    assert body["extra"]["code"] == "role_may_not_fire"
    assert body["detail"] == "您的角色不能对本案办理“研判分流”"
