"""The program's community resource directory: search and filter it, keep it
(staff), share it as CSV and take a CSV back in.

Who: staff (therapists and the director) read and edit it; clients read the
active entries (from their phone, services/referrals.client_resources); family
members never (their portal is family sessions only). The directory holds no
client information, so a search is not a record view; a refusal is audited, and
every change and import is audited with the change.

CSV: one header row with the columns of CSV_COLUMNS (the export writes exactly
these; the import takes them in any order, `id` and `active` optional). An import
is all or nothing: every row is checked first and the messages name the row; a
row whose id is an entry updates it, a row without an id updates the entry with
the same name and address, anything else adds an entry.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import ClassVar

from pydantic import Field, field_validator
from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from ..models import User, utcnow
from ..models.enums import ResourceCategory
from ..models.referrals import CommunityResource
from . import audit, permissions, versions
from .errors import NotFound, PermissionDenied, ValidationError
from .ids import is_id
from .inputs import ServiceInput, validate

# The directory's fields, in the order forms and the CSV show them.
FIELDS = ("name", "category", "address", "phone", "web", "hours", "languages", "cost", "notes")
CSV_COLUMNS = ("id", *FIELDS, "active")
MAX_IMPORT_BYTES = 1_000_000
MAX_IMPORT_ROWS = 2_000
SEARCH_LIMIT = 100


class ResourceInput(ServiceInput):
    """One directory entry as entered (a form or a CSV row)."""

    name: str = Field(min_length=1, max_length=120)
    category: ResourceCategory
    address: str = Field(default="", max_length=300)
    phone: str = Field(default="", max_length=40, pattern=r"^[0-9+()\-. xext]*$")
    web: str = Field(default="", max_length=300)
    hours: str = Field(default="", max_length=200)
    languages: str = Field(default="", max_length=200)
    cost: str = Field(default="", max_length=120)
    notes: str = Field(default="", max_length=1000)

    messages: ClassVar[dict[str, str]] = {
        "name": "Keep the name under 120 characters.",
        "name:missing": "Give the resource's name.",
        "category": "Choose a category from the list.",
        "address": "Keep the address under 300 characters.",
        "phone": "Enter a phone number with digits, spaces, + ( ) - . or ext.",
        "web": "Keep the web address under 300 characters.",
        "hours": "Keep the hours under 200 characters.",
        "languages": "Keep the languages under 200 characters.",
        "cost": "Keep the cost under 120 characters.",
        "notes": "Keep the notes under 1000 characters.",
    }

    @field_validator("web")
    @classmethod
    def _web(cls, value: str) -> str:
        # Shown as a link: only web addresses, never javascript: or data: URLs.
        if value and not value.lower().startswith(("https://", "http://")):
            raise ValueError("Enter a web address starting with https:// (or http://).")
        if any(c.isspace() for c in value):
            raise ValueError("A web address has no spaces.")
        return value


@dataclass(frozen=True)
class ResourceView:
    id: int
    name: str
    category: str
    category_label: str
    address: str
    phone: str
    web: str
    hours: str
    languages: str
    cost: str
    notes: str
    active: bool
    version: int


def view_of(row: CommunityResource) -> ResourceView:
    return ResourceView(row.id, row.name, row.category, ResourceCategory.label_of(row.category), row.address,
                        row.phone, row.web, row.hours, row.languages, row.cost, row.notes, row.active, row.version)


def require_directory_reader(session: Session, actor: User | None, what: str) -> None:
    """Staff and clients read the directory; family members and anyone inactive never."""
    if actor is None or not actor.active or not (actor.is_staff or actor.is_client):
        audit.record_now(session, actor, what, outcome="denied",
                         detail=f"role {actor.role}" if actor is not None else "not signed in")
        raise PermissionDenied()


def _escaped(text: str) -> str:
    return "%" + text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def search(session: Session, actor: User, text: str = "", category: str = "", *,
           include_retired: bool = False) -> list[ResourceView]:
    """Entries whose name, address, notes, languages or hours contain `text`
    (any case), in `category` ("" for all), by name. Retired entries only for staff
    who ask for them."""
    require_directory_reader(session, actor, "resources.search")
    errors = {}
    if not isinstance(text, str) or len(text) > 100:
        errors["search"] = "Search text must be at most 100 characters."
    if not isinstance(category, str) or (category and category not in ResourceCategory.values()):
        errors["category"] = "Choose a category from the list."
    if errors:
        raise ValidationError(errors)
    stmt = select(CommunityResource)
    if not (include_retired and actor.is_staff):
        stmt = stmt.where(col(CommunityResource.active).is_(True))
    if text.strip():
        needle = _escaped(text.strip())
        stmt = stmt.where(or_(*(func.lower(column).like(needle, escape="\\") for column in (
            CommunityResource.name, CommunityResource.address, CommunityResource.notes,
            CommunityResource.languages, CommunityResource.hours, CommunityResource.cost))))
    if category:
        stmt = stmt.where(CommunityResource.category == category)
    rows = session.exec(stmt.order_by(func.lower(CommunityResource.name), CommunityResource.id)
                        .limit(SEARCH_LIMIT)).all()
    return [view_of(r) for r in rows]


def get_resource(session: Session, actor: User, resource_id) -> ResourceView:
    require_directory_reader(session, actor, "resources.view")
    row = session.get(CommunityResource, resource_id) if is_id(resource_id) else None
    if row is None or (not row.active and not actor.is_staff):
        raise NotFound("That resource is not in the directory.")
    return view_of(row)


def create_resource(session: Session, actor: User, **values) -> CommunityResource:
    permissions.require_staff(session, actor, "resources.create")
    entry = validate(ResourceInput, **values)
    row = CommunityResource(**_stored(entry), updated_by=actor.id, updated_at=utcnow())
    return audit.save_new(session, actor, row, "resources.create", "community_resource", detail=row.name)


def update_resource(session: Session, actor: User, resource_id, *, expected_version, **values) -> CommunityResource:
    """Change an entry; a save on an older copy than the latest is refused (StaleEdit)."""
    permissions.require_staff(session, actor, "resources.update")
    row = session.get(CommunityResource, resource_id) if is_id(resource_id) else None
    if row is None:
        raise NotFound("That resource is not in the directory.")
    entry = validate(ResourceInput, **values)
    versions.write(session, actor, row, _stored(entry), expected_version=expected_version, what="resources.update")
    audit.record(session, actor, "resources.update", target=f"community_resource:{row.id}", detail=row.name)
    session.commit()
    return row


def set_active(session: Session, actor: User, resource_id, active: bool, *, expected_version) -> CommunityResource:
    """Retire an entry (kept for the referrals that name it) or bring it back."""
    permissions.require_staff(session, actor, "resources.retire")
    row = session.get(CommunityResource, resource_id) if is_id(resource_id) else None
    if row is None or not isinstance(active, bool):
        raise NotFound("That resource is not in the directory.")
    versions.write(session, actor, row, {"active": active}, expected_version=expected_version,
                   what="resources.retire")
    audit.record(session, actor, "resources.retire" if not active else "resources.restore",
                 target=f"community_resource:{row.id}", detail=row.name)
    session.commit()
    return row


def _stored(entry: ResourceInput) -> dict:
    return entry.model_dump() | {"category": str(entry.category)}


# --------------------------------------------------------------------------- CSV
def export_csv(session: Session, actor: User) -> str:
    """Every entry (retired ones too, `active` says which) as CSV; audited."""
    permissions.require_staff(session, actor, "resources.export")
    rows = session.exec(select(CommunityResource).order_by(func.lower(CommunityResource.name),
                                                           CommunityResource.id)).all()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in rows:
        writer.writerow([r.id, *(_safe_cell(getattr(r, name)) for name in FIELDS), "yes" if r.active else "no"])
    audit.record_now(session, actor, "resources.export", outcome="success", detail=f"{len(rows)} entries")
    return buffer.getvalue()


def _safe_cell(value: str) -> str:
    """A cell a spreadsheet will not run as a formula (CSV injection): a leading
    = + - @ gets a leading apostrophe, which the import takes off again."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def _from_cell(value: str) -> str:
    value = value.strip()
    return value[1:] if value[:1] == "'" and value[1:2] in ("=", "+", "-", "@") else value


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int


