"""Family and support people under 42 CFR Part 2: the client's list of support
people, portal invitations, activation and acceptance, written consents (grant,
revoke, record a paper one, end at an event), and the disclosure log.

Rules kept here:
- A family member learns nothing about a client without a consent in force that
  names them: every read goes through permissions.require with a family action
  (FAMILY_SCHEDULE / FAMILY_PROGRESS), which looks the consent up again each time,
  so revocation, expiry and an end event (discharge) act on the very next request.
- Every time a family member is shown client information a Disclosure row is
  written (record_disclosure), and the client can list them.
- A consent needs scope, purpose, an end (a date, an event the program records
  such as discharge, or another event in words), the client's typed signature
  (their full name as on their record) and the date signed. A consent that ends
  on discharge ends on the discharge day (services.discharge); other events are
  ended by staff (end_consent).

Invitations (issue #9):
- There is no outgoing email on this system: an invitation is a one-time code on
  the client's FamilyLink (only its SHA-256 is stored), valid for 7 days, which
  the client passes on. Inviting never creates, changes or looks at any account,
  so every invitation gets the same outcome and wording whoever the email
  belongs to, and list_links shows the same states ("not invited", "invited",
  "invitation expired", "active") for every email.
- The public activation page (activate) creates a family account for the
  invitation's email, attached to that one link, only if no account of any kind
  has that email. Anything else fails with the one message ACTIVATION_FAILED,
  the same as a wrong or expired code; it also tells someone who already has a
  portal account to sign in and accept the invitation there. Staff and client
  emails therefore never become family logins, and no code re-keys an account.
- An existing family account joins another client only when its owner, signed
  in, accepts that client's invitation (accept_invitation) with the code; the
  invitation must be for the account's own email. Only then is the link attached
  to the account (audited).
- A link reaches an account only through its own activation or acceptance, so
  "active" in list_links is about that link alone.
- What remains: with no email to prove ownership, whoever holds a live code can
  learn by activating it whether its email already has an account (if not, they
  have just created one, attached only to their own invitation). Every attempt
  is audited with its reason, so the director can see such probing.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from ..models import CONSENT_SCOPES, Client, Consent, Disclosure, FamilyLink, User, utcnow
from ..models.enums import ConsentEndEvent
from . import audit, auth, permissions, program, throttle, versions
from .errors import PermissionDenied, ServiceError, StaleEdit, ValidationError
from .ids import is_id

INVITE_VALID_FOR = timedelta(days=7)
# Unambiguous letters and digits (no 0/O, 1/I/L): the code is read aloud or typed.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12  # ~59 bits
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")

SCOPE_LABELS = {
    "scheduling": "Family-session scheduling only",
    "scheduling_progress": "Family-session scheduling, attendance and a summary of progress",
}
# 42 CFR 2.32(a)(1): the short form of the notice that accompanies each disclosure.
REDISCLOSURE_NOTICE = (
    "This record which has been disclosed to you is protected by federal confidentiality "
    "rules (42 CFR part 2). These rules prohibit you from using or disclosing this record, "
    "or testimony that describes the information contained in this record, in any civil, "
    "criminal, administrative, or legislative proceedings by any Federal, State, or local "
    "authority, against the patient, unless authorized by the consent of the patient, except "
    "as provided at 42 CFR 2.12(c)(5) or as authorized by a court in accordance with 42 CFR "
    "2.64 or 2.65. In addition, the Federal rules prohibit you from making any other use or "
    "disclosure of this record unless at least one of the following applies: further use or "
    "disclosure is expressly permitted by the written consent of the individual whose "
    "information is being disclosed in this record or as otherwise permitted by 42 CFR part 2; "
    "or the recipient is a covered entity or business associate and has received the record "
    "for treatment, payment, or health care operations. A general authorization for the "
    "release of medical or other information is NOT sufficient to meet the required elements "
    "of written consent to further use or redisclose the record (see 42 CFR 2.31)."
)
# One message for every failed activation, whatever the reason (wrong or expired
# code, or an email that already has an account of any kind): see the docstring.
ACTIVATION_FAILED = (
    "That email and code do not match an open invitation, or the code has expired. "
    "If you already have a family portal account, sign in and enter the code under “Accept an invitation”."
)
ACCEPT_FAILED = "That code does not match an open invitation for your email address, or it has expired."
ENTER_CODE = "Enter the code you were given."
# How a consent's end event reads in a list ("until discharge from the program").
END_EVENT_TEXT = {ConsentEndEvent.DISCHARGE: "discharge from the program"}


# --------------------------------------------------------------------------- views
@dataclass(frozen=True)
class LinkRow:
    id: int
    name: str
    relationship: str
    email: str
    portal: str  # "not invited" / "invited" / "invitation expired" / "active"
    invite_expires_at: datetime | None
    consent_version: int = 0  # record_paper_consent's expected_consent_version


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


@dataclass(frozen=True)
class DisclosureRow:
    at: datetime
    person: str
    relationship: str
    what: str


# --------------------------------------------------------------------------- helpers
def _deny(session: Session, actor: User | None, what: str, client_id: int | None = None, detail: str = "") -> None:
    audit.record_now(session, actor, what, client_id=client_id, outcome="denied", detail=detail)
    raise PermissionDenied()


def _require_own_client(session: Session, actor: User, client_id: int, what: str) -> Client:
    """The client acting on their own record (staff have their own paths)."""
    # A client may write only their own record, so the role is enough here.
    return permissions.require(session, actor, permissions.WRITE, client_id, what=what, roles=("client",))


def _link_of_client(session: Session, client_id: int, link_id, field: str = "family_link_id") -> FamilyLink:
    link = session.get(FamilyLink, link_id) if is_id(link_id) else None
    if link is None or link.client_id != client_id:
        raise ValidationError({field: "Choose one of your listed support people."})
    return link


def _normalize_name(text: str) -> str:
    return " ".join(text.split()).casefold()


def code_hash(code: str) -> str:
    """SHA-256 of the code as typed, ignoring case, spaces and dashes."""
    cleaned = re.sub(r"[\s-]", "", code or "").upper()
    return hashlib.sha256(cleaned.encode()).hexdigest()


def _new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


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


# --------------------------------------------------------------------------- support people
def list_links(session: Session, actor: User, client_id: int) -> list[LinkRow]:
    permissions.require(session, actor, permissions.READ, client_id, what="family_link.list")
    now = utcnow()
    links = session.exec(
        select(FamilyLink).where(FamilyLink.client_id == client_id).order_by(FamilyLink.name, FamilyLink.id)
    ).all()
    result = []
    for link in links:
        # Only this link's own state: an account reaches a link solely through this
        # link's activation or acceptance, so nothing here depends on who else
        # knows the email.
        if link.family_user_id is not None:
            portal = "active"
        elif link.invite_code_hash and link.invite_expires_at and link.invite_expires_at > now:
            portal = "invited"
        else:
            portal = "not invited" if link.invited_at is None else "invitation expired"
        result.append(LinkRow(link.id, link.name, link.relationship, link.email, portal, link.invite_expires_at,
                              link.consent_version))
    return result


def add_link(session: Session, actor: User, client_id: int, *, name: str, relationship: str, email: str) -> FamilyLink:
    """The client lists a family or support person."""
    permissions.require(session, actor, permissions.WRITE, client_id, what="family_link.create")
    name = (name if isinstance(name, str) else "").strip()
    relationship = (relationship if isinstance(relationship, str) else "").strip()
    email = auth.normalize_email(email if isinstance(email, str) else "")
    errors = {}
    if not 1 <= len(name) <= 120:
        errors["name"] = "Enter their name (up to 120 characters)."
    if not 1 <= len(relationship) <= 60:
        errors["relationship"] = "Enter how they are related to you (up to 60 characters)."
    if not EMAIL_RE.match(email) or len(email) > 254:
        errors["email"] = "Enter a valid email address."
    elif session.exec(
        select(FamilyLink.id).where(FamilyLink.client_id == client_id, FamilyLink.email == email)
    ).first() is not None:
        errors["email"] = "You have already listed someone with this email."
    if errors:
        raise ValidationError(errors)
    link = FamilyLink(client_id=client_id, name=name, relationship=relationship, email=email)
    session.add(link)
    session.flush()
    audit.record(session, actor, "family_link.create", client_id=client_id, target=f"family_link:{link.id}")
    session.commit()
    return link


@dataclass(frozen=True)
class Invitation:
    link_id: int
    code: str
    expires_at: datetime


def invite(session: Session, actor: User, client_id: int, link_id: int) -> Invitation:
    """A new one-time code for one of the client's listed people, returned once and
    never stored in clear (a new code replaces the previous one). No account is
    created, changed or even looked up, so the outcome is the same whoever the
    email belongs to."""
    permissions.require(session, actor, permissions.WRITE, client_id, what="family.invite")
    link = _link_of_client(session, client_id, link_id)
    if link.family_user_id is not None:
        # Their own invitation was already used: nothing left to invite them to.
        raise ServiceError(f"{link.name} already uses the family portal with your invitation.", "family_link_id")
    now = utcnow()
    code = _new_code()
    link.invited_at = now
    link.invite_code_hash = code_hash(code)
    link.invite_expires_at = now + INVITE_VALID_FOR
    session.add(link)
    audit.record(session, actor, "family.invite", client_id=client_id, target=f"family_link:{link.id}",
                 detail="activation code issued")
    session.commit()
    return Invitation(link.id, code, link.invite_expires_at)


def _open_invitation(session: Session, code: str, email: str) -> FamilyLink | None:
    """The link whose live, unused code this is, if it was made for `email`."""
    link = session.exec(select(FamilyLink).where(FamilyLink.invite_code_hash == code_hash(code[:40]))).first()
    if (link is None or link.email != email or link.family_user_id is not None
            or link.invite_expires_at is None or link.invite_expires_at <= utcnow()):
        return None
    return link


def _attach(session: Session, link: FamilyLink, user: User) -> None:
    link.family_user_id = user.id
    link.invite_code_hash = None  # one time only
    link.invite_expires_at = None
    link.activated_at = utcnow()
    session.add(link)


def activate(session: Session, email: str, code: str, password: str, full_name: str = "",
             client_ip: str = "") -> User:
    """Public: the invited person creates their family account with the one-time code
    and a password of their own. `full_name` is how the program will show them (the
    name the client gave them if left blank). Wrong codes are throttled by email and
    by source address like sign-in (services/throttle.py). Blocking (argon2): the app
    calls it from a worker thread."""
    email = auth.normalize_email(email if isinstance(email, str) else "")[:254]
    throttled = (throttle.account_key(throttle.Kind.ACTIVATE_ACCOUNT, email),
                 throttle.source_key(throttle.Kind.ACTIVATE_SOURCE, client_ip))
    if throttle.held_back(session, throttled):
        raise ServiceError(ACTIVATION_FAILED, "code")
    code = code if isinstance(code, str) else ""
    full_name = " ".join(full_name.split()) if isinstance(full_name, str) else ""
    errors = {}
    if not email:
        errors["email"] = "Enter the email address the invitation was for."
    if not code.strip():
        errors["code"] = ENTER_CODE
    problem = auth.password_problem(password, email)
    if problem:
        errors["password"] = problem
    if len(full_name) > 120:
        errors["full_name"] = "Keep your name under 120 characters."
    if errors:
        raise ValidationError(errors)
    link = _open_invitation(session, code, email)
    taken = link is not None and session.exec(select(User.id).where(User.email == email)).first() is not None
    if link is None or taken:
        # Same message either way; only the audit trail tells the two apart.
        audit.record_now(session, None, "family.activate", outcome="failure", actor_label=email,
                         client_id=link.client_id if link else None,
                         target=f"family_link:{link.id}" if link else "",
                         detail="email already has an account" if taken else "no open invitation for this code")
        for key in throttled:
            throttle.record_failure(session, key, audit_action="family.activate.delay", actor_label=email)
        session.commit()
        raise ServiceError(ACTIVATION_FAILED, "code")
    user = User(email=email, full_name=full_name or link.name, role="family",
                password_hash=auth.hash_password(password, email))
    session.add(user)
    try:
        session.flush()
    except IntegrityError:
        # Someone activated this email at the same moment: theirs stands.
        session.rollback()
        audit.record_now(session, None, "family.activate", outcome="failure", actor_label=email,
                         detail="email already has an account")
        raise ServiceError(ACTIVATION_FAILED, "code") from None
    _attach(session, link, user)
    throttle.clear(session, throttled[0])
    audit.record(session, user, "family.activate", client_id=link.client_id, target=f"family_link:{link.id}")
    session.commit()
    return user


def accept_invitation(session: Session, actor: User, code) -> FamilyLink:
    """A signed-in family member accepts another client's invitation to their own
    email with its code: only now does that client's link reach their account."""
    if actor is None or actor.role != "family" or not actor.active:
        _deny(session, actor, "family.accept_invitation", detail="family accounts only")
    code = code.strip() if isinstance(code, str) else ""
    if not code:
        raise ValidationError({"code": ENTER_CODE})
    # Codes typed here are throttled like activation codes (by the account's email).
    throttled = throttle.account_key(throttle.Kind.ACTIVATE_ACCOUNT, actor.email)
    if throttle.held_back(session, (throttled,)):
        raise ServiceError(ACCEPT_FAILED, "code")
    link = _open_invitation(session, code, actor.email)
    if link is None:
        audit.record_now(session, actor, "family.accept_invitation", outcome="failure",
                         detail="no open invitation for this code and email")
        throttle.record_failure(session, throttled, audit_action="family.activate.delay", actor_label=actor.email)
        session.commit()
        raise ServiceError(ACCEPT_FAILED, "code")
    _attach(session, link, actor)
    throttle.clear(session, throttled)
    audit.record(session, actor, "family.accept_invitation", client_id=link.client_id,
                 target=f"family_link:{link.id}")
    session.commit()
    return link


