"""Drug and alcohol screens: the record's Screens page (staff), the client's own
read-only page, and the director's panel of analytes. Every read and change goes
through services/screens.py, which checks the permission again and audits; these
states only convert what the browser sent (state/args.py)."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx
from sqlmodel import Session

from ..models import User
from ..models.enums import ClientStatus, Role
from ..models.screens import (
    NOT_COLLECTED,
    AnalyteResult,
    Confirmation,
    ScreenMethod,
    ScreenOutcome,
    Specimen,
    ValidityCheck,
)
from ..services import program, screens
from ..services.errors import PermissionDenied, ValidationError
from .args import as_int, form_dict, record_id
from .base import PageState, SessionState
from .client.base import ClientPage, date_or_given, whole_or_given
from .formatting import fmt_date, fmt_day
from .staff import STAFF_PAGE

RESULT_FIELD = "result_"  # the form's result of analyte 7 is "result_7"


@dataclass
class PanelLine:
    id: str
    label: str
    field: str  # the form field's name (result_<id>)


@dataclass
class ScreenLine:
    id: str
    when: str
    day: str
    what: str  # "Urine · point-of-care cup · observed" or "Missed"
    validity: str
    results: str  # "Cocaine positive; Amphetamines negative"
    positives: str  # "Cocaine (unexpected)" / "Buprenorphine (expected: medication)"
    confirmation: str  # label
    confirmation_key: str  # value
    lab_result: str
    note: str
    recorded_by: str
    flagged: bool
    can_send: bool  # unconfirmed: may be sent for confirmation
    awaiting_lab: bool  # unconfirmed or sent: the lab's answer may be entered


@dataclass
class MedicationLine:
    id: str
    medication: str
    analyte: str
    period: str
    prescriber: str
    current: bool


@dataclass
class TimelineLine:
    day: str
    screens: str
    diary: str
    discrepancy: bool
    flagged: bool


def _what(s: screens.ScreenView) -> str:
    if s.outcome in NOT_COLLECTED:
        return ScreenOutcome.label_of(s.outcome)
    parts = [Specimen.label_of(s.specimen), ScreenMethod.label_of(s.method).lower(),
             "observed" if s.observed else "not observed"]
    return " · ".join(parts)


def _validity(s: screens.ScreenView) -> str:
    if s.outcome in NOT_COLLECTED:
        return ""
    parts = []
    if s.specimen == Specimen.URINE:
        parts.append(f"temperature {ValidityCheck.label_of(s.temperature).lower()}")
    parts.append(f"adulterant check {ValidityCheck.label_of(s.adulterant).lower()}")
    text = ", ".join(parts)
    return ("VALIDITY FAILED: " + text) if s.validity_failed else text


def _positives(s: screens.ScreenView) -> str:
    return "; ".join(f"{r.analyte} ({'expected: medication' if r.expected else 'unexpected'})" for r in s.positives)


def _screen_words(s: screens.ScreenView) -> str:
    """The screen in a few words, for the timeline."""
    if s.outcome in NOT_COLLECTED:
        return ScreenOutcome.label_of(s.outcome)
    if not s.positives:
        return "Negative" + (" (validity failed)" if s.validity_failed else "")
    return "Positive: " + _positives(s) + f" [{Confirmation.label_of(s.confirmation).lower()}]"


def screen_line(s: screens.ScreenView, when: str) -> ScreenLine:
    return ScreenLine(
        id=str(s.id), when=when, day=fmt_date(s.day), what=_what(s), validity=_validity(s),
        results="; ".join(f"{r.analyte} {AnalyteResult.label_of(r.result).lower()}" for r in s.results),
        positives=_positives(s), confirmation=Confirmation.label_of(s.confirmation),
        confirmation_key=s.confirmation, lab_result=s.lab_result, note=s.note, recorded_by=s.recorded_by,
        flagged=s.flags, can_send=s.confirmation == Confirmation.UNCONFIRMED,
        awaiting_lab=s.confirmation in (Confirmation.UNCONFIRMED, Confirmation.SENT),
    )


def timeline_line(d: screens.TimelineDay) -> TimelineLine:
    if not d.checked_in:
        diary = "No check-in"
    elif d.used:
        diary = "Reported use" + (f": {d.substances}" if d.substances else "")
    else:
        diary = "Checked in: no use reported"
    return TimelineLine(fmt_day(d.day), "; ".join(_screen_words(s) for s in d.screens) or "No screen", diary,
                        d.discrepancy, any(s.flags for s in d.screens))


class _ScreensView(PageState, mixin=True):
    """What the staff page and the client's page both show."""

    found: bool = False
    client_name: str = ""
    flagged: bool = False
    screens: list[ScreenLine] = []
    medications: list[MedicationLine] = []
    timeline: list[TimelineLine] = []

    def _show(self, session: Session, record: screens.ScreensRecord) -> None:
        tz = program.program_tz(session)
        self.client_name = record.client_name
        self.flagged = record.flagged
        self.screens = [screen_line(s, f"{program.to_local(s.collected_at, tz):%H:%M}") for s in record.screens]
        self.medications = [
            MedicationLine(str(m.id), m.medication, m.analyte,
                           f"since {fmt_date(m.started_on)}" if m.ended_on is None
                           else f"{fmt_date(m.started_on)} – {fmt_date(m.ended_on)}",
                           m.prescriber, m.ended_on is None)
            for m in record.medications
        ]
        self.timeline = [timeline_line(d) for d in record.timeline]

    def _clear(self) -> None:
        self.found, self.flagged, self.client_name = False, False, ""
        self.screens, self.medications, self.timeline = [], [], []


