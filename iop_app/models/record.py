"""The clinical record: intake and assessment, orientation, treatment plans and
progress notes — the documents auditors follow along the "golden thread"
(every note names a plan objective, every objective belongs to a goal of a problem
the assessment found).

Documents are drafts until signed and locked once signed: a signed intake or note
changes only by a dated, attributed addendum; a signed plan changes only by a
review, which is a new plan version (`previous_id`) with its own signatures.
Signature times are the server's clock, never typed in. Closed sets are the enums
in models/enums.py, held in their set by CHECK constraints.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from .base import utcnow
from .enums import (
    AsamDimension,
    LevelOfCare,
    NoteFormat,
    ObjectiveStatus,
    PlanStatus,
    RecordStatus,
    RiskLevel,
    ServiceLocation,
    ServiceType,
    enum_check,
)

# --- Intake and assessment ---------------------------------------------------------


class Intake(SQLModel, table=True):
    """The intake and biopsychosocial assessment. Signing it moves the client from
    "intake" to "active" (services decide); the six ASAM ratings are AsamRating rows
    and the substance history SubstanceUse rows."""

    __tablename__ = "intake"
    __table_args__ = (
        enum_check("intake", "status", RecordStatus),
        enum_check("intake", "suicide_risk", RiskLevel),
        enum_check("intake", "homicide_risk", RiskLevel),
        enum_check("intake", "recommended_level", LevelOfCare, allow_empty=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    # One intake per admission (a Client row is one admission): unique, so two staff
    # starting the intake at once cannot make two (migration f11d0c0e0004).
    client_id: int = Field(foreign_key="client.id", index=True, unique=True)
    status: str = Field(default=RecordStatus.DRAFT, max_length=16)
    referral_source: str = Field(default="", max_length=200)
    presenting_problem: str = Field(default="", max_length=4000)
    prior_treatment: str = Field(default="", max_length=4000)
    medical_conditions: str = Field(default="", max_length=2000)
    medications: str = Field(default="", max_length=2000)
    allergies: str = Field(default="", max_length=1000)
    mental_health_history: str = Field(default="", max_length=4000)
    current_symptoms: str = Field(default="", max_length=2000)
    suicide_risk: str = Field(default=RiskLevel.NONE, max_length=16)
    homicide_risk: str = Field(default=RiskLevel.NONE, max_length=16)
    risk_notes: str = Field(default="", max_length=2000)
    trauma: str = Field(default="", max_length=4000)
    legal: str = Field(default="", max_length=2000)
    employment: str = Field(default="", max_length=2000)
    housing: str = Field(default="", max_length=2000)
    family_social: str = Field(default="", max_length=4000)
    strengths: str = Field(default="", max_length=2000)
    recommended_level: str = Field(default="", max_length=8)  # LevelOfCare, "" until chosen
    level_rationale: str = Field(default="", max_length=2000)
    created_by: int = Field(foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)
    signed_by: int | None = Field(default=None, foreign_key="user.id")
    signed_at: datetime | None = None  # server time; set once
    # Optimistic concurrency for drafts (services/versions.py).
    version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    updated_at: datetime | None = None
    updated_by: int | None = Field(default=None, foreign_key="user.id")


class AsamRating(SQLModel, table=True):
    """One ASAM dimension of an intake's assessment: a risk rating 0-4 and why."""

    __tablename__ = "asam_rating"
    __table_args__ = (
        UniqueConstraint("intake_id", "dimension", name="uq_asam_rating_intake_dimension"),
        enum_check("asam_rating", "dimension", AsamDimension),
        CheckConstraint("risk BETWEEN 0 AND 4", name="ck_asam_rating_risk"),
    )

    id: int | None = Field(default=None, primary_key=True)
    intake_id: int = Field(foreign_key="intake.id")
    dimension: str = Field(max_length=4)
    risk: int = Field(default=0)
    narrative: str = Field(default="", max_length=4000)


class SubstanceUse(SQLModel, table=True):
    """One substance in an intake's substance history."""

    __tablename__ = "substance_use"

    id: int | None = Field(default=None, primary_key=True)
    intake_id: int = Field(foreign_key="intake.id", index=True)
    position: int = Field(default=0)
    substance: str = Field(max_length=60)
    first_use_age: int | None = None
    route: str = Field(default="", max_length=40)  # e.g. oral, smoked, intranasal, injected
    frequency: str = Field(default="", max_length=80)
    amount: str = Field(default="", max_length=80)
    last_use: date | None = None
    longest_abstinence: str = Field(default="", max_length=80)


class OrientationItem(SQLModel, table=True):
    """An item of the program's orientation checklist (rules, schedule, rights,
    grievance procedure, Part 2 notice, emergency contacts, ...)."""

    __tablename__ = "orientation_item"

    id: int | None = Field(default=None, primary_key=True)
    label: str = Field(max_length=200)
    position: int = Field(default=0)
    active: bool = Field(default=True)


