"""Drug and alcohol screening (issue #13, section 1).

Rules:
- staff on the client's care (permissions.require WRITE, staff only) record a screen;
  its time is the server's clock (`collected_at`), never typed in, so never backdated;
- a collected screen names its specimen and method and gives a result (negative,
  positive, invalid, not tested) for analytes of the program's panel
  (`screen_analyte`, edited by the director), at least one of them tested; the
  temperature check applies to urine only; a missed or refused screen has no
  specimen and no results;
- a positive for an analyte a medication explains (ExpectedMedication in force on
  the day of the screen: buprenorphine, methadone, a prescribed benzodiazepine ...)
  is marked expected; recording or ending a medication re-marks the client's
  positives, so "expected" always says what the medication list says;
- a screen with a positive starts presumptive ("unconfirmed", or "sent" when staff
  send it on at once); the lab's answer later confirms or refutes it, with the
  lab's words; a lab answer is final;
- the roster flags a client (FLAG_SCREEN) with, in the last FLAG_DAYS days, a missed
  or refused screen, or an unexpected positive the lab has not refuted (presumptive
  positives flag: waiting days for the lab would leave a relapse unseen);
- screens are part of the clinical record: staff and the client read them (every
  read audited, the client's own too), family members never (42 CFR Part 2).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import ClassVar

from pydantic import Field, field_validator
from sqlalchemy import and_, exists, or_, select, update
from sqlmodel import Session, col
from sqlmodel import select as sm_select

from ..models import Client, MoodEntry, User, utcnow
from ..models.enums import ClientStatus
from ..models.screens import (
    CONFIRMATION_FINAL,
    NOT_COLLECTED,
    AnalyteResult,
    Confirmation,
    ExpectedMedication,
    Screen,
    ScreenAnalyte,
    ScreenMethod,
    ScreenOutcome,
    ScreenResult,
    Specimen,
    ValidityCheck,
)
from . import audit, inputs, permissions, program
from .errors import PermissionDenied, ServiceError, ValidationError
from .ids import is_id

FLAG_DAYS = 14  # how long a missed screen or an unexpected positive keeps the roster flag
TIMELINE_DAYS = 60  # the record's timeline: screens and the diary of the last 60 days
NOTE_MAX = 1000
LAB_RESULT_MAX = 2000
MEDICATION_MAX = 120
ANALYTE_LABEL_MAX = 80

# Where a confirmation status may go next (a lab answer is final).
NEXT_CONFIRMATION = {
    Confirmation.UNCONFIRMED: (Confirmation.SENT, Confirmation.CONFIRMED, Confirmation.REFUTED),
    Confirmation.SENT: (Confirmation.CONFIRMED, Confirmation.REFUTED),
}


# ------------------------------------------------------------------ input
class ScreenInput(inputs.ServiceInput, strict=True):
    """One screen as staff record it (the results are checked against the panel in
    record_screen). Strict: the page converts what the browser sent."""

    blank_if_none = ("note",)

    outcome: ScreenOutcome
    specimen: Specimen | None = None
    observed: bool = False
    method: ScreenMethod | None = None
    temperature: ValidityCheck = ValidityCheck.NOT_CHECKED
    adulterant: ValidityCheck = ValidityCheck.NOT_CHECKED
    note: str = Field("", max_length=NOTE_MAX)
    send_for_confirmation: bool = False

    messages: ClassVar[dict[str, str]] = {
        "outcome": "Choose whether a specimen was collected, or the screen was missed or refused.",
        "specimen": "Choose the specimen: urine, oral fluid, breath or blood.",
        "method": "Choose point-of-care or laboratory.",
        "observed": "Say whether the collection was observed.",
        "temperature": "Choose passed, failed or not checked.",
        "adulterant": "Choose passed, failed or not checked.",
        "note": f"The note can be up to {NOTE_MAX} characters (this one is {{length}}).",
        "send_for_confirmation": "Say whether to send the specimen for confirmation.",
    }

    @field_validator("specimen", "method", mode="before")
    @classmethod
    def _blank_is_none(cls, value):
        return None if value == "" else value

    @field_validator("outcome", "specimen", "method", "temperature", "adulterant", mode="before")
    @classmethod
    def _member(cls, value, info):
        # Strict mode wants the enum member; the browser sends its value.
        kind = {"outcome": ScreenOutcome, "specimen": Specimen, "method": ScreenMethod,
                "temperature": ValidityCheck, "adulterant": ValidityCheck}[info.field_name]
        if isinstance(value, str) and value in kind.values():
            return kind(value)
        return value


class ConfirmationInput(inputs.ServiceInput, strict=True):
    blank_if_none = ("lab_result",)

    status: str
    lab_result: str = Field("", max_length=LAB_RESULT_MAX)

    messages: ClassVar[dict[str, str]] = {
        "status": "Choose the confirmation status.",
        "lab_result": f"The lab result can be up to {LAB_RESULT_MAX} characters (this one is {{length}}).",
    }


class MedicationInput(inputs.ServiceInput, strict=True):
    blank_if_none = ("prescriber",)

    medication: str = Field(min_length=2, max_length=MEDICATION_MAX)
    analyte_id: int
    started_on: date
    prescriber: str = Field("", max_length=MEDICATION_MAX)

    messages: ClassVar[dict[str, str]] = {
        "medication": f"Name the medication (2 to {MEDICATION_MAX} characters).",
        "analyte_id": "Choose what it shows up as on a screen.",
        "started_on": "Enter the day the client started it.",
        "prescriber": f"Up to {MEDICATION_MAX} characters, please (this is {{length}}).",
    }


class AnalyteInput(inputs.ServiceInput, strict=True):
    label: str = Field(min_length=2, max_length=ANALYTE_LABEL_MAX)

    messages: ClassVar[dict[str, str]] = {
        "label": f"Name the analyte (2 to {ANALYTE_LABEL_MAX} characters).",
    }


# ------------------------------------------------------------------ views
@dataclass(frozen=True)
class AnalyteView:
    id: int
    code: str
    label: str
    active: bool


@dataclass(frozen=True)
class ResultView:
    analyte: str
    result: str  # AnalyteResult value
    expected: bool


@dataclass(frozen=True)
class ScreenView:
    id: int
    collected_at: datetime
    day: date  # program-local
    outcome: str
    specimen: str
    observed: bool
    method: str
    temperature: str
    adulterant: str
    note: str
    confirmation: str
    lab_result: str
    recorded_by: str
    results: list[ResultView]

    @property
    def positives(self) -> list[ResultView]:
        return [r for r in self.results if r.result == AnalyteResult.POSITIVE]

    @property
    def unexpected_positives(self) -> list[ResultView]:
        return [r for r in self.positives if not r.expected]

    @property
    def validity_failed(self) -> bool:
        return ValidityCheck.FAILED in (self.temperature, self.adulterant)

    @property
    def flags(self) -> bool:
        """Whether this screen, while recent, flags the roster (the same rule as flag_condition)."""
        if self.outcome in NOT_COLLECTED:
            return True
        return bool(self.unexpected_positives) and self.confirmation != Confirmation.REFUTED


@dataclass(frozen=True)
class MedicationView:
    id: int
    medication: str
    analyte: str
    started_on: date
    ended_on: date | None
    prescriber: str


@dataclass(frozen=True)
class TimelineDay:
    """One program-local day with a screen or a diary entry."""

    day: date
    screens: list[ScreenView]
    checked_in: bool
    used: bool  # the client reported use in that day's check-in
    substances: str

    @property
    def discrepancy(self) -> bool:
        """An unexpected positive (not refuted) on a day the client checked in and reported no use."""
        return (self.checked_in and not self.used
                and any(s.flags and s.outcome == ScreenOutcome.COLLECTED for s in self.screens))


@dataclass
class ScreensRecord:
    client_id: int
    client_name: str
    client_status: str
    screens: list[ScreenView] = field(default_factory=list)  # newest first
    medications: list[MedicationView] = field(default_factory=list)  # current first
    timeline: list[TimelineDay] = field(default_factory=list)  # newest first
    panel: list[AnalyteView] = field(default_factory=list)  # the active analytes, to record with
    flagged: bool = False  # a screen of the last FLAG_DAYS days flags the roster


# ------------------------------------------------------------------ the panel
def panel(session: Session, *, active_only: bool = True) -> list[AnalyteView]:
    """The program's analytes in panel order (configuration, not client data)."""
    query = sm_select(ScreenAnalyte).order_by(col(ScreenAnalyte.position), col(ScreenAnalyte.id))
    if active_only:
        query = query.where(col(ScreenAnalyte.active).is_(True))
    return [AnalyteView(a.id, a.code, a.label, a.active) for a in session.exec(query).all()]


