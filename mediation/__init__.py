"""mediation: a workflow and case-management engine for community dispute mediation."""

from mediation.access import SYSTEM, Actor
from mediation.db import Database
from mediation.engine import TransitionResult, apply_transition
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
from mediation.intake import CaseInput, PartyInput, open_case

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
