"""The client's own recovery tools (issue #13, section 3).

- Stage of change: the client places themselves (precontemplation to maintenance)
  with the Readiness Ruler's importance and confidence (0-10). Every placement is
  kept; staff see the history beside the URICA and Readiness Ruler questionnaires
  (services/measure_records.py) when those were given.
- Decisional balance: good and not-so-good things about changing and about not
  changing, in the client's words; each save is a new dated version.
- Urge log: a quick entry when a craving hits (intensity, trigger, where, what
  they did, whether they used), at server time; shown day by day beside the daily
  check-in (the diary).
- Relapse-prevention plan and safety plan: written by the client and their
  therapist together; each save is a new version.

Who: the client on their own record writes everything; the decisional balance,
the stage placement and the urge log are the client's alone (their words, their
moments), while the two plans may also be written by staff who may write the
record (permissions.WRITE: primary therapist, a facilitator of the client's group,
the director, an emergency grant). Staff reads are audited (permissions.require);
family members are refused everything here, whatever their consent (Part 2).

Versions: the three documents are append-only. A page shows version N and saves
with `expected_number=N`; the save writes N + 1. If anyone saved since, it is
refused with StaleEdit naming who and when (services/versions.stale_edit), and
nothing is kept; the unique (client_id, number) pair makes that check atomic even
when two saves race past the first look.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import ClassVar

from pydantic import Field, field_validator
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from ..models import MoodEntry, User, utcnow
from ..models.enums import StageOfChange
from ..models.recovery_tools import TEXT_MAX, DecisionalBalance, RelapsePlan, SafetyPlan, StageRating, UrgeEntry
from . import audit, inputs, measure_records, permissions, program, versions
from .errors import ValidationError

NOTE_MAX = 500
SHORT_MAX = 200
RESPONSE_MAX = 500
CONTACT_LINE_MAX = 120
CONTACTS_MAX = 12
DIARY_DAYS = 14  # the urge log beside the diary: the last two weeks
URGE_DAYS = 30  # urges listed

# What each stage means, in plain words for the client (the stage names are the model's).
STAGE_HINTS: dict[str, str] = {
    StageOfChange.PRECONTEMPLATION: "I'm not really thinking about changing right now.",
    StageOfChange.CONTEMPLATION: "I'm thinking about changing, but I'm not sure yet.",
    StageOfChange.PREPARATION: "I've decided to change and I'm getting ready.",
    StageOfChange.ACTION: "I'm making the change now.",
    StageOfChange.MAINTENANCE: "I've made the change and I'm working to keep it.",
}


# --------------------------------------------------------------------------- documents
@dataclass(frozen=True)
class Part:
    """One part of a versioned document: its column, its heading, a line of help, and
    whether it lists people to call (one a line, "Name: phone")."""

    name: str
    title: str
    hint: str
    contacts: bool = False


BALANCE_PARTS: tuple[Part, ...] = (
    Part("pros_change", "Good things about changing", "What could get better if I change?"),
    Part("cons_change", "Not so good things about changing", "What would be hard, or what would I miss?"),
    Part("pros_same", "Good things about not changing", "What do I get from things staying as they are?"),
    Part("cons_same", "Not so good things about not changing", "What does it cost me if nothing changes?"),
)
RELAPSE_PARTS: tuple[Part, ...] = (
    Part("warning_signs", "My warning signs", "Thoughts, feelings and habits that tell me I'm drifting."),
    Part("high_risk", "High-risk situations", "People, places, times and feelings that make using more likely."),
    Part("coping", "What I'll do instead", "Coping strategies that work for me."),
    Part("people", "People I can call", "One person a line, then their number, e.g. Sam: 555-0100.", True),
    Part("reasons", "My reasons for recovery", "Why this matters to me."),
)
SAFETY_PARTS: tuple[Part, ...] = (
    Part("warning_signs", "1. Signs a crisis may be starting", "Thoughts, moods, situations or behaviour."),
    Part("coping", "2. Things I can do on my own", "To take my mind off things: a walk, music, a shower ..."),
    Part("distractions", "3. People and places that take my mind off things",
         "Someone to be with, a place to go (a café, a meeting, the park)."),
    Part("helpers", "4. People I can ask for help", "One person a line, then their number, e.g. Sam: 555-0100.",
         True),
    Part("professionals", "5. Professionals and services I can call",
         "My therapist, my doctor, a clinic: one a line with the number. Crisis lines are always shown.", True),
    Part("safe_environment", "6. Making my surroundings safer",
         "What I can put away, give to someone, or keep out of the house."),
)


@dataclass(frozen=True)
class Kind:
    """A versioned document: its table, its parts, what its audit events are called."""

    model: type
    parts: tuple[Part, ...]
    what: str  # audit action prefix
    label: str  # for messages
    client_only: bool  # written only by the client (their own words)


BALANCE = Kind(DecisionalBalance, BALANCE_PARTS, "tools.balance", "decisional balance", client_only=True)
RELAPSE_PLAN = Kind(RelapsePlan, RELAPSE_PARTS, "tools.relapse_plan", "relapse-prevention plan", client_only=False)
SAFETY_PLAN = Kind(SafetyPlan, SAFETY_PARTS, "tools.safety_plan", "safety plan", client_only=False)


@dataclass(frozen=True)
class Contact:
    name: str
    phone: str  # as written
    tel: str  # "tel:+15550100"; "" when the line has no number


_PHONE = re.compile(r"(\+?\d[\d\s().\-]{1,}\d)\s*$")


def contacts(text: str) -> list[Contact]:
    """People to call, one a line ("Sam (sponsor): 555-0100"). A line without a
    number is kept as a name (no link). 988, 911 and short codes are numbers too."""
    found = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        match = _PHONE.search(line)
        digits = re.sub(r"\D", "", match.group(1)) if match else ""
        if not match or len(digits) < 3:
            found.append(Contact(line, "", ""))
            continue
        name = line[:match.start()].strip().rstrip(":-–—,").strip() or match.group(1).strip()
        plus = "+" if match.group(1).lstrip().startswith("+") else ""
        found.append(Contact(name, match.group(1).strip(), f"tel:{plus}{digits}"))
    return found


@dataclass(frozen=True)
class DocumentView:
    number: int
    parts: dict[str, str]  # part name -> text
    written_at: datetime  # UTC
    written_local: str  # "Nov 20, 2026 14:05"
    written_by: str  # full name


class _DocumentInput(inputs.ServiceInput):
    """The parts of a document: text, each up to TEXT_MAX characters; lists of
    people at most CONTACTS_MAX lines of CONTACT_LINE_MAX characters."""

    model_config = inputs.ServiceInput.model_config | {"strict": True}
    contact_parts: ClassVar[tuple[str, ...]] = ()
    messages: ClassVar[dict[str, str]] = {"form": "Write at least one part before saving."}

    @field_validator("*", mode="before")
    @classmethod
    def _none_is_empty(cls, value):
        return "" if value is None else value

    @field_validator("*")
    @classmethod
    def _contact_lines(cls, value, info):
        if info.field_name in cls.contact_parts:
            lines = [line for line in value.splitlines() if line.strip()]
            if len(lines) > CONTACTS_MAX:
                raise ValueError(f"Up to {CONTACTS_MAX} people, one a line (this has {len(lines)}).")
            if any(len(line.strip()) > CONTACT_LINE_MAX for line in lines):
                raise ValueError(f"Each line can be up to {CONTACT_LINE_MAX} characters: a name and a number.")
        return value


def _document_input(kind: Kind) -> type[_DocumentInput]:
    """The pydantic model of one kind of document (built once per kind)."""
    annotations = {part.name: str for part in kind.parts}
    namespace = {
        "__annotations__": annotations,
        **{part.name: Field("", max_length=TEXT_MAX) for part in kind.parts},
        "contact_parts": tuple(part.name for part in kind.parts if part.contacts),
        "messages": {
            **{part.name: f"{part.title.split('. ', 1)[-1]} can be up to {TEXT_MAX} characters "
                          "(this is {length})." for part in kind.parts},
            **{f"{part.name}:type": "Please write text here." for part in kind.parts},
        },
    }
    return type(f"{kind.model.__name__}Input", (_DocumentInput,), namespace)


_INPUTS = {kind.what: _document_input(kind) for kind in (BALANCE, RELAPSE_PLAN, SAFETY_PLAN)}


def _versions(session: Session, kind: Kind, client_id: int) -> list[DocumentView]:
    model = kind.model
    tz = program.program_tz(session)
    rows = session.exec(select(model, User.full_name).join(User, User.id == model.written_by)
                        .where(model.client_id == client_id).order_by(col(model.number).desc())).all()
    out = []
    for row, name in rows:
        local = program.to_local(row.written_at, tz)
        out.append(DocumentView(row.number, {part.name: getattr(row, part.name) for part in kind.parts},
                                row.written_at, f"{local:%b} {local.day}, {local.year} {local:%H:%M}", name))
    return out


def _latest(session: Session, kind: Kind, client_id: int):
    model = kind.model
    return session.exec(select(model).where(model.client_id == client_id)
                        .order_by(col(model.number).desc())).first()


def document_versions(session: Session, actor: User, client_id: int, kind: Kind) -> list[DocumentView]:
    """Every version of the client's document, newest first (a staff read is audited)."""
    permissions.require(session, actor, permissions.READ, client_id, what=f"{kind.what}.view")
    return _versions(session, kind, client_id)


