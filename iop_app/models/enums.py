"""Closed sets, defined once. Columns store the value (a short key); pages show
the label. StrEnum members compare equal to their string values, so rows read
back from the database (plain strings) and enum members mix freely, and a
CHECK constraint in the migrations keeps each column inside its set.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import CheckConstraint


class LabelledEnum(StrEnum):
    """A StrEnum whose members carry a label for people (second tuple item)."""

    def __new__(cls, value: str, label: str = ""):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label or value.replace("_", " ").capitalize()
        return member

    @classmethod
    def values(cls) -> tuple[str, ...]:
        return tuple(member.value for member in cls)

    @classmethod
    def choices(cls) -> list[list[str]]:
        """[[value, label], ...] for a select."""
        return [[member.value, member.label] for member in cls]

    @classmethod
    def label_of(cls, value: str, default: str = "") -> str:
        try:
            return cls(value).label
        except ValueError:
            return default or str(value)


class Role(LabelledEnum):
    CLIENT = "client", "Client"
    THERAPIST = "therapist", "Therapist"
    FAMILY = "family", "Family member"
    DIRECTOR = "director", "Program director"


# Staff document care and see the roster; the director also sees every client.
STAFF_ROLES = frozenset({Role.THERAPIST, Role.DIRECTOR})


class ClientStatus(LabelledEnum):
    INTAKE = "intake", "Intake"
    ACTIVE = "active", "Active"
    DISCHARGED = "discharged", "Discharged"


class StageOfChange(LabelledEnum):
    PRECONTEMPLATION = "precontemplation", "Precontemplation"
    CONTEMPLATION = "contemplation", "Contemplation"
    PREPARATION = "preparation", "Preparation"
    ACTION = "action", "Action"
    MAINTENANCE = "maintenance", "Maintenance"


class LifeArea(LabelledEnum):
    SOBRIETY = "sobriety", "Sobriety / substance use"
    MENTAL_HEALTH = "mental_health", "Mental health"
    RELATIONSHIPS = "relationships", "Relationships and family"
    WORK_SCHOOL = "work_school", "Work or school"
    PHYSICAL_HEALTH = "physical_health", "Physical health"
    HOUSING = "housing", "Housing"
    LEGAL = "legal", "Legal"
    FINANCES = "finances", "Finances"
    SPIRITUALITY = "spirituality", "Spirituality"
    OTHER = "other", "Other"


class GoalHorizon(LabelledEnum):
    IMMEDIATE = "immediate", "Immediate"
    LONG_TERM = "long_term", "Long-term"


class GoalStatus(LabelledEnum):
    ACTIVE = "active", "Active"
    ACHIEVED = "achieved", "Achieved"
    REVISED = "revised", "Revised"
    SET_ASIDE = "set_aside", "Set aside"


# Goals the client is still working on.
OPEN_GOAL_STATUSES = frozenset({GoalStatus.ACTIVE, GoalStatus.REVISED})


class GoalUpdateKind(LabelledEnum):
    CREATED = "created", "Created"
    PROGRESS = "progress", "Progress"
    STEP = "step", "Step"
    STATUS = "status", "Status"
    EDITED = "edited", "Edited"  # title, why or target date reworded (goals.edit_goal)


class GroupType(LabelledEnum):
    PSYCHOEDUCATIONAL = "psychoeducational", "Psychoeducational"
    PROCESS = "process", "Process"
    SKILLS_DEVELOPMENT = "skills_development", "Skills development"
    SUPPORT = "support", "Support"
    RELAPSE_PREVENTION = "relapse_prevention", "Relapse prevention"
    TWELVE_STEP_SPIRITUAL = "twelve_step_spiritual", "12-step / spiritual"
    FAMILY = "family", "Family"
    OTHER = "other", "Other"


class AttendanceStatus(LabelledEnum):
    PRESENT = "present", "Present"
    LATE = "late", "Late"
    LEFT_EARLY = "left_early", "Left early"
    EXCUSED = "excused", "Excused absence"
    UNEXCUSED = "unexcused", "Unexcused absence"


# The one definition of "attended" (counts toward hours and attendance rates).
ATTENDED = (AttendanceStatus.PRESENT, AttendanceStatus.LATE, AttendanceStatus.LEFT_EARLY)
MISSED = (AttendanceStatus.EXCUSED, AttendanceStatus.UNEXCUSED)


class IndividualSessionStatus(LabelledEnum):
    SCHEDULED = "scheduled", "Scheduled"
    ATTENDED = "attended", "Attended"
    MISSED = "missed", "Missed"
    CANCELLED = "cancelled", "Cancelled"


class FamilySessionStatus(LabelledEnum):
    PROPOSED = "proposed", "Times proposed"
    BOOKED = "booked", "Booked"
    CANCELLED = "cancelled", "Cancelled"
    COMPLETED = "completed", "Attended"


class SessionMode(LabelledEnum):
    IN_PERSON = "in_person", "In person"
    VIDEO = "video", "Video call"


class SlotStatus(LabelledEnum):
    OPEN = "open", "Open"
    ACCEPTED = "accepted", "Accepted"
    WITHDRAWN = "withdrawn", "Withdrawn"
    DECLINED = "declined", "Declined"


class ConsentScope(LabelledEnum):
    SCHEDULING = "scheduling", "Family-session scheduling only"
    SCHEDULING_PROGRESS = (
        "scheduling_progress",
        "Family-session scheduling, attendance and a summary of progress",
    )


class ConsentEndEvent(LabelledEnum):
    """Events a consent can end on that the program itself records, so the consent
    ends by itself when it happens (other events are free text, ended by staff)."""

    DISCHARGE = "discharge", "Discharge from the program"


class AuditOutcome(LabelledEnum):
    SUCCESS = "success", "Success"
    FAILURE = "failure", "Failure"
    ALLOWED = "allowed", "Allowed"
    DENIED = "denied", "Denied"


class MeasureTiming(LabelledEnum):
    """When a program rule gives a measure (services/measure_schedule.py)."""

    INTAKE = "intake", "At intake"
    INTERVAL = "interval", "Every few days"
    DISCHARGE = "discharge", "At discharge"


class MeasureResponseStatus(LabelledEnum):
    DRAFT = "draft", "Started"  # answers kept while the client is part way through
    SUBMITTED = "submitted", "Completed"  # never edited again; a correction supersedes it


class MeasureAlertKind(LabelledEnum):
    ITEM9 = "item9", "PHQ-9 item 9 above 0"
    RISE = "rise", "Score rose 5 or more points"
    BAM_USE = "bam_use", "BAM: recent substance use"
def enum_check_sql(column: str, enum: type[StrEnum], *, allow_empty: bool = False) -> str:
    """SQL keeping `column` inside the enum's values ('' too if allow_empty)."""
    values = ([""] if allow_empty else []) + [member.value for member in enum]
    for value in values:  # values are our own short keys; refuse anything that needs escaping
        if "'" in value:
            raise ValueError(f"enum value {value!r} cannot go into a CHECK constraint")
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


