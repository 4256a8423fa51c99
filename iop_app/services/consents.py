"""Written consents under 42 CFR Part 2: grant (the client, here), record one
signed on paper (staff), revoke, end at an event, and list them.

A consent needs scope, purpose, an end (a date, an event the program records
such as discharge, or another event in words), the client's typed signature
(their full name as on their record) and the date signed (ConsentCreate declares
the shape; _validate_consent checks it against the record and today). A consent
that ends on discharge ends on the discharge day (services.discharge); other
events are ended by staff (end_consent). Whether a consent is in force is looked
up again on every family read (permissions.consent_in_force_condition).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field, PlainValidator
from sqlalchemy import update
from sqlmodel import Session, col, select

from ..models import Client, Consent, FamilyLink, User, utcnow
from ..models.enums import ClientStatus, ConsentEndEvent, ConsentScope, Role
from . import audit, permissions, program, versions
from .errors import PermissionDenied, ServiceError, StaleEdit, ValidationError
from .ids import is_id
from .inputs import ServiceInput, validate

# How a consent's end event reads in a list ("until discharge from the program").
END_EVENT_TEXT = {ConsentEndEvent.DISCHARGE: "discharge from the program"}


def _day(message: str):
    """A calendar day: a date, or the ISO text a date field sends ("2026-12-31");
    anything else is refused with `message`."""
    def check(value) -> date:
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        if isinstance(value, str) and len(value.strip()) <= 10:
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                pass
        raise ValueError(message)
    return Annotated[date, PlainValidator(check)]


EndDate = _day("Enter a date like 2026-12-31.")
SigningDate = _day("Enter the date of signing.")


class ConsentCreate(ServiceInput):
    """The elements of a consent as entered; checked against the record after."""

    family_link_id: int = Field(ge=1, strict=True)
    scope: ConsentScope
    purpose: str = Field(min_length=1, max_length=300)
    expires_on: EndDate | None = None
    expiry_event: str = Field(default="", max_length=200)
    end_event: ConsentEndEvent | Literal[""] = ""
    signature: str = Field(max_length=120)  # empty: named in _validate_consent (words differ on paper)
    signed_on: SigningDate

    messages = {
        "family_link_id": "Choose one of your listed support people.",
        "scope": "Choose what may be shared.",
        "purpose": "Keep the purpose under 300 characters.",
        "purpose:missing": "Say why this information is shared (the purpose).",
        "expiry_event": "Keep the expiry event under 200 characters.",
        "end_event": "Choose when this consent ends from the list.",
        "signature": "Keep the signature under 120 characters.",
        "signature:type": "Type your full name to sign.",
    }


@dataclass(frozen=True)
class ConsentRow:
    id: int
    family_link_id: int
    person: str
    relationship: str
    scope: str
    scope_label: str
    purpose: str
    expires: str  # "until 2026-05-01", "until discharge from the program", ... joined by "or"
    expires_on: date | None
    end_event: str
    expiry_event: str
    signature: str
    signed_on: date
    granted_at: datetime
    revoked_at: datetime | None
    ended_on: date | None
    status: str  # "in force" / "revoked" / "ended" / "expired"
    on_paper: bool
    recorded_by: str


# --------------------------------------------------------------------------- helpers
def deny(session: Session, actor: User | None, what: str, client_id: int | None = None, detail: str = "") -> None:
    audit.record_now(session, actor, what, client_id=client_id, outcome="denied", detail=detail)
    raise PermissionDenied()


def _require_own_client(session: Session, actor: User, client_id: int, what: str) -> Client:
    """The client acting on their own record (staff have their own paths)."""
    # A client may write only their own record, so the role is enough here.
    return permissions.require(session, actor, permissions.WRITE, client_id, what=what, roles=(Role.CLIENT,))


def link_of_client(session: Session, client_id: int, link_id, field: str = "family_link_id") -> FamilyLink:
    link = session.get(FamilyLink, link_id) if is_id(link_id) else None
    if link is None or link.client_id != client_id:
        raise ValidationError({field: "Choose one of your listed support people."})
    return link


def _normalize_name(text: str) -> str:
    return " ".join(text.split()).casefold()


def consent_status(consent: Consent, today: date) -> str:
    """The same rule as permissions.consent_in_force_condition, for one row."""
    if consent.revoked_at is not None:
        return "revoked"
    if consent.ended_on is not None:
        return "ended"
    if consent.expires_on is not None and consent.expires_on < today:
        return "expired"
    return "in force"


def expiry_text(expires_on: date | None, expiry_event: str, end_event: str = "") -> str:
    parts = []
    if expires_on is not None:
        parts.append(f"until {expires_on.isoformat()}")
    if end_event:
        parts.append(f"until {END_EVENT_TEXT.get(end_event, end_event)}")
    if expiry_event:
        parts.append(f"until {expiry_event}")
    return " or ".join(parts)


# --------------------------------------------------------------------------- changes
def _validate_consent(session: Session, client: Client, *, on_paper: bool, **values) -> dict:
    """Every element of a Part 2 consent; each missing one named on its field. The
    shape first (ConsentCreate), then against the record and today."""
    c = validate(ConsentCreate, **values)
    today = program.local_today(session)
    errors: dict[str, str] = {}
    link = None
    try:
        link = link_of_client(session, client.id, c.family_link_id)
    except ValidationError as exc:
        errors.update(exc.errors)
    if c.end_event == ConsentEndEvent.DISCHARGE and client.status == ClientStatus.DISCHARGED:
        errors["end_event"] = "The client has already been discharged: give an end date instead."
    if c.expires_on is None and not c.expiry_event and not c.end_event and "end_event" not in errors:
        errors["expires_on"] = "Give a date or an event when this consent ends."
    elif c.expires_on is not None and c.expires_on < today:
        errors["expires_on"] = "The end date has already passed."
    client_name = session.get(User, client.user_id).full_name
    if not c.signature:
        errors["signature"] = ("Type the client's full name as a signature." if on_paper
                               else "Type your full name to sign.")
    elif _normalize_name(c.signature) != _normalize_name(client_name):
        errors["signature"] = (
            f"The signature must be the client's full name as on their record: {client_name}."
            if on_paper else f"Type your full name exactly as on your record: {client_name}."
        )
    if on_paper and c.signed_on > today:
        errors["signed_on"] = "The date of signing cannot be in the future."
    elif on_paper and c.expires_on is not None and c.signed_on > c.expires_on:
        errors["signed_on"] = "The date of signing is after the end date."
    elif not on_paper and c.signed_on != today:
        errors["signed_on"] = f"Sign with today's date ({today.isoformat()})."
    if link is not None and "family_link_id" not in errors:
        existing = session.exec(
            select(Consent.id).where(Consent.family_link_id == link.id, permissions.consent_in_force_condition(today))
        ).first()
        if existing is not None:
            errors["family_link_id"] = f"A consent for {link.name} is already in force. Revoke it first to change it."
    if errors:
        raise ValidationError(errors)
    return c.model_dump(mode="python") | {"scope": str(c.scope), "end_event": str(c.end_event)}


def grant_consent(session: Session, actor: User, client_id: int, **consent) -> Consent:
    """The client signs a consent to disclose to one listed person; `consent` is
    ConsentCreate's fields as keyword arguments."""
    client = _require_own_client(session, actor, client_id, "consent.grant")
    return _save_consent(session, actor, client, "consent.grant", on_paper=False, **consent)