def panel_for_director(session: Session, actor: User) -> list[AnalyteView]:
    permissions.require_director(session, actor, "screen.panel.view")
    return panel(session, active_only=False)


def add_analyte(session: Session, actor: User, *, label) -> ScreenAnalyte:
    """The director adds an analyte to the panel (offered on every new screen)."""
    permissions.require_director(session, actor, "screen.panel.add")
    data = inputs.validate(AnalyteInput, label=label)
    existing = session.exec(sm_select(ScreenAnalyte)).all()
    if any(a.label.lower() == data.label.lower() for a in existing):
        raise ValidationError({"label": "That analyte is already on the panel (retired ones can be offered again)."})
    stem = re.sub(r"[^a-z0-9]+", "_", data.label.lower()).strip("_")[:20] or "analyte"
    codes, code, n = {a.code for a in existing}, stem, 1
    while code in codes:
        n += 1
        code = f"{stem}_{n}"
    row = ScreenAnalyte(code=code, label=data.label, position=max((a.position for a in existing), default=-1) + 1)
    audit.save_new(session, actor, row, "screen.panel.add", "screen_analyte", detail=data.label)
    return row


def set_analyte_active(session: Session, actor: User, analyte_id, active) -> None:
    """Retire an analyte (no longer offered; past results keep it) or offer it again."""
    permissions.require_director(session, actor, "screen.panel.change", target=f"screen_analyte:{analyte_id}"[:120])
    row = session.get(ScreenAnalyte, analyte_id) if is_id(analyte_id) else None
    if row is None or type(active) is not bool:
        raise PermissionDenied()
    row.active = active
    session.add(row)
    audit.record(session, actor, "screen.panel.change", target=f"screen_analyte:{row.id}",
                 detail=("offered again: " if active else "retired: ") + row.label)
    session.commit()


