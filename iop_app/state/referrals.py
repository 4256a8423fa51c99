"""Page states of referrals and the community resource directory (issue #13, section 2):
the record's Referrals page (staff), the directory (staff edit it, CSV in and out)
and the client's Resources page (their referrals, what was shared with them, the
directory from their phone).

Ids the browser sends back are parsed (state/args.py) and checked again by the
services (services/referrals.py, services/resources.py); the status a referral
showed and the version of a directory entry being edited stay server-side.
"""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx
from sqlmodel import Session

from ..models import User
from ..models.enums import ReferralStatus, ReferralUrgency, ResourceCategory
from ..services import program, referrals, resources
from ..services.errors import NotFound, PermissionDenied, StaleEdit, ValidationError
from .args import as_int, as_text, form_dict, record_id
from .base import PageState, SessionState
from .client.base import ClientPage, date_or_given
from .formatting import fmt_date
from .staff import STAFF_PAGE


@dataclass
class ResourceLine:
    id: str
    name: str
    category: str
    address: str
    phone: str
    tel: str  # the phone as a tel: link
    web: str
    hours: str
    languages: str
    cost: str
    notes: str
    active: bool


def _tel(phone: str) -> str:
    digits = "".join(c for c in phone.split("ext")[0].split("x")[0] if c.isdigit() or c == "+")
    return "tel:" + digits if digits else ""


def resource_line(r) -> ResourceLine:
    return ResourceLine(str(r.id), r.name, r.category_label, r.address, r.phone, _tel(r.phone), r.web, r.hours,
                        r.languages, r.cost, r.notes, r.active)


@dataclass
class StepLine:
    text: str  # "Accepted · Nov 3, 2026 14:05 · Marcus Reyes"
    note: str


@dataclass
class ReferralLine:
    id: str
    provider: str
    contact: str
    reason: str
    urgency: str
    status: str
    status_label: str
    discloses: str  # "Shares information under consent" or ""
    appointment: str
    decline_reason: str
    due: str  # "Next: reply from the provider, due Nov 5, 2026" or ""
    overdue: bool
    steps: list[StepLine]
    next_options: list[list[str]]  # [status, label] the loop allows next


@dataclass
class ConsentLine:
    id: str
    recipient: str
    information: str
    purpose: str
    until: str
    signed: str
    status: str
    in_force: bool


@dataclass
class SharedLine:
    share_id: str
    name: str
    category: str
    address: str
    phone: str
    tel: str
    web: str
    hours: str
    note: str
    shared: str


def _moment(session: Session, moment) -> str:
    local = program.to_local(moment, program.program_tz(session))
    return f"{fmt_date(local.date())} {local:%H:%M}"


def referral_line(session: Session, r: referrals.ReferralView) -> ReferralLine:
    due = ""
    if r.due_on is not None and r.status != ReferralStatus.CLOSED:
        due = f"Next: {r.next_step}, due {fmt_date(r.due_on)}" + (" — OVERDUE" if r.overdue else "")
    return ReferralLine(
        id=str(r.id), provider=r.provider, contact=r.contact, reason=r.reason, urgency=r.urgency_label,
        status=r.status, status_label=r.status_label,
        discloses="Shares information under the client's consent" if r.discloses else "",
        appointment=fmt_date(r.appointment_on) if r.appointment_on else "", decline_reason=r.decline_reason,
        due=due, overdue=r.overdue,
        steps=[StepLine(f"{s.status_label} · {_moment(session, s.at)} · {s.by}"
                        + (f" · appointment {fmt_date(s.appointment_on)}" if s.appointment_on else ""), s.note)
               for s in r.steps],
        next_options=[[s, ReferralStatus.label_of(s)] for s in r.next_statuses],
    )


def shared_line(session: Session, s: referrals.SharedView) -> SharedLine:
    return SharedLine(str(s.resource_id), s.name, s.category_label, s.address, s.phone, _tel(s.phone),
                      s.web, s.hours, s.note, f"Shared {_moment(session, s.shared_at)} by {s.shared_by}")


CATEGORY_FILTER = [["", "All categories"], *ResourceCategory.choices()]


