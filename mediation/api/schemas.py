"""Request and response bodies of the API (msgspec structs, examples in Chinese)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta


class TokenRequest(msgspec.Struct, forbid_unknown_fields=True):
    username: Annotated[str, Meta(min_length=1, max_length=64, examples=["mediator1"])]
    password: Annotated[str, Meta(min_length=1, max_length=200, examples=["mediation-demo"])]


class TokenResponse(msgspec.Struct):
    access_token: str
    token_type: str
    expires_in: int


class OrganisationInput(msgspec.Struct, forbid_unknown_fields=True):
    """A company or other organisation as a party, with its legal representative."""

    name: Annotated[str, Meta(min_length=1, max_length=200, examples=["永嘉县某某建材有限公司"])]
    legal_representative: Annotated[str, Meta(max_length=100, examples=["陈某某"])] | None = None


class PartyInput(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, Meta(min_length=1, max_length=100, examples=["王某某"])]
    role: Literal["applicant", "respondent", "third_party"]
    id_number: Annotated[str, Meta(pattern=r"^\d{17}[\dXx]$", examples=["330324199001031234"])] | None = None
    phone: Annotated[str, Meta(pattern=r"^(1\d{10}|0\d{2,3}-?\d{7,8})$", examples=["13812345678"])] | None = None
    is_minor: bool = False
    # Particulars (DESIGN §9.2); the ethnicity one of the 56 nationalities by name, the address masked like a phone.
    gender: Literal["male", "female"] | None = None
    ethnicity: Annotated[str, Meta(max_length=20, examples=["汉族"])] | None = None
    birth_date: dt.date | None = None
    occupation: Annotated[str, Meta(max_length=100, examples=["个体工商户"])] | None = None
    address: Annotated[str, Meta(max_length=200, examples=["永嘉县瓯北街道锦绣花园3幢201室"])] | None = None
    language: Annotated[str, Meta(max_length=40, examples=["维吾尔语"])] | None = None
    needs_interpreter: bool = False
    organisation: OrganisationInput | None = None


class CaseCreate(msgspec.Struct, forbid_unknown_fields=True):
    """Intake of a new dispute (DESIGN §6)."""

    title: Annotated[str, Meta(min_length=1, max_length=200, examples=["楼上装修噪音扰民纠纷"])]
    description: Annotated[str, Meta(min_length=1, max_length=20_000, examples=["网格员排查发现，江北社区3幢居民反映楼上夜间装修噪音，双方多次争执。"])]
    channel: Annotated[str, Meta(max_length=40, examples=["grid_screening"])]
    unit: Annotated[str, Meta(min_length=1, max_length=64, examples=["330324001001"])]
    parties: Annotated[list[PartyInput], Meta(min_length=1, max_length=50)]
    category: Annotated[str, Meta(max_length=40, examples=["neighbour"])] | None = None
    risk_level: Literal["low", "elevated", "high", "critical"] = "low"
    referred_by: Annotated[str, Meta(min_length=1, max_length=64, examples=["350722-LM"],
                                     description="referral_in: the code of the partner unit that referred the case; "
                                                 "the case is shared with it")] | None = None


class TransitionRequest(msgspec.Struct, forbid_unknown_fields=True):
    """Fire a trigger; `expected_version` (or an If-Match header) guards against lost updates."""

    trigger: Annotated[str, Meta(min_length=1, max_length=64, examples=["draft_agreement"])]
    expected_version: Annotated[int, Meta(ge=1, le=2**31 - 1, examples=[5])] | None = None
    data: Annotated[dict[str, Any], Meta(examples=[{"terms": "乙方于2026年12月31日前赔偿甲方修缮费3000元。", "performance_deadline": "2026-12-31"}])] = {}


class ValidationProblem(msgspec.Struct):
    """One refused value of a 400 answer, as Litestar reports it."""

    message: str
    key: str | None = None  # the field, e.g. "data.reason" or "page"
    source: str | None = None  # where it was: body, query, path, header, cookie


class ErrorBody(msgspec.Struct):
    """Every error: Litestar's shape. `extra` names the field (`{"field": ...}`), the current version
    (409), or, for a request Litestar could not read, each refused value."""

    status_code: int
    detail: str
    extra: dict[str, Any] | list[ValidationProblem] | None = None


class Health(msgspec.Struct):
    status: str
    database: str


class WorkflowSummary(msgspec.Struct):
    name: str
    version: int
    content_hash: str
    labels: dict[str, str]
    states: int
    triggers: int


class WorkflowDetail(msgspec.Struct):
    name: str
    version: int
    content_hash: str
    labels: dict[str, str]
    states: dict[str, dict[str, str]]
    triggers: dict[str, Any]
    policy: dict[str, Any]
    mermaid: str
