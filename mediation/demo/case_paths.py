"""Drive a new case to any state of the mediation workflow through the real engine (demo, tests, features).

`ROUTES` gives, for every state of `mediation.yaml`, trigger sequences from intake that reach it
(the first is `PATHS`). A step is a trigger or `(trigger, data overrides)`; `trigger*` fires once per
party, `trigger+` until the route's target state (climbing the ladder). Each trigger is fired by a
user whose role may fire it (`actor_for_trigger`), with the data the workflow asks for. Before a case
closes as resolved, its outcome is told to the complainant (`report_outcome`) when its channel is one of
the policy's `report_back_channels` and no route step told it yet.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Sequence

import sqlalchemy as sa

from mediation.cases.engine import TransitionResult, apply_transition
from mediation.cases.intake import CaseInput, PartyInput, open_case
from mediation.clock import utcnow
from mediation.db import Database
from mediation.db.models import Case, Party
from mediation.demo.sample_county import SampleCounty
from mediation.demo.trigger_samples import REASONS, TRIGGER_DATA
from mediation.directory.accounts import actor_for
from mediation.directory.actors import Actor
from mediation.workflows.definition import WorkflowDefinition
from mediation.workflows.return_visits import schedule_days

Step = str | tuple[str, dict[str, Any]]
Route = tuple[Step, ...]
MAX_REPEATS = 10  # of a `trigger+` step

TRIAGED: Route = ("triage",)
ASSIGNED: Route = (*TRIAGED, "assign_mediator")
# Every party is told of their rights and duties before mediation (规定 art. 30), and a session's
# minutes are kept (调解记录) before an agreement.
IN_SESSION: Route = (*ASSIGNED, "notify_rights*", "record_consent*", "start_session")
DRAFTED: Route = (*IN_SESSION, "record_session", "draft_agreement")
EFFECTIVE: Route = (*DRAFTED, "sign*", ("sign", {"signer": "mediator"}), "seal", "conclude_agreement")
APPLIED: Route = (*EFFECTIVE, "apply_judicial_confirmation")
UNDER_REVIEW: Route = (*APPLIED, "court_accept")
REFERRED: Route = (*TRIAGED, "refer_department")
DEPARTMENT_HANDLING: Route = (*REFERRED, "acknowledge")
FEEDBACK: Route = (*DEPARTMENT_HANDLING, "submit_feedback")
TRACKING: Route = (*EFFECTIVE, "start_follow_up")
ON_SCENE_ORAL: Route = (*TRIAGED, "mediate_on_scene", "notify_rights*", "record_session", "record_oral_agreement")
# The case file's own records and corrections, none of which moves the case (the new party comes last).
CASE_FILE: Route = (*ASSIGNED, "add_participant", "record_investigation", "add_note", "correct_facts",
                    "report_outcome", "correct_party", "add_party")
JOINT_RESOLVED: Route = (*FEEDBACK, "confirm_feedback")
CONFIRMED: Route = (*UNDER_REVIEW, "confirm")
UNRESOLVED = ("submit_feedback", {"outcome": "unresolved", "summary": "部门约谈双方后仍未能化解。"})
CRITICAL = ("raise_risk", {"risk_level": "critical"})
STABLE_VISITS: Route = ("record_return_visit", "record_return_visit", "verify_closure")  # each on its day
FOLLOW_UP = "follow_up.tracking"
RESOLVED = "closed.resolved"

ROUTES: dict[str, tuple[Route, ...]] = {
    "screening.reported": ((),),
    "screening.triaged": (
        TRIAGED, ("decline", "reopen"), (*REFERRED, "return_referral"),
        (*REFERRED, "return_referral", "refer_department", "return_referral"),
        (*DEPARTMENT_HANDLING, UNRESOLVED, "confirm_feedback"), (*TRACKING, "report_recurrence"),
    ),
    "mediation.assigned": (
        ASSIGNED, (*ASSIGNED, "replace_mediator"), (*IN_SESSION, "adjourn"), (*IN_SESSION, "escalate"), CASE_FILE,
        (*TRACKING, "report_default"), (*UNDER_REVIEW, "reject", "remediate"),
        (*TRIAGED, "designate_key_case", "assign_mediator"), (*ASSIGNED, "share_with_unit", "end_sharing"),
    ),
    "mediation.in_session": (
        IN_SESSION, (*TRIAGED, "mediate_on_scene"), (*DRAFTED, "revise_agreement"),
        (*TRIAGED, CRITICAL, ("lower_risk", {"risk_level": "elevated"}), "mediate_on_scene"),
    ),
    "mediation.agreement_drafted": (DRAFTED,),
    "mediation.agreement_effective": (EFFECTIVE, (*APPLIED, "court_decline")),
    "joint.referred": (REFERRED, (*REFERRED, "supervise")),
    "joint.in_progress": (DEPARTMENT_HANDLING, (*FEEDBACK, "reject_feedback")),
    "joint.feedback_received": (FEEDBACK,),
    "court.applied": (APPLIED,),
    "court.under_review": (UNDER_REVIEW, (*UNDER_REVIEW, "extend_review")),
    "court.rejected": ((*UNDER_REVIEW, "reject"),),
    "follow_up.tracking": (TRACKING, ON_SCENE_ORAL, JOINT_RESOLVED, CONFIRMED),
    "closed.duplicate": (("mark_duplicate",),),
    "closed.not_accepted": (("decline",), ("decline", "add_note")),
    "closed.police_case": (
        (*TRIAGED, "hand_over_to_police"), (*TRIAGED, CRITICAL, "hand_over_to_police"), ("hand_over_to_police",),
    ),
    "closed.refused": ((*ASSIGNED, "party_refuses"),),
    "closed.withdrawn": ((*IN_SESSION, "party_withdraws"),),
    "closed.mediation_failed": ((*IN_SESSION, "escalate", "declare_failed+"),),
    "closed.resolved": (
        (*TRACKING, *STABLE_VISITS), (*ON_SCENE_ORAL, *STABLE_VISITS), (*JOINT_RESOLVED, *STABLE_VISITS),
        (*CONFIRMED, *STABLE_VISITS),
    ),
    "closed.enforcement": ((*CONFIRMED, "report_default"),),
    "closed.litigation_advised": ((*UNDER_REVIEW, "reject", "advise_litigation"),),
}
PATHS: dict[str, Route] = {state: routes[0] for state, routes in ROUTES.items()}

ROLE_OF_TRIGGER = {
    **dict.fromkeys(("mediate_on_scene", "hand_over_to_police"), "police"),
    **dict.fromkeys(("acknowledge", "return_referral", "submit_feedback"), "department"),
    **dict.fromkeys(("court_accept", "court_decline", "confirm", "reject", "extend_review"), "court"),
    **dict.fromkeys(("designate_key_case", "replace_mediator", "reopen", "supervise"), "supervisor"),
}
DEPARTMENTS = {"labour": ("labour_department", "dept_rs")}  # category -> (SampleCounty field, liaison)
MARKET_SUPERVISION = ("market_department", "dept_sj")


@dataclass(frozen=True)
class Crew:
    """The sample county's users who work the cases of one town, by role."""

    grid_worker: str
    mediator: str
    supervisor: str
    police: str | None
    alternate_mediator: str
    department: str = "dept_sj"
    court: str = "court1"