# --------------------------------------------------------------------------- the record's page
class ReferralsState(PageState, SessionState):
    """/staff/clients/[client_id]/referrals: referrals, consents to disclose, shared resources."""

    _roles = STAFF_PAGE
    found: bool = False
    client_name: str = ""
    lines: list[ReferralLine] = []
    consents: list[ConsentLine] = []
    shared: list[SharedLine] = []
    directory_options: list[list[str]] = []  # [id, "name (category)"]
    consent_options: list[list[str]] = []  # consents in force: [id, recipient]
    urgency_options: list[list[str]] = ReferralUrgency.choices()

    @rx.var
    def directory_choices(self) -> list[list[str]]:
        return [["", "— not in the directory —"], *self.directory_options]

    @rx.var
    def consent_choices(self) -> list[list[str]]:
        return [["", "— none —"], *self.consent_options]
    form_key: int = 0
    consent_errors: dict[str, str] = {}
    share_errors: dict[str, str] = {}
    step_errors: dict[str, str] = {}
    step_referral: str = ""  # the referral whose step form has step_errors
    _record_id: int = 0
    _statuses: dict[str, str] = {}  # referral id -> the status the page shows (sent back as expected_status)

    def _reload(self, session: Session, actor: User) -> None:
        if not self._record_id:
            return
        data = referrals.client_referrals(session, actor, self._record_id)
        self.client_name = data.client_name
        self.lines = [referral_line(session, r) for r in data.referrals]
        self._statuses = {str(r.id): r.status for r in data.referrals}
        self.consents = [ConsentLine(str(c.id), c.recipient, c.information, c.purpose, fmt_date(c.expires_on),
                                     f"{c.signature}, {fmt_date(c.signed_on)} (recorded by {c.recorded_by})",
                                     c.status, c.in_force) for c in data.consents]
        self.consent_options = [[str(c.id), c.recipient] for c in data.consents if c.in_force]
        self.shared = [shared_line(session, s) for s in data.shared]
        self.directory_options = [[str(r.id), f"{r.name} ({r.category_label})"]
                                  for r in resources.search(session, actor)]

    def _clear(self) -> None:
        self.found, self.client_name = False, ""
        self.lines, self.consents, self.shared, self.directory_options, self.consent_options = [], [], [], [], []
        self._statuses = {}

    @rx.event
    def load(self):
        self._clear()
        self.consent_errors, self.share_errors, self.step_errors, self.step_referral = {}, {}, {}, ""
        return self._load_client_record()

    def _client(self) -> int:
        if not self._record_id:
            raise PermissionDenied("Open a client's record first.")
        return self._record_id

    @rx.event
    def refer(self, form: dict):
        form = form_dict(form)

        def action(session, actor):
            referrals.make_referral(
                session, actor, self._client(),
                resource_id=as_int(form.get("resource_id"), 1) if form.get("resource_id") else None,
                consent_id=as_int(form.get("consent_id"), 1) if form.get("consent_id") else None,
                provider=form.get("provider", ""), contact=form.get("contact", ""), reason=form.get("reason"),
                urgency=form.get("urgency"), discloses=form.get("discloses") in ("on", "yes", True, "true"))
            self.form_key += 1
            self.message = "Referral sent. Its next step is due on the date shown."

        return self._run(action)

    @rx.event
    def step(self, form: dict):
        """Record the next step of one referral (its id and the wanted status come from the form)."""
        form = form_dict(form)
        raw_id = form.get("referral_id")

        def action(session, actor):
            self.step_errors, self.step_referral = {}, ""
            referral_id = record_id(raw_id)
            to_status = as_text(form.get("to_status"), 16)
            expected = self._statuses.get(str(referral_id))
            if expected is None:
                raise PermissionDenied("That referral is not on this page. Please reload it.")
            self.step_referral = str(referral_id)
            try:
                referrals.advance(session, actor, referral_id, to_status, expected_status=expected,
                                  reason=form.get("reason", ""), note=form.get("note", ""),
                                  appointment_on=date_or_given(form.get("appointment_on")))
            except ValidationError as exc:
                self.step_errors = exc.errors
                raise
            self.step_referral = ""
            self.message = f"Referral moved to: {ReferralStatus.label_of(to_status).lower()}."

        return self._run(action, errors_var=None)

    @rx.event
    def record_consent(self, form: dict):
        form = form_dict(form)

        def action(session, actor):
            referrals.record_consent(
                session, actor, self._client(),
                resource_id=as_int(form.get("consent_resource_id"), 1) if form.get("consent_resource_id") else None,
                recipient=form.get("recipient", ""), information=form.get("information"),
                purpose=form.get("purpose"), expires_on=date_or_given(form.get("expires_on")),
                signature=form.get("signature"), signed_on=date_or_given(form.get("signed_on")))
            self.form_key += 1
            self.message = "Consent recorded. Referrals to that recipient may now share information."

        return self._run(action, errors_var="consent_errors")

    @rx.event
    def revoke_consent(self, consent_id: str):
        return self._change_listed(referrals.revoke_consent, consent_id, "Consent revoked.")

    @rx.event
    def share(self, form: dict):
        form = form_dict(form)

        def action(session, actor):
            resource_id = as_int(form.get("share_resource_id"), 1)
            referrals.share_resource(session, actor, self._client(), resource_id, form.get("share_note", ""))
            self.form_key += 1
            self.message = "Shared: the client sees it on their Resources page."

        return self._run(action, errors_var="share_errors")


def directory_filter(form: dict) -> tuple[str, str]:
    """The directory's search text and category from the filter form, checked."""
    search, category = as_text(form.get("search", ""), 100), form.get("category", "")
    if search is None:
        raise ValidationError({"search": "Search text must be at most 100 characters."})
    if not isinstance(category, str) or (category and category not in ResourceCategory.values()):
        raise ValidationError({"category": "Choose a category from the list."})
    return search, category


