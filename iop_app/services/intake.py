"""A client's intake and ASAM assessment, and the program's orientation checklist.

- The intake is a draft until a member of the care team signs it. A draft is saved
  as often as the clinician likes (several sittings), with optimistic concurrency:
  the page passes the version it showed and a save made on an older copy is
  refused (services/versions.py), nothing of it kept.
- Signing checks that the assessment is complete (referral source, presenting
  problem, the six ASAM ratings with their narratives, at least one substance, a
  level of care with its rationale; risk-screen notes when a risk is moderate or
  high). The signature time is the server's; the client then moves from "intake"
  to "active" — the only way a client becomes active — and their level of care is
  the one recommended.
- A signed intake is locked: later information is an addendum (dated and
  attributed by the server), the signed text stays as it was.
- Orientation: the director keeps the list of items (migration f11d0c0e0004 seeds
  the usual ones); staff go through each item with the client and initial it, then
  the client initials it from their own phone. Items already initialled are never
  renamed (retire it and add a new one), so an initial always means what it said.

Who: the care team only (permissions.require_care_team: director, primary
therapist, their supervisor, break-glass), every read audited; family never.
The client initials their own orientation items and sees nothing of the assessment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import delete, func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from ..models import Client, User, utcnow
from ..models.enums import AsamDimension, ClientStatus, RecordStatus, RiskLevel
from ..models.record import Addendum, AsamRating, Intake, OrientationCheck, OrientationItem, SubstanceUse
from . import addenda, audit, inputs, permissions, program, versions
from .errors import NotFound, PermissionDenied, ServiceError, ValidationError
from .ids import is_id
from .intake_inputs import (
    CHOICES,
    FIELDS,
    MAX_SUBSTANCES,
    REQUIRED_TO_SIGN,
    SUBSTANCE_FIELDS,
    InitialsInput,
    IntakeFields,
    ItemLabel,
    RatingInput,
    SubstanceInput,
    rating_key,
    substance_key,
)

LOCKED = "This intake is signed and locked. Add an addendum for anything learned since."
ELEVATED_RISKS = (RiskLevel.MODERATE, RiskLevel.HIGH)


# ---------------------------------------------------------------- what is shown
@dataclass(frozen=True)
class AddendumView:
    id: int
    author: str
    created_at: datetime  # UTC, the server's
    reason: str
    text: str


@dataclass(frozen=True)
class IntakeView:
    id: int
    status: str  # RecordStatus
    version: int  # what a save or the signature passes back as expected_version
    fields: dict[str, str]  # FIELDS and CHOICES by name
    ratings: dict[str, tuple[int, str]]  # dimension -> (risk, narrative), rated dimensions only
    substances: list[dict]  # SUBSTANCE_FIELDS by name (first_use_age int | None, last_use date | None)
    created_by: str
    created_at: datetime
    updated_by: str
    updated_at: datetime | None
    signed_by: str = ""
    signed_at: datetime | None = None
    addenda: list[AddendumView] = field(default_factory=list)

    @property
    def signed(self) -> bool:
        return self.status == RecordStatus.SIGNED


@dataclass(frozen=True)
class OrientationLine:
    item_id: int
    label: str
    active: bool  # False: retired after this client went through it
    staff_initials: str = ""
    staff_name: str = ""
    staff_at: datetime | None = None
    client_initials: str = ""
    client_at: datetime | None = None

    @property
    def staff_done(self) -> bool:
        return bool(self.staff_initials)

    @property
    def client_done(self) -> bool:
        return bool(self.client_initials)


@dataclass(frozen=True)
class IntakeRecord:
    """What the intake page shows: the client, their intake (None before it is
    started) and their orientation checklist."""

    client_id: int
    client_name: str
    client_status: str
    admission_date: date
    intake: IntakeView | None
    orientation: list[OrientationLine]


@dataclass(frozen=True)
class ItemView:
    id: int
    label: str
    position: int
    active: bool
    used: int  # clients who have been through it (then it is never renamed)


# ---------------------------------------------------------------- reading
def _intake_of(session: Session, client_id: int) -> Intake | None:
    return session.exec(select(Intake).where(Intake.client_id == client_id)).first()


def _names(session: Session, ids) -> dict[int, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return dict(session.exec(select(User.id, User.full_name).where(col(User.id).in_(ids))).all())


def _view(session: Session, intake: Intake) -> IntakeView:
    ratings = {r.dimension: (r.risk, r.narrative)
               for r in session.exec(select(AsamRating).where(AsamRating.intake_id == intake.id)).all()}
    substances = [
        {name: getattr(s, name) for name in SUBSTANCE_FIELDS}
        for s in session.exec(select(SubstanceUse).where(SubstanceUse.intake_id == intake.id)
                              .order_by(col(SubstanceUse.position), col(SubstanceUse.id))).all()
    ]
    addenda = session.exec(select(Addendum).where(Addendum.intake_id == intake.id)
                           .order_by(col(Addendum.created_at), col(Addendum.id))).all()
    names = _names(session, [intake.created_by, intake.updated_by, intake.signed_by,
                             *(a.author_id for a in addenda)])
    return IntakeView(
        id=intake.id, status=intake.status, version=intake.version,
        fields={name: getattr(intake, name) for name in (*FIELDS, *CHOICES)},
        ratings=ratings, substances=substances,
        created_by=names.get(intake.created_by, ""), created_at=intake.created_at,
        updated_by=names.get(intake.updated_by, ""), updated_at=intake.updated_at,
        signed_by=names.get(intake.signed_by, ""), signed_at=intake.signed_at,
        addenda=[AddendumView(a.id, names.get(a.author_id, ""), a.created_at, a.reason, a.text) for a in addenda],
    )


def _orientation(session: Session, client_id: int) -> list[OrientationLine]:
    """Active items in their order, and retired ones this client went through."""
    checks = {c.item_id: c for c in session.exec(
        select(OrientationCheck).where(OrientationCheck.client_id == client_id)).all()}
    items = session.exec(select(OrientationItem).order_by(col(OrientationItem.position),
                                                          col(OrientationItem.id))).all()
    names = _names(session, [c.staff_id for c in checks.values()])
    lines = []
    for item in items:
        check = checks.get(item.id)
        if not item.active and check is None:
            continue
        if check is None:
            lines.append(OrientationLine(item.id, item.label, item.active))
        else:
            lines.append(OrientationLine(item.id, item.label, item.active, check.staff_initials,
                                         names.get(check.staff_id, ""), check.staff_at, check.client_initials,
                                         check.client_at))
    return lines


def intake_record(session: Session, actor: User, client_id: int) -> IntakeRecord:
    """The intake page: the client's intake and orientation, for the care team.
    One audited view."""
    client = permissions.require_care_team(session, actor, permissions.READ, client_id, what="intake.view")
    person = session.get(User, client.user_id)
    intake = _intake_of(session, client.id)
    return IntakeRecord(client.id, person.full_name if person else "", client.status, client.admission_date,
                        _view(session, intake) if intake is not None else None, _orientation(session, client.id))


# ---------------------------------------------------------------- the draft
def _checked(model_cls, errors: dict, names: dict[str, str] | None = None, **values):
    """`model_cls` over `values`, or None with its messages added to `errors` under
    the page's field names (`names` maps the model's field to the page's)."""
    try:
        return inputs.validate(model_cls, **values)
    except ValidationError as exc:
        for key, message in exc.errors.items():
            errors.setdefault((names or {}).get(key, key), message)
        return None


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _validate_draft(fields, ratings, substances, today: date):
    """(IntakeFields, {dimension: RatingInput}, [SubstanceInput]) or ValidationError
    naming every field at fault."""
    errors: dict[str, str] = {}
    fields = fields if isinstance(fields, dict) else {}
    unknown = set(fields) - set(FIELDS) - set(CHOICES)
    if unknown:
        errors["form"] = "The form sent fields this intake does not have. Please reload the page."
    given = _checked(IntakeFields, errors, **{k: v for k, v in fields.items() if k not in unknown})

    rated: dict[str, RatingInput] = {}
    ratings = ratings if isinstance(ratings, dict) else {}
    for dimension in AsamDimension:
        value = ratings.get(dimension.value) or {}
        if not isinstance(value, dict):
            value = {"risk": value}
        risk, narrative = value.get("risk"), value.get("narrative")
        if risk is None and _blank(narrative):
            continue  # not assessed yet
        names = {"risk": rating_key("risk", dimension), "narrative": rating_key("narrative", dimension)}
        rating = _checked(RatingInput, errors, names, risk=risk, narrative=narrative)
        if rating is not None and rating.risk is None:
            errors[names["risk"]] = "Choose a risk rating from 0 to 4 for this dimension."
        elif rating is not None:
            rated[dimension.value] = rating
    if set(ratings) - set(AsamDimension.values()):
        errors["form"] = "The form sent an unknown ASAM dimension. Please reload the page."

    rows: list[SubstanceInput] = []
    substances = substances if isinstance(substances, list) else []
    if len(substances) > MAX_SUBSTANCES:
        errors["substances"] = f"Up to {MAX_SUBSTANCES} substances."
    for index, row in enumerate(substances[:MAX_SUBSTANCES]):
        row = row if isinstance(row, dict) else {}
        if all(_blank(row.get(name)) for name in SUBSTANCE_FIELDS):
            continue  # an empty row of the form
        names = {name: substance_key(index, name) for name in SUBSTANCE_FIELDS}
        checked = _checked(SubstanceInput, errors, names,
                           **{name: row.get(name) for name in SUBSTANCE_FIELDS if name in row})
        if checked is not None and checked.last_use is not None and checked.last_use > today:
            errors[names["last_use"]] = "The day of last use can't be in the future."
        elif checked is not None:
            rows.append(checked)
    if errors:
        raise ValidationError(errors)
    return given, rated, rows


