"""The append-only audit trail: writing events, sealing them into the hash chain,
checking the chain, and the director's browsing of them.

Tamper evidence: every row carries chain_hash(previous row's hash, its own fields)
(models/audit.py), and the database refuses UPDATE and DELETE of audit rows, except
setting `hash` once on a row whose hash is NULL (triggers from the migration
c4d17a0e0004). A row is sealed in the transaction that inserts it: INSERT, then
read the previous row's hash and set this row's hash. That transaction holds the
write lock while it does so, so rows are chained in id order even when several
sessions write at once: SQLite lets one writer at a time in, and on PostgreSQL the
writer first takes a transaction-level advisory lock (_AUDIT_LOCK_KEY; this
assumes the default READ COMMITTED isolation, so the read sees every earlier row).

- record() adds an AuditEvent to the caller's session; the flush hooks below take
  the lock (PostgreSQL) before and seal the rows after the INSERT, in the caller's
  transaction.
- record_now() commits on its own connection: INSERT, SELECT, UPDATE.
- start_record_now() does the same on a worker thread while the caller reads (the
  caller waits for it before returning what it read).
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Integer, String, bindparam, event, insert, text, update
from sqlalchemy import select as sa_select
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, func, select

from ..models import AuditEvent, User, chain_hash, utcnow
from .errors import PermissionDenied


def _event_values(
    actor: User | None,
    action: str,
    *,
    client_id: int | None = None,
    target: str = "",
    outcome: str = "success",
    detail: str = "",
    actor_label: str | None = None,
) -> dict:
    return dict(
        at=utcnow(),
        actor_user_id=actor.id if actor else None,
        actor_label=(actor_label if actor_label is not None else (actor.email if actor else ""))[:254],
        action=action[:64],
        client_id=client_id,
        target=target[:120],
        outcome=outcome[:16],
        detail=detail[:500],
    )


def record(session: Session, actor: User | None, action: str, **fields) -> AuditEvent:
    """Add an event to the caller's transaction (it commits with the change it describes).
    Fields: client_id, target, outcome ("success"), detail, actor_label (the actor's email)."""
    event = AuditEvent(**_event_values(actor, action, **fields))
    session.add(event)
    return event


def save_new(session: Session, actor: User, row, action: str, kind: str, **fields):
    """Add a new `row` and commit it together with its audit event, whose target is
    "<kind>:<the row's new id>" (`fields` as for record). Returns the row."""
    session.add(row)
    session.flush()
    record(session, actor, action, target=f"{kind}:{row.id}", **fields)
    session.commit()
    return row


_INSERT_EVENT = insert(AuditEvent)
# Statements built once: every staff read writes an event.
_PREVIOUS_HASH = (sa_select(AuditEvent.hash)
                  .where(AuditEvent.id < bindparam("before_id", type_=Integer()))
                  .order_by(col(AuditEvent.id).desc()).limit(1))
_SET_HASH = (update(AuditEvent)
             .where(AuditEvent.id == bindparam("event_id", type_=Integer()), col(AuditEvent.hash).is_(None))
             .values(hash=bindparam("event_hash", type_=String())))
# Any fixed 64-bit number, the same in every process (PostgreSQL advisory lock key).
_AUDIT_LOCK_KEY = 0x6175646974  # "audit"
_ADVISORY_LOCK = text("SELECT pg_advisory_xact_lock(:key)")


def _lock_chain(connection) -> None:
    """Serialize audit writers until this transaction ends. SQLite needs nothing: the
    INSERT itself takes the database's single write lock, held until commit."""
    if connection.dialect.name == "postgresql":
        connection.execute(_ADVISORY_LOCK, {"key": _AUDIT_LOCK_KEY})


def _seal(connection, rows: list) -> list[str]:
    """Set the hash of rows just inserted in this transaction (ordered by id, nothing
    written after them yet) and return the hashes."""
    previous = connection.execute(_PREVIOUS_HASH, {"before_id": rows[0].id}).scalar()
    hashes = []
    for row in rows:
        previous = chain_hash(previous, row)
        hashes.append(previous)
    result = connection.execute(
        _SET_HASH, [{"event_id": row.id, "event_hash": h} for row, h in zip(rows, hashes, strict=True)])
    if result.rowcount not in (len(rows), -1):
        raise RuntimeError("audit rows could not be sealed")
    return hashes


@dataclass(frozen=True)
class _Written:
    """The values of a row record_now inserted, for chain_hash."""

    id: int
    at: datetime
    actor_user_id: int | None
    actor_label: str
    action: str
    client_id: int | None
    target: str
    outcome: str
    detail: str


def record_now(session: Session, actor: User | None, action: str, **fields) -> None:
    """Write an event in its own committed transaction, so it stays even if the
    caller's work is rolled back (denials, failed sign-ins) or never commits (views).
    Plain statements on its own connection (every staff read pays for them): the
    INSERT, the previous row's hash, the sealing UPDATE."""
    _write_now(session.get_bind(), _event_values(actor, action, **fields))


def _write_now(bind, values: dict) -> None:
    with bind.begin() as connection:
        _lock_chain(connection)
        event_id = connection.execute(_INSERT_EVENT, values).inserted_primary_key[0]
        _seal(connection, [_Written(id=event_id, **values)])


# Audit writes of views that run while the view reads (start_record_now). A few
# threads: each holds a pooled connection only for its INSERT, SELECT, UPDATE, COMMIT.
_WRITERS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="iop-audit")