def save_document(session: Session, actor: User, client_id: int, kind: Kind, *, expected_number,
                  **parts) -> DocumentView | None:
    """Save a new version of the document on top of version `expected_number` (0: none
    yet). Returns the new version, or None when nothing changed (no version added).
    StaleEdit when someone saved a newer version since; ValidationError for bad text."""
    permissions.require(session, actor, permissions.WRITE, client_id, what=f"{kind.what}.save",
                        roles=permissions.CLIENT_ONLY if kind.client_only else None)
    values = inputs.validate(_INPUTS[kind.what], **parts).model_dump()
    latest = _latest(session, kind, client_id)
    current = latest.number if latest is not None else 0
    if type(expected_number) is not int or expected_number != current:
        raise _stale(session, actor, kind, client_id, latest)
    if latest is not None and all(getattr(latest, name) == text for name, text in values.items()):
        return None
    if latest is None and not any(values.values()):
        raise ValidationError({"form": "Write at least one part before saving."})
    row = kind.model(client_id=client_id, number=current + 1, written_at=utcnow(), written_by=actor.id, **values)
    session.add(row)
    audit.record(session, actor, f"{kind.what}.save", client_id=client_id,
                 target=f"{kind.model.__tablename__}:{client_id}:{current + 1}", detail=f"version {current + 1}")
    try:
        session.commit()
    except IntegrityError:  # someone wrote version current + 1 between our look and our insert
        session.rollback()
        raise _stale(session, actor, kind, client_id, _latest(session, kind, client_id)) from None
    return _versions(session, kind, client_id)[0]


