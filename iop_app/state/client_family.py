"""The client's family page: support people, invitations, consents (grant and
revoke), the disclosure log, and their family sessions."""

from __future__ import annotations

import reflex as rx

from ..models.enums import Role
from ..services import consents, family, family_sessions, permissions, program
from ..services.errors import PermissionDenied, ServiceError
from .args import as_int, form_dict
from .base import PageState, SessionState
from .family import (
    ConsentLine,
    DisclosureLine,
    FamilySessionResponses,
    LinkLine,
    SessionCard,
    consent_form,
    consent_lines,
    session_cards,
)


class ClientFamilyState(FamilySessionResponses, PageState, SessionState):
    _roles = (Role.CLIENT,)
    # The code is shown once, right after the invitation is made: any next event clears it.
    _feedback = ("invite_code", "invite_for", "invite_expires")
    _accepted_text: str = "Accepted. Your therapist will confirm this time."
    _withdrawn_text: str = "Acceptance withdrawn."
    _requested_text: str = "Your request was sent to your therapist."

    links: list[LinkLine] = []
    link_options: list[list[str]] = []
    consents: list[ConsentLine] = []
    disclosures: list[DisclosureLine] = []
    sessions: list[SessionCard] = []
    my_name: str = ""
    today: str = ""
    tz_label: str = ""
    person_errors: dict[str, str] = {}
    consent_errors: dict[str, str] = {}
    invite_code: str = ""
    invite_for: str = ""
    invite_expires: str = ""

    def _reload(self, session, actor) -> None:
        client_id = _own_client_id(session, actor)
        tz = program.program_tz(session)
        self.my_name = actor.full_name
        self.today = program.local_today(session).isoformat()
        self.tz_label = str(tz)
        links = family.list_links(session, actor, client_id)
        self.links = [LinkLine(str(r.id), r.name, r.relationship, r.email, r.portal) for r in links]
        self.link_options = [[str(r.id), f"{r.name} ({r.relationship})"] for r in links]
        self.consents = consent_lines(consents.consents_for_client(session, actor, client_id), "Signed here")
        self.disclosures = [
            DisclosureLine(program.to_local(d.at, tz).strftime("%Y-%m-%d %H:%M"), d.person, d.relationship, d.what)
            for d in family.disclosures_for_client(session, actor, client_id)
        ]
        self.sessions = session_cards(family_sessions.sessions_for_client(session, actor, client_id), actor)

    @rx.event
    def load(self):
        self.person_errors = {}
        self.consent_errors = {}
        self.form_session = ""
        self.form_errors = {}
        return self._run()

    @rx.event
    def add_person(self, form: dict):
        form = form_dict(form)

        def action(session, actor):
            link = family.add_link(session, actor, _own_client_id(session, actor), name=form.get("name", ""),
                                   relationship=form.get("relationship", ""), email=form.get("email", ""))
            self.message = f"{link.name} is on your list."
        return self._run(action, errors_var="person_errors")

    @rx.event
    def invite(self, link_id: str):
        def action(session, actor):
            lid = as_int(link_id, 1)
            if lid is None:
                raise ServiceError("That person is not on your list.")
            # The same outcome and wording for everyone (issue #9): a code, whoever the email belongs to.
            invitation = family.invite(session, actor, _own_client_id(session, actor), lid)
            self.invite_code = invitation.code
            self.invite_for = next((r.name for r in self.links if r.id == str(lid)), "them")
            tz = program.program_tz(session)
            self.invite_expires = program.to_local(invitation.expires_at, tz).strftime("%Y-%m-%d %H:%M")
        return self._run(action, errors_var=None)

    @rx.event
    def grant(self, form: dict):
        form = form_dict(form)

        def action(session, actor):
            consents.grant_consent(session, actor, _own_client_id(session, actor), **consent_form(form))
            self.message = "Consent saved. You can revoke it at any time."
        return self._run(action, errors_var="consent_errors")

    @rx.event
    def revoke(self, consent_id: str):
        return self._change_listed(consents.revoke_consent, consent_id,
                                   "Consent revoked. From now on that person sees nothing about you.")


def _own_client_id(session, actor) -> int:
    client = permissions.client_for_user(session, actor)
    if client is None:
        raise PermissionDenied()
    return client.id