# --------------------------------------------------------------------------- consents
def _validate_consent(
    session: Session,
    client: Client,
    *,
    family_link_id,
    scope,
    purpose,
    expires_on,
    expiry_event,
    signature,
    signed_on,
    on_paper: bool,
    end_event="",
) -> dict:
    """Every element of a Part 2 consent; each missing one named on its field."""
    today = program.local_today(session)
    errors: dict[str, str] = {}
    link = None
    try:
        link = _link_of_client(session, client.id, family_link_id)
    except ValidationError as exc:
        errors.update(exc.errors)
    if scope not in CONSENT_SCOPES:
        errors["scope"] = "Choose what may be shared."
    purpose = purpose.strip() if isinstance(purpose, str) else ""
    if not purpose:
        errors["purpose"] = "Say why this information is shared (the purpose)."
    elif len(purpose) > 300:
        errors["purpose"] = "Keep the purpose under 300 characters."
    expiry_event = expiry_event.strip() if isinstance(expiry_event, str) else ""
    if expires_on is not None and not isinstance(expires_on, date):
        expires_on = None
    if end_event == "":
        pass
    elif not isinstance(end_event, str) or end_event not in ConsentEndEvent.values():
        errors["end_event"] = "Choose when this consent ends from the list."
    elif end_event == ConsentEndEvent.DISCHARGE and client.status == "discharged":
        errors["end_event"] = "The client has already been discharged: give an end date instead."
    if len(expiry_event) > 200:
        errors["expiry_event"] = "Keep the expiry event under 200 characters."
    elif expires_on is None and not expiry_event and not end_event and "end_event" not in errors:
        errors["expires_on"] = "Give a date or an event when this consent ends."
    elif expires_on is not None and expires_on < today:
        errors["expires_on"] = "The end date has already passed."
    signature = signature.strip() if isinstance(signature, str) else ""
    client_name = session.get(User, client.user_id).full_name
    if not signature:
        errors["signature"] = "Type the client's full name as a signature." if on_paper else "Type your full name to sign."
    elif _normalize_name(signature) != _normalize_name(client_name):
        errors["signature"] = (
            f"The signature must be the client's full name as on their record: {client_name}."
            if on_paper else f"Type your full name exactly as on your record: {client_name}."
        )
    if not isinstance(signed_on, date):
        errors["signed_on"] = "Enter the date of signing."
    elif on_paper and signed_on > today:
        errors["signed_on"] = "The date of signing cannot be in the future."
    elif on_paper and expires_on is not None and isinstance(expires_on, date) and signed_on > expires_on:
        errors["signed_on"] = "The date of signing is after the end date."
    elif not on_paper and signed_on != today:
        errors["signed_on"] = f"Sign with today's date ({today.isoformat()})."
    if link is not None and "family_link_id" not in errors:
        existing = session.exec(
            select(Consent.id).where(Consent.family_link_id == link.id, permissions.consent_in_force_condition(today))
        ).first()
        if existing is not None:
            errors["family_link_id"] = f"A consent for {link.name} is already in force. Revoke it first to change it."
    if errors:
        raise ValidationError(errors)
    return dict(family_link_id=link.id, scope=scope, purpose=purpose, expires_on=expires_on,
                end_event=str(end_event), expiry_event=expiry_event, signature=signature[:120], signed_on=signed_on)