class OrientationCheck(SQLModel, table=True):
    """One orientation item gone through with one client: dated and initialled by
    staff, then by the client."""

    __tablename__ = "orientation_check"
    __table_args__ = (UniqueConstraint("client_id", "item_id", name="uq_orientation_check_client_item"),)

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id")
    item_id: int = Field(foreign_key="orientation_item.id")
    staff_id: int = Field(foreign_key="user.id")
    staff_initials: str = Field(max_length=8)
    staff_at: datetime = Field(default_factory=utcnow)
    client_initials: str = Field(default="", max_length=8)
    client_at: datetime | None = None


# --- Treatment plan ----------------------------------------------------------------


class TreatmentPlan(SQLModel, table=True):
    """One version of a client's treatment plan. Version 1 is the initial plan; a
    review copies the plan into version n+1 (`previous_id`), records what changed and
    the progress per objective, and is signed again. Only the newest signed version
    is in force; its `review_due_on` drives the roster's "review due"."""

    __tablename__ = "treatment_plan"
    __table_args__ = (
        UniqueConstraint("client_id", "number", name="uq_treatment_plan_client_number"),
        enum_check("treatment_plan", "status", PlanStatus),
    )

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id")
    number: int = Field(default=1)  # version number within the client's plans
    previous_id: int | None = Field(default=None, foreign_key="treatment_plan.id")
    status: str = Field(default=PlanStatus.DRAFT, max_length=16)
    effective_on: date | None = None  # program-local day it came into force (client signed)
    review_due_on: date | None = None
    changes: str = Field(default="", max_length=4000)  # a review: what changed and why
    created_by: int = Field(foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)
    therapist_signed_by: int | None = Field(default=None, foreign_key="user.id")
    therapist_signed_at: datetime | None = None
    therapist_signature: str = Field(default="", max_length=120)  # typed name
    client_signed_at: datetime | None = None
    client_signature: str = Field(default="", max_length=120)  # typed name, as consents are signed
    version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    updated_at: datetime | None = None
    updated_by: int | None = Field(default=None, foreign_key="user.id")


class PlanProblem(SQLModel, table=True):
    """A problem the plan addresses, from the assessment or added, in one ASAM dimension.
    `need_id` ties it to a need the client ranked (their priorities on the plan)."""

    __tablename__ = "plan_problem"
    __table_args__ = (enum_check("plan_problem", "dimension", AsamDimension),)

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="treatment_plan.id", index=True)
    position: int = Field(default=0)
    statement: str = Field(max_length=1000)
    dimension: str = Field(max_length=4)
    from_assessment: bool = Field(default=True)
    need_id: int | None = Field(default=None, foreign_key="need.id")


class PlanGoal(SQLModel, table=True):
    """A goal for a problem, in the client's own words; `client_goal_id` ties it to a
    goal the client set in their portal."""

    __tablename__ = "plan_goal"

    id: int | None = Field(default=None, primary_key=True)
    problem_id: int = Field(foreign_key="plan_problem.id", index=True)
    position: int = Field(default=0)
    statement: str = Field(max_length=1000)
    client_goal_id: int | None = Field(default=None, foreign_key="goal.id")


class PlanObjective(SQLModel, table=True):
    """A measurable objective with a target date. A review copies it into the new
    version with `carried_from_id` naming the old one, so progress and the notes that
    addressed it can be followed across versions."""

    __tablename__ = "plan_objective"
    __table_args__ = (enum_check("plan_objective", "status", ObjectiveStatus),)

    id: int | None = Field(default=None, primary_key=True)
    goal_id: int = Field(foreign_key="plan_goal.id", index=True)
    position: int = Field(default=0)
    statement: str = Field(max_length=1000)
    target_date: date | None = None
    status: str = Field(default=ObjectiveStatus.NOT_STARTED, max_length=16)
    progress: str = Field(default="", max_length=2000)  # progress noted at the review that made this version
    carried_from_id: int | None = Field(default=None, foreign_key="plan_objective.id")


class PlanIntervention(SQLModel, table=True):
    """What the program does for an objective: what, who, how often."""

    __tablename__ = "plan_intervention"

    id: int | None = Field(default=None, primary_key=True)
    objective_id: int = Field(foreign_key="plan_objective.id", index=True)
    position: int = Field(default=0)
    what: str = Field(max_length=500)
    who: str = Field(default="", max_length=120)
    frequency: str = Field(default="", max_length=120)


# --- Progress notes ----------------------------------------------------------------


