"""The world a scenario acts in: the database, a clock, the case in hand, the last refusal.

Every change goes through the engine (`open_case`, `apply_transition`, or `drive_to` for a
case that must already be somewhere); the database is only read, to check what happened.
A When step that the engine refuses records the typed error for a Then step to check; a
Given step must succeed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa

from mediation import jsontext
from mediation.cases.engine import TransitionResult, apply_transition
from mediation.cases.intake import CaseInput, PartyInput, open_case
from mediation.db import Database, parse_timestamp
from mediation.db.models import Case, Deadline, Event, Order, OutboxMessage, Party, Unit, User
from mediation.demo.case_paths import drive_to
from mediation.demo.sample_county import SampleCounty
from mediation.directory.accounts import actor_for
from mediation.directory.actors import Actor
from mediation.errors import MediationError

START_OF_DAY = time(9, 0)


class UncheckedRefusal(AssertionError):
    """The engine refused a When step and no Then step checked the refusal."""

    def __init__(self, refusal: MediationError) -> None:
        super().__init__(f"the engine refused a step: {type(refusal).__name__}: {refusal.detail} {refusal.extra}")
        self.refusal = refusal


@dataclass
class Story:
    """One scenario's world."""

    db: Database
    county: SampleCounty
    now: datetime = field(default_factory=lambda: datetime.combine(date(2026, 3, 2), START_OF_DAY))
    phase: str = "given"
    cases: list[int] = field(default_factory=list)
    evidence: dict[str, str] = field(default_factory=dict)  # file name -> SHA-256 of what was uploaded
    refusal: MediationError | None = None
    checked_refusal: MediationError | None = None
    _actors: dict[str, Actor] = field(default_factory=dict)

    # ------------------------------------------------------------------ acting
    def actor(self, username: str) -> Actor:
        if username not in self._actors:
            self._actors[username] = actor_for(self.db, username)
        return self._actors[username]

    @property
    def case_id(self) -> int:
        assert self.cases, "no case has been filed in this scenario"
        return self.cases[-1]

    def attempt(self, action, *args: Any, **kwargs: Any) -> Any:
        """Run an engine call; in a When step a refusal is kept for a Then step to check."""
        self.assert_no_pending_refusal()
        try:
            return action(*args, **kwargs)
        except MediationError as error:
            if self.phase != "when":
                raise
            self.refusal = error
            return None

    def file(self, username: str, case: CaseInput) -> int | None:
        """Intake through `open_case`; the new case becomes the case in hand."""
        case_id = self.attempt(open_case, self.db, actor=self.actor(username), case=case, now=self.now)
        if case_id is not None:
            self.cases.append(case_id)
        return case_id

    def fire(self, username: str, trigger: str, data: dict[str, Any] | None = None,
             case_id: int | None = None) -> TransitionResult | None:
        """Fire a trigger on the case in hand (or `case_id`) at its current version."""
        target = case_id or self.case_id
        return self.attempt(
            apply_transition, self.db, case_id=target, trigger=trigger, actor=self.actor(username),
            data=data, expected_version=self.version_of(target), now=self.now,
        )

    def drive(self, state: str, case: CaseInput) -> int:
        """A new case taken to `state` by the sample county's crew, all at the current time.

        Return visits wait for their days (+7, +30), so the clock moves on to the case's last event.
        """
        case_id = drive_to(self.db, state=state, county=self.county, now=self.now, case_input=case,
                           step=timedelta(0))
        self.cases.append(case_id)
        self.now = max(self.now, timestamp(self.last_event().at))
        return case_id

    def take_refusal(self, expected: type[MediationError] = MediationError) -> Any:
        """The refusal of the last When step, which must be of the expected type."""
        refusal, self.refusal = self.refusal, None
        assert refusal is not None, "the engine did not refuse the last step"
        assert isinstance(refusal, expected), f"refused as {type(refusal).__name__}: {refusal.detail}"
        self.checked_refusal = refusal
        return refusal

    def assert_no_pending_refusal(self) -> None:
        if self.refusal is not None:
            refusal, self.refusal = self.refusal, None
            raise UncheckedRefusal(refusal)

    # ------------------------------------------------------------------ reading
    def _one(self, query) -> Any:
        with self.db.read() as connection:
            return connection.execute(query).first()

    def _all(self, query) -> list[Any]:
        with self.db.read() as connection:
            return list(connection.execute(query).all())

    def version_of(self, case_id: int) -> int:
        row = self._one(sa.select(Case.version).where(Case.id == case_id))
        assert row is not None, f"no case {case_id}"
        return row[0]

    def case(self, case_id: int | None = None) -> Any:
        return self._one(sa.select(Case).where(Case.id == (case_id or self.case_id)))

    def progress(self) -> dict[str, Any]:
        return jsontext.loads(self.case().progress)

    def party_id(self, name: str) -> int:
        row = self._one(sa.select(Party.id).where(Party.case_id == self.case_id, Party.name == name))
        assert row is not None, f"{name} is not a party to case {self.case_id}"
        return row[0]

    def parties_named(self, who: str) -> list[int]:
        """The ids of "every party" / "both parties", or of one party named."""
        return self.party_ids() if who in ("every party", "both parties", "全部当事人") else [self.party_id(who)]

    def party_ids(self) -> list[int]:
        return [row[0] for row in self._all(sa.select(Party.id).where(Party.case_id == self.case_id)
                                            .order_by(Party.id))]

    def user_id(self, username: str) -> int:
        return self.actor(username).user_id

    def username(self, user_id: int | None) -> str | None:
        row = self._one(sa.select(User.username).where(User.id == user_id))
        return row[0] if row else None

    def unit_code(self, name_or_code: str) -> str:
        """A unit named by its Chinese name or by its code."""
        row = self._one(sa.select(Unit.code).where(sa.or_(Unit.name == name_or_code, Unit.code == name_or_code)))
        assert row is not None, f"no unit '{name_or_code}' in the sample county"
        return row[0]

    def unit_id(self, name_or_code: str) -> int:
        row = self._one(sa.select(Unit.id).where(Unit.code == self.unit_code(name_or_code)))
        return row[0]

    def events(self) -> list[Any]:
        return self._all(sa.select(Event).where(Event.case_id == self.case_id).order_by(Event.seq))

    def last_event(self) -> Any:
        return self.events()[-1]

    def deadlines(self, kind: str) -> list[Any]:
        return self._all(sa.select(Deadline).where(Deadline.case_id == self.case_id, Deadline.kind == kind)
                         .order_by(Deadline.id))

    def outbox(self, topic: str) -> list[Any]:
        return self._all(sa.select(OutboxMessage).where(OutboxMessage.case_id == self.case_id,
                                                        OutboxMessage.topic == topic))

    def order(self) -> Any:
        row = self._one(sa.select(Order).where(Order.case_id == self.case_id))
        assert row is not None, f"case {self.case_id} has no order"
        return row

    def ladder_level(self) -> str:
        return self._ladder_step()["level"]

    def ladder_level_named(self, name: str) -> str:
        """The case's ladder level as `name` calls it: its code or one of its labels."""
        step = self._ladder_step()
        return name if name in (step["level"], *(step.get("labels") or {}).values()) else step["level"]

    def _ladder_step(self) -> dict[str, Any]:
        policy = self.db.workflows.machine(self.case().workflow_version_id).definition.policy
        return policy["escalation_ladder"][self.case().ladder_level]


def at_start_of(day: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), START_OF_DAY)


def timestamp(value: Any) -> datetime:
    return parse_timestamp(value)


def case_input(*, category: str | None, unit: str, parties: list[PartyInput], channel: str = "grid_screening",
               title: str | None = None, risk_level: str = "low") -> CaseInput:
    names = "与".join(party.name for party in parties)
    return CaseInput(
        title=title or f"{names}纠纷",
        description=f"{names}之间发生纠纷，经{channel}渠道登记。",
        channel=channel, unit=unit, parties=parties, category=category, risk_level=risk_level,
    )