def grant_consent(
    session: Session,
    actor: User,
    client_id: int,
    *,
    family_link_id,
    scope,
    purpose,
    expires_on,
    expiry_event,
    signature,
    signed_on,
    end_event="",
) -> Consent:
    """The client signs a consent to disclose to one listed person."""
    client = _require_own_client(session, actor, client_id, "consent.grant")
    return _save_consent(session, actor, client, "consent.grant", on_paper=False, family_link_id=family_link_id,
                         scope=scope, purpose=purpose, expires_on=expires_on, expiry_event=expiry_event,
                         signature=signature, signed_on=signed_on, end_event=end_event)


def record_paper_consent(
    session: Session,
    actor: User,
    client_id: int,
    *,
    family_link_id,
    scope,
    purpose,
    expires_on,
    expiry_event,
    signature,
    signed_on,
    end_event="",
    expected_consent_version: int | None = None,
) -> Consent:
    """A therapist (or the director) records a consent the client signed on paper.
    A signed consent is not edited afterwards: a wrong entry is revoked (it stays in
    the history) and the paper recorded again. `expected_consent_version` is the
    person's FamilyLink.consent_version the page showed: a consent recorded for them
    since then is reported (StaleEdit, who and when) instead of a second one."""
    client = permissions.require(session, actor, permissions.WRITE, client_id, what="consent.record_paper",
                                 roles=("therapist", "director"))
    return _save_consent(session, actor, client, "consent.record_paper", on_paper=True,
                         expected_consent_version=expected_consent_version,
                         family_link_id=family_link_id, scope=scope, purpose=purpose, expires_on=expires_on,
                         expiry_event=expiry_event, signature=signature, signed_on=signed_on, end_event=end_event)


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
    session.add(consent)
    session.flush()
    audit.record(session, actor, action, client_id=client.id, target=f"consent:{consent.id}",
                 detail=fields["scope"])
    session.commit()
    return consent