def _stale(session: Session, actor: User, kind: Kind, client_id: int, latest):
    session.rollback()
    audit.record_now(session, actor, f"{kind.what}.save", client_id=client_id, outcome="failure",
                     target=f"{kind.model.__tablename__}:{client_id}",
                     detail=f"stale save refused: version {latest.number if latest else 0} is the latest")
    return versions.stale_edit(session, actor, latest.written_by if latest else None,
                               latest.written_at if latest else None, did=f"saved a newer {kind.label}")


# --------------------------------------------------------------------------- stage of change
class StageInput(inputs.ServiceInput, strict=True):
    stage: StageOfChange
    importance: int = Field(ge=0, le=10)
    confidence: int = Field(ge=0, le=10)
    note: str = Field("", max_length=NOTE_MAX)

    blank_if_none = ("note",)
    messages: ClassVar[dict[str, str]] = {
        "stage": "Choose the stage that fits you best right now.",
        "importance": "Choose how important it is, from 0 to 10.",
        "confidence": "Choose how confident you are, from 0 to 10.",
        "note": f"The note can be up to {NOTE_MAX} characters (this is {{length}}).",
    }

    @field_validator("stage", mode="before")
    @classmethod
    def _stage_text(cls, value):  # strict mode takes the enum's value as text
        return StageOfChange(value) if isinstance(value, str) and value in StageOfChange.values() else value