class GroupNote(SQLModel, table=True):
    """The shared part of a group session's notes, written once by the facilitator
    (topic, what the group did). Each attendee's ProgressNote points here and adds
    their own part; absent members get no note. Never names any member."""

    __tablename__ = "group_note"
    __table_args__ = (
        UniqueConstraint("group_session_id", name="uq_group_note_session"),
        enum_check("group_note", "status", RecordStatus),
        enum_check("group_note", "note_format", NoteFormat),
    )

    id: int | None = Field(default=None, primary_key=True)
    group_session_id: int = Field(foreign_key="group_session.id")
    author_id: int = Field(foreign_key="user.id")
    note_format: str = Field(default=NoteFormat.DAP, max_length=8)
    status: str = Field(default=RecordStatus.DRAFT, max_length=16)
    topic: str = Field(default="", max_length=200)
    shared: str = Field(default="", max_length=4000)  # interventions and content, for every attendee
    created_at: datetime = Field(default_factory=utcnow)
    signed_by: int | None = Field(default=None, foreign_key="user.id")
    signed_at: datetime | None = None
    version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    updated_at: datetime | None = None
    updated_by: int | None = Field(default=None, foreign_key="user.id")


class ProgressNote(SQLModel, table=True):
    """The note of one service delivered to one client — and the service's record:
    type, time, duration, place. `sections` holds the note's text by the keys of its
    format (services/note_formats.py). A note links the session it documents (one of
    individual_session_id, group_note_id, family_session_id, or none for case
    management and crisis contacts) and, through NoteObjective, the plan objectives
    it addressed (at least one to be signed: the golden thread)."""

    __tablename__ = "progress_note"
    __table_args__ = (
        Index("ix_progress_note_client_date", "client_id", "service_date"),
        Index("ix_progress_note_author_status", "author_id", "status"),
        enum_check("progress_note", "status", RecordStatus),
        enum_check("progress_note", "note_format", NoteFormat),
        enum_check("progress_note", "service_type", ServiceType),
        enum_check("progress_note", "location", ServiceLocation),
        UniqueConstraint("group_note_id", "client_id", name="uq_progress_note_group_client"),
        CheckConstraint("ends_at > starts_at", name="ck_progress_note_times"),
        CheckConstraint("minutes >= 0", name="ck_progress_note_minutes"),
    )

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id")
    author_id: int = Field(foreign_key="user.id")
    service_type: str = Field(max_length=20)
    note_format: str = Field(default=NoteFormat.DAP, max_length=8)
    status: str = Field(default=RecordStatus.DRAFT, max_length=16)
    service_date: date  # program-local day of the service
    starts_at: datetime  # UTC
    ends_at: datetime  # UTC
    location: str = Field(default=ServiceLocation.OFFICE, max_length=20)
    # Minutes of service this client received (a group: their roll-call minutes; a
    # contact: its length). What services/hours.py counts once the note is signed.
    minutes: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    individual_session_id: int | None = Field(default=None, foreign_key="individual_session.id", index=True)
    group_note_id: int | None = Field(default=None, foreign_key="group_note.id")
    family_session_id: int | None = Field(default=None, foreign_key="family_session.id", index=True)
    sections: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    signed_by: int | None = Field(default=None, foreign_key="user.id")
    signed_at: datetime | None = None  # server time; set once
    cosign_required: bool = Field(default=False)
    cosigned_by: int | None = Field(default=None, foreign_key="user.id")
    cosigned_at: datetime | None = None
    version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    updated_at: datetime | None = None
    updated_by: int | None = Field(default=None, foreign_key="user.id")


class NoteObjective(SQLModel, table=True):
    """A plan objective a note addressed (the golden thread), with the progress seen."""

    __tablename__ = "note_objective"
    __table_args__ = (UniqueConstraint("note_id", "objective_id", name="uq_note_objective"),)

    id: int | None = Field(default=None, primary_key=True)
    note_id: int = Field(foreign_key="progress_note.id")
    objective_id: int = Field(foreign_key="plan_objective.id", index=True)
    progress: str = Field(default="", max_length=1000)


class Addendum(SQLModel, table=True):
    """A late entry to a signed document (a progress note or an intake): dated and
    attributed by the server; the original stays as it was signed."""

    __tablename__ = "addendum"
    __table_args__ = (
        CheckConstraint("(note_id IS NULL) <> (intake_id IS NULL)", name="ck_addendum_one_document"),
    )

    id: int | None = Field(default=None, primary_key=True)
    note_id: int | None = Field(default=None, foreign_key="progress_note.id", index=True)
    intake_id: int | None = Field(default=None, foreign_key="intake.id", index=True)
    author_id: int = Field(foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)
    reason: str = Field(default="", max_length=500)
    text: str = Field(max_length=4000)


class Supervision(SQLModel, table=True):
    """Clinical supervision of one staff member (a row only for staff it concerns):
    a supervisor may co-sign notes; the notes of someone who `needs_cosign` are not
    complete until a supervisor (theirs if named, else any) or the director co-signs."""

    __tablename__ = "supervision"

    user_id: int = Field(foreign_key="user.id", primary_key=True)
    is_supervisor: bool = Field(default=False)
    needs_cosign: bool = Field(default=False)
    supervisor_id: int | None = Field(default=None, foreign_key="user.id")
