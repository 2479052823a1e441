"""The case page's timeline: each event told in the reader's words, newest first.

What an event shows beside its name (the states it moved between, the party, the next session, the
unit shared with, the attachment, …) is decided here once per event, so the template only lays it out.
"""

from __future__ import annotations

from typing import Any

import msgspec

from mediation.cases.read_models import EventView
from mediation.web.case_file import CaseFile
from mediation.web.case_proceedings import Proceedings
from mediation.web.i18n import Words
from mediation.web.page import local_time

SHARE_TRIGGERS = ("share_with_unit", "end_sharing")


class TimelineEntry(msgspec.Struct):
    at: str  # China time to the minute
    title: str  # the trigger's label
    by: str  # who fired it, by name
    parts: list[tuple[bool, str]]  # (is prose, text): what the event did, in order
    record: str | None  # the anchor of its record or correction on the page
    reason: str | None


def timeline(events: list[EventView], *, words: Words, state_labels: dict[str, dict[str, str]],
             trigger_labels: dict[str, dict[str, str]], party_names: dict[int, str], steps: Proceedings,
             casefile: CaseFile) -> list[TimelineEntry]:
    """The events newest first, each with what the reader sees of it."""
    return [_entry(event, words, state_labels, trigger_labels, party_names, steps, casefile)
            for event in reversed(events)]


def _entry(event: EventView, words: Words, state_labels: dict[str, dict[str, str]],
           trigger_labels: dict[str, dict[str, str]], party_names: dict[int, str], steps: Proceedings,
           casefile: CaseFile) -> TimelineEntry:
    data, trigger = event.data, event.trigger
    title = words.label(trigger_labels[trigger], trigger) if trigger in trigger_labels else words.value(trigger)
    parts: list[tuple[bool, str]] = []
    if event.from_state and event.from_state != event.to_state:
        parts.append((False, f"{words.label(state_labels.get(event.from_state), event.from_state)} → "
                             f"{words.label(state_labels.get(event.to_state), event.to_state)}"))
    party = data.get("party_id")
    if party and party_names.get(party):
        parts.append((False, party_names[party]))
    if data.get("signer") == "mediator":
        parts.append((False, words.t("mediator")))
    if trigger == "adjourn" and data.get("next_session_at"):
        parts.append((False, f"{words.t('next_session')}：{local_time(data['next_session_at'])}"))
    if trigger in SHARE_TRIGGERS and steps.unit_names.get(data.get("unit")):
        parts.append((False, steps.unit_names[data["unit"]]))
    if trigger == "migrate":
        parts.append((False, f"{words.t('workflow_version')} {_text(data.get('from_version'))} → "
                             f"{_text(data.get('to_version'))}"))
    if trigger == "add_note":
        parts.append((True, _text(data.get("text"))))
    if trigger == "attach":
        parts.append((False, f"{words.value(data.get('kind'))} · {_text(data.get('file_name'))}"))
    if trigger == "notify_rights":
        parts.append((False, words.value(data.get("method"))))
    if trigger == "add_participant":
        parts.append((False, f"{_text(data.get('name'))}（{words.value(data.get('role'))}）"))
    record = casefile.record_of.get(event.seq)
    reason = event.reason or (data.get("reason") if record is not None else None)
    return TimelineEntry(local_time(event.at), title, steps.actor_names.get(event.actor, event.actor), parts, record,
                         _text(reason) if reason else None)


def _text(value: Any) -> str:
    """A value from an event's data as the page prints it (nothing for none)."""
    return "" if value is None else str(value)
