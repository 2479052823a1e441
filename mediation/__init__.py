"""mediation: a workflow and case-management engine for community dispute mediation."""

from mediation.cases.engine import TransitionResult, apply_transition
from mediation.cases.intake import CaseInput, PartyInput, open_case
from mediation.db import Database
from mediation.directory.actors import SYSTEM, Actor
from mediation.errors import (
    Forbidden,
    GuardFailed,
    IdempotencyConflict,
    InvalidData,
    MediationError,
    NotFound,
    StaleCase,
    TransitionNotAllowed,
)

__all__ = [
    "SYSTEM",
    "Actor",
    "CaseInput",
    "Database",
    "Forbidden",
    "GuardFailed",
    "IdempotencyConflict",
    "InvalidData",
    "MediationError",
    "NotFound",
    "PartyInput",
    "StaleCase",
    "TransitionNotAllowed",
    "TransitionResult",
    "apply_transition",
    "open_case",
]
