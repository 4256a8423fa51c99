"""All SQLModel tables. Importing this package registers every table on
SQLModel.metadata, which Alembic autogenerates migrations from."""

from .accounts import AuthSession, FailureCounter, ProgramSetting, StaffProfile, User, role_in
from .audit import AuditEvent, BreakGlassGrant, chain_hash, seal_unsealed_rows
from .base import utcnow
from .clinical import (
    Client,
    Goal,
    GoalStep,
    GoalUpdate,
    IndividualSession,
    MoodEntry,
    Need,
    NeedRanking,
    NeedRankingItem,
    PlanReview,
)
from .family import Consent, Disclosure, FamilyLink, FamilySession, FamilySessionMessage, SlotProposal
from .groups import Attendance, GroupMembership, GroupSession, TherapyGroup
from .measures import MeasureAlert, MeasureAssignment, MeasureResponse, MeasureRule
from .versions import TextVersion

__all__ = [
    "Attendance",
    "AuditEvent",
    "AuthSession",
    "BreakGlassGrant",
    "Client",
    "Consent",
    "Disclosure",
    "FailureCounter",
    "FamilyLink",
    "FamilySession",
    "FamilySessionMessage",
    "Goal",
    "GoalStep",
    "GoalUpdate",
    "GroupMembership",
    "GroupSession",
    "IndividualSession",
    "MeasureAlert",
    "MeasureAssignment",
    "MeasureResponse",
    "MeasureRule",
    "MoodEntry",
    "Need",
    "NeedRanking",
    "NeedRankingItem",
    "PlanReview",
    "ProgramSetting",
    "SlotProposal",
    "StaffProfile",
    "TextVersion",
    "TherapyGroup",
    "User",
    "chain_hash",
    "role_in",
    "seal_unsealed_rows",
    "utcnow",
]
