"""Family portal state: the family member's home page and the public
activation page. Also the view shapes (SessionCard ...) the client and staff
family pages share.

Everything a family member sees is rebuilt from services.family_home.family_home
on every event, which re-checks each consent: after a revocation, expiry or end
event (discharge) the very next click leaves an empty page that reveals nothing.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime

import reflex as rx

from ..db import open_session
from ..models import User, utcnow
from ..models.enums import Role
from ..services import family, family_home, family_sessions, program
from ..services.consents import ConsentRow
from ..services.errors import PermissionDenied, ServiceError, ValidationError
from .args import as_int, as_text, form_dict, record_id
from .base import PageState, SessionState, off_loop

MESSAGE_KINDS = {
    "proposal": "Times offered",
    "accept": "Accepted",
    "confirm": "Booked",
    "counter_request": "Asked for another time",
    "withdraw": "Withdrew acceptance",
    "reschedule": "Rescheduled",
    "cancel": "Cancelled",
    "attended": "Attended",
    "message": "Message",
}
NOTHING_TO_SHOW = "There is nothing to show here right now."


@dataclasses.dataclass
class SlotCard:
    id: str = ""
    when: str = ""
    status_text: str = ""
    can_accept: bool = False
    can_withdraw: bool = False


@dataclasses.dataclass
class MessageLine:
    when: str = ""
    author: str = ""
    kind: str = ""
    body: str = ""


@dataclasses.dataclass
class SessionCard:
    id: str = ""
    client_name: str = ""
    therapist: str = ""
    status: str = ""
    status_label: str = ""
    when: str = ""
    mode: str = ""
    minutes: str = ""
    note: str = ""
    cancel_reason: str = ""
    attended: str = ""
    has_accepted: bool = False
    started: bool = False
    can_download: bool = False
    can_request: bool = False
    slots: list[SlotCard] = dataclasses.field(default_factory=list)
    messages: list[MessageLine] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class LinkLine:
    """One of the client's support people."""

    id: str = ""
    name: str = ""
    relationship: str = ""
    email: str = ""
    portal: str = ""  # "not invited" / "invited" / "invitation expired" / "active"


@dataclasses.dataclass
class ConsentLine:
    id: str = ""
    person: str = ""
    relationship: str = ""
    scope: str = ""
    purpose: str = ""
    expires: str = ""
    signed: str = ""
    status: str = ""
    how: str = ""
    recorded_by: str = ""
    in_force: bool = False
    can_end: bool = False  # in force and ends at an event in words, which staff record


@dataclasses.dataclass
class DisclosureLine:
    at: str = ""
    person: str = ""
    relationship: str = ""
    what: str = ""


def consent_lines(rows: list[ConsentRow], signed_here: str) -> list[ConsentLine]:
    """A client's consents for a page; `signed_here` says how one signed in the app reads."""
    return [
        ConsentLine(id=str(c.id), person=c.person, relationship=c.relationship, scope=c.scope_label,
                    purpose=c.purpose, expires=c.expires, signed=c.signed_on.isoformat(), status=c.status,
                    how="On paper" if c.on_paper else signed_here, recorded_by=c.recorded_by,
                    in_force=c.status == "in force", can_end=c.status == "in force" and bool(c.expiry_event))
        for c in rows
    ]


def consent_form(form: dict) -> dict:
    """The consent form as the browser sent it, for consents.grant_consent and
    record_paper_consent, where ConsentCreate checks every field (dates as the ISO
    text a date field sends); only the person's id is made a number here."""
    return dict(family_link_id=as_int(form.get("family_link_id"), 1), scope=form.get("scope"),
                purpose=form.get("purpose") or "", expires_on=form.get("expires_on") or None,
                expiry_event=form.get("expiry_event") or "", end_event=form.get("end_event") or "",
                signature=form.get("signature") or "", signed_on=form.get("signed_on"))


@dataclasses.dataclass
class ClientCard:
    name: str = ""
    relationship: str = ""
    scope_label: str = ""
    show_progress: bool = False
    progress: list[str] = dataclasses.field(default_factory=list)
    sessions: list[SessionCard] = dataclasses.field(default_factory=list)


