"""The in-memory case a workflow machine runs on: read by guards, changed by effects.

Machine callbacks never touch the database: effects change these fields and queue
deadlines and notifications; the engine writes all of it in one transaction afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(slots=True)
class CaseState:
    """A case as guards and effects see it, plus the effects queued by one transition."""

    id: int
    state: str
    unit_id: int
    unit_path: str
    risk_level: str = "low"
    category: str | None = None
    channel: str | None = None  # where the dispute came from (policy `channels`)
    mechanism: str | None = None
    resolver: str | None = None
    mediator_id: int | None = None
    department_id: int | None = None
    court_id: int | None = None
    ladder_level: int = 0
    ladder_attempts: int = 0
    return_count: int = 0
    recurrence_count: int = 0
    key_case: bool = False
    resolved_level: str | None = None
    party_ids: list[int] = field(default_factory=list)
    progress: dict[str, Any] = field(default_factory=dict)
    policy: dict[str, Any] = field(default_factory=dict, repr=False)

    # Set per transition by the engine.
    now: datetime | None = None
    data: dict[str, Any] = field(default_factory=dict)
    resolved: dict[str, Any] = field(default_factory=dict)  # ids looked up for data fields
    actor_id: int | None = None

    # Filled by the machine, guards and effects during one transition.
    internal: bool = False  # the transition kept the state (no deadlines move)
    failed_guards: list[tuple[str, str]] = field(default_factory=list)
    new_deadlines: list[dict[str, Any]] = field(default_factory=list)
    moved_deadlines: list[dict[str, Any]] = field(default_factory=list)  # {kind, by: duration}
    notifications: list[dict[str, Any]] = field(default_factory=list)
    new_order: dict[str, Any] | None = None
    # The case file's rows a transition changes (DESIGN §9.2): the engine writes them and keeps the
    # old values in the event.
    new_party: dict[str, Any] | None = None  # add_party: the party's fields
    party_changes: dict[str, Any] | None = None  # correct_party: {party_id, fields}
    fact_changes: dict[str, Any] | None = None  # correct_facts: title, description, category given
    # Cross-jurisdiction co-mediation (DESIGN §9.5): the units shared with now (loaded only for the triggers
    # whose guards read them), the share to write and the unit whose share ends.
    shares: tuple[int, ...] = ()
    new_share: dict[str, Any] | None = None  # share_with_unit: {unit_id, reason}
    ended_share: int | None = None  # end_sharing: the unit id
    co_unit_shares: list[int] = field(default_factory=list)  # designate_key_case: co-units that do not reach it

    @property
    def ladder(self) -> list[dict[str, Any]]:
        return self.policy["escalation_ladder"]

    @property
    def ladder_level_name(self) -> str:
        return self.ladder[self.ladder_level]["level"]

    def notify(self, recipient: str, topic: str, **payload: Any) -> None:
        self.notifications.append({"recipient": recipient, "topic": topic, **payload})