def _write_children(session: Session, intake_id: int, rated: dict[str, RatingInput],
                    rows: list[SubstanceInput]) -> None:
    """The draft's ratings and substance rows become exactly what was saved."""
    session.execute(delete(AsamRating).where(AsamRating.intake_id == intake_id))
    session.execute(delete(SubstanceUse).where(SubstanceUse.intake_id == intake_id))
    for dimension, rating in rated.items():
        session.add(AsamRating(intake_id=intake_id, dimension=dimension, risk=rating.risk,
                               narrative=rating.narrative))
    for position, row in enumerate(rows):
        session.add(SubstanceUse(intake_id=intake_id, position=position, **row.model_dump()))


def save_draft(session: Session, actor: User, client_id: int, *, fields: dict, ratings: dict | None = None,
               substances: list | None = None, expected_version: int | None) -> Intake:
    """Start or save the client's draft intake. `expected_version`: the version the
    page showed (None when it showed no intake yet); a save on an older copy, or a
    second "start" after someone else started it, is refused with StaleEdit."""
    client = permissions.require_care_team(session, actor, permissions.WRITE, client_id, what="intake.save")
    intake = _intake_of(session, client.id)
    if intake is not None and intake.status == RecordStatus.SIGNED:
        raise ServiceError(LOCKED)
    if intake is not None or expected_version is not None:
        if intake is None:  # the page showed an intake that is gone: nothing to save onto
            raise NotFound("That intake could not be found. Please reload the page.")
        versions.check(session, actor, intake, expected_version, what="intake.save", client_id=client.id)
    given, rated, rows = _validate_draft(fields, ratings, substances, program.local_today(session))
    values = given.model_dump()
    if intake is None:
        now = utcnow()
        intake = Intake(client_id=client.id, created_by=actor.id, created_at=now, updated_at=now,
                        updated_by=actor.id, **values)
        session.add(intake)
        try:
            session.flush()
        except IntegrityError:  # someone started this client's intake a moment ago
            session.rollback()
            other = _intake_of(session, client.id)
            raise versions.refuse(session, actor, Intake, other.id, what="intake.save",
                                  client_id=client.id) from None
        action = "intake.create"
    else:
        versions.write(session, actor, intake, values, expected_version=expected_version, what="intake.save",
                       client_id=client.id)
        action = "intake.save"
    _write_children(session, intake.id, rated, rows)
    audit.record(session, actor, action, client_id=client.id, target=f"intake:{intake.id}",
                 detail=f"version {intake.version}: {len(rated)} of 6 dimensions rated, {len(rows)} substances")
    session.commit()
    return intake


