"""All SQLModel tables. Importing this package registers every table on
SQLModel.metadata, which Alembic autogenerates migrations from."""

from .accounts import ROLES, AuthSession, FailureCounter, ProgramSetting, StaffProfile, User, role_in
from .audit import AuditEvent, BreakGlassGrant, chain_hash, seal_unsealed_rows
from .base import utcnow
from .clinical import (
    CLIENT_STATUSES,
    STAGES_OF_CHANGE,
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
from .family import (
    CONSENT_SCOPES,
    Consent,
    Disclosure,
    FamilyLink,
    FamilySession,
    FamilySessionMessage,
    SlotProposal,
)
from .groups import ATTENDANCE_STATUSES, GROUP_TYPES, Attendance, GroupMembership, GroupSession, TherapyGroup
from .measures import MeasureAlert, MeasureAssignment, MeasureResponse, MeasureRule
from .versions import TextVersion

__all__ = [
    "ATTENDANCE_STATUSES",
    "CLIENT_STATUSES",
    "CONSENT_SCOPES",
    "GROUP_TYPES",
    "ROLES",
    "STAGES_OF_CHANGE",
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
