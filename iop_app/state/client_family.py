"""The client's family page: support people, invitations, consents (grant and
revoke), the disclosure log, and their family sessions."""

from __future__ import annotations

import reflex as rx

from ..services import consents, family, family_sessions, permissions, program
from ..services.errors import PermissionDenied, ServiceError, ValidationError
from .args import as_date, as_int, as_text, form_dict
from .base import SessionState
from .family import FamilySessionResponses, SessionCard, session_cards


class ClientFamilyState(FamilySessionResponses, SessionState):
    _accepted_text: str = "Accepted. Your therapist will confirm this time."
    _withdrawn_text: str = "Acceptance withdrawn."
    _requested_text: str = "Your request was sent to your therapist."

    links: list[dict[str, str]] = []
    link_options: list[list[str]] = []
    consents: list[dict[str, str]] = []
    disclosures: list[dict[str, str]] = []
    sessions: list[SessionCard] = []
    my_name: str = ""
    today: str = ""
    tz_label: str = ""
    person_errors: dict[str, str] = {}
    consent_errors: dict[str, str] = {}
    invite_code: str = ""  # shown once, right after the invitation is made
    invite_for: str = ""
    invite_expires: str = ""

    def _reload(self, session, actor) -> None:
        client = permissions.client_for_user(session, actor)
        if client is None:
            raise PermissionDenied()
        tz = program.program_tz(session)
        self.my_name = actor.full_name
        self.today = program.local_today(session).isoformat()
        self.tz_label = str(tz)
        links = family.list_links(session, actor, client.id)
        self.links = [{"id": str(r.id), "name": r.name, "relationship": r.relationship, "email": r.email,
                       "portal": r.portal} for r in links]
        self.link_options = [[str(r.id), f"{r.name} ({r.relationship})"] for r in links]
        self.consents = [
            {"id": str(c.id), "person": c.person, "relationship": c.relationship, "scope": c.scope_label,
             "purpose": c.purpose, "expires": c.expires, "signed": c.signed_on.isoformat(), "status": c.status,
             "how": "On paper" if c.on_paper else "Signed here", "in_force": "yes" if c.status == "in force" else ""}
            for c in consents.consents_for_client(session, actor, client.id)
        ]
        self.disclosures = [
            {"at": program.to_local(d.at, tz).strftime("%Y-%m-%d %H:%M"), "person": d.person,
             "relationship": d.relationship, "what": d.what}
            for d in family.disclosures_for_client(session, actor, client.id)
        ]
        self.sessions = session_cards(family_sessions.sessions_for_client(session, actor, client.id), actor)

    def _run(self, action, *, keep_invite: bool = False):
        with self._db() as (session, actor):
            if refusal := self._require_role(session, actor, "client"):
                return refusal
            self.message = ""
            self.error = ""
            if not keep_invite:
                self.invite_code = ""
                self.invite_for = ""
                self.invite_expires = ""
            result = None
            try:
                result = action(session, actor)
            except (PermissionDenied, ServiceError) as exc:
                self.error = exc.message
            self._reload(session, actor)
            return result

    def _client_id(self, session, actor) -> int:
        client = permissions.client_for_user(session, actor)
        if client is None:
            raise PermissionDenied()
        return client.id

    @rx.event
    def load(self):
        self.person_errors = {}
        self.consent_errors = {}
        self.form_session = ""
        self.form_error = ""
        return self._run(lambda s, a: None)

    @rx.event
    def add_person(self, form: dict):
        form = form_dict(form)
        self.person_errors = {}

        def action(session, actor):
            values = {k: as_text(form.get(k) or "", limit) for k, limit in (("name", 120), ("relationship", 60),
                                                                       ("email", 254))}
            bad = {k: "That is too long." for k, v in values.items() if v is None}
            if bad:
                self.person_errors = bad
                return
            try:
                family.add_link(session, actor, self._client_id(session, actor), **values)
            except ValidationError as exc:
                self.person_errors = exc.errors
                return
            self.message = f"{values['name']} is on your list."
        return self._run(action)

    @rx.event
    def invite(self, link_id: str):
        def action(session, actor):
            lid = as_int(link_id, 1)
            if lid is None:
                raise ServiceError("That person is not on your list.")
            # The same outcome and wording for everyone (issue #9): a code, whoever the email belongs to.
            invitation = family.invite(session, actor, self._client_id(session, actor), lid)
            name = next((r["name"] for r in self.links if r["id"] == str(lid)), "them")
            self.invite_code = invitation.code
            self.invite_for = name
            tz = program.program_tz(session)
            self.invite_expires = program.to_local(invitation.expires_at, tz).strftime("%Y-%m-%d %H:%M")
        return self._run(action, keep_invite=False)

    @rx.event
    def grant(self, form: dict):
        form = form_dict(form)
        self.consent_errors = {}

        def action(session, actor):
            errors = {}
            expires_text = form.get("expires_on") or ""
            expires_on = as_date(expires_text) if expires_text else None
            if expires_text and expires_on is None:
                errors["expires_on"] = "Enter a date like 2026-12-31."
            signed_on = as_date(form.get("signed_on"))
            purpose = as_text(form.get("purpose") or "", 300)
            event = as_text(form.get("expiry_event") or "", 200)
            end_event = as_text(form.get("end_event") or "", 32)
            signature = as_text(form.get("signature") or "", 120)
            for key, value, msg in (("purpose", purpose, "Keep the purpose under 300 characters."),
                                    ("expiry_event", event, "Keep the expiry event under 200 characters."),
                                    ("end_event", end_event, "Choose when this consent ends from the list."),
                                    ("signature", signature, "Type your full name to sign.")):
                if value is None:
                    errors[key] = msg
            if errors:
                self.consent_errors = errors
                return
            try:
                consents.grant_consent(
                    session, actor, self._client_id(session, actor),
                    family_link_id=as_int(form.get("family_link_id"), 1), scope=form.get("scope"),
                    purpose=purpose, expires_on=expires_on, expiry_event=event, signature=signature,
                    signed_on=signed_on, end_event=end_event,
                )
            except ValidationError as exc:
                self.consent_errors = exc.errors
                return
            self.message = "Consent saved. You can revoke it at any time."
        return self._run(action)

    @rx.event
    def revoke(self, consent_id: str):
        def action(session, actor):
            cid = as_int(consent_id, 1)
            if cid is None:
                raise PermissionDenied()
            consents.revoke_consent(session, actor, cid)
            self.message = "Consent revoked. From now on that person sees nothing about you."
        return self._run(action)