def record_paper_consent(session: Session, actor: User, client_id: int, *,
                         expected_consent_version: int | None = None, **consent) -> Consent:
    """A therapist (or the director) records a consent the client signed on paper
    (`consent`: ConsentCreate's fields, as for grant_consent).
    A signed consent is not edited afterwards: a wrong entry is revoked (it stays in
    the history) and the paper recorded again. `expected_consent_version` is the
    person's FamilyLink.consent_version the page showed: a consent recorded for them
    since then is reported (StaleEdit, who and when) instead of a second one."""
    client = permissions.require(session, actor, permissions.WRITE, client_id, what="consent.record_paper",
                                 roles=permissions.STAFF)
    return _save_consent(session, actor, client, "consent.record_paper", on_paper=True,
                         expected_consent_version=expected_consent_version, **consent)


def _consent_recorded_since(session: Session, actor: User, client: Client, link: FamilyLink, action: str) -> StaleEdit:
    session.rollback()
    newest = session.exec(select(Consent).where(Consent.family_link_id == link.id)
                          .order_by(col(Consent.granted_at).desc(), col(Consent.id).desc())).first()
    audit.record_now(session, actor, action, client_id=client.id, target=f"family_link:{link.id}", outcome="failure",
                     detail="stale page: a consent was recorded for this person since")
    advice = "Reload to see it; what you typed is kept in the form."
    return versions.stale_edit(session, actor, newest.recorded_by if newest else None,
                               newest.granted_at if newest else None, did=f"recorded a consent for {link.name}",
                               advice=advice, own_advice=advice)


def _save_consent(session: Session, actor: User, client: Client, action: str, *, on_paper: bool,
                  expected_consent_version: int | None = None, **values) -> Consent:
    """Validate and store a consent (signed here or on paper), audited with the change.
    Claiming the person's consent_version with one conditional UPDATE makes "no consent
    in force yet" hold at the write: of two saves at once, the second is refused."""
    link_id = values.get("family_link_id")
    link = session.get(FamilyLink, link_id) if is_id(link_id) else None
    if (link is not None and link.client_id == client.id and expected_consent_version is not None
            and expected_consent_version != link.consent_version):
        raise _consent_recorded_since(session, actor, client, link, action)
    fields = _validate_consent(session, client, on_paper=on_paper, **values)
    link = session.get(FamilyLink, fields["family_link_id"])
    seen = link.consent_version
    claimed = session.execute(update(FamilyLink).where(FamilyLink.id == link.id, FamilyLink.consent_version == seen)
                              .values(consent_version=seen + 1)).rowcount
    if claimed != 1:
        raise _consent_recorded_since(session, actor, client, link, action)
    consent = Consent(client_id=client.id, on_paper=on_paper, recorded_by=actor.id, granted_at=utcnow(), **fields)
    return audit.save_new(session, actor, consent, action, "consent", client_id=client.id, detail=fields["scope"])


