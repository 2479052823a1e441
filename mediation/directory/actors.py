"""Who is acting: a signed-in user (or the system) with a unit and roles (DESIGN §5)."""

from __future__ import annotations

from dataclasses import dataclass, field

SYSTEM_ROLE = "system"
CASE_FILING_ROLES = frozenset({"grid_worker", "mediator", "police", "supervisor"})


@dataclass(frozen=True)
class Actor:
    """The person (or the system) firing a trigger."""

    user_id: int
    username: str
    roles: frozenset[str]
    unit_id: int | None = None
    unit_path: str = "/"
    display_name: str = field(default="", compare=False)

    @property
    def is_system(self) -> bool:
        return SYSTEM_ROLE in self.roles


SYSTEM = Actor(user_id=0, username="system", roles=frozenset({SYSTEM_ROLE}), display_name="系统")