def start_record_now(session: Session, actor: User | None, action: str, **fields) -> Future:
    """record_now on a worker thread, so that its commit (on SQLite with
    synchronous=FULL: a sync of the log to disk, most of a view's audit cost) runs
    while the caller reads. The same event, values (time stamped now), transaction,
    lock and seal as record_now: nothing is weaker, only overlapped. The caller MUST
    wait for `.result()` (which raises if the write failed) before anything it read
    leaves the service: what is shown is always audited first
    (permissions.audited_read does this)."""
    return _WRITERS.submit(_write_now, session.get_bind(), _event_values(actor, action, **fields))


@event.listens_for(OrmSession, "before_flush")
def _lock_before_flushing_events(session, _flush_context, _instances) -> None:
    if (any(isinstance(obj, AuditEvent) for obj in session.new)
            and session.get_bind().dialect.name == "postgresql"):
        _lock_chain(session.connection())


@event.listens_for(OrmSession, "after_flush")
def _seal_flushed_events(session, _flush_context) -> None:
    # session.new still lists what this flush inserted; their ids are known now.
    events = sorted((obj for obj in session.new if isinstance(obj, AuditEvent)), key=lambda e: e.id)
    if events:
        for audit_event, digest in zip(events, _seal(session.connection(), events), strict=True):
            set_committed_value(audit_event, "hash", digest)  # already in the database


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    actor: str
    action: str
    client_id: int | None
    target: str
    outcome: str
    detail: str


def list_events(
    session: Session,
    actor: User,
    *,
    action: str = "",
    outcome: str = "",
    actor_text: str = "",
    client_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[AuditRow], int]:
    """The director's view of the trail, newest first, with the total that matched."""
    if not actor.is_director:
        record_now(session, actor, "audit.view", outcome="denied", detail="not a director")
        raise PermissionDenied()
    conditions = []
    if action:
        conditions.append(col(AuditEvent.action).startswith(action))
    if outcome:
        conditions.append(AuditEvent.outcome == outcome)
    if actor_text:
        conditions.append(func.lower(AuditEvent.actor_label).contains(actor_text.lower()))
    if client_id is not None:
        conditions.append(AuditEvent.client_id == client_id)
    if since is not None:
        conditions.append(AuditEvent.at >= since)
    if until is not None:
        conditions.append(AuditEvent.at < until)
    total = session.exec(select(func.count()).select_from(AuditEvent).where(*conditions)).one()
    rows = session.exec(
        select(AuditEvent)
        .where(*conditions)
        .order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
        .offset(max(0, offset))
        .limit(max(1, min(limit, 200)))
    ).all()
    return (
        [
            AuditRow(e.id, e.at, e.actor_label, e.action, e.client_id, e.target, e.outcome, e.detail)
            for e in rows
        ],
        total,
    )


# ----------------------------------------------------------------- verification
@dataclass(frozen=True)
class ChainReport:
    rows: int  # rows checked (up to and including the first bad one)
    bad_id: int | None = None
    problem: str = ""

    @property
    def intact(self) -> bool:
        return self.bad_id is None


_CHAIN_COLUMNS = (AuditEvent.id, AuditEvent.at, AuditEvent.actor_user_id, AuditEvent.actor_label, AuditEvent.action,
                  AuditEvent.client_id, AuditEvent.target, AuditEvent.outcome, AuditEvent.detail, AuditEvent.hash)


def verify_chain(session: Session, batch: int = 2000) -> ChainReport:
    """Walk the trail in id order (in batches, so any size fits in memory), recompute
    each row's hash from its fields and the previous row's stored hash, and stop at
    the first row that does not match. Not for the browser: `manage verify-audit`.

    Deleting the newest rows leaves no trace in the chain itself; anything else
    (an edited field or hash, a row removed or inserted in the middle) does."""
    previous_hash: str | None = None
    previous_id = 0
    count = 0
    while True:
        rows = session.execute(
            sa_select(*_CHAIN_COLUMNS).where(AuditEvent.id > previous_id).order_by(AuditEvent.id).limit(batch)
        ).all()
        if not rows:
            return ChainReport(rows=count)
        for row in rows:
            count += 1
            if row.hash is None:
                return ChainReport(count, row.id, "it has no hash: it was written without being sealed into the chain")
            if chain_hash(previous_hash, row) != row.hash:
                if count > 1 and row.id != previous_id + 1:
                    cause = (f"row(s) {previous_id + 1}–{row.id - 1} before it are missing (deleted), "
                             "or this row was edited")
                elif count == 1 and row.id != 1:
                    cause = "the rows before it are missing (deleted), or this row was edited"
                else:
                    cause = "this row was edited (a field or its hash), or the row before it was rewritten"
                return ChainReport(count, row.id, f"its hash does not match its contents and the chain: {cause}")
            previous_hash, previous_id = row.hash, row.id