class StaffScreensState(_ScreensView, SessionState):
    """/staff/clients/[client_id]/screens."""

    _roles = STAFF_PAGE
    panel: list[PanelLine] = []
    discharged: bool = False
    form_key: int = 0
    med_errors: dict[str, str] = {}
    med_key: int = 0
    confirm_screen: str = ""  # the screen whose confirmation form shows `confirm_errors`
    confirm_errors: dict[str, str] = {}
    outcome_options: list[list[str]] = ScreenOutcome.choices()
    specimen_options: list[list[str]] = [["", "Choose…"]] + Specimen.choices()
    method_options: list[list[str]] = [["", "Choose…"]] + ScreenMethod.choices()
    check_options: list[list[str]] = [[c.value, c.label] for c in
                                      (ValidityCheck.NOT_CHECKED, ValidityCheck.PASSED, ValidityCheck.FAILED)]
    result_options: list[list[str]] = [[r.value, r.label] for r in
                                       (AnalyteResult.NOT_TESTED, AnalyteResult.NEGATIVE, AnalyteResult.POSITIVE,
                                        AnalyteResult.INVALID)]
    analyte_options: list[list[str]] = []
    lab_options: list[list[str]] = [[c.value, c.label] for c in
                                    (Confirmation.CONFIRMED, Confirmation.REFUTED)]
    _record_id: int = 0

    def _reload(self, session: Session, actor: User) -> None:
        if not self._record_id:
            return
        record = screens.screens_record(session, actor, self._record_id)
        self._show(session, record)
        self.discharged = record.client_status == ClientStatus.DISCHARGED
        self.panel = [PanelLine(str(a.id), a.label, f"{RESULT_FIELD}{a.id}") for a in record.panel]
        self.analyte_options = [["", "Choose…"]] + [[str(a.id), a.label] for a in record.panel]

    @rx.event
    def load(self):
        self._clear()
        self.panel, self.med_errors, self.confirm_errors, self.confirm_screen = [], {}, {}, ""
        return self._load_client_record()

    def _need_record(self) -> None:
        if not self._record_id:
            raise PermissionDenied("Open a client's record first.")

    @staticmethod
    def _screen_from(form: dict) -> dict:
        """What the browser sent, as the service takes it (the service checks it)."""
        results = {}
        for key, value in form.items():
            if isinstance(key, str) and key.startswith(RESULT_FIELD):
                number = as_int(key[len(RESULT_FIELD):], 1)
                results[number if number is not None else key] = value
        return dict(outcome=form.get("outcome"), specimen=form.get("specimen") or None,
                    method=form.get("method") or None, observed=form.get("observed") in ("on", True),
                    temperature=form.get("temperature") or ValidityCheck.NOT_CHECKED.value,
                    adulterant=form.get("adulterant") or ValidityCheck.NOT_CHECKED.value, note=form.get("note"),
                    send_for_confirmation=form.get("send_for_confirmation") in ("on", True), results=results)

    @rx.event
    def record(self, form: dict):
        values = self._screen_from(form_dict(form))

        def action(session, actor):
            self._need_record()
            screen = screens.record_screen(session, actor, self._record_id, **values)
            self.form_key += 1
            if screen.outcome in NOT_COLLECTED:
                self.message = f"{ScreenOutcome.label_of(screen.outcome)} screen recorded. The roster flags it."
            else:
                self.message = "Screen recorded."
            self._reload(session, actor)
            if screen.outcome == ScreenOutcome.COLLECTED and self.screens and self.screens[0].flagged:
                self.message = "Screen recorded: an unexpected positive. The roster flags it."

        return self._run(action)

    def _confirm(self, raw_id, status, lab_result, done: str):
        screen = as_int(raw_id, 1)
        shown = next((s.confirmation_key for s in self.screens if s.id == str(screen)), None)

        def action(session, actor):
            self.confirm_screen, self.confirm_errors = str(screen or ""), {}
            if screen is None or shown is None:  # only a screen this page lists
                raise PermissionDenied("That screen could not be found. Please reload the page.")
            try:
                screens.set_confirmation(session, actor, screen, status=status, lab_result=lab_result,
                                         expected_status=shown)
            except ValidationError as exc:
                self.confirm_errors = exc.errors
                return
            self.confirm_screen = ""
            self.message = done

        return self._run(action, errors_var=None)

    @rx.event
    def send_for_confirmation(self, screen_id):
        return self._confirm(screen_id, Confirmation.SENT.value, None, "Marked as sent for confirmation.")

    @rx.event
    def enter_lab_result(self, form: dict):
        form = form_dict(form)
        return self._confirm(form.get("screen_id"), form.get("status"), form.get("lab_result"),
                             "Lab result recorded.")

    @rx.event
    def add_medication(self, form: dict):
        form = form_dict(form)

        def action(session, actor):
            self._need_record()
            row = screens.add_medication(session, actor, self._record_id, medication=form.get("medication"),
                                         analyte_id=whole_or_given(form.get("analyte_id")),
                                         started_on=date_or_given(form.get("started_on")),
                                         prescriber=form.get("prescriber"))
            self.med_key += 1
            self.message = f"{row.medication} recorded: its positives are marked expected."

        return self._run(action, errors_var="med_errors")

    @rx.event
    def end_medication(self, medication_id):
        def action(session, actor):
            med = record_id(medication_id)
            if str(med) not in {m.id for m in self.medications if m.current}:
                raise PermissionDenied("That medication could not be found. Please reload the page.")
            screens.end_medication(session, actor, med)
            self.message = "Medication ended today: later positives will flag."

        return self._run(action, errors_var=None)