# ------------------------------------------------------------------ recording
def _local_day(session: Session, moment: datetime) -> date:
    return program.to_local(moment, program.program_tz(session)).date()


def record_screen(session: Session, actor: User, client_id, *, results=None, **values) -> Screen:
    """Record a screen now (server time). `results` maps analyte id -> AnalyteResult
    value; analytes left out were not tested."""
    client = permissions.require(session, actor, permissions.WRITE, client_id, what="screen.record",
                                 roles=permissions.STAFF)
    if client.status == ClientStatus.DISCHARGED:
        raise ServiceError("This client has been discharged: no new screens.")
    data = inputs.validate(ScreenInput, **values)
    errors: dict[str, str] = {}
    active = {a.id: a for a in panel(session)}
    given: dict[int, str] = {}
    if results is not None and not isinstance(results, dict):
        errors["results"] = "The results could not be read. Please reload the page."
    for key, value in (results or {}).items() if isinstance(results, dict) else ():
        if not is_id(key) or key not in active:
            errors["results"] = "A result names an analyte that is not on the panel. Please reload the page."
        elif value not in AnalyteResult.values():
            errors[f"result_{key}"] = "Choose negative, positive, invalid or not tested."
        elif value != AnalyteResult.NOT_TESTED:
            given[key] = value
    collected = data.outcome == ScreenOutcome.COLLECTED
    if collected:
        if data.specimen is None:
            errors["specimen"] = "Choose the specimen: urine, oral fluid, breath or blood."
        if data.method is None:
            errors["method"] = "Choose point-of-care or laboratory."
        if data.temperature != ValidityCheck.NOT_CHECKED and data.specimen not in (None, Specimen.URINE):
            errors["temperature"] = "The temperature is checked on urine only."
        if not given and "results" not in errors and not any(k.startswith("result_") for k in errors):
            errors["results"] = "Give a result for at least one analyte of the panel."
    else:
        for name in ("specimen", "method"):
            if getattr(data, name) is not None:
                errors[name] = "A missed or refused screen has no specimen: leave this empty."
        if data.observed or data.temperature != ValidityCheck.NOT_CHECKED \
                or data.adulterant != ValidityCheck.NOT_CHECKED:
            errors["outcome"] = "A missed or refused screen has no collection or validity checks."
        if given:
            errors["results"] = "A missed or refused screen has no results."
        if data.send_for_confirmation:
            errors["send_for_confirmation"] = "There is nothing to send for a missed or refused screen."
    has_positive = AnalyteResult.POSITIVE in given.values()
    if data.send_for_confirmation and collected and not has_positive:
        errors["send_for_confirmation"] = "Only a screen with a positive result is sent for confirmation."
    if errors:
        raise ValidationError(errors)

    now = utcnow()
    confirmation = (Confirmation.NOT_NEEDED if not has_positive
                    else Confirmation.SENT if data.send_for_confirmation else Confirmation.UNCONFIRMED)
    screen = Screen(
        client_id=client.id, outcome=data.outcome.value, collected_at=now,
        specimen=data.specimen.value if data.specimen else "", observed=data.observed,
        method=data.method.value if data.method else "", temperature=data.temperature.value,
        adulterant=data.adulterant.value, note=data.note, confirmation=confirmation.value,
        confirmation_at=now if has_positive else None, confirmation_by=actor.id if has_positive else None,
        recorded_by=actor.id,
    )
    session.add(screen)
    session.flush()
    covered = _covered_analytes(session, client.id, _local_day(session, now))
    for analyte_id, value in given.items():
        session.add(ScreenResult(screen_id=screen.id, analyte_id=analyte_id, result=value,
                                 expected=value == AnalyteResult.POSITIVE and analyte_id in covered))
    positives = [active[a].label for a, v in given.items() if v == AnalyteResult.POSITIVE]
    audit.record(session, actor, "screen.record", client_id=client.id, target=f"screen:{screen.id}",
                 detail=(data.outcome.label if not collected
                         else f"positive: {', '.join(positives)}" if positives else "no positive"))
    session.commit()
    return screen