# ---------------------------------------------------------------- signing
def missing_to_sign(view: IntakeView) -> dict[str, str]:
    """What signing still needs, by the page's field names (empty: ready to sign)."""
    errors: dict[str, str] = {}
    for name in REQUIRED_TO_SIGN:
        if not view.fields.get(name):
            label = FIELDS[name][0] if name in FIELDS else CHOICES[name]
            errors[name] = f"{label} is needed before the intake is signed."
    for dimension in AsamDimension:
        risk, narrative = view.ratings.get(dimension.value, (None, ""))
        if risk is None:
            errors[rating_key("risk", dimension)] = "Rate this dimension (0–4) before signing."
        if not narrative:
            errors[rating_key("narrative", dimension)] = "Describe this dimension before signing."
    if not view.substances:
        errors[substance_key(0, "substance")] = "Record at least one substance before signing."
    if (view.fields.get("suicide_risk") in ELEVATED_RISKS or view.fields.get("homicide_risk") in ELEVATED_RISKS) \
            and not view.fields.get("risk_notes"):
        errors["risk_notes"] = "A moderate or high risk needs notes (the plan for safety) before signing."
    return errors


def sign(session: Session, actor: User, client_id: int, *, expected_version: int | None) -> Intake:
    """Sign the saved draft the page showed: locked from now on, signed at the
    server's time by `actor`. A client in intake becomes active."""
    client = permissions.require_care_team(session, actor, permissions.WRITE, client_id, what="intake.sign")
    intake = _intake_of(session, client.id)
    if intake is None:
        raise ServiceError("Save the intake as a draft first; then sign it.")
    if intake.status == RecordStatus.SIGNED:
        raise ServiceError(LOCKED)
    # Stale first: the completeness check must judge the version the signer read.
    versions.check(session, actor, intake, expected_version, what="intake.sign", client_id=client.id)
    missing = missing_to_sign(_view(session, intake))
    if missing:
        raise ValidationError(missing)
    now = utcnow()
    versions.write(session, actor, intake, {"status": RecordStatus.SIGNED.value, "signed_by": actor.id,
                                            "signed_at": now},
                   expected_version=expected_version, what="intake.sign", client_id=client.id)
    audit.record(session, actor, "intake.sign", client_id=client.id, target=f"intake:{intake.id}",
                 detail=f"version {intake.version}; level of care {intake.recommended_level}")
    if client.status == ClientStatus.INTAKE:
        # Conditional, like the signature: the status moves once, from intake only.
        moved = session.execute(update(Client).where(Client.id == client.id, Client.status == ClientStatus.INTAKE)
                                .values(status=ClientStatus.ACTIVE.value, level_of_care=intake.recommended_level))
        if moved.rowcount == 1:
            audit.record(session, actor, "client.status", client_id=client.id, target=f"client:{client.id}",
                         detail="intake -> active: intake signed")
    session.commit()
    session.refresh(client)
    return intake