def session_cards(views: list, viewer: User) -> list[SessionCard]:
    """Shape service views for a page. Staff get no accept/withdraw buttons:
    answering is for the client and their family."""
    participant = viewer.is_client or viewer.is_family
    now = utcnow()
    cards = []
    for v in views:
        accepted = v.accepted_slot
        slots = []
        if v.status == "proposed":
            for s in v.slots:
                if s.status == "accepted":
                    text = f"Accepted by {s.accepted_by}; waiting for the therapist to confirm."
                elif s.status == "open":
                    text = s.unavailable_reason or "Open"
                else:
                    continue
                slots.append(SlotCard(
                    id=str(s.id), when=s.when, status_text=text,
                    can_accept=participant and accepted is None and s.available,
                    can_withdraw=participant and s.status == "accepted"
                    and (viewer.is_client or s.accepted_by_id == viewer.id),
                ))
        elif v.status == "booked" and accepted is not None and participant and (
            viewer.is_client or accepted.accepted_by_id == viewer.id
        ):
            # The acceptance behind a booking can be taken back too.
            slots.append(SlotCard(id=str(accepted.id), when=v.when, status_text=f"Accepted by {accepted.accepted_by}",
                                  can_withdraw=True))
        cards.append(SessionCard(
            id=str(v.id), client_name=v.client_name, therapist=v.therapist_name, status=v.status,
            status_label=v.status_label, when=v.when, mode=v.mode_label, minutes=str(v.duration_minutes),
            note=v.note, cancel_reason=v.cancel_reason,
            attended=f"{v.minutes_attended} minutes" if v.status == "completed" else "",
            has_accepted=accepted is not None and v.status == "proposed",
            started=v.starts_at is not None and v.starts_at <= now,
            can_download=v.status == "booked",
            can_request=participant and v.status in ("proposed", "booked"),
            slots=slots,
            messages=[MessageLine(m.when, m.author, MESSAGE_KINDS.get(m.kind, m.kind), m.body) for m in v.messages],
        ))
    return cards


def progress_lines(p) -> list[str]:
    return [
        f"Week {p.week_in_program} in the program",
        f"Hours of services this week: {p.hours_this_week:g} (weekly goal {p.weekly_target:g})",
        f"Group sessions attended in the last 4 weeks: {p.groups_attended_28d} of {p.groups_recorded_28d}",
        f"Family sessions attended: {p.family_sessions_attended}",
        f"Goals: {p.goals_active} in progress, {p.goals_achieved} achieved",
    ]


def ics_download(session, actor, session_id_arg):
    """The calendar file of a booked session, through the service (which checks
    permission and, for family, records the disclosure)."""
    data = family_sessions.ics_for_session(session, actor, record_id(session_id_arg))
    return rx.download(data=data, filename="family-session.ics", mime_type="text/calendar")


class FamilySessionResponses(rx.State, mixin=True):
    """Answering a proposed family session, shared by the family member's and the
    client's pages (both PageStates: `_run` is the skeleton)."""

    form_session: str = ""  # which session's "ask for another time" form has the errors
    form_errors: dict[str, str] = {}
    _accepted_text: str = "Thank you. The therapist will confirm this time."
    _withdrawn_text: str = "Your acceptance is withdrawn. The therapist can see this."
    _requested_text: str = "Your request was sent to the therapist."

    @rx.event
    def accept(self, slot_id: str):
        return self._change_listed(family_sessions.accept_slot, slot_id, self._accepted_text)

    @rx.event
    def withdraw(self, slot_id: str):
        return self._change_listed(family_sessions.withdraw_acceptance, slot_id, self._withdrawn_text)

    @rx.event
    def request_other_time(self, form: dict):
        form = form_dict(form)
        sid = as_int(form.get("session_id"), 1)
        self.form_session = str(sid or "")

        def action(session, actor):
            if sid is None:
                raise PermissionDenied()
            family_sessions.request_other_time(session, actor, sid, message=form.get("message"))
            self.form_session = ""
            self.message = self._requested_text
        return self._run(action, errors_var="form_errors")

    @rx.event
    def download_ics(self, session_id: str):
        return self._run(lambda session, actor: ics_download(session, actor, session_id))


