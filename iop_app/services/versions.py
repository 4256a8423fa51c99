"""Edits that must not be lost silently, and the earlier texts they replace.

Goals, group sessions (their topic and notes) and plan reviews carry a `version`
that every change bumps, with who made it and when (`updated_by`, `updated_at`).
A page keeps the version it showed (in a backend-only state var) and a save passes
it as `expected_version`. `write` stores the change with one statement

    UPDATE <table> SET <fields>, version = version + 1, updated_at, updated_by
     WHERE id = :id AND version = :seen

so the check and the write are atomic, not read-then-write: if anyone saved in
between, no row matches and the save is refused with StaleEdit, which names who
saved and when (program-local time); nothing of the refused save is kept.

When an edit replaces a text that was not empty, the earlier text goes to
`text_version` in the same transaction, so an overwrite never loses what was there.
Callers check permissions before calling anything here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col

from ..models import TextVersion, User, utcnow
from . import audit, program
from .errors import StaleEdit

CHANGED = "changed this"
SEE_CHANGES = "Reload to see their changes; your text is kept below."
SEE_OWN = "Reload to see that version; your text is kept below."


def when_text(session: Session, moment: datetime | None) -> str:
    """"14:05" for a moment today (program-local), else "14:05 on Mar 3"."""
    if moment is None:
        return "a moment ago"
    local = program.to_local(moment, program.program_tz(session))
    if local.date() == program.local_today(session):
        return local.strftime("%H:%M")
    return f"{local:%H:%M} on {local:%b} {local.day}"


def stale_edit(session: Session, actor: User, by_id: int | None, at: datetime | None, *,
               did: str = CHANGED, advice: str = SEE_CHANGES, own_advice: str = SEE_OWN) -> StaleEdit:
    """The refusal: who did what, when, and what to do about it."""
    when = when_text(session, at)
    writer = session.get(User, by_id) if by_id is not None else None
    name = writer.full_name if writer is not None else ""
    if by_id is not None and by_id == actor.id:
        message = f"You {did} at {when} in another tab or window after this page was opened. {own_advice}"
    else:
        message = f"{name or 'Someone else'} {did} at {when} after you opened it. {advice}"
    return StaleEdit(message, changed_by=name, changed_at=at, local_time=when)


def refuse(session: Session, actor: User, model, row_id: int, *, what: str, client_id: int | None = None,
           did: str = CHANGED, advice: str = SEE_CHANGES) -> StaleEdit:
    """Roll back the refused save, look up the latest writer, audit the refusal."""
    session.rollback()  # nothing of the refused save stays
    table = model.__table__
    latest = session.execute(select(table.c.updated_by, table.c.updated_at, table.c.version)
                             .where(table.c.id == row_id)).first()
    by_id, at, version = latest if latest is not None else (None, None, None)
    audit.record_now(session, actor, what, client_id=client_id, target=f"{table.name}:{row_id}", outcome="failure",
                     detail=f"stale edit refused: version {version} saved by user {by_id}")
    return stale_edit(session, actor, by_id, at, did=did, advice=advice)


def check(session: Session, actor: User, row, expected_version, *, what: str, client_id: int | None = None) -> None:
    """Refuse early when the page's copy is already known to be stale (for checks that
    depend on the current row, like "already achieved"). Not a substitute for `write`,
    whose UPDATE re-checks atomically."""
    if type(expected_version) is not int or expected_version != row.version:
        raise refuse(session, actor, type(row), row.id, what=what, client_id=client_id)


def write(session: Session, actor: User, row, values: dict, *, expected_version, what: str,
          client_id: int | None = None, keep: tuple[str, ...] = (), merge: bool = False) -> None:
    """Write `values` to `row` (a versioned table) and bump its version, atomically.

    `expected_version` is the version the editor's page showed; a save made on an
    older copy (or with anything but that int) raises StaleEdit. `merge=True` is for
    changes that replace nothing someone chose (ticking a step, which sends the wanted
    state): no expected version, but they still bump it, and still refuse if the row
    changed between reading it here and writing it.
    Texts named in `keep` that the edit replaces are kept in text_version.
    The caller commits (with its audit event)."""
    if row in session.dirty:
        raise RuntimeError("write() must be the only change to the row: it would be written without the check")
    model = type(row)
    table = model.__table__
    seen = row.version
    if not merge:
        check(session, actor, row, expected_version, what=what, client_id=client_id)
    before = {field: getattr(row, field) for field in keep}  # read before the UPDATE, never after
    now = utcnow()
    stamp = {"version": seen + 1, "updated_at": now, "updated_by": actor.id}
    result = session.execute(update(table).where(table.c.id == row.id, table.c.version == seen)
                             .values(**values, **stamp))
    if result.rowcount != 1:
        raise refuse(session, actor, model, row.id, what=what, client_id=client_id)
    for field in keep:
        keep_earlier(session, actor, table.name, row.id, field, before[field], values.get(field), now)
    for key, value in {**values, **stamp}.items():
        set_committed_value(row, key, value)  # the object matches the row without another UPDATE


def keep_earlier(session: Session, actor: User, table_name: str, row_id: int, field: str, before: str | None,
                 after: str | None, at: datetime | None = None) -> None:
    """Keep `before` when an edit replaces it (not when it was empty or is unchanged)."""
    if before and after is not None and before != after:
        session.add(TextVersion(table_name=table_name, row_id=row_id, field=field, previous_text=before,
                                changed_by=actor.id, changed_at=at or utcnow()))


@dataclass(frozen=True)
class EarlierText:
    row_id: int
    field: str
    text: str
    replaced_by: str  # full name of who replaced it
    replaced_at: datetime  # UTC
    replaced_local: str  # program-local, e.g. "Mar 3, 2026 14:05"


def earlier_texts(session: Session, table_name: str, row_ids: list[int],
                  fields: tuple[str, ...]) -> dict[int, list[EarlierText]]:
    """Earlier texts of the rows, newest first, by row id. No permission check here:
    callers show them only to who may see the current text."""
    if not row_ids:
        return {}
    tz = program.program_tz(session)
    rows = session.execute(
        select(TextVersion, User.full_name).join(User, User.id == TextVersion.changed_by)
        .where(TextVersion.table_name == table_name, col(TextVersion.row_id).in_(row_ids),
               col(TextVersion.field).in_(fields))
        .order_by(col(TextVersion.changed_at).desc(), col(TextVersion.id).desc())
    ).all()
    out: dict[int, list[EarlierText]] = {}
    for version, name in rows:
        local = program.to_local(version.changed_at, tz)
        out.setdefault(version.row_id, []).append(EarlierText(
            version.row_id, version.field, version.previous_text, name, version.changed_at,
            f"{local:%b} {local.day}, {local.year} {local:%H:%M}"))
    return out
