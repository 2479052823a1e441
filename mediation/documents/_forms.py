"""Blank printable forms (DESIGN §9.2, `GET /api/v1/forms/{kind}.pdf`): the documents' own templates
with nothing filled in, lines to write on where the case would print its words."""

from __future__ import annotations

from typing import Any

from mediation.documents._assembly import EMPTY_SECTIONS
from mediation.documents._errors import UnknownDocument
from mediation.documents._labels import LANGUAGES, translator
from mediation.errors import InvalidData

BLANK_FORMS = ("application", "intake_register", "rights_notice", "session_record", "investigation_record",
               "agreement", "outcome_notice")
CASE_FIELDS = ("number", "title", "description", "unit", "category", "channel", "state", "risk_level", "mechanism",
               "resolver", "mediator", "ladder_level", "filed_at", "closed_at", "updated_at", "chain_head")
PARTY_FIELDS = ("name", "id_number", "phone", "signed_at", "gender", "ethnicity", "age", "birth_date", "occupation",
                "address", "language", "organisation", "legal_representative")
BLANK_PARTIES = ("applicant", "respondent")


def blank_form_context(kind: str, lang: str = "zh") -> dict[str, Any]:
    """The context of a blank form of `kind` (UnknownDocument for a kind that has no blank form)."""
    if kind not in BLANK_FORMS:
        raise UnknownDocument(f"no blank form '{kind}'; forms: {', '.join(BLANK_FORMS)}", kind=kind,
                              kinds=list(BLANK_FORMS))
    if lang not in LANGUAGES:
        raise InvalidData("lang", f"must be one of {', '.join(LANGUAGES)}")
    t = translator(lang)
    title = t(f"title.{kind}")
    record = {"no": 1, "held_at": "", "place": "", "mediator": "", "recorder": "", "participants": [],
              "statements": [], "findings": "", "outcome": "", "interviewee": "", "content": "", "investigator": ""}
    return {
        **EMPTY_SECTIONS, "kind": kind, "lang": lang, "archival": False, "masked": False, "blank": True,
        "title": title, "committee": t("blank_committee"),
        "case": {**dict.fromkeys(CASE_FIELDS, ""), "id": 0, "key_case": False, "version": 0, "event_count": 0},
        "parties": [{**dict.fromkeys(PARTY_FIELDS, ""), "id": 0, "role": t(f"role.{role}"), "role_code": role,
                     "minor": False, "needs_interpreter": False, "rights": None} for role in BLANK_PARTIES],
        "agreement": None, "session_records": [record], "investigations": [record], "images": {}, "volume": None,
        "qr_payload": "",
        "metadata": {"title": f"{title}（{t('blank_form')}）" if lang == "zh" else f"{title} ({t('blank_form')})",
                     "author": "", "keywords": t("blank_form"), "description": title, "created": ""},
    }