def revoke_consent(session: Session, actor: User, consent_id) -> Consent:
    """The client revokes at any time (staff may record a revocation too)."""
    consent = session.get(Consent, consent_id) if is_id(consent_id) else None
    if consent is None:
        _deny(session, actor, "consent.revoke", None, f"consent:{consent_id}"[:100])
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
        _deny(session, actor, "consent.end", None, f"consent:{consent_id}"[:100])
    permissions.require(session, actor, permissions.WRITE, consent.client_id, what="consent.end",
                        roles=("therapist", "director"))
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
            scope_label=SCOPE_LABELS.get(c.scope, c.scope), purpose=c.purpose,
            expires=expiry_text(c.expires_on, c.expiry_event, c.end_event), expires_on=c.expires_on,
            end_event=c.end_event, expiry_event=c.expiry_event, signature=c.signature, signed_on=c.signed_on,
            granted_at=c.granted_at, revoked_at=c.revoked_at, ended_on=c.ended_on, status=consent_status(c, today),
            on_paper=c.on_paper,
            recorded_by=recorder.full_name,
        )
        for c, link, recorder in rows
    ]


# --------------------------------------------------------------------------- disclosures
def record_disclosure(session: Session, family_user: User, client_id: int, consent: Consent, what: str) -> None:
    """Add a disclosure to the caller's transaction (commit it with the read)."""
    session.add(Disclosure(client_id=client_id, consent_id=consent.id, family_user_id=family_user.id,
                           what=what[:200], at=utcnow()))