def revoke_consent(session: Session, actor: User, consent_id) -> Consent:
    """The client revokes at any time (staff may record a revocation too)."""
    consent = session.get(Consent, consent_id) if is_id(consent_id) else None
    if consent is None:
        deny(session, actor, "consent.revoke", None, f"consent:{consent_id}"[:100])
    permissions.require(session, actor, permissions.WRITE, consent.client_id, what="consent.revoke")
    if consent.revoked_at is not None:
        raise ServiceError("This consent was already revoked.")
    if consent.ended_on is not None:
        raise ServiceError("This consent has already ended.")
    consent.revoked_at = utcnow()
    session.add(consent)
    audit.record(session, actor, "consent.revoke", client_id=consent.client_id, target=f"consent:{consent.id}")
    session.commit()
    return consent


def end_consents_at_event(session: Session, actor: User, client_id: int, event: ConsentEndEvent,
                          on: date) -> list[Consent]:
    """End every consent of this client that is still in force on `on` and ends at
    `event`, as of that day. Adds to the caller's transaction (the caller checked
    permission and commits with the event itself, e.g. the discharge)."""
    consents = session.exec(
        select(Consent).where(Consent.client_id == client_id, Consent.end_event == event,
                              permissions.consent_in_force_condition(on))
    ).all()
    for consent in consents:
        consent.ended_on = on
        consent.ended_reason = str(event)
        session.add(consent)
        audit.record(session, actor, "consent.end", client_id=client_id, target=f"consent:{consent.id}",
                     detail=f"{event} on {on.isoformat()}")
    return list(consents)


def end_consent(session: Session, actor: User, consent_id, *, on) -> Consent:
    """Staff record that the event in words a consent ends at has happened (events
    the program records itself, such as discharge, end their consents on their own)."""
    consent = session.get(Consent, consent_id) if is_id(consent_id) else None
    if consent is None:
        deny(session, actor, "consent.end", None, f"consent:{consent_id}"[:100])
    permissions.require(session, actor, permissions.WRITE, consent.client_id, what="consent.end",
                        roles=permissions.STAFF)
    today = program.local_today(session)
    if consent_status(consent, today) != "in force" or not consent.expiry_event:
        raise ServiceError("Only a consent in force that ends at an event in words can be ended here.")
    if not isinstance(on, date) or isinstance(on, datetime):
        raise ValidationError({"ended_on": "Enter the date the event happened."})
    if on > today:
        raise ValidationError({"ended_on": "The event cannot be in the future."})
    if on < consent.signed_on:
        raise ValidationError({"ended_on": "The event cannot be before the consent was signed."})
    consent.ended_on = on
    consent.ended_reason = consent.expiry_event[:200]
    session.add(consent)
    audit.record(session, actor, "consent.end", client_id=consent.client_id, target=f"consent:{consent.id}",
                 detail=f"event on {on.isoformat()}")
    session.commit()
    return consent


def consents_for_client(session: Session, actor: User, client_id: int) -> list[ConsentRow]:
    """Every consent of a client, newest first: who, relationship, scope, purpose,
    expiry, in force / revoked / expired, on paper. For the client, their
    therapist and the director (READ)."""
    permissions.require(session, actor, permissions.READ, client_id, what="consent.list")
    today = program.local_today(session)
    rows = session.exec(
        select(Consent, FamilyLink, User)
        .join(FamilyLink, FamilyLink.id == Consent.family_link_id)
        .join(User, User.id == Consent.recorded_by)
        .where(Consent.client_id == client_id)
        .order_by(col(Consent.granted_at).desc(), col(Consent.id).desc())
    ).all()
    return [
        ConsentRow(
            id=c.id, family_link_id=link.id, person=link.name, relationship=link.relationship, scope=c.scope,
            scope_label=ConsentScope.label_of(c.scope), purpose=c.purpose,
            expires=expiry_text(c.expires_on, c.expiry_event, c.end_event), expires_on=c.expires_on,
            end_event=c.end_event, expiry_event=c.expiry_event, signature=c.signature, signed_on=c.signed_on,
            granted_at=c.granted_at, revoked_at=c.revoked_at, ended_on=c.ended_on, status=consent_status(c, today),
            on_paper=c.on_paper,
            recorded_by=recorder.full_name,
        )
        for c, link, recorder in rows
    ]