def _covered_analytes(session: Session, client_id: int, day: date) -> set[int]:
    """The analytes a medication in force on `day` explains."""
    rows = session.exec(
        sm_select(ExpectedMedication.analyte_id).where(
            ExpectedMedication.client_id == client_id, ExpectedMedication.started_on <= day,
            or_(col(ExpectedMedication.ended_on).is_(None), col(ExpectedMedication.ended_on) >= day))
    ).all()
    return set(rows)


def _remark_expected(session: Session, client_id: int) -> None:
    """Every positive of the client: expected when a medication explains it on its day."""
    meds = session.exec(sm_select(ExpectedMedication).where(ExpectedMedication.client_id == client_id)).all()
    rows = session.exec(
        sm_select(ScreenResult, Screen.collected_at).join(Screen, col(Screen.id) == ScreenResult.screen_id)
        .where(Screen.client_id == client_id, ScreenResult.result == AnalyteResult.POSITIVE)
    ).all()
    tz = program.program_tz(session)
    for result, collected_at in rows:
        day = program.to_local(collected_at, tz).date()
        expected = any(m.analyte_id == result.analyte_id and m.started_on <= day
                       and (m.ended_on is None or m.ended_on >= day) for m in meds)
        if result.expected != expected:
            result.expected = expected
            session.add(result)


