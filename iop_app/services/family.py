"""Family and support people under 42 CFR Part 2: the client's list of support
people, portal invitations, activation and acceptance, and the disclosure log.
Written consents (grant, revoke, record a paper one, end at an event) are in
services/consents.py.

Rules kept here:
- A family member learns nothing about a client without a consent in force that
  names them: every read goes through permissions.require with a family action
  (FAMILY_SCHEDULE / FAMILY_PROGRESS), which looks the consent up again each time,
  so revocation, expiry and an end event (discharge) act on the very next request.
- Every time a family member is shown client information a Disclosure row is
  written (record_disclosure), and the client can list them.

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

from pydantic import Field, field_validator
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from ..models import Client, Consent, Disclosure, FamilyLink, User, utcnow
from ..models.enums import Role
from . import audit, auth, permissions, program, throttle
from .consents import deny, link_of_client
from .errors import ServiceError, ValidationError
from .inputs import ServiceInput, validate

INVITE_VALID_FOR = timedelta(days=7)
# Unambiguous letters and digits (no 0/O, 1/I/L): the code is read aloud or typed.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12  # ~59 bits
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")

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
class DisclosureRow:
    at: datetime
    person: str
    relationship: str
    what: str


class PersonCreate(ServiceInput):
    """A support person as the client lists them."""

    name: str = Field(min_length=1, max_length=120)
    relationship: str = Field(min_length=1, max_length=60)
    email: str = Field(max_length=254)

    messages = {
        "name": "Enter their name (up to 120 characters).",
        "relationship": "Enter how they are related to you (up to 60 characters).",
        "email": "Enter a valid email address.",
    }

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        value = auth.normalize_email(value)
        if not EMAIL_RE.match(value):
            raise ValueError("Enter a valid email address.")
        return value


# --------------------------------------------------------------------------- helpers
def code_hash(code: str) -> str:
    """SHA-256 of the code as typed, ignoring case, spaces and dashes."""
    cleaned = re.sub(r"[\s-]", "", code or "").upper()
    return hashlib.sha256(cleaned.encode()).hexdigest()


def _new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


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
    person = validate(PersonCreate, name=name, relationship=relationship, email=email)
    name, relationship, email = person.name, person.relationship, person.email
    if session.exec(
        select(FamilyLink.id).where(FamilyLink.client_id == client_id, FamilyLink.email == email)
    ).first() is not None:
        raise ValidationError({"email": "You have already listed someone with this email."})
    link = FamilyLink(client_id=client_id, name=name, relationship=relationship, email=email)
    return audit.save_new(session, actor, link, "family_link.create", "family_link", client_id=client_id)


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
    link = link_of_client(session, client_id, link_id)
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
    user = User(email=email, full_name=full_name or link.name, role=Role.FAMILY,
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
    if actor is None or not actor.is_family or not actor.active:
        deny(session, actor, "family.accept_invitation", detail="family accounts only")
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
    if actor is None or not actor.is_family or not actor.active:
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
