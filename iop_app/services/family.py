"""Family and support people under 42 CFR Part 2: the client's list of support
people, portal invitations and activation, written consents (grant, revoke,
record a paper one), and the disclosure log.

Rules kept here:
- A family member learns nothing about a client without a consent in force that
  names them: every read goes through permissions.require with a family action
  (FAMILY_SCHEDULE / FAMILY_PROGRESS), which looks the consent up again each time,
  so revocation and expiry act on the very next request.
- Every time a family member is shown client information a Disclosure row is
  written (record_disclosure), and the client can list them.
- A consent needs scope, purpose, an expiry date or event, the client's typed
  signature (their full name as on their record) and the date signed.
- There is no outgoing email on this system: an invitation yields a one-time
  code that the client passes on; only its SHA-256 is stored.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, or_, select

from ..models import CONSENT_SCOPES, Client, Consent, Disclosure, FamilyLink, User, utcnow
from . import audit, auth, permissions, program, throttle
from .errors import PermissionDenied, ServiceError, ValidationError
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
ACTIVATION_FAILED = "That email and code do not match an open invitation, or the code has expired."


# --------------------------------------------------------------------------- views
@dataclass(frozen=True)
class LinkRow:
    id: int
    name: str
    relationship: str
    email: str
    portal: str  # "not invited" / "invited" / "active"
    invite_expires_at: datetime | None


@dataclass(frozen=True)
class ConsentRow:
    id: int
    family_link_id: int
    person: str
    relationship: str
    scope: str
    scope_label: str
    purpose: str
    expires: str  # "until 2026-05-01", "until discharge", or both
    expires_on: date | None
    expiry_event: str
    signature: str
    signed_on: date
    granted_at: datetime
    revoked_at: datetime | None
    status: str  # "in force" / "revoked" / "expired"
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
    if consent.revoked_at is not None:
        return "revoked"
    if consent.expires_on is not None and consent.expires_on < today:
        return "expired"
    return "in force"


def expiry_text(expires_on: date | None, expiry_event: str) -> str:
    parts = []
    if expires_on is not None:
        parts.append(f"until {expires_on.isoformat()}")
    if expiry_event:
        parts.append(f"until {expiry_event}")
    return " or ".join(parts)


# --------------------------------------------------------------------------- support people
def list_links(session: Session, actor: User, client_id: int) -> list[LinkRow]:
    permissions.require(session, actor, permissions.READ, client_id, what="family_link.list")
    now = utcnow()
    rows = session.exec(
        select(FamilyLink, User)
        .join(User, User.id == FamilyLink.family_user_id, isouter=True)
        .where(FamilyLink.client_id == client_id)
        .order_by(FamilyLink.name, FamilyLink.id)
    ).all()
    result = []
    for link, user in rows:
        if user is not None and user.password_hash:
            portal = "active"
        elif link.invite_code_hash and link.invite_expires_at and link.invite_expires_at > now:
            portal = "invited"
        else:
            portal = "not invited" if link.invited_at is None else "invitation expired"
        result.append(LinkRow(link.id, link.name, link.relationship, link.email, portal, link.invite_expires_at))
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
    code: str  # "" when the person already had an active portal account
    expires_at: datetime | None
    already_active: bool


def invite(session: Session, actor: User, client_id: int, link_id: int) -> Invitation:
    """Make (or reuse) the person's family account and a one-time activation code.
    The code is returned once and never stored in clear."""
    permissions.require(session, actor, permissions.WRITE, client_id, what="family.invite")
    link = _link_of_client(session, client_id, link_id)
    now = utcnow()
    user = session.exec(select(User).where(User.email == link.email)).first()
    if user is not None and user.role != "family":
        raise ValidationError({"family_link_id": "This email cannot be used for a family account. Use another email."})
    if user is None:
        user = User(email=link.email, full_name=link.name, role="family", password_hash="")
        session.add(user)
        session.flush()
    link.family_user_id = user.id
    link.invited_at = now
    if user.password_hash:
        # An activated account is never re-keyed by a code the client holds:
        # that would let anyone with the code take the account over.
        link.invite_code_hash = None
        link.invite_expires_at = None
        link.activated_at = link.activated_at or now
        session.add(link)
        audit.record(session, actor, "family.invite", client_id=client_id, target=f"family_link:{link.id}",
                     detail="existing active account linked")
        session.commit()
        return Invitation(link.id, "", None, True)
    code = _new_code()
    link.invite_code_hash = code_hash(code)
    link.invite_expires_at = now + INVITE_VALID_FOR
    session.add(link)
    audit.record(session, actor, "family.invite", client_id=client_id, target=f"family_link:{link.id}",
                 detail="activation code issued")
    session.commit()
    return Invitation(link.id, code, link.invite_expires_at, False)


def activate(session: Session, email: str, code: str, password: str, client_ip: str = "") -> User:
    """Public: the invited person sets their own password with the one-time code.
    Wrong codes are throttled by email and by source address like sign-in
    (services/throttle.py). Blocking (argon2): the app calls it from a worker thread."""
    email = auth.normalize_email(email if isinstance(email, str) else "")[:254]
    throttled = (throttle.account_key(throttle.Kind.ACTIVATE_ACCOUNT, email),
                 throttle.source_key(throttle.Kind.ACTIVATE_SOURCE, client_ip))
    if throttle.held_back(session, throttled):
        raise ServiceError(ACTIVATION_FAILED, "code")
    code = code if isinstance(code, str) else ""
    errors = {}
    if not email:
        errors["email"] = "Enter the email address the invitation was for."
    if not code.strip():
        errors["code"] = "Enter the code you were given."
    problem = auth.password_problem(password, email)
    if problem:
        errors["password"] = problem
    if errors:
        raise ValidationError(errors)
    now = utcnow()
    hashed = code_hash(code[:40])
    found = session.exec(
        select(FamilyLink, User)
        .join(User, User.id == FamilyLink.family_user_id)
        .where(User.email == email, User.role == "family", FamilyLink.invite_code_hash == hashed)
    ).first()
    if found is None or found[0].invite_expires_at is None or found[0].invite_expires_at <= now or found[1].password_hash:
        audit.record_now(session, None, "family.activate", outcome="failure", actor_label=email)
        for key in throttled:
            throttle.record_failure(session, key, audit_action="family.activate.delay", actor_label=email)
        session.commit()
        raise ServiceError(ACTIVATION_FAILED, "code")
    link, user = found
    user.password_hash = auth.hash_password(password, email)
    user.active = True
    link.invite_code_hash = None  # one time only
    link.invite_expires_at = None
    link.activated_at = now
    throttle.clear(session, throttled[0])
    session.add(user)
    session.add(link)
    audit.record(session, user, "family.activate", client_id=link.client_id, target=f"family_link:{link.id}")
    session.commit()
    return user


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
    if len(expiry_event) > 200:
        errors["expiry_event"] = "Keep the expiry event under 200 characters."
    elif expires_on is None and not expiry_event:
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
            select(Consent.id).where(
                Consent.family_link_id == link.id,
                col(Consent.revoked_at).is_(None),
                or_(col(Consent.expires_on).is_(None), Consent.expires_on >= today),
            )
        ).first()
        if existing is not None:
            errors["family_link_id"] = f"A consent for {link.name} is already in force. Revoke it first to change it."
    if errors:
        raise ValidationError(errors)
    return dict(family_link_id=link.id, scope=scope, purpose=purpose, expires_on=expires_on,
                expiry_event=expiry_event, signature=signature[:120], signed_on=signed_on)


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
) -> Consent:
    """The client signs a consent to disclose to one listed person."""
    client = _require_own_client(session, actor, client_id, "consent.grant")
    return _save_consent(session, actor, client, "consent.grant", on_paper=False, family_link_id=family_link_id,
                         scope=scope, purpose=purpose, expires_on=expires_on, expiry_event=expiry_event,
                         signature=signature, signed_on=signed_on)


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
) -> Consent:
    """A therapist (or the director) records a consent the client signed on paper."""
    client = permissions.require(session, actor, permissions.WRITE, client_id, what="consent.record_paper",
                                 roles=("therapist", "director"))
    return _save_consent(session, actor, client, "consent.record_paper", on_paper=True,
                         family_link_id=family_link_id, scope=scope, purpose=purpose, expires_on=expires_on,
                         expiry_event=expiry_event, signature=signature, signed_on=signed_on)


def _save_consent(session: Session, actor: User, client: Client, action: str, *, on_paper: bool,
                  **values) -> Consent:
    """Validate and store a consent (signed here or on paper), audited with the change."""
    fields = _validate_consent(session, client, on_paper=on_paper, **values)
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
    consent.revoked_at = utcnow()
    session.add(consent)
    audit.record(session, actor, "consent.revoke", client_id=consent.client_id, target=f"consent:{consent.id}")
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
            expires=expiry_text(c.expires_on, c.expiry_event), expires_on=c.expires_on,
            expiry_event=c.expiry_event, signature=c.signature, signed_on=c.signed_on, granted_at=c.granted_at,
            revoked_at=c.revoked_at, status=consent_status(c, today), on_paper=c.on_paper,
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