def set_confirmation(session: Session, actor: User, screen_id, *, status, lab_result=None,
                     expected_status=None) -> None:
    """Move a presumptive positive on: sent for confirmation, then confirmed or
    refuted with the lab's words. `expected_status` is the status the page showed:
    a change made meanwhile by someone else is refused, not overwritten."""
    screen = permissions.require_staff_write_row(
        session, actor, Screen, screen_id, what="screen.confirmation", noun="screen")
    data = inputs.validate(ConfirmationInput, status=status, lab_result=lab_result)
    current = Confirmation(screen.confirmation)
    if expected_status is not None and expected_status != current:
        raise ServiceError("Someone changed this screen's confirmation after you opened it. Please reload.")
    allowed = NEXT_CONFIRMATION.get(current, ())
    if data.status not in allowed:
        if current in CONFIRMATION_FINAL:
            raise ValidationError({"status": "The lab has answered; that answer is final."})
        if current == Confirmation.NOT_NEEDED:
            raise ValidationError({"status": "This screen has no positive to confirm."})
        raise ValidationError({"status": "Choose sent for confirmation, confirmed or refuted."})
    new = Confirmation(data.status)
    if new in CONFIRMATION_FINAL and len(data.lab_result) < 3:
        raise ValidationError({"lab_result": "Write what the lab reported (method, level, date of the report)."})
    changed = session.exec(
        update(Screen).where(col(Screen.id) == screen.id, col(Screen.confirmation) == current.value)
        .values(confirmation=new.value, lab_result=data.lab_result or screen.lab_result,
                confirmation_at=utcnow(), confirmation_by=actor.id)
    ).rowcount
    if changed != 1:  # someone else moved it on between our read and our write
        session.rollback()
        raise ServiceError("Someone changed this screen's confirmation just now. Please reload.")
    audit.record(session, actor, "screen.confirmation", client_id=screen.client_id, target=f"screen:{screen.id}",
                 detail=f"{current.value} -> {new.value}")
    session.commit()


# ------------------------------------------------------------------ expected medications
def add_medication(session: Session, actor: User, client_id, *, medication, analyte_id, started_on,
                   prescriber=None) -> ExpectedMedication:
    client = permissions.require(session, actor, permissions.WRITE, client_id, what="screen.medication.add",
                                 roles=permissions.STAFF)
    data = inputs.validate(MedicationInput, medication=medication, analyte_id=analyte_id, started_on=started_on,
                           prescriber=prescriber)
    if session.get(ScreenAnalyte, data.analyte_id) is None:
        raise ValidationError({"analyte_id": "Choose what it shows up as on a screen."})
    if data.started_on > program.local_today(session):
        raise ValidationError({"started_on": "The start day cannot be in the future."})
    row = ExpectedMedication(client_id=client.id, medication=data.medication, analyte_id=data.analyte_id,
                             started_on=data.started_on, prescriber=data.prescriber, recorded_by=actor.id)
    session.add(row)
    session.flush()
    _remark_expected(session, client.id)
    audit.record(session, actor, "screen.medication.add", client_id=client.id,
                 target=f"expected_medication:{row.id}", detail=data.medication)
    session.commit()
    return row


def end_medication(session: Session, actor: User, medication_id) -> None:
    """The client stopped the medication today: from tomorrow its positives flag."""
    row = permissions.require_staff_write_row(
        session, actor, ExpectedMedication, medication_id, what="screen.medication.end", noun="medication")
    if row.ended_on is not None:
        raise ServiceError("That medication has already ended.")
    today = program.local_today(session)
    row.ended_on = max(today, row.started_on)
    session.add(row)
    _remark_expected(session, row.client_id)
    audit.record(session, actor, "screen.medication.end", client_id=row.client_id,
                 target=f"expected_medication:{row.id}", detail=row.medication)
    session.commit()


# ------------------------------------------------------------------ reading
def screens_record(session: Session, actor: User, client_id, *, today: date | None = None) -> ScreensRecord:
    """The client's screens, medications and timeline (beside the diary), after one
    permission check: staff on the client's care and the client themselves; family
    members never. Every read is audited, the client's own too."""
    client = permissions.require(session, actor, permissions.READ, client_id, what="screen.view",
                                 roles=(*permissions.STAFF, *permissions.CLIENT_ONLY))
    if actor.is_client:
        audit.record_now(session, actor, "screen.view", client_id=client.id, outcome="allowed", detail="own record")
    return _build(session, client, today or program.local_today(session), with_panel=actor.is_staff)