ACTIVE_WORDS = {"": True, "yes": True, "y": True, "true": True, "1": True,
                "no": False, "n": False, "false": False, "0": False}


def import_csv(session: Session, actor: User, text) -> ImportResult:
    """Take a CSV (as the export writes it) into the directory, all or nothing. A
    refusal raises ValidationError({"csv": "Row 3: ...; Row 7: ..."})."""
    permissions.require_staff(session, actor, "resources.import")
    if not isinstance(text, str) or not text.strip():
        raise ValidationError({"csv": "Choose or paste a CSV file with a header row."})
    if len(text.encode()) > MAX_IMPORT_BYTES:
        raise ValidationError({"csv": "The file is too large (at most 1 MB)."})
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    unknown = [h for h in header if h not in CSV_COLUMNS]
    missing = [h for h in ("name", "category") if h not in header]
    if missing or unknown:
        parts = ([f"missing column(s): {', '.join(missing)}"] if missing else []) + (
            [f"unknown column(s): {', '.join(unknown[:5])}"] if unknown else [])
        raise ValidationError({"csv": "The header row does not fit: " + "; ".join(parts)
                               + f". Expected: {', '.join(CSV_COLUMNS)}."})
    existing = {r.id: r for r in session.exec(select(CommunityResource)).all()}
    by_key = {(r.name.casefold(), r.address.casefold()): r for r in existing.values()}
    problems: list[str] = []
    plan: list[tuple[CommunityResource | None, dict, bool]] = []
    for number, raw in enumerate(reader, start=2):  # row 1 is the header
        if number - 1 > MAX_IMPORT_ROWS:
            problems.append(f"more than {MAX_IMPORT_ROWS} rows")
            break
        if None in raw:  # more cells than columns
            problems.append(f"Row {number}: more cells than columns")
            continue
        cells = {k.strip().lower(): _from_cell(v or "") for k, v in raw.items() if k is not None}
        if not any(cells.values()):
            continue  # a blank line
        try:
            entry = validate(ResourceInput, **{name: cells.get(name, "") for name in FIELDS})
        except ValidationError as exc:
            problems.append(f"Row {number}: " + " ".join(f"{field}: {msg}" for field, msg in exc.errors.items()))
            continue
        active = ACTIVE_WORDS.get(cells.get("active", "").lower())
        if active is None:
            problems.append(f"Row {number}: active: write yes or no.")
            continue
        target = None
        if cells.get("id"):
            if not cells["id"].isdigit() or int(cells["id"]) not in existing:
                problems.append(f"Row {number}: id {cells['id'][:12]} is not an entry of this directory "
                                "(leave id empty to add a new entry).")
                continue
            target = existing[int(cells["id"])]
        else:
            target = by_key.get((entry.name.casefold(), entry.address.casefold()))
        plan.append((target, _stored(entry), active))
        if len(problems) >= 20:
            break
    if problems:
        raise ValidationError({"csv": "Nothing was imported. " + "; ".join(problems[:20])})
    created = updated = unchanged = 0
    now = utcnow()
    for target, values, active in plan:
        if target is None:
            session.add(CommunityResource(**values, active=active, updated_by=actor.id, updated_at=now))
            created += 1
        elif all(getattr(target, k) == v for k, v in values.items()) and target.active == active:
            unchanged += 1
        else:
            for key, value in values.items():
                setattr(target, key, value)
            target.active = active
            target.version += 1
            target.updated_by, target.updated_at = actor.id, now
            session.add(target)
            updated += 1
    audit.record(session, actor, "resources.import",
                 detail=f"{created} added, {updated} updated, {unchanged} unchanged")
    session.commit()
    return ImportResult(created, updated, unchanged)
