"""The intake and assessment page of a client's record (care team only).

The client id is the page's URL argument; every read and change goes through
services/intake.py, which checks the care-team rule again and audits. The
version of the intake the page showed stays server-side (`_version`) and goes
with every save and the signature, so a save on an older copy is refused
(StaleEdit) instead of overwriting someone's work. A refused save leaves the
form as the user typed it (no reload), with the messages next to the fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import reflex as rx
from sqlmodel import Session

from ..models import User
from ..models.enums import AsamDimension, ClientStatus, LevelOfCare, RecordStatus, RiskLevel
from ..services import intake, program
from ..services.errors import PermissionDenied, StaleEdit, ValidationError
from ..services.intake_inputs import (
    CHOICES,
    FIELDS,
    MAX_SUBSTANCES,
    RISK_LABELS,
    SUBSTANCE_FIELDS,
    rating_key,
    substance_key,
)
from .args import form_dict
from .base import PageState, SessionState
from .client.base import date_or_given, whole_or_given
from .formatting import fmt_date
from .staff import STAFF_PAGE

# The form's sections, in order: (title, the field keys in it). Keys of ratings and
# substance rows are matched by prefix (see _section_of).
SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Referral and presenting problem", ("referral_source", "presenting_problem")),
    ("ASAM dimensions", ()),
    ("Substance use history", ("prior_treatment",)),
    ("Medical", ("medical_conditions", "medications", "allergies")),
    ("Mental health and risk screen", ("mental_health_history", "current_symptoms", "suicide_risk",
                                       "homicide_risk", "risk_notes")),
    ("Life situation", ("trauma", "legal", "employment", "housing", "family_social", "strengths")),
    ("Level of care", ("recommended_level", "level_rationale")),
)


def _section_of(key: str) -> str:
    if key.startswith(("risk_d", "narrative_d")):
        return "ASAM dimensions"
    if key.startswith("sub") or key == "substances":
        return "Substance use history"
    return next((title for title, keys in SECTIONS if key in keys), "the form")


def sections_at_fault(errors: dict[str, str]) -> str:
    """"Referral and presenting problem, ASAM dimensions": where the messages are."""
    titles = {_section_of(key) for key in errors}
    return ", ".join(title for title, _ in SECTIONS if title in titles) or "the form"


@dataclass
class RatingLine:
    key: str  # d1 .. d6
    label: str
    risk: str  # "" (not rated yet) or "0".."4"
    narrative: str


@dataclass
class SubstanceLine:
    index: str
    substance: str
    first_use_age: str
    route: str
    frequency: str
    amount: str
    last_use: str  # ISO date for the date field
    longest_abstinence: str


@dataclass
class AddendumLine:
    when: str
    author: str
    reason: str
    text: str


@dataclass
class OrientationRow:
    item_id: str
    label: str
    retired: bool
    staff_done: bool
    staff: str  # "MR · Marcus Reyes · Mar 5, 2026 14:05"
    client_done: bool
    client: str


def _empty_substance(index: int) -> SubstanceLine:
    return SubstanceLine(str(index), "", "", "", "", "", "", "")


class IntakeState(PageState, SessionState):
    _roles = STAFF_PAGE
    found: bool = False
    client_name: str = ""
    client_status: str = ""
    admitted: str = ""
    status: str = ""  # "" (not started), "draft" or "signed"
    status_line: str = ""
    values: dict[str, str] = {}
    ratings: list[RatingLine] = []
    substances: list[SubstanceLine] = []
    addenda: list[AddendumLine] = []
    orientation: list[OrientationRow] = []
    form_key: str = "0"  # a new intake version refills the form
    stale: str = ""  # someone saved the draft after this page showed it
    addendum_errors: dict[str, str] = {}
    addendum_key: int = 0
    orientation_item: str = ""  # the item whose initials field has the error below
    orientation_error: str = ""
    risk_options: list[list[str]] = [["", "Not rated yet"]] + [[str(k), v] for k, v in RISK_LABELS.items()]
    screen_options: list[list[str]] = RiskLevel.choices()
    level_options: list[list[str]] = [["", "Choose a level of care…"]] + LevelOfCare.choices()
    _record_id: int = 0
    _version: int | None = None  # the intake version shown (None: none started)

    @rx.var
    def locked(self) -> bool:
        return self.status == RecordStatus.SIGNED.value

    def _moment(self, session: Session, moment: datetime | None) -> str:
        if moment is None:
            return ""
        local = program.to_local(moment, program.program_tz(session))
        return f"{fmt_date(local.date())} {local:%H:%M}"

    def _reload(self, session: Session, actor: User) -> None:
        record = intake.intake_record(session, actor, self._record_id)
        self.client_name = record.client_name
        self.client_status = ClientStatus.label_of(record.client_status)
        self.admitted = fmt_date(record.admission_date)
        view = record.intake
        self._version = view.version if view is not None else None
        self.form_key = f"{view.id}-{view.version}" if view is not None else "new"
        self.status = view.status if view is not None else ""
        if view is None:
            self.status_line = "Not started. Fill in what you know; save as often as you like."
        elif view.signed:
            self.status_line = (f"Signed by {view.signed_by} on {self._moment(session, view.signed_at)}. "
                                "Locked: add an addendum for anything learned since.")
        else:
            self.status_line = (f"Draft, last saved by {view.updated_by or view.created_by} on "
                                f"{self._moment(session, view.updated_at or view.created_at)}.")
        fields = view.fields if view is not None else {}
        self.values = {name: str(fields.get(name) or "") for name in (*FIELDS, *CHOICES)}
        if not self.values["suicide_risk"]:
            self.values["suicide_risk"] = self.values["homicide_risk"] = RiskLevel.NONE.value
        ratings = view.ratings if view is not None else {}
        self.ratings = [
            RatingLine(d.value, d.label, str(ratings[d.value][0]) if d.value in ratings else "",
                       ratings.get(d.value, (0, ""))[1])
            for d in AsamDimension
        ]
        rows = [
            SubstanceLine(str(i), s["substance"], "" if s["first_use_age"] is None else str(s["first_use_age"]),
                          s["route"], s["frequency"], s["amount"],
                          s["last_use"].isoformat() if s["last_use"] else "", s["longest_abstinence"])
            for i, s in enumerate(view.substances if view is not None else [])
        ]
        if not (view is not None and view.signed):  # blank rows to add to (an empty row is ignored)
            while len(rows) < MAX_SUBSTANCES and (len(rows) < 2 or rows[-1].substance):
                rows.append(_empty_substance(len(rows)))
        self.substances = rows
        self.addenda = [AddendumLine(self._moment(session, a.created_at), a.author, a.reason, a.text)
                        for a in (view.addenda if view is not None else [])]
        self.orientation = [
            OrientationRow(
                str(line.item_id), line.label, not line.active, line.staff_done,
                f"{line.staff_initials} · {line.staff_name} · {self._moment(session, line.staff_at)}"
                if line.staff_done else "",
                line.client_done,
                f"{line.client_initials} · {self._moment(session, line.client_at)}" if line.client_done else "",
            )
            for line in record.orientation
        ]

    def _clear(self) -> None:
        self.found = False
        self.client_name = self.client_status = self.admitted = self.status = self.status_line = ""
        self.values, self.ratings, self.substances, self.addenda, self.orientation = {}, [], [], [], []
        self._version = None

    @rx.event
    def load(self):
        self._clear()
        self.stale, self.orientation_item, self.orientation_error = "", "", ""
        self.addendum_errors = {}
        return self._load_client_record()

    # ------------------------------------------------------------ the draft
    @staticmethod
    def _draft_from(form: dict) -> tuple[dict, dict, list]:
        """What the browser sent, as the service takes it (the service checks it)."""
        fields = {name: form.get(name) for name in (*FIELDS, *CHOICES) if name in form}
        ratings = {}
        for dimension in AsamDimension:
            risk_key, narrative_key = rating_key("risk", dimension), rating_key("narrative", dimension)
            if risk_key in form or narrative_key in form:
                ratings[dimension.value] = {"risk": whole_or_given(form.get(risk_key)),
                                            "narrative": form.get(narrative_key)}
        substances = []
        for index in range(MAX_SUBSTANCES):
            row = {name: form.get(substance_key(index, name)) for name in SUBSTANCE_FIELDS
                   if substance_key(index, name) in form}
            if not row:
                break
            row["first_use_age"] = whole_or_given(row.get("first_use_age"))
            row["last_use"] = date_or_given(row.get("last_use"))
            substances.append(row)
        return fields, ratings, substances

    def _refused(self, exc: ValidationError, doing: str) -> None:
        self.errors = exc.errors
        self.error = f"{doing}: please see the messages in {sections_at_fault(exc.errors)}."

    @rx.event
    def save(self, form: dict):
        fields, ratings, substances = self._draft_from(form_dict(form))

        def action(session, actor):
            if not self._record_id:
                raise PermissionDenied("Open a client's record first.")
            try:
                intake.save_draft(session, actor, self._record_id, fields=fields, ratings=ratings,
                                  substances=substances, expected_version=self._version)
            except ValidationError as exc:
                self._refused(exc, "Not saved")
                return
            except StaleEdit as exc:  # the form keeps what was typed until Reload
                self.stale = exc.message
                return
            self.stale = ""
            self._reload(session, actor)
            self.message = "Draft saved."

        return self._run(action, reload=False)

    @rx.event
    def reload_intake(self):
        def action(session, actor):
            self.stale = ""
            if self._record_id:
                self._reload(session, actor)
                self.message = "Reloaded: this is the latest saved version."

        return self._run(action, reload=False)

    @rx.event
    def sign(self):
        def action(session, actor):
            if not self._record_id:
                raise PermissionDenied("Open a client's record first.")
            was_in_intake = self.client_status == ClientStatus.INTAKE.label
            try:
                intake.sign(session, actor, self._record_id, expected_version=self._version)
            except ValidationError as exc:
                self._refused(exc, "Not signed yet: the assessment is not complete")
                return
            except StaleEdit as exc:
                self.stale = exc.message
                return
            self._reload(session, actor)
            now_active = was_in_intake and self.client_status == ClientStatus.ACTIVE.label
            self.message = "Intake signed and locked." + (" The client is now active." if now_active else "")

        return self._run(action, reload=False)

    # ------------------------------------------------------------ addenda
    @rx.event
    def add_addendum(self, form: dict):
        form = form_dict(form)

        def action(session, actor):
            if not self._record_id:
                raise PermissionDenied("Open a client's record first.")
            intake.add_addendum(session, actor, self._record_id, text=form.get("text"), reason=form.get("reason"))
            self.addendum_key += 1
            self.message = "Addendum added. The signed intake is unchanged."

        return self._run(action, errors_var="addendum_errors")

    # ------------------------------------------------------------ orientation
    @rx.event
    def initial_item(self, form: dict):
        def change(session, actor, item_id, form):
            if not self._record_id or item_id is None:
                raise PermissionDenied("That orientation item could not be found. Please reload the page.")
            intake.staff_initial(session, actor, self._record_id, item_id, form.get("initials"))

        return self._item_form(form, change, "Initialled. The client can now initial it from their phone.",
                               "orientation_item", "orientation_error")