def _build(session: Session, client: Client, today: date, with_panel: bool) -> ScreensRecord:
    tz = program.program_tz(session)
    analytes = panel(session, active_only=False)
    labels = {a.id: a.label for a in analytes}
    order = {a.id: i for i, a in enumerate(analytes)}
    rows = session.exec(sm_select(Screen).where(Screen.client_id == client.id)
                        .order_by(col(Screen.collected_at).desc(), col(Screen.id).desc())).all()
    people = {client.user_id} | {s.recorded_by for s in rows}
    names = {u.id: u.full_name for u in session.exec(sm_select(User).where(col(User.id).in_(people))).all()}
    results: dict[int, list[ScreenResult]] = {}
    if rows:
        for r in session.exec(sm_select(ScreenResult).where(col(ScreenResult.screen_id).in_([s.id for s in rows]))):
            results.setdefault(r.screen_id, []).append(r)
    flag_since = program.local_day_bounds_utc(today - timedelta(days=FLAG_DAYS - 1), tz)[0]
    record = ScreensRecord(client.id, names.get(client.user_id, ""), client.status)
    for s in rows:
        res = sorted(results.get(s.id, []), key=lambda r: order.get(r.analyte_id, 0))
        record.screens.append(ScreenView(
            s.id, s.collected_at, program.to_local(s.collected_at, tz).date(), s.outcome, s.specimen, s.observed,
            s.method, s.temperature, s.adulterant, s.note, s.confirmation, s.lab_result,
            names.get(s.recorded_by, ""),
            [ResultView(labels.get(r.analyte_id, "?"), r.result, r.expected) for r in res]))
    record.flagged = any(v.flags for v, s in zip(record.screens, rows, strict=True) if s.collected_at >= flag_since)
    meds = session.exec(sm_select(ExpectedMedication).where(ExpectedMedication.client_id == client.id)
                        .order_by(col(ExpectedMedication.ended_on).is_not(None),
                                  col(ExpectedMedication.started_on).desc())).all()
    record.medications = [MedicationView(m.id, m.medication, labels.get(m.analyte_id, "?"), m.started_on,
                                         m.ended_on, m.prescriber) for m in meds]
    record.timeline = _timeline(session, client.id, record.screens, today)
    if with_panel:
        record.panel = panel(session)
    return record


def _timeline(session: Session, client_id: int, screens: list[ScreenView], today: date) -> list[TimelineDay]:
    """Days of the last TIMELINE_DAYS with a screen or a check-in, newest first: what
    the screens found beside what the client reported, so discrepancies show."""
    first = today - timedelta(days=TIMELINE_DAYS - 1)
    diary = {e.day: e for e in session.exec(
        sm_select(MoodEntry).where(MoodEntry.client_id == client_id, MoodEntry.day >= first, MoodEntry.day <= today))}
    by_day: dict[date, list[ScreenView]] = {}
    for s in screens:
        if first <= s.day <= today:
            by_day.setdefault(s.day, []).append(s)
    days = sorted(set(by_day) | {d for d, e in diary.items() if e.used_substance}, reverse=True)
    # Days without a screen show only when the client reported use; quiet days stay out.
    return [TimelineDay(d, by_day.get(d, []), d in diary, bool(diary[d].used_substance) if d in diary else False,
                        diary[d].substances if d in diary else "") for d in days]


# ------------------------------------------------------------------ the roster
def flag_condition(client_id, since_utc):
    """SQL: the client (`client_id`, a column or parameter) has, since `since_utc`,
    a missed or refused screen, or an unexpected positive the lab has not refuted.
    The roster's one statement uses it (services/roster.py) with the start of the
    last FLAG_DAYS program days; ScreenView.flags says the same per screen."""
    unexpected_positive = exists(
        select(ScreenResult.id).where(ScreenResult.screen_id == Screen.id,
                                      ScreenResult.result == AnalyteResult.POSITIVE,
                                      col(ScreenResult.expected).is_(False)))
    return exists(
        select(Screen.id).where(
            Screen.client_id == client_id, Screen.collected_at >= since_utc,
            or_(col(Screen.outcome).in_([o.value for o in NOT_COLLECTED]),
                and_(Screen.confirmation != Confirmation.REFUTED.value, unexpected_positive))))
