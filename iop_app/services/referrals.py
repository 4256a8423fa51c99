"""Referrals from a client's record to a community resource or another provider,
with their closed loop, the client's consents to disclose (42 CFR Part 2), the
directory entries shared with a client, and what the client sees of it all.

The loop (TRANSITIONS): sent -> accepted / declined (with a reason) -> appointment
set (a date) -> attended / did not attend -> closed; a missed appointment may be
set again. Every step is a ReferralStep dated with the server's clock and owned by
whoever recorded it; the move is one conditional UPDATE on the status the page
showed, so two people cannot record two different next steps.

Each open step is due by a program-local day (`Referral.due_on`, from STEP_DAYS):
a reply within 2/5/10 days of sending (urgent/soon/routine), an appointment within
7 days of acceptance, the outcome within 2 days after the appointment, and closing
within 7 days of a decline or outcome. A step past its day is overdue; the roster
flags the client (services/roster.FLAG_REFERRAL, `overdue_referrals_sql`).

Part 2: a referral that discloses the client's information (`discloses`) names a
ReferralConsent in force (not revoked, not expired) of this client that names this
recipient (the directory entry, or the same provider name), signed by the client
(their full name as on their record). Without one the referral is refused and the
refusal audited; nothing is saved.

Who: the care team as for the rest of the record (permissions.require READ/WRITE,
staff roles for changes: caseload, director, break-glass). The client reads their
own referrals and shared resources (audited too); family members never, whatever
their consent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import ClassVar

from pydantic import Field
from sqlalchemy import func, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from ..models import Client, User, utcnow
from ..models.enums import ReferralStatus, ReferralUrgency, ResourceCategory
from ..models.referrals import CommunityResource, Referral, ReferralConsent, ReferralStep, ResourceShare
from . import audit, permissions, program
from .errors import PermissionDenied, ServiceError, ValidationError
from .ids import is_id
from .inputs import ServiceInput, validate

S = ReferralStatus
TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.SENT: (S.ACCEPTED, S.DECLINED),
    S.ACCEPTED: (S.SCHEDULED,),
    S.DECLINED: (S.CLOSED,),
    S.SCHEDULED: (S.ATTENDED, S.NOT_ATTENDED),
    S.ATTENDED: (S.CLOSED,),
    S.NOT_ATTENDED: (S.SCHEDULED, S.CLOSED),
    S.CLOSED: (),
}
# Days allowed for the step after each status (a reply to a sent referral by urgency).
REPLY_DAYS = {ReferralUrgency.URGENT: 2, ReferralUrgency.SOON: 5, ReferralUrgency.ROUTINE: 10}
STEP_DAYS = {S.ACCEPTED: 7, S.DECLINED: 7, S.ATTENDED: 7, S.NOT_ATTENDED: 7}
AFTER_APPOINTMENT_DAYS = 2
# What the next step is, in words (the page and the roster say what is overdue).
NEXT_STEP = {
    S.SENT: "reply from the provider", S.ACCEPTED: "appointment date", S.SCHEDULED: "whether the client attended",
    S.DECLINED: "closing the referral", S.ATTENDED: "closing the referral", S.NOT_ATTENDED: "a new date or closing",
}


def due_on(status: str, day: date, urgency: str, appointment_on: date | None = None) -> date | None:
    """The day the step after `status` (reached on `day`) is due; None once closed."""
    if status == S.CLOSED:
        return None
    if status == S.SENT:
        return day + timedelta(days=REPLY_DAYS.get(urgency, REPLY_DAYS[ReferralUrgency.ROUTINE]))
    if status == S.SCHEDULED and appointment_on is not None:
        return appointment_on + timedelta(days=AFTER_APPOINTMENT_DAYS)
    return day + timedelta(days=STEP_DAYS.get(status, 7))


def is_overdue(referral: Referral, today: date) -> bool:
    return referral.status != S.CLOSED and referral.due_on is not None and referral.due_on < today


def overdue_referrals_sql(client_id_column, today_param):
    """How many referrals of the client have a step overdue (a correlated count, for
    the roster's one statement)."""
    return (
        sa_select(func.count(Referral.id))
        .where(Referral.client_id == client_id_column, Referral.status != S.CLOSED.value,
               col(Referral.due_on).is_not(None), Referral.due_on < today_param)
        .scalar_subquery()
    )


# --------------------------------------------------------------------------- inputs
class ReferralInput(ServiceInput):
    reason: str = Field(min_length=1, max_length=1000)
    urgency: ReferralUrgency
    provider: str = Field(default="", max_length=200)
    contact: str = Field(default="", max_length=300)
    discloses: bool = Field(strict=True)

    messages: ClassVar[dict[str, str]] = {
        "reason": "Keep the reason under 1000 characters.",
        "reason:missing": "Say why the client is referred.",
        "urgency": "Choose how urgent the referral is.",
        "provider": "Keep the provider's name under 200 characters.",
        "contact": "Keep the contact details under 300 characters.",
        "discloses": "Say whether the referral shares the client's information.",
    }


class ConsentInput(ServiceInput):
    recipient: str = Field(min_length=1, max_length=200)
    information: str = Field(min_length=1, max_length=300)
    purpose: str = Field(min_length=1, max_length=300)
    expires_on: date = Field(strict=True)
    signature: str = Field(min_length=1, max_length=120)
    signed_on: date = Field(strict=True)

    messages: ClassVar[dict[str, str]] = {
        "recipient": "Keep the recipient under 200 characters.",
        "recipient:missing": "Name the provider the information goes to.",
        "information": "Keep this under 300 characters.",
        "information:missing": "Say what information may be shared.",
        "purpose": "Keep the purpose under 300 characters.",
        "purpose:missing": "Say why the information is shared.",
        "expires_on": "Enter the date this consent ends.",
        "signature": "Keep the signature under 120 characters.",
        "signature:missing": "Type the client's full name as on the signed form.",
        "signed_on": "Enter the date the client signed.",
    }


class StepInput(ServiceInput):
    note: str = Field(default="", max_length=500)

    messages: ClassVar[dict[str, str]] = {"note": "Keep the note under 500 characters."}


# --------------------------------------------------------------------------- views
@dataclass(frozen=True)
class StepView:
    status: str
    status_label: str
    at: datetime
    by: str
    note: str
    appointment_on: date | None


@dataclass(frozen=True)
class ReferralView:
    id: int
    provider: str
    resource_id: int | None
    contact: str
    reason: str
    urgency: str
    urgency_label: str
    discloses: bool
    consent_id: int | None
    status: str
    status_label: str
    appointment_on: date | None
    decline_reason: str
    due_on: date | None
    overdue: bool
    next_step: str
    created_at: datetime
    created_by: str
    version: int
    steps: list[StepView] = field(default_factory=list)
    next_statuses: tuple[str, ...] = ()


@dataclass(frozen=True)
class ConsentView:
    id: int
    recipient: str
    resource_id: int | None
    information: str
    purpose: str
    expires_on: date
    signature: str
    signed_on: date
    recorded_by: str
    in_force: bool
    status: str  # in force / revoked / expired


@dataclass(frozen=True)
class SharedView:
    resource_id: int
    name: str
    category_label: str
    address: str
    phone: str
    web: str
    hours: str
    languages: str
    cost: str
    notes: str
    note: str
    shared_at: datetime
    shared_by: str


@dataclass(frozen=True)
class ClientReferrals:
    client_id: int
    client_name: str
    referrals: list[ReferralView]
    consents: list[ConsentView]
    shared: list[SharedView]


# --------------------------------------------------------------------------- helpers
def _names(session: Session, ids) -> dict[int, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return dict(session.exec(select(User.id, User.full_name).where(col(User.id).in_(ids))).all())


def _normalize(text: str) -> str:
    return " ".join(text.split()).casefold()


def consent_status(consent: ReferralConsent, today: date) -> str:
    if consent.revoked_at is not None:
        return "revoked"
    if consent.expires_on < today:
        return "expired"
    return "in force"


def names_recipient(consent: ReferralConsent, resource: CommunityResource | None, provider: str) -> bool:
    """Whether the consent names this referral's recipient: the directory entry it
    was given for, or the same provider name (spaces and case aside)."""
    if resource is not None and consent.resource_id == resource.id:
        return True
    return _normalize(consent.recipient) == _normalize(resource.name if resource is not None else provider)


def _require_staff_write(session: Session, actor: User, client_id, what: str) -> Client:
    return permissions.require(session, actor, permissions.WRITE, client_id, what=what, roles=permissions.STAFF)


def _referral_of(session: Session, actor: User, referral_id, what: str) -> Referral:
    """The referral, after the WRITE check on its client; an unknown id is denied the same way."""
    referral = session.get(Referral, referral_id) if is_id(referral_id) else None
    if referral is None:
        audit.record_now(session, actor, what, target=f"referral:{referral_id}"[:120], outcome="denied",
                         detail="no such referral")
        raise PermissionDenied()
    _require_staff_write(session, actor, referral.client_id, what)
    return referral


# --------------------------------------------------------------------------- consents
def record_consent(session: Session, actor: User, client_id, *, resource_id=None, **values) -> ReferralConsent:
    """Staff record the client's signed consent to disclose to one outside recipient
    (the form signed on paper): the signature must be the client's full name as on
    their record, signed on or before today, ending after today."""
    client = _require_staff_write(session, actor, client_id, "referral.consent.record")
    resource = None
    if resource_id not in (None, ""):
        resource = session.get(CommunityResource, resource_id) if is_id(resource_id) else None
        if resource is None:
            raise ValidationError({"resource_id": "Choose a provider from the directory, or leave it empty."})
        if not str(values.get("recipient") or "").strip():
            values["recipient"] = resource.name
    c = validate(ConsentInput, **values)
    today = program.local_today(session)
    errors = {}
    client_name = session.get(User, client.user_id).full_name
    if _normalize(c.signature) != _normalize(client_name):
        errors["signature"] = f"The signature must be the client's full name as on their record: {client_name}."
    if c.signed_on > today:
        errors["signed_on"] = "The date of signing cannot be in the future."
    if c.expires_on < today:
        errors["expires_on"] = "The end date has already passed."
    elif c.expires_on < c.signed_on:
        errors["expires_on"] = "The end date is before the date of signing."
    if resource is not None and _normalize(c.recipient) != _normalize(resource.name):
        errors["recipient"] = f"The recipient must be the directory entry chosen: {resource.name}."
    if errors:
        raise ValidationError(errors)
    consent = ReferralConsent(client_id=client.id, resource_id=resource.id if resource else None,
                              recorded_by=actor.id, granted_at=utcnow(), on_paper=True, **c.model_dump())
    return audit.save_new(session, actor, consent, "referral.consent.record", "referral_consent",
                          client_id=client.id, detail=c.recipient[:200])


def revoke_consent(session: Session, actor: User, consent_id) -> ReferralConsent:
    """The client withdrew a consent (recorded by staff): later referrals cannot use it."""
    consent = permissions.require_staff_write_row(
        session, actor, ReferralConsent, consent_id, what="referral.consent.revoke", noun="consent")
    if consent.revoked_at is not None:
        raise ServiceError("This consent was already revoked.")
    consent.revoked_at = utcnow()
    session.add(consent)
    audit.record(session, actor, "referral.consent.revoke", client_id=consent.client_id,
                 target=f"referral_consent:{consent.id}")
    session.commit()
    return consent


# --------------------------------------------------------------------------- referrals
def make_referral(session: Session, actor: User, client_id, *, resource_id=None, consent_id=None,
                  **values) -> Referral:
    """Refer the client to a directory entry (`resource_id`) or a provider named in
    `provider`. `discloses`: the referral shares the client's information, which needs
    `consent_id`, a consent in force naming that recipient."""
    client = _require_staff_write(session, actor, client_id, "referral.create")
    r = validate(ReferralInput, **values)
    errors: dict[str, str] = {}
    resource = None
    if resource_id not in (None, ""):
        resource = session.get(CommunityResource, resource_id) if is_id(resource_id) else None
        if resource is None or not resource.active:
            errors["resource_id"] = "Choose a provider from the directory, or name one below."
    elif not r.provider:
        errors["provider"] = "Choose a provider from the directory or name one."
    provider = resource.name if resource is not None else r.provider
    contact = r.contact or (", ".join(p for p in (resource.phone, resource.address) if p)[:300] if resource else "")
    today = program.local_today(session)
    consent = None
    if r.discloses and not errors:
        consent = session.get(ReferralConsent, consent_id) if is_id(consent_id) else None
        if (consent is None or consent.client_id != client.id or consent_status(consent, today) != "in force"
                or not names_recipient(consent, resource, provider)):
            audit.record_now(session, actor, "referral.disclosure", client_id=client.id, outcome="denied",
                             target=f"client:{client.id}",
                             detail=f"no consent in force naming {provider}"[:500])
            errors["consent_id"] = (f"This referral shares the client's information: it needs the client's signed "
                                    f"consent naming {provider}. Record the consent first, or refer without "
                                    "sharing information.")
    if errors:
        raise ValidationError(errors)
    now = utcnow()
    referral = Referral(client_id=client.id, resource_id=resource.id if resource else None, provider=provider,
                        contact=contact, reason=r.reason, urgency=str(r.urgency), discloses=r.discloses,
                        consent_id=consent.id if consent else None, status=S.SENT,
                        due_on=due_on(S.SENT, today, r.urgency), created_by=actor.id, created_at=now,
                        updated_at=now, updated_by=actor.id)
    session.add(referral)
    session.flush()
    session.add(ReferralStep(referral_id=referral.id, status=S.SENT, at=now, recorded_by=actor.id,
                             note="Shares information under consent" if consent else ""))
    if consent is not None:
        audit.record(session, actor, "referral.disclose", client_id=client.id,
                     target=f"referral_consent:{consent.id}", detail=f"referral {referral.id} to {provider}"[:500])
    return audit.save_new(session, actor, referral, "referral.create", "referral", client_id=client.id,
                          detail=f"{r.urgency}: {provider}"[:500])


def advance(session: Session, actor: User, referral_id, to_status, *, expected_status, reason: str = "",
            appointment_on=None, note: str = "") -> Referral:
    """Record the next step of the loop. `expected_status` is the status the page
    showed: if the referral moved since, nothing changes and the user is told."""
    referral = _referral_of(session, actor, referral_id, "referral.step")
    if not isinstance(to_status, str) or to_status not in TRANSITIONS.get(referral.status, ()):
        allowed = ", ".join(S.label_of(s).lower() for s in TRANSITIONS.get(referral.status, ())) or "nothing"
        raise ServiceError(f"A referral that is {S.label_of(referral.status).lower()} can move to {allowed} "
                           "only.")
    if expected_status != referral.status:
        raise ServiceError("This referral changed since the page was opened. Reload to see its latest step.")
    step = validate(StepInput, note=note)
    today = program.local_today(session)
    values: dict = {}
    if to_status == S.DECLINED:
        reason = reason.strip() if isinstance(reason, str) else ""
        if not reason:
            raise ValidationError({"reason": "Say why the referral was declined."})
        if len(reason) > 300:
            raise ValidationError({"reason": "Keep the reason under 300 characters."})
        values["decline_reason"] = reason
    if to_status == S.SCHEDULED:
        if not isinstance(appointment_on, date) or isinstance(appointment_on, datetime):
            raise ValidationError({"appointment_on": "Enter the appointment date."})
        sent_day = program.to_local(referral.created_at, program.program_tz(session)).date()
        if not sent_day <= appointment_on <= today + timedelta(days=365):
            raise ValidationError({"appointment_on": "The appointment is between the day of the referral and a "
                                                     "year from today."})
        values["appointment_on"] = appointment_on
    if to_status in (S.ATTENDED, S.NOT_ATTENDED) and referral.appointment_on and referral.appointment_on > today:
        raise ValidationError({"appointment_on": "The appointment has not happened yet."})
    now = utcnow()
    values |= {"status": to_status, "due_on": due_on(to_status, today, referral.urgency,
                                                      values.get("appointment_on", referral.appointment_on)),
               "version": referral.version + 1, "updated_at": now, "updated_by": actor.id}
    moved = session.execute(update(Referral).where(Referral.id == referral.id, Referral.status == referral.status,
                                                   Referral.version == referral.version).values(**values)).rowcount
    if moved != 1:
        session.rollback()
        raise ServiceError("Someone recorded a step of this referral just now. Reload to see it.")
    session.add(ReferralStep(referral_id=referral.id, status=to_status, at=now, recorded_by=actor.id,
                             note=values.get("decline_reason") or step.note,
                             appointment_on=values.get("appointment_on")))
    audit.record(session, actor, "referral.step", client_id=referral.client_id, target=f"referral:{referral.id}",
                 detail=f"{referral.status} -> {to_status}")
    session.commit()
    session.refresh(referral)
    return referral


# --------------------------------------------------------------------------- sharing
def share_resource(session: Session, actor: User, client_id, resource_id, note: str = "") -> ResourceShare:
    """Put a directory entry on the client's resources page (once)."""
    client = _require_staff_write(session, actor, client_id, "resources.share")
    resource = session.get(CommunityResource, resource_id) if is_id(resource_id) else None
    if resource is None or not resource.active:
        raise ValidationError({"share_resource_id": "Choose a resource from the directory."})
    if not isinstance(note, str) or len(note.strip()) > 300:
        raise ValidationError({"share_note": "Keep the note under 300 characters."})
    exists = session.exec(select(ResourceShare.id).where(ResourceShare.client_id == client.id,
                                                         ResourceShare.resource_id == resource.id)).first()
    if exists is not None:
        raise ValidationError({"share_resource_id": f"{resource.name} is already shared with this client."})
    share = ResourceShare(client_id=client.id, resource_id=resource.id, note=note.strip(), shared_by=actor.id,
                          shared_at=utcnow())
    return audit.save_new(session, actor, share, "resources.share", "resource_share", client_id=client.id,
                          detail=resource.name)


def unshare_resource(session: Session, actor: User, share_id) -> None:
    share = permissions.require_staff_write_row(
        session, actor, ResourceShare, share_id, what="resources.unshare", noun="share")
    session.delete(share)
    audit.record(session, actor, "resources.unshare", client_id=share.client_id, target=f"resource_share:{share.id}")
    session.commit()


# --------------------------------------------------------------------------- reads
def _views(session: Session, client_id: int, today: date) -> ClientReferrals:
    client = session.get(Client, client_id)
    referrals = session.exec(select(Referral).where(Referral.client_id == client_id)
                             .order_by(col(Referral.created_at).desc(), col(Referral.id).desc())).all()
    steps = session.exec(select(ReferralStep).where(col(ReferralStep.referral_id).in_([r.id for r in referrals]))
                         .order_by(ReferralStep.at, ReferralStep.id)).all() if referrals else []
    consents = session.exec(select(ReferralConsent).where(ReferralConsent.client_id == client_id)
                            .order_by(col(ReferralConsent.granted_at).desc())).all()
    shares = session.exec(select(ResourceShare, CommunityResource)
                          .join(CommunityResource, CommunityResource.id == ResourceShare.resource_id)
                          .where(ResourceShare.client_id == client_id)
                          .order_by(col(ResourceShare.shared_at).desc())).all()
    names = _names(session, [r.created_by for r in referrals] + [s.recorded_by for s in steps]
                   + [c.recorded_by for c in consents] + [s.shared_by for s, _ in shares] + [client.user_id])
    by_referral: dict[int, list[StepView]] = {}
    for s in steps:
        by_referral.setdefault(s.referral_id, []).append(
            StepView(s.status, S.label_of(s.status), s.at, names.get(s.recorded_by, ""), s.note, s.appointment_on))
    return ClientReferrals(
        client_id=client_id, client_name=names.get(client.user_id, ""),
        referrals=[ReferralView(
            id=r.id, provider=r.provider, resource_id=r.resource_id, contact=r.contact, reason=r.reason,
            urgency=r.urgency, urgency_label=ReferralUrgency.label_of(r.urgency), discloses=r.discloses,
            consent_id=r.consent_id, status=r.status, status_label=S.label_of(r.status),
            appointment_on=r.appointment_on, decline_reason=r.decline_reason, due_on=r.due_on,
            overdue=is_overdue(r, today), next_step=NEXT_STEP.get(r.status, ""), created_at=r.created_at,
            created_by=names.get(r.created_by, ""), version=r.version, steps=by_referral.get(r.id, []),
            next_statuses=TRANSITIONS.get(r.status, ()),
        ) for r in referrals],
        consents=[ConsentView(c.id, c.recipient, c.resource_id, c.information, c.purpose, c.expires_on, c.signature,
                              c.signed_on, names.get(c.recorded_by, ""), consent_status(c, today) == "in force",
                              consent_status(c, today)) for c in consents],
        shared=[SharedView(r.id, r.name, ResourceCategory.label_of(r.category), r.address, r.phone, r.web,
                           r.hours, r.languages, r.cost, r.notes, s.note, s.shared_at, names.get(s.shared_by, ""))
                for s, r in shares],
    )


def client_referrals(session: Session, actor: User, client_id) -> ClientReferrals:
    """A client's referrals, consents to disclose and shared resources, for staff
    (audited as a view of the record)."""
    client = permissions.require(session, actor, permissions.READ, client_id, what="referral.view",
                                 roles=permissions.STAFF)
    return _views(session, client.id, program.local_today(session))


def my_referrals(session: Session, actor: User) -> ClientReferrals:
    """The signed-in client's own referrals and shared resources (their own read is
    audited too: the record is theirs, the trail shows what was shown)."""
    if actor is None or not actor.active or not actor.is_client:
        audit.record_now(session, actor, "referral.view", outcome="denied",
                         detail=f"role {actor.role}" if actor is not None else "not signed in")
        raise PermissionDenied()
    client = permissions.client_for_user(session, actor)
    if client is None:
        audit.record_now(session, actor, "referral.view", outcome="denied", detail="no client record")
        raise PermissionDenied()
    permissions.require(session, actor, permissions.READ, client.id, what="referral.view")
    audit.record_now(session, actor, "referral.view", client_id=client.id, outcome="allowed", detail="own record")
    return _views(session, client.id, program.local_today(session))


def overdue_count(session: Session, client_id: int, today: date) -> int:
    """Referrals of the client with a step overdue (the roster's definition)."""
    return session.execute(sa_select(func.count(Referral.id)).where(
        Referral.client_id == client_id, Referral.status != S.CLOSED.value,
        col(Referral.due_on).is_not(None), Referral.due_on < today)).scalar_one()


__all__ = [
    "ClientReferrals", "ReferralView", "TRANSITIONS", "advance", "client_referrals", "due_on", "make_referral",
    "my_referrals", "overdue_referrals_sql", "record_consent", "revoke_consent", "share_resource",
    "unshare_resource",
]