class FamilyHomeState(FamilySessionResponses, PageState, SessionState):
    _roles = (Role.FAMILY,)
    # Kept apart from `message`, which an empty page clears: accepting says nothing
    # about anyone, and someone with no consent yet must still see that it worked.
    _feedback = ("accept_message",)
    _quiet_denials = True
    clients: list[ClientCard] = []
    loaded: bool = False
    tz_label: str = ""
    accept_error: str = ""
    accept_message: str = ""

    def _reload(self, session, actor) -> None:
        home = family_home.family_home(session, actor)
        self.clients = [
            ClientCard(
                name=c.name, relationship=c.relationship, scope_label=c.scope_label,
                show_progress=c.progress is not None,
                progress=progress_lines(c.progress) if c.progress is not None else [],
                sessions=session_cards(c.sessions, actor),
            )
            for c in home
        ]
        self.tz_label = str(program.program_tz(session)) if home else ""
        self.loaded = True
        if not home:
            self.message = ""
            self.error = ""

    @rx.event
    def load(self):
        self.form_session = ""
        self.form_errors = {}
        return self._run()

    @rx.event
    def refresh(self):
        return self._run()

    @rx.event
    def accept_invitation(self, form: dict):
        """Another client's invitation to this account's email, accepted with its code."""
        form = form_dict(form)
        self.accept_error = ""
        raw = form.get("code")
        code = raw[:100] if isinstance(raw, str) else ""  # the service checks the rest

        def action(session, actor):
            try:
                family.accept_invitation(session, actor, code)
            except PermissionDenied:
                raise
            except ServiceError as exc:  # a wrong code is said next to the code field
                self.accept_error = exc.message
                return
            self.accept_message = ("Invitation accepted. You will see what the person who invited you "
                                   "consents to share.")
        return self._run(action)


class FamilyActivateState(SessionState):
    """Public page: the invited person creates their account with the one-time code
    (someone who already has an account accepts in their portal instead). Not a
    PageState: nobody is signed in, and the password is hashed off the event loop."""

    errors: dict[str, str] = {}
    done: bool = False

    @rx.event
    async def activate(self, form: dict):
        form = form_dict(form)
        self.errors = {}
        email = as_text(form.get("email"), 254)
        code = as_text(form.get("code"), 40)
        full_name = as_text(form.get("full_name"), 120)
        password = form.get("password") if isinstance(form.get("password"), str) else ""
        confirm = form.get("password_confirm") if isinstance(form.get("password_confirm"), str) else ""
        errors = {}
        if not email:
            errors["email"] = "Enter the email address the invitation was for."
        if not code:
            errors["code"] = "Enter the code you were given."
        if not full_name:
            errors["full_name"] = "Enter your name (up to 120 characters)."
        if password != confirm:
            errors["password_confirm"] = "The two passwords do not match."
        if errors:
            self.errors = errors
            return
        try:
            # argon2 in a worker thread, never on the event loop; wrong codes are
            # throttled by email and by this client's address.
            await off_loop(_activate, email, code, password, full_name, self.router.session.client_ip)
        except ValidationError as exc:
            self.errors = exc.errors
            return
        except ServiceError as exc:
            self.errors = {exc.field or "code": exc.message}
            return
        self.done = True


def _activate(email: str, code: str, password: str, full_name: str, client_ip: str) -> None:
    with open_session() as session:
        family.activate(session, email, code, password, full_name=full_name, client_ip=client_ip)


def today_iso(session) -> str:
    return program.local_today(session).isoformat()


def parse_local(day_text, time_text) -> datetime | None:
    """A program-local wall time from a date field and a time field (HH:MM)."""
    if not isinstance(day_text, str) or not isinstance(time_text, str) or len(time_text) > 8:
        return None
    try:
        d = date.fromisoformat(day_text.strip()[:10])
        hh, mm = time_text.strip().split(":")[:2]
        return datetime(d.year, d.month, d.day, int(hh), int(mm))
    except (ValueError, TypeError):
        return None