@dataclass(frozen=True)
class StageView:
    id: int
    stage: str
    stage_label: str
    importance: int
    confidence: int
    note: str
    recorded_at: datetime
    day: date  # program-local


def record_stage(session: Session, actor: User, client_id: int, **values) -> StageView:
    """The client places themselves; a new row each time (history kept)."""
    permissions.require(session, actor, permissions.WRITE, client_id, what="tools.stage.record",
                        roles=permissions.CLIENT_ONLY)
    data = inputs.validate(StageInput, **values)
    row = StageRating(client_id=client_id, stage=data.stage.value, importance=data.importance,
                      confidence=data.confidence, note=data.note, recorded_at=utcnow(), recorded_by=actor.id)
    audit.save_new(session, actor, row, "tools.stage.record", "stage_rating", client_id=client_id,
                   detail=f"{data.stage.value} importance {data.importance} confidence {data.confidence}")
    return _stage_view(session, row)


def _stage_view(session: Session, row: StageRating) -> StageView:
    day = program.to_local(row.recorded_at, program.program_tz(session)).date()
    return StageView(row.id, row.stage, StageOfChange.label_of(row.stage), row.importance, row.confidence, row.note,
                     row.recorded_at, day)


def stage_history(session: Session, actor: User, client_id: int) -> list[StageView]:
    """Every placement, newest first."""
    permissions.require(session, actor, permissions.READ, client_id, what="tools.stage.view")
    return _stage_history(session, client_id)


def _stage_history(session: Session, client_id: int) -> list[StageView]:
    rows = session.exec(select(StageRating).where(StageRating.client_id == client_id)
                        .order_by(col(StageRating.recorded_at).desc(), col(StageRating.id).desc())).all()
    return [_stage_view(session, row) for row in rows]


@dataclass(frozen=True)
class ReadinessLine:
    """A URICA or Readiness Ruler questionnaire, to read beside the client's own placements."""

    day: date
    name: str
    summary: str


def readiness_measures(session: Session, actor: User, client_id: int) -> list[ReadinessLine]:
    """URICA and Readiness Ruler results (newest first), corrected ones replaced by
    their correction. measure_records.history checks READ and audits it."""
    tz = program.program_tz(session)
    lines = []
    for code in ("urica", "ruler"):
        done = measure_records.history(session, actor, client_id, code)
        replaced = {row.supersedes_id for row in done if row.supersedes_id}
        for row in done:
            if row.id in replaced or row.completed_at is None:
                continue
            if code == "urica":
                highest = max(row.subscales.items(), key=lambda item: item[1], default=None)
                summary = (f"Readiness {row.total:.1f} (−2 to 14)" if row.total is not None else "Readiness —")
                if highest:
                    summary += f"; highest stage score: {highest[0].capitalize()} {highest[1]:.1f}"
                name = "URICA"
            else:
                summary = (f"Importance {row.answers.get(1, '—')}, confidence {row.answers.get(2, '—')}"
                           " (0–10)")
                name = "Readiness Ruler"
            lines.append(ReadinessLine(program.to_local(row.completed_at, tz).date(), name, summary))
    return sorted(lines, key=lambda line: line.day, reverse=True)


# --------------------------------------------------------------------------- urge log
class UrgeInput(inputs.ServiceInput, strict=True):
    intensity: int = Field(ge=0, le=10)
    trigger: str = Field("", max_length=SHORT_MAX)
    place: str = Field("", max_length=SHORT_MAX)
    response: str = Field("", max_length=RESPONSE_MAX)
    used: bool

    blank_if_none = ("trigger", "place", "response")
    messages: ClassVar[dict[str, str]] = {
        "intensity": "Choose how strong the urge is, from 0 to 10.",
        "trigger": f"What set it off can be up to {SHORT_MAX} characters (this is {{length}}).",
        "place": f"Where you were can be up to {SHORT_MAX} characters (this is {{length}}).",
        "response": f"What you did can be up to {RESPONSE_MAX} characters (this is {{length}}).",
        "used": "Choose yes or no.",
    }


@dataclass(frozen=True)
class UrgeView:
    id: int
    felt_at: datetime
    day: date  # program-local
    time: str  # "14:05"
    intensity: int
    trigger: str
    place: str
    response: str
    used: bool