# ---------------------------------------------------------------- addenda
def add_addendum(session: Session, actor: User, client_id: int, *, text, reason="") -> Addendum:
    """A late entry to the signed intake, dated and attributed by the server."""
    client = permissions.require_care_team(session, actor, permissions.WRITE, client_id, what="intake.addendum")
    intake = _intake_of(session, client.id)
    if intake is None or intake.status != RecordStatus.SIGNED:
        raise ServiceError("Addenda are for a signed intake; until then, edit the draft.")
    return addenda.add(session, actor, text=text, reason=reason, action="intake.addendum", client_id=client.id,
                       target=f"intake:{intake.id}", intake_id=intake.id)


# ---------------------------------------------------------------- orientation
def _item(session: Session, actor: User, item_id, what: str, client_id: int | None = None) -> OrientationItem:
    item = session.get(OrientationItem, item_id) if is_id(item_id) else None
    if item is None:
        audit.record_now(session, actor, what, client_id=client_id, target=f"orientation_item:{item_id}"[:120],
                         outcome="denied", detail="no such item")
        raise PermissionDenied("That orientation item could not be found. Please reload the page.")
    return item


def staff_initial(session: Session, actor: User, client_id: int, item_id, initials) -> OrientationCheck:
    """Staff went through an item with the client: dated now, initialled by them."""
    client = permissions.require_care_team(session, actor, permissions.WRITE, client_id, what="orientation.staff")
    item = _item(session, actor, item_id, "orientation.staff", client.id)
    given = inputs.validate(InitialsInput, initials=initials)
    if not item.active:
        raise ServiceError("That item has been retired from the checklist.")
    check = OrientationCheck(client_id=client.id, item_id=item.id, staff_id=actor.id,
                             staff_initials=given.initials, staff_at=utcnow())
    session.add(check)
    try:
        session.flush()
    except IntegrityError:  # already initialled (here or in another tab)
        session.rollback()
        raise ServiceError(f"“{item.label}” has already been initialled by staff.") from None
    audit.record(session, actor, "orientation.staff", client_id=client.id, target=f"orientation_item:{item.id}")
    session.commit()
    return check