class ClientScreensState(ClientPage, _ScreensView, SessionState):
    """/client/screens: the client's own screens, read only."""

    def _reload(self, session: Session, actor: User) -> None:
        self._show(session, screens.screens_record(session, actor, self._client_id))
        self.found = True

    @rx.event
    def load(self):
        self._clear()
        return self._run(errors_var=None)


@dataclass
class AnalyteLine:
    id: str
    label: str
    active: bool


class ScreenPanelState(PageState, SessionState):
    """/director/screen-panel: the analytes offered on every new screen."""

    _roles = (Role.DIRECTOR,)
    analytes: list[AnalyteLine] = []
    add_key: int = 0

    def _reload(self, session: Session, actor: User) -> None:
        self.analytes = [AnalyteLine(str(a.id), a.label, a.active) for a in screens.panel_for_director(session, actor)]

    @rx.event
    def load(self):
        return self._run()

    @rx.event
    def add(self, form: dict):
        form = form_dict(form)

        def action(session, actor):
            row = screens.add_analyte(session, actor, label=form.get("label"))
            self.add_key += 1
            self.message = f"Added to the panel: {row.label}."

        return self._run(action)

    def _set(self, raw_id, active: bool, done: str):
        def action(session, actor):
            screens.set_analyte_active(session, actor, record_id(raw_id), active)
            self.message = done

        return self._run(action, errors_var=None)

    @rx.event
    def retire(self, analyte_id):
        return self._set(analyte_id, False, "Retired: no longer offered on new screens.")

    @rx.event
    def restore(self, analyte_id):
        return self._set(analyte_id, True, "Offered again on new screens.")