OUBEI = Crew("grid1", "mediator1", "supervisor1", police="police1", alternate_mediator="police1")
# No police officer's unit covers 桥头镇 in the sample county: routes with police triggers stay in 瓯北.
QIAOTOU = Crew("grid2", "mediator2", "county_sup", police=None, alternate_mediator="mediator1")


def actor_for_trigger(trigger: str, crew: Crew = OUBEI) -> str:
    """The username that fires `trigger` on a case of the crew's town."""
    role = ROLE_OF_TRIGGER.get(trigger, "mediator")
    username = getattr(crew, role)
    if username is None:
        raise LookupError(f"no {role} of the sample county reaches this case for '{trigger}'")
    return username


class ActorBook(dict):
    """Actors by username, looked up once."""

    def __init__(self, db: Database) -> None:
        super().__init__()
        self.db = db

    def __missing__(self, username: str) -> Actor:
        return self.setdefault(username, actor_for(self.db, username))


def sample_case_input(county: SampleCounty) -> CaseInput:
    """A neighbour dispute filed in 江北社区's first grid."""
    return CaseInput(
        title="张建国与李秀英邻里噪音纠纷", channel="grid_screening", unit=county.grid, category="neighbour",
        description="锦绣花园3幢住户张建国反映楼上邻居李秀英家长期夜间装修，噪音影响休息，双方多次争吵。",
        parties=[PartyInput("张建国", "applicant", id_number="330324196505130013", phone="13857712345"),
                 PartyInput("李秀英", "respondent", phone="13905771234")],
    )


def fire(db: Database, case_id: int, trigger: str, *, actor: Actor | str, data: dict[str, Any] | None = None,
         now: datetime | None = None) -> TransitionResult:
    """Fire one trigger at the case's current version."""
    with db.read() as connection:
        version = connection.execute(sa.select(Case.version).where(Case.id == case_id)).scalar_one()
    who = actor_for(db, actor) if isinstance(actor, str) else actor
    return apply_transition(db, case_id=case_id, trigger=trigger, actor=who, data=data,
                            expected_version=version, now=now)