def _own_client(session: Session, actor: User, action: str, what: str) -> Client:
    """The signed-in client's own record (never an id from the browser), checked and
    audited as `what`; anyone else is refused."""
    client = permissions.client_for_user(session, actor)
    if client is None:
        audit.record_now(session, actor, what, outcome="denied", detail=f"role {actor.role}")
        raise PermissionDenied()
    permissions.require(session, actor, action, client.id, what=what, roles=permissions.CLIENT_ONLY)
    return client


def client_orientation(session: Session, actor: User) -> list[OrientationLine]:
    """The signed-in client's own checklist (nothing clinical in it)."""
    return _orientation(session, _own_client(session, actor, permissions.READ, "orientation.view").id)


def client_initial(session: Session, actor: User, item_id, initials) -> OrientationCheck:
    """The client initials an item staff went through with them (their own record
    only: the client is the signed-in user, never an id from the browser)."""
    client = _own_client(session, actor, permissions.WRITE, "orientation.client")
    item = _item(session, actor, item_id, "orientation.client", client.id)
    given = inputs.validate(InitialsInput, initials=initials)
    check = session.exec(select(OrientationCheck).where(OrientationCheck.client_id == client.id,
                                                        OrientationCheck.item_id == item.id)).first()
    if check is None:
        raise ServiceError("Your counsellor goes through this item with you first; then you initial it.")
    # Conditional: initialled once, even from two tabs at once.
    done = session.execute(update(OrientationCheck)
                           .where(OrientationCheck.id == check.id, OrientationCheck.client_initials == "")
                           .values(client_initials=given.initials, client_at=utcnow()))
    if done.rowcount != 1:
        session.rollback()
        raise ServiceError(f"You have already initialled “{item.label}”.")
    audit.record(session, actor, "orientation.client", client_id=client.id, target=f"orientation_item:{item.id}")
    session.commit()
    session.refresh(check)
    return check


