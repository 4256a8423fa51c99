"""Family sessions for therapists and the director: propose times, see the
answers, confirm, reschedule, cancel, mark attended; a client's consents and
recording a consent given on paper."""

from __future__ import annotations

import reflex as rx

from ..services import consents, family, family_sessions, program
from ..services.errors import PermissionDenied, ServiceError, StaleEdit, ValidationError
from .args import as_date, as_int, as_text, form_dict
from .base import SessionState
from .family import SessionCard, ics_download, parse_local, session_cards

SLOT_FIELDS = 3  # time fields on the proposal form


class StaffFamilyState(SessionState):
    client_options: list[list[str]] = []
    selected_client: str = ""
    sessions: list[SessionCard] = []
    consents: list[dict[str, str]] = []
    link_options: list[list[str]] = []
    today: str = ""
    tz_label: str = ""
    propose_errors: dict[str, str] = {}
    paper_errors: dict[str, str] = {}
    paper_stale: str = ""  # a consent was recorded for that person after the page showed the list
    action_session: str = ""  # the session whose change form has the errors below
    action_errors: dict[str, str] = {}
    message: str = ""
    error: str = ""
    # person (link id) -> consent_version when the page showed the consents: only this
    # server-side value goes to record_paper_consent
    _link_versions: dict[str, int] = {}

    def _reload(self, session, actor) -> None:
        self.today = program.local_today(session).isoformat()
        self.tz_label = str(program.program_tz(session))
        options = family_sessions.schedulable_clients(session, actor)
        self.client_options = [["", "Choose a client…"]] + [[str(cid), name] for cid, name in options]
        self.sessions = session_cards(family_sessions.sessions_for_staff(session, actor), actor)
        cid = as_int(self.selected_client, 1)
        if cid is None or cid not in {c for c, _ in options}:
            self.selected_client = ""
            self.consents = []
            self.link_options = []
            self._link_versions = {}
            return
        self.consents = [
            {"id": str(c.id), "person": c.person, "relationship": c.relationship, "scope": c.scope_label,
             "purpose": c.purpose, "expires": c.expires, "signed": c.signed_on.isoformat(), "status": c.status,
             "how": "On paper" if c.on_paper else "Signed by the client in the app", "recorded_by": c.recorded_by,
             "can_end": "yes" if c.status == "in force" and c.expiry_event else ""}
            for c in consents.consents_for_client(session, actor, cid)
        ]
        links = family.list_links(session, actor, cid)
        self.link_options = [[str(r.id), f"{r.name} ({r.relationship})"] for r in links]
        self._link_versions = {str(r.id): r.consent_version for r in links}

    def _run(self, action):
        with self._db() as (session, actor):
            if refusal := self._require_role(session, actor, "therapist", "director"):
                return refusal
            self.message = ""
            self.error = ""
            result = None
            try:
                result = action(session, actor)
            except ValidationError as exc:
                self.error = exc.message
            except (PermissionDenied, ServiceError) as exc:
                self.error = exc.message
            self._reload(session, actor)
            return result

    @rx.event
    def load(self):
        self.propose_errors = {}
        self.paper_errors = {}
        self.paper_stale = ""
        self.action_session = ""
        self.action_errors = {}
        return self._run(lambda s, a: None)

    @rx.event
    def select_client(self, value: str):
        cid = as_int(value, 1)
        self.selected_client = str(cid) if cid is not None else ""
        self.paper_errors = {}
        return self._run(lambda s, a: None)

    @rx.event
    def propose(self, form: dict):
        form = form_dict(form)
        self.propose_errors = {}

        def action(session, actor):
            errors = {}
            cid = as_int(form.get("client_id"), 1)
            if cid is None:
                errors["client_id"] = "Choose a client."
            starts, positions = [], []
            for i in range(1, SLOT_FIELDS + 1):
                d, t = form.get(f"slot_{i}_date") or "", form.get(f"slot_{i}_time") or ""
                if not d and not t:
                    continue
                local = parse_local(d, t)
                if local is None:
                    errors[f"slot_{i}"] = "Enter both a date and a time."
                else:
                    starts.append(local)
                    positions.append(i)
            if not starts and not any(k.startswith("slot_") for k in errors):
                errors["slot_1"] = "Give at least one date and time."
            minutes = as_int(form.get("duration_minutes"), 1, 10_000)
            if errors:
                self.propose_errors = errors
                return
            try:
                family_sessions.propose(session, actor, cid, starts_local=starts, duration_minutes=minutes,
                                        mode=form.get("mode"), note=as_text(form.get("note"), 500) or "")
            except ValidationError as exc:
                # The service numbers the times it got; map back to the form's fields.
                self.propose_errors = {
                    (f"slot_{positions[int(k.split('_')[1]) - 1]}" if k.startswith("slot_") and positions else k): v
                    for k, v in exc.errors.items()
                }
                return
            self.selected_client = str(cid)
            self.message = "Times proposed. The client and consented family members can now answer."
        return self._run(action)

    def _session_form(self, form) -> int:
        sid = as_int(form.get("session_id"), 1)
        if sid is None:
            raise PermissionDenied()
        self.action_session = str(sid)
        self.action_errors = {}
        return sid

    @rx.event
    def add_time(self, form: dict):
        form = form_dict(form)

        def action(session, actor):
            sid = self._session_form(form)
            local = parse_local(form.get("date"), form.get("time"))
            if local is None:
                self.action_errors = {"add": "Enter both a date and a time."}
                return
            try:
                family_sessions.add_slots(session, actor, sid, starts_local=[local])
            except ValidationError as exc:
                self.action_errors = {"add": exc.message}
                return
            self.message = "Time offered."
        return self._run(action)

    @rx.event
    def confirm(self, session_id: str):
        def action(session, actor):
            sid = as_int(session_id, 1)
            if sid is None:
                raise PermissionDenied()
            family_sessions.confirm(session, actor, sid)
            self.message = "Session booked. Everyone involved sees it."
        return self._run(action)

    @rx.event
    def reschedule(self, form: dict):
        form = form_dict(form)

        def action(session, actor):
            sid = self._session_form(form)
            local = parse_local(form.get("date"), form.get("time"))
            reason = as_text(form.get("reason"), 300)
            errors = {}
            if local is None:
                errors["reschedule_time"] = "Enter both a date and a time."
            if reason is None:
                errors["reschedule_reason"] = "Keep the reason under 300 characters."
            if errors:
                self.action_errors = errors
                return
            try:
                family_sessions.reschedule(session, actor, sid, new_start_local=local, reason=reason)
            except ValidationError as exc:
                self.action_errors = {("reschedule_time" if k == "starts_at" else "reschedule_reason"): v
                                      for k, v in exc.errors.items()}
                return
            self.message = "Session moved. Everyone involved sees the change and the reason."
        return self._run(action)

    @rx.event
    def cancel(self, form: dict):
        form = form_dict(form)

        def action(session, actor):
            sid = self._session_form(form)
            reason = as_text(form.get("reason"), 300)
            try:
                family_sessions.cancel(session, actor, sid, reason=reason if reason is not None else "x" * 301)
            except ValidationError as exc:
                self.action_errors = {"cancel_reason": exc.message}
                return
            self.message = "Session cancelled. Everyone involved sees the reason."
        return self._run(action)

    @rx.event
    def attended(self, form: dict):
        form = form_dict(form)

        def action(session, actor):
            sid = self._session_form(form)
            try:
                family_sessions.mark_attended(session, actor, sid, minutes=as_int(form.get("minutes"), 0, 10_000))
            except ValidationError as exc:
                self.action_errors = {"minutes": exc.message}
                return
            self.message = "Marked attended; it now counts toward the client's weekly hours."
        return self._run(action)

    @rx.event
    def record_paper(self, form: dict):
        form = form_dict(form)
        self.paper_errors = {}
        self.paper_stale = ""

        def action(session, actor):
            cid = as_int(self.selected_client, 1)
            if cid is None:
                self.paper_errors = {"family_link_id": "Choose a client first."}
                return
            errors = {}
            expires_text = form.get("expires_on") or ""
            expires_on = as_date(expires_text) if expires_text else None
            if expires_text and expires_on is None:
                errors["expires_on"] = "Enter a date like 2026-12-31."
            purpose = as_text(form.get("purpose") or "", 300)
            event = as_text(form.get("expiry_event") or "", 200)
            end_event = as_text(form.get("end_event") or "", 32)
            signature = as_text(form.get("signature") or "", 120)
            for key, value, msg in (("purpose", purpose, "Keep the purpose under 300 characters."),
                                    ("expiry_event", event, "Keep the expiry event under 200 characters."),
                                    ("end_event", end_event, "Choose when this consent ends from the list."),
                                    ("signature", signature, "Keep the signature under 120 characters.")):
                if value is None:
                    errors[key] = msg
            if errors:
                self.paper_errors = errors
                return
            link_id = as_int(form.get("family_link_id"), 1)
            try:
                consents.record_paper_consent(
                    session, actor, cid, family_link_id=link_id,
                    scope=form.get("scope"), purpose=purpose, expires_on=expires_on, expiry_event=event,
                    signature=signature, signed_on=as_date(form.get("signed_on")), end_event=end_event,
                    expected_consent_version=self._link_versions.get(str(link_id)),
                )
            except StaleEdit as exc:  # the form keeps what was typed; the list below is reloaded
                self.paper_stale = exc.message
                return
            except ValidationError as exc:
                self.paper_errors = exc.errors
                return
            self.message = "Paper consent recorded."
        return self._run(action)

    @rx.event
    def end_consent(self, form: dict):
        """Staff record that the event in words a consent ends at has happened."""
        form = form_dict(form)

        def action(session, actor):
            cid = as_int(form.get("consent_id"), 1)
            if cid is None:
                raise PermissionDenied()
            consents.end_consent(session, actor, cid, on=as_date(form.get("ended_on")))
            self.message = "Consent ended. The family member sees nothing more under it."
        return self._run(action)

    @rx.event
    def reload_consents(self):
        self.paper_stale = ""
        return self._run(lambda s, a: None)

    @rx.event
    def download_ics(self, session_id: str):
        return self._run(lambda session, actor: ics_download(session, actor, session_id))