def log_urge(session: Session, actor: User, client_id: int, **values) -> UrgeView:
    """A craving, logged now (server time: not backdated)."""
    permissions.require(session, actor, permissions.WRITE, client_id, what="tools.urge.log",
                        roles=permissions.CLIENT_ONLY)
    data = inputs.validate(UrgeInput, **values)
    row = UrgeEntry(client_id=client_id, felt_at=utcnow(), logged_by=actor.id, **data.model_dump())
    audit.save_new(session, actor, row, "tools.urge.log", "urge_entry", client_id=client_id,
                   detail=f"intensity {data.intensity}" + ("; used" if data.used else ""))
    return _urge_view(row, program.program_tz(session))


def _urge_view(row: UrgeEntry, tz) -> UrgeView:
    local = program.to_local(row.felt_at, tz)
    return UrgeView(row.id, row.felt_at, local.date(), f"{local:%H:%M}", row.intensity, row.trigger, row.place,
                    row.response, row.used)


def _urges(session: Session, client_id: int, since: datetime) -> list[UrgeView]:
    tz = program.program_tz(session)
    rows = session.exec(select(UrgeEntry).where(UrgeEntry.client_id == client_id, UrgeEntry.felt_at >= since)
                        .order_by(col(UrgeEntry.felt_at).desc(), col(UrgeEntry.id).desc())).all()
    return [_urge_view(row, tz) for row in rows]


@dataclass(frozen=True)
class DiaryDay:
    """One day of the diary (the daily check-in) with the urges logged that day."""

    day: date
    checked_in: bool
    craving: int | None  # the check-in's craving 0-10
    used: bool | None  # the check-in's answer
    urges: list[UrgeView] = field(default_factory=list)

    @property
    def strongest(self) -> int | None:
        return max((urge.intensity for urge in self.urges), default=None)


def _diary(session: Session, client_id: int, today: date, days: int, urges: list[UrgeView]) -> list[DiaryDay]:
    first = today - timedelta(days=days - 1)
    entries = {row.day: row for row in session.exec(
        select(MoodEntry).where(MoodEntry.client_id == client_id, MoodEntry.day >= first, MoodEntry.day <= today))}
    out = []
    for offset in range(days):
        day = today - timedelta(days=offset)
        entry = entries.get(day)
        out.append(DiaryDay(day, entry is not None, entry.craving if entry else None,
                            entry.used_substance if entry else None, [u for u in urges if u.day == day]))
    return out


# --------------------------------------------------------------------------- everything at once
@dataclass(frozen=True)
class Tools:
    """What the tools pages show, after one permission check."""

    stages: list[StageView]
    balances: list[DocumentView]
    urges: list[UrgeView]  # the last URGE_DAYS days, newest first
    diary: list[DiaryDay]  # the last DIARY_DAYS days, today first
    relapse_plans: list[DocumentView]
    safety_plans: list[DocumentView]


def tools(session: Session, actor: User, client_id: int, *, what: str = "tools.view") -> Tools:
    """All the client's recovery tools (a staff read is audited once, as `what`)."""
    permissions.require(session, actor, permissions.READ, client_id, what=what)
    today = program.local_today(session)
    start, _ = program.local_day_bounds_utc(today - timedelta(days=URGE_DAYS - 1), program.program_tz(session))
    urges = _urges(session, client_id, start)
    return Tools(_stage_history(session, client_id), _versions(session, BALANCE, client_id), urges,
                 _diary(session, client_id, today, DIARY_DAYS, urges), _versions(session, RELAPSE_PLAN, client_id),
                 _versions(session, SAFETY_PLAN, client_id))


def current_safety_plan(session: Session, actor: User, client_id: int) -> DocumentView | None:
    """The safety plan in force (its latest version), for the crisis panel and the home page."""
    permissions.require(session, actor, permissions.READ, client_id, what="tools.safety_plan.view")
    found = _versions(session, SAFETY_PLAN, client_id)
    return found[0] if found else None


def current_relapse_plan(session: Session, actor: User, client_id: int) -> DocumentView | None:
    permissions.require(session, actor, permissions.READ, client_id, what="tools.relapse_plan.view")
    found = _versions(session, RELAPSE_PLAN, client_id)
    return found[0] if found else None