# ---------------------------------------------------------------- the checklist (director)
def list_items(session: Session, actor: User) -> list[ItemView]:
    permissions.require_director(session, actor, "orientation.items")
    used = dict(session.exec(select(OrientationCheck.item_id, func.count())
                             .group_by(OrientationCheck.item_id)).all())
    return [ItemView(i.id, i.label, i.position, i.active, used.get(i.id, 0))
            for i in session.exec(select(OrientationItem).order_by(col(OrientationItem.position),
                                                                   col(OrientationItem.id))).all()]


def add_item(session: Session, actor: User, label) -> OrientationItem:
    permissions.require_director(session, actor, "orientation.item.add")
    label = inputs.validate(ItemLabel, label=label).label
    last = session.exec(select(func.max(OrientationItem.position))).one()
    item = OrientationItem(label=label, position=(last if last is not None else -1) + 1, active=True)
    return audit.save_new(session, actor, item, "orientation.item.add", "orientation_item", detail=label)


def rename_item(session: Session, actor: User, item_id, label) -> OrientationItem:
    """Reword an item nobody has initialled yet."""
    permissions.require_director(session, actor, "orientation.item.rename")
    item = _item(session, actor, item_id, "orientation.item.rename")
    label = inputs.validate(ItemLabel, label=label).label
    if session.exec(select(OrientationCheck.id).where(OrientationCheck.item_id == item.id)).first() is not None:
        raise ValidationError({"label": "Clients have initialled this item as it reads, so it keeps its words. "
                                        "Retire it and add the new wording as a new item."})
    previous, item.label = item.label, label
    session.add(item)
    audit.record(session, actor, "orientation.item.rename", target=f"orientation_item:{item.id}",
                 detail=f"{previous} -> {label}"[:500])
    session.commit()
    return item


def set_item_active(session: Session, actor: User, item_id, active) -> OrientationItem:
    """Retire an item (new clients no longer go through it) or bring it back."""
    permissions.require_director(session, actor, "orientation.item.active")
    item = _item(session, actor, item_id, "orientation.item.active")
    if not isinstance(active, bool):
        raise ValidationError({"active": "Choose to retire or restore the item."})
    item.active = active
    session.add(item)
    audit.record(session, actor, "orientation.item.active", target=f"orientation_item:{item.id}",
                 detail="restored" if active else "retired")
    session.commit()
    return item


def move_item(session: Session, actor: User, item_id, step) -> None:
    """Move an item one place up (-1) or down (+1) the list."""
    permissions.require_director(session, actor, "orientation.item.move")
    item = _item(session, actor, item_id, "orientation.item.move")
    if step not in (-1, 1) or isinstance(step, bool):
        raise ValidationError({"position": "Move an item one place up or down."})
    items = list(session.exec(select(OrientationItem).order_by(col(OrientationItem.position),
                                                               col(OrientationItem.id))).all())
    index = next(i for i, other in enumerate(items) if other.id == item.id)
    if not 0 <= index + step < len(items):
        return
    items[index], items[index + step] = items[index + step], items[index]
    for position, other in enumerate(items):  # renumbered: positions stay 0..n-1
        if other.position != position:
            other.position = position
            session.add(other)
    audit.record(session, actor, "orientation.item.move", target=f"orientation_item:{item.id}",
                 detail="up" if step < 0 else "down")
    session.commit()


__all__ = [
    "LOCKED", "AddendumView", "IntakeRecord", "IntakeView", "ItemView", "OrientationLine",
    "add_addendum", "add_item", "client_initial", "client_orientation", "intake_record", "list_items",
    "missing_to_sign", "move_item", "rename_item", "save_draft", "set_item_active", "sign", "staff_initial",
]