def disclosures_for_client(session: Session, actor: User, client_id: int, limit: int = 200) -> list[DisclosureRow]:
    """Who was shown what and when, newest first (the client's own list)."""
    permissions.require(session, actor, permissions.READ, client_id, what="disclosure.list")
    rows = session.exec(
        select(Disclosure, User, FamilyLink)
        .join(User, User.id == Disclosure.family_user_id)
        .join(Consent, Consent.id == Disclosure.consent_id)
        .join(FamilyLink, FamilyLink.id == Consent.family_link_id)
        .where(Disclosure.client_id == client_id)
        .order_by(col(Disclosure.at).desc(), col(Disclosure.id).desc())
        .limit(max(1, min(limit, 1000)))
    ).all()
    return [DisclosureRow(d.at, link.name or user.full_name, link.relationship, d.what) for d, user, link in rows]


# --------------------------------------------------------------------------- the family member's view
@dataclass(frozen=True)
class ConsentingClient:
    client_id: int
    name: str
    relationship: str
    consent: Consent
    may_see_progress: bool


def consenting_clients(session: Session, actor: User, today: date | None = None) -> list[ConsentingClient]:
    """The clients with a consent in force naming this family member (and nothing else).
    Callers must still go through permissions.require for each client they show."""
    if actor is None or actor.role != "family" or not actor.active:
        return []
    today = today or program.local_today(session)
    in_force = permissions.consents_in_force_query(actor.id, today).subquery()
    rows = session.exec(
        select(Consent, FamilyLink, User)
        .join(in_force, in_force.c.id == Consent.id)
        .join(FamilyLink, FamilyLink.id == Consent.family_link_id)
        .join(Client, Client.id == Consent.client_id)
        .join(User, User.id == Client.user_id)
        .order_by(User.full_name, Consent.id)
    ).all()
    best: dict[int, ConsentingClient] = {}
    for consent, link, user in rows:
        progress = permissions.FAMILY_PROGRESS in permissions.SCOPE_GRANTS.get(consent.scope, set())
        current = best.get(consent.client_id)
        if current is None or (progress and not current.may_see_progress):
            best[consent.client_id] = ConsentingClient(consent.client_id, user.full_name, link.relationship,
                                                       consent, progress)
    return list(best.values())