# --------------------------------------------------------------------------- the directory (staff)
class ResourcesState(PageState, SessionState):
    """/staff/resources: search, filter, add, edit, retire; CSV export and import."""

    _roles = STAFF_PAGE
    rows: list[ResourceLine] = []
    search: str = ""
    category: str = ""
    show_retired: bool = False
    category_options: list[list[str]] = ResourceCategory.choices()
    filter_options: list[list[str]] = CATEGORY_FILTER
    editing: str = ""  # the id of the entry in the edit form ("" for none)
    edit_values: dict[str, str] = {}
    edit_errors: dict[str, str] = {}
    import_errors: dict[str, str] = {}
    stale: str = ""
    form_key: int = 0
    _edit_version: int | None = None

    def _reload(self, session: Session, actor: User) -> None:
        self.rows = [resource_line(r) for r in resources.search(session, actor, self.search, self.category,
                                                                include_retired=self.show_retired)]

    @rx.event
    def load(self):
        self.editing, self.edit_values, self.edit_errors, self.stale = "", {}, {}, ""
        return self._run(errors_var=None)

    @rx.event
    def filter(self, form: dict):
        form = form_dict(form)

        def action(_session, _actor):
            self.search, self.category = directory_filter(form)
            self.show_retired = form.get("show_retired") in ("on", True, "true")

        return self._run(action, errors_var=None)

    @rx.event
    def add(self, form: dict):
        form = form_dict(form)

        def action(session, actor):
            row = resources.create_resource(session, actor, **{k: form.get(k, "") for k in resources.FIELDS})
            self.form_key += 1
            self.message = f"Added {row.name} to the directory."

        return self._run(action)

    @rx.event
    def start_edit(self, resource_id: str):
        def action(session, actor):
            view = resources.get_resource(session, actor, record_id(resource_id))
            self.editing, self._edit_version, self.edit_errors, self.stale = str(view.id), view.version, {}, ""
            self.edit_values = {k: str(getattr(view, k)) for k in resources.FIELDS}

        return self._run(action, errors_var=None)

    @rx.event
    def cancel_edit(self):
        self.editing, self.edit_values, self.edit_errors, self._edit_version, self.stale = "", {}, {}, None, ""

    @rx.event
    def save_edit(self, form: dict):
        form = form_dict(form)

        def action(session, actor):
            if not self.editing:
                raise NotFound("Choose an entry to edit first.")
            try:
                row = resources.update_resource(session, actor, int(self.editing),
                                                expected_version=self._edit_version,
                                                **{k: form.get(k, "") for k in resources.FIELDS})
            except StaleEdit as exc:
                self.stale = exc.message
                return
            self.editing, self.edit_values, self._edit_version = "", {}, None
            self.message = f"Saved {row.name}."

        return self._run(action, errors_var="edit_errors")

    @rx.event
    def set_active(self, resource_id: str, active: bool):
        def action(session, actor):
            if not isinstance(active, bool):
                raise PermissionDenied("That change could not be made. Please reload the page.")
            view = resources.get_resource(session, actor, record_id(resource_id))
            resources.set_active(session, actor, view.id, active, expected_version=view.version)
            self.message = f"{view.name} is {'back in' if active else 'retired from'} the directory."

        return self._run(action, errors_var=None)

    @rx.event
    def export(self):
        result = {}

        def action(session, actor):
            result["csv"] = resources.export_csv(session, actor)

        self._run(action, reload=False, errors_var=None)
        if "csv" in result:
            return rx.download(data=result["csv"], filename="resource-directory.csv", mime_type="text/csv")
        return None

    @rx.event
    def import_text(self, form: dict):
        form = form_dict(form)

        def action(session, actor):
            done = resources.import_csv(session, actor, form.get("csv"))
            self.form_key += 1
            self.message = f"Imported: {done.created} added, {done.updated} updated, {done.unchanged} unchanged."

        return self._run(action, errors_var="import_errors")


# --------------------------------------------------------------------------- the client's page
class ClientResourcesState(ClientPage, SessionState):
    """/client/resources: my referrals, what my therapist shared, the directory."""

    lines: list[ReferralLine] = []
    shared: list[SharedLine] = []
    rows: list[ResourceLine] = []
    search: str = ""
    category: str = ""
    filter_options: list[list[str]] = CATEGORY_FILTER

    def _reload(self, session: Session, actor: User) -> None:
        data = referrals.my_referrals(session, actor)
        self.lines = [referral_line(session, r) for r in data.referrals]
        for line in self.lines:
            line.next_options = []  # staff record the steps
        self.shared = [shared_line(session, s) for s in data.shared]
        self.rows = [resource_line(r) for r in resources.search(session, actor, self.search, self.category)]

    @rx.event
    def load(self):
        return self._run(errors_var=None)

    @rx.event
    def filter(self, form: dict):
        form = form_dict(form)

        def action(_session, _actor):
            self.search, self.category = directory_filter(form)

        return self._run(action, errors_var=None)
