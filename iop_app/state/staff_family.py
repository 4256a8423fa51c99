"""Family sessions for therapists and the director: propose times, see the
answers, confirm, reschedule, cancel, mark attended; a client's consents and
recording a consent given on paper."""

from __future__ import annotations

import reflex as rx

from ..models.enums import Role
from ..services import consents, family, family_sessions, program
from ..services.errors import PermissionDenied, StaleEdit, ValidationError
from .args import as_date, as_int, form_dict, record_id
from .base import PageState, SessionState
from .family import ConsentLine, SessionCard, consent_form, consent_lines, ics_download, parse_local, session_cards

SLOT_FIELDS = 3  # time fields on the proposal form


class StaffFamilyState(PageState, SessionState):
    _roles = (Role.THERAPIST, Role.DIRECTOR)
    client_options: list[list[str]] = []
    selected_client: str = ""
    sessions: list[SessionCard] = []
    consents: list[ConsentLine] = []
    link_options: list[list[str]] = []
    today: str = ""
    tz_label: str = ""
    propose_errors: dict[str, str] = {}
    paper_errors: dict[str, str] = {}
    paper_stale: str = ""  # a consent was recorded for that person after the page showed the list
    action_session: str = ""  # the session whose change form has the errors below
    action_errors: dict[str, str] = {}
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
        self.consents = consent_lines(consents.consents_for_client(session, actor, cid),
                                      "Signed by the client in the app")
        links = family.list_links(session, actor, cid)
        self.link_options = [[str(r.id), f"{r.name} ({r.relationship})"] for r in links]
        self._link_versions = {str(r.id): r.consent_version for r in links}

    @rx.event
    def load(self):
        self.propose_errors = {}
        self.paper_errors = {}
        self.paper_stale = ""
        self.action_session = ""
        self.action_errors = {}
        return self._run()

    @rx.event
    def select_client(self, value: str):
        cid = as_int(value, 1)
        self.selected_client = str(cid) if cid is not None else ""
        self.paper_errors = {}
        return self._run()

    @rx.event
    def propose(self, form: dict):
        form = form_dict(form)
        self.propose_errors = {}
        # What the browser sent, made into values; the service checks them (times
        # included: at least one, in the future, free for everyone).
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
        if errors:
            self.propose_errors = errors
            return None

        def action(session, actor):
            try:
                family_sessions.propose(session, actor, cid, starts_local=starts,
                                        duration_minutes=as_int(form.get("duration_minutes"), 1, 10_000),
                                        mode=form.get("mode"), note=form.get("note") or "")
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

    def _change(self, form, change, fields: dict[str, str], done: str):
        """One of the change forms on a session card: `change(session, actor, sid)`
        calls the service; `fields` maps its field names to the form's error keys
        (the first is where any other message goes)."""
        form = form_dict(form)
        sid = as_int(form.get("session_id"), 1)

        def action(session, actor):
            if sid is None:
                raise PermissionDenied()
            self.action_session = str(sid)
            self.action_errors = {}
            try:
                change(session, actor, sid, form)
            except ValidationError as exc:
                default = next(iter(fields.values()))
                self.action_errors = {fields.get(k, default): v for k, v in exc.errors.items()}
                return
            self.message = done
        return self._run(action)

    @rx.event
    def add_time(self, form: dict):
        return self._change(
            form, lambda session, actor, sid, f: family_sessions.add_slots(
                session, actor, sid, starts_local=[parse_local(f.get("date"), f.get("time"))]),
            {"slot_1": "add"}, "Time offered.")

    @rx.event
    def confirm(self, session_id: str):
        return self._change_listed(family_sessions.confirm, session_id, "Session booked. Everyone involved sees it.")

    @rx.event
    def reschedule(self, form: dict):
        return self._change(
            form, lambda session, actor, sid, f: family_sessions.reschedule(
                session, actor, sid, new_start_local=parse_local(f.get("date"), f.get("time")),
                reason=f.get("reason") or ""),
            {"starts_at": "reschedule_time", "reason": "reschedule_reason"},
            "Session moved. Everyone involved sees the change and the reason.")

    @rx.event
    def cancel(self, form: dict):
        return self._change(
            form, lambda session, actor, sid, f: family_sessions.cancel(session, actor, sid,
                                                                        reason=f.get("reason") or ""),
            {"reason": "cancel_reason"}, "Session cancelled. Everyone involved sees the reason.")

    @rx.event
    def attended(self, form: dict):
        return self._change(
            form, lambda session, actor, sid, f: family_sessions.mark_attended(
                session, actor, sid, minutes=as_int(f.get("minutes"), 0, 10_000)),
            {"minutes": "minutes"}, "Marked attended; it now counts toward the client's weekly hours.")

    @rx.event
    def record_paper(self, form: dict):
        form = form_dict(form)
        self.paper_stale = ""

        def action(session, actor):
            cid = as_int(self.selected_client, 1)
            if cid is None:
                raise ValidationError({"family_link_id": "Choose a client first."})
            values = consent_form(form)
            try:
                consents.record_paper_consent(
                    session, actor, cid, **values,
                    expected_consent_version=self._link_versions.get(str(values["family_link_id"])),
                )
            except StaleEdit as exc:  # the form keeps what was typed; the list below is reloaded
                self.paper_stale = exc.message
                return
            self.message = "Paper consent recorded."
        return self._run(action, errors_var="paper_errors")

    @rx.event
    def end_consent(self, form: dict):
        """Staff record that the event in words a consent ends at has happened."""
        form = form_dict(form)

        def action(session, actor):
            consents.end_consent(session, actor, record_id(form.get("consent_id")), on=as_date(form.get("ended_on")))
            self.message = "Consent ended. The family member sees nothing more under it."
        return self._run(action, errors_var=None)

    @rx.event
    def reload_consents(self):
        self.paper_stale = ""
        return self._run()

    @rx.event
    def download_ics(self, session_id: str):
        return self._run(lambda session, actor: ics_download(session, actor, session_id))