@dataclass
class Ride:
    """A case on its way along a route: who works it, its parties, its version and clock."""

    actors: ActorBook
    county: SampleCounty
    crew: Crew
    case: CaseInput
    case_id: int
    clock: datetime
    step: timedelta
    department: str
    parties: list[tuple[int, str, str]] = field(default_factory=list)  # id, role, name
    duplicate_of: int | None = None
    version: int = 1
    state: str = "screening.reported"
    follow_up_since: datetime | None = None  # when the case last entered follow-up
    visits: int = 0  # return visits recorded since then
    outcome_reported: bool = False  # report_outcome was fired

    @property
    def party_ids(self) -> list[int]:
        return [party[0] for party in self.parties]

    def party(self, role: str) -> tuple[int, str, str]:
        """The first party in the role (the last party when none is)."""
        return next((p for p in self.parties if p[1] == role), self.parties[-1])

    def fire(self, trigger: str, data: dict[str, Any]) -> TransitionResult:
        """Fire as the crew member for the trigger, one step after the last change.

        A return visit waits for its scheduled day (DESIGN §9.2), as a visit on schedule does.
        """
        self.clock += self.step
        if trigger == "record_return_visit":
            self.clock = max(self.clock, self.visit_day())
        actor = self.actors[actor_for_trigger(trigger, self.crew)]
        result = apply_transition(self.actors.db, case_id=self.case_id, trigger=trigger, actor=actor, data=data,
                                  expected_version=self.version, now=self.clock)
        if result.state == FOLLOW_UP and self.state != FOLLOW_UP:
            self.follow_up_since, self.visits = self.clock, 0
        self.visits += trigger == "record_return_visit"
        self.outcome_reported |= trigger == "report_outcome"
        self.version, self.state = result.version, result.state
        return result

    @property
    def definition(self) -> WorkflowDefinition:
        db = self.actors.db
        return db.workflows.machine(db.workflows.current_version_id()).definition

    def owes_outcome_report(self, trigger: str) -> bool:
        """`trigger` may close the case as resolved, which its channel allows only once the outcome was told."""
        definition = self.definition
        spec = definition.triggers.get(trigger)
        return (not self.outcome_reported and spec is not None
                and self.case.channel in (definition.policy.get("report_back_channels") or ())
                and any(t.dest == RESOLVED for t in spec.transitions))

    def visit_day(self) -> datetime:
        """When the next scheduled return visit is due (+N days from entering follow-up)."""
        days = schedule_days(self.definition.policy)
        if self.follow_up_since is None or self.visits >= len(days):
            return self.clock
        return self.follow_up_since + timedelta(days=days[self.visits])


def step_data(ride: Ride, trigger: str, overrides: dict[str, Any]) -> list[dict[str, Any]]:
    """The data of each firing of one step: once, or once per party for `trigger*`."""
    name = trigger.rstrip("*+")
    base = {"reason": REASONS[name]} if name in REASONS else {}
    base.update(TRIGGER_DATA[name](ride) if name in TRIGGER_DATA else {})
    if trigger.endswith("*"):
        return [{**base, "party_id": party_id, **overrides} for party_id in ride.party_ids]
    return [{**base, **overrides}]


def drive_to(
    db: Database, *, state: str, county: SampleCounty, now: datetime | None = None,
    case_input: CaseInput | None = None, step: timedelta = timedelta(hours=1), route: int | Route = 0,
    filed_by: str | None = None, duplicate_of: int | None = None, actors: ActorBook | None = None,
) -> int:
    """Open a case at `now` and fire `ROUTES[state][route]` (or a route given), one `step` apart; its id."""
    steps = ROUTES[state][route] if isinstance(route, int) else route
    case_input = case_input or sample_case_input(county)
    crew = QIAOTOU if case_input.unit in (county.other_town, county.village, county.village_grid) else OUBEI
    actors = actors if actors is not None else ActorBook(db)
    in_grid = case_input.unit in (county.grid, county.village_grid)
    filer = actors[filed_by or (crew.grid_worker if in_grid else crew.mediator)]
    clock = now or utcnow()
    if state == "closed.duplicate" and duplicate_of is None:
        duplicate_of = open_case(db, actor=filer, case=case_input, now=clock)
    case_id = open_case(db, actor=filer, case=case_input, now=clock)
    with db.read() as connection:
        parties = connection.execute(
            sa.select(Party.id, Party.role, Party.name).where(Party.case_id == case_id).order_by(Party.id)
        ).all()
    department, liaison = DEPARTMENTS.get(case_input.category or "", MARKET_SUPERVISION)
    ride = Ride(
        actors=actors, county=county, crew=replace(crew, department=liaison), case=case_input, case_id=case_id,
        clock=clock, step=step, department=getattr(county, department), parties=[tuple(p) for p in parties],
        duplicate_of=duplicate_of,
    )
    for entry in steps:
        _ride_step(ride, entry, target=state)
    if ride.state != state:
        raise RuntimeError(f"route {route} to {state} ended in {ride.state}")
    return case_id


def _ride_step(ride: Ride, entry: Step, *, target: str) -> None:
    trigger, overrides = (entry, {}) if isinstance(entry, str) else entry
    name = trigger.rstrip("*+")
    if ride.owes_outcome_report(name):
        ride.fire("report_outcome", step_data(ride, "report_outcome", {})[0])
    for data in step_data(ride, trigger, overrides):
        ride.fire(name, data)
    for _ in range(MAX_REPEATS if trigger.endswith("+") else 0):
        if ride.state == target:
            break
        ride.fire(name, step_data(ride, trigger, overrides)[0])


def route_triggers(route: Sequence[Step]) -> list[str]:
    """The trigger names of a route's steps, in order."""
    return [(entry if isinstance(entry, str) else entry[0]).rstrip("*+") for entry in route]