def enum_check(table: str, column: str, enum: type[StrEnum], *, allow_empty: bool = False) -> CheckConstraint:
    """The CHECK constraint ck_<table>_<column> for a closed-set column. The models'
    __table_args__ and the migration that adds it (d10c4ec50001) both build it here,
    so the two say the same thing (alembic's autogenerate does not compare CHECKs)."""
    return CheckConstraint(enum_check_sql(column, enum, allow_empty=allow_empty), name=f"ck_{table}_{column}")


# The clinical record (issue #11): intake, treatment plans, progress notes.


class AsamDimension(LabelledEnum):
    """The six ASAM Criteria dimensions an assessment rates (risk 0-4 each)."""

    INTOXICATION = "d1", "1. Acute intoxication and/or withdrawal potential"
    BIOMEDICAL = "d2", "2. Biomedical conditions and complications"
    EMOTIONAL = "d3", "3. Emotional, behavioural or cognitive conditions"
    READINESS = "d4", "4. Readiness to change"
    RELAPSE = "d5", "5. Relapse, continued use or continued problem potential"
    ENVIRONMENT = "d6", "6. Recovery/living environment"


class LevelOfCare(LabelledEnum):
    """ASAM levels of care a recommendation chooses from."""

    EARLY_INTERVENTION = "0.5", "0.5 Early intervention"
    OUTPATIENT = "1", "1 Outpatient"
    INTENSIVE_OUTPATIENT = "2.1", "2.1 Intensive outpatient"
    PARTIAL_HOSPITALIZATION = "2.5", "2.5 Partial hospitalization"
    LOW_INTENSITY_RESIDENTIAL = "3.1", "3.1 Clinically managed low-intensity residential"
    POPULATION_SPECIFIC_RESIDENTIAL = "3.3", "3.3 Population-specific high-intensity residential"
    HIGH_INTENSITY_RESIDENTIAL = "3.5", "3.5 Clinically managed high-intensity residential"
    MEDICALLY_MONITORED = "3.7", "3.7 Medically monitored intensive inpatient"
    MEDICALLY_MANAGED = "4", "4 Medically managed intensive inpatient"


class RiskLevel(LabelledEnum):
    """The intake's suicide and homicide risk screen."""

    NONE = "none", "None reported"
    LOW = "low", "Low"
    MODERATE = "moderate", "Moderate"
    HIGH = "high", "High"


class RecordStatus(LabelledEnum):
    """An intake or a progress note: a draft until signed; signed is locked."""

    DRAFT = "draft", "Draft"
    SIGNED = "signed", "Signed"


class PlanStatus(LabelledEnum):
    """A treatment-plan version. Content is locked once the therapist signs;
    the plan is in force once the client has signed too; a review makes a new version."""

    DRAFT = "draft", "Draft"
    AWAITING_CLIENT = "awaiting_client", "Awaiting the client's signature"
    SIGNED = "signed", "Signed"
    SUPERSEDED = "superseded", "Replaced by a review"


class ObjectiveStatus(LabelledEnum):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    ACHIEVED = "achieved", "Achieved"
    REVISED = "revised", "Revised"
    DISCONTINUED = "discontinued", "Discontinued"


class NoteFormat(LabelledEnum):
    DAP = "dap", "DAP (data, assessment, plan)"
    BIRP = "birp", "BIRP (behaviour, intervention, response, plan)"
    SOAP = "soap", "SOAP (subjective, objective, assessment, plan)"
    GIRP = "girp", "GIRP (goal, intervention, response, plan)"


class ServiceType(LabelledEnum):
    INDIVIDUAL = "individual", "Individual session"
    GROUP = "group", "Group session"
    FAMILY = "family", "Family session"
    CASE_MANAGEMENT = "case_management", "Case management"
    CRISIS = "crisis", "Crisis contact"


class ServiceLocation(LabelledEnum):
    OFFICE = "office", "Program office"
    TELEHEALTH_VIDEO = "telehealth_video", "Telehealth (video)"
    TELEHEALTH_PHONE = "telehealth_phone", "Telehealth (phone)"
    COMMUNITY = "community", "Community"
    HOME = "home", "Client's home"


# Discharge, aftercare and follow-up (issue #13, section 4).


class DischargeType(LabelledEnum):
    COMPLETED = "completed", "Completed the program"
    AGAINST_ADVICE = "against_advice", "Left against advice"
    ADMINISTRATIVE = "administrative", "Administrative discharge"
    TRANSFERRED = "transferred", "Transferred to another level of care"
    INCARCERATED = "incarcerated", "Incarcerated"
    DIED = "died", "Died"


class GoalOutcome(LabelledEnum):
    """Progress on one goal of the plan in force, judged at discharge ("" until judged)."""

    ACHIEVED = "achieved", "Achieved"
    PARTLY = "partly", "Partly achieved"
    NOT_ACHIEVED = "not_achieved", "Not achieved"


class FollowUpUse(LabelledEnum):
    """Substance use the person reports at a follow-up contact."""

    NOT_USING = "not_using", "Not using"
    USING = "using", "Using"
    DID_NOT_SAY = "did_not_say", "Did not say"


class HousingStatus(LabelledEnum):
    STABLE = "stable", "Stable housing"
    RECOVERY_RESIDENCE = "recovery_residence", "Recovery residence / sober living"
    UNSTABLE = "unstable", "Unstable or temporary"
    HOMELESS = "homeless", "Homeless"
    DID_NOT_SAY = "did_not_say", "Did not say"


class EmploymentStatus(LabelledEnum):
    EMPLOYED = "employed", "Employed"
    IN_SCHOOL = "in_school", "In school or training"
    UNEMPLOYED = "unemployed", "Unemployed, looking"
    NOT_IN_LABOUR_FORCE = "not_working", "Not working (disability, retired, caring)"
    DID_NOT_SAY = "did_not_say", "Did not say"


# Referrals and the community resource directory (issue #13, section 2).


class ResourceCategory(LabelledEnum):
    """What a community resource in the directory offers."""

    HOUSING = "housing", "Housing"
    FOOD = "food", "Food"
    EMPLOYMENT = "employment", "Employment / vocational rehabilitation"
    BENEFITS = "benefits", "Benefits / Medi-Cal"
    LEGAL = "legal", "Legal"
    MEDICAL = "medical", "Medical"
    PSYCHIATRY_MAT = "psychiatry_mat", "Psychiatry and medication for addiction treatment"
    MUTUAL_HELP = "mutual_help", "Mutual help (12-step, SMART and others)"
    TRANSPORT = "transport", "Transport"
    CHILDCARE = "childcare", "Childcare"


class ReferralUrgency(LabelledEnum):
    ROUTINE = "routine", "Routine"
    SOON = "soon", "Soon (within a week)"
    URGENT = "urgent", "Urgent (within 2 days)"


class ReferralStatus(LabelledEnum):
    """The closed loop of a referral: sent -> accepted / declined -> appointment set
    -> attended / did not attend -> closed (services/referrals.TRANSITIONS)."""

    SENT = "sent", "Sent"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    SCHEDULED = "scheduled", "Appointment set"
    ATTENDED = "attended", "Attended"
    NOT_ATTENDED = "not_attended", "Did not attend"
    CLOSED = "closed", "Closed"
