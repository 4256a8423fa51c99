"""Alerts a completed measure raises for the care team, and their acknowledgement.

Kinds (MeasureAlertKind):
- item9:   a PHQ-9 with item 9 (thoughts of death or self-harm) answered above 0;
- rise:    a PHQ-9 or GAD-7 total 5 or more points above the client's previous one
           (the previous response in force: a superseded response does not count);
- bam_use: a BAM whose use score (items 4 + 5 + 6) is above 0.

An alert is created in the transaction that completes its response, at most once per
response and kind (a unique constraint backs this up), and stays open until a
clinician on the client's record acknowledges it with a note of the action taken.
Creation and acknowledgement are both audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from pydantic import ValidationError as PydanticError
from sqlalchemy import exists, update
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from ..models import Client, MeasureAlert, MeasureResponse, User, utcnow
from ..models.enums import MeasureAlertKind, MeasureResponseStatus
from . import audit, measures, permissions, program
from .errors import NotFound, ServiceError, ValidationError
from .ids import is_id

RISE_POINTS = 5
RISE_CODES = ("phq9", "gad7")
ITEM9_CODE, ITEM9 = "phq9", 9
BAM_CODE, BAM_USE = "bam", "use"
NOTE_MAX = 1000


class AcknowledgeInput(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    note: Annotated[str, StringConstraints(strip_whitespace=True), Field(min_length=1, max_length=NOTE_MAX)]


@dataclass(frozen=True)
class AlertView:
    id: int
    client_id: int
    client_name: str
    response_id: int
    code: str
    kind: str
    text: str
    created_at: datetime
    acknowledged_by: int | None
    acknowledged_at: datetime | None
    action_note: str

    @property
    def kind_label(self) -> str:
        return MeasureAlertKind.label_of(self.kind)


def _superseded(response_table):
    """SQL: a later response supersedes this one."""
    later = aliased(MeasureResponse)
    return exists().where(later.supersedes_id == response_table.id)


def previous_total(session: Session, row: MeasureResponse) -> float | None:
    """The total of the response in force just before `row` (for a correction: before the
    response it corrects), or None when there is none."""
    replaced = session.get(MeasureResponse, row.supersedes_id) if row.supersedes_id else None
    before = (replaced or row).completed_at
    ignore = [row.id] + ([replaced.id] if replaced else [])
    return session.exec(
        select(MeasureResponse.total).where(
            MeasureResponse.client_id == row.client_id, MeasureResponse.code == row.code,
            MeasureResponse.status == MeasureResponseStatus.SUBMITTED, col(MeasureResponse.id).not_in(ignore),
            MeasureResponse.completed_at <= before, ~_superseded(MeasureResponse))
        .order_by(col(MeasureResponse.completed_at).desc(), col(MeasureResponse.id).desc())).first()


def alerts_due(session: Session, row: MeasureResponse) -> list[tuple[str, str]]:
    """(kind, text) of each alert a completed response raises."""
    previous = previous_total(session, row) if row.code in RISE_CODES and row.total is not None else None
    return alert_kinds(row.code, row.answers or {}, row.total, row.subscales or {}, row.alerts or [], previous)


def alert_kinds(code: str, answers: dict, total: float | None, subscales: dict, messages: list[str],
                previous: float | None) -> list[tuple[str, str]]:
    """The rule alone (no database): (kind, text) of each alert a completed response with
    these answers (keys int or text), scores and previous total in force raises. The demo
    seed applies it to rows it writes in bulk."""
    name = measures.definition(code).name
    found: list[tuple[str, str]] = []
    given = {int(number): value for number, value in answers.items()}
    if code == ITEM9_CODE and given.get(ITEM9, 0) > 0:
        found.append((MeasureAlertKind.ITEM9, (messages or [f"{name} item 9 answered above 0."])[0]))
    if code in RISE_CODES and total is not None and previous is not None and total - previous >= RISE_POINTS:
        found.append((MeasureAlertKind.RISE,
                      f"{name} rose {total - previous:g} points, from {previous:g} to {total:g}."))
    use = subscales.get(BAM_USE)
    if code == BAM_CODE and use is not None and use > 0:
        found.append((MeasureAlertKind.BAM_USE, f"{name} use score {use:g}: alcohol or drug use in the past 30 days."))
    return found


def raise_for(session: Session, actor: User, row: MeasureResponse) -> list[MeasureAlert]:
    """Create (once) and audit the alerts of a response just completed, in the caller's
    transaction; the caller commits."""
    made = []
    for kind, text in alerts_due(session, row):
        if session.exec(select(MeasureAlert.id).where(MeasureAlert.response_id == row.id,
                                                      MeasureAlert.kind == kind)).first() is not None:
            continue
        alert = MeasureAlert(client_id=row.client_id, response_id=row.id, kind=kind, text=text[:500],
                             created_at=utcnow())
        session.add(alert)
        session.flush()
        audit.record(session, actor, "measure_alert.create", client_id=row.client_id,
                     target=f"measure_alert:{alert.id}", detail=f"{kind} on measure_response:{row.id}")
        made.append(alert)
    return made


def acknowledge(session: Session, actor: User, alert_id: int, *, note: str,
                client_id: int | None = None) -> AlertView:
    """A clinician on the client's record closes an alert with a note of the action taken.
    `client_id`: the record the clinician has open; an alert of any other client is
    refused as missing (a page acts only on the alerts it shows)."""
    permissions.require_staff(session, actor, "measure_alert.acknowledge")
    alert = session.get(MeasureAlert, alert_id) if is_id(alert_id) else None
    if alert is None or (client_id is not None and alert.client_id != client_id):
        audit.record_now(session, actor, "measure_alert.acknowledge", target=f"measure_alert:{alert_id}"[:120],
                         outcome="denied", detail="no such alert")
        raise NotFound("That alert was not found.")
    permissions.require(session, actor, permissions.WRITE, alert.client_id, what="measure_alert.acknowledge",
                        roles=permissions.STAFF)
    try:
        data = AcknowledgeInput(note=note)
    except PydanticError:
        raise ValidationError({"note": f"Write the action taken (up to {NOTE_MAX} characters)."}) from None
    now = utcnow()
    done = session.exec(update(MeasureAlert)
                        .where(MeasureAlert.id == alert.id, col(MeasureAlert.acknowledged_at).is_(None))
                        .values(acknowledged_by=actor.id, acknowledged_at=now, action_note=data.note))
    if done.rowcount != 1:
        session.rollback()
        raise ServiceError("This alert was already acknowledged.")
    audit.record(session, actor, "measure_alert.acknowledge", client_id=alert.client_id,
                 target=f"measure_alert:{alert.id}", detail=data.note[:200])
    session.commit()
    session.refresh(alert)
    return _views(session, [alert.id])[0]


def _query():
    return (select(MeasureAlert, MeasureResponse.code, User.full_name)
            .join(MeasureResponse, MeasureResponse.id == MeasureAlert.response_id)
            .join(Client, Client.id == MeasureAlert.client_id)
            .join(User, User.id == Client.user_id))


def _view(alert: MeasureAlert, code: str, name: str) -> AlertView:
    return AlertView(alert.id, alert.client_id, name, alert.response_id, code, alert.kind, alert.text,
                     alert.created_at, alert.acknowledged_by, alert.acknowledged_at, alert.action_note)


def _views(session: Session, ids: list[int]) -> list[AlertView]:
    rows = session.exec(_query().where(col(MeasureAlert.id).in_(ids)).order_by(col(MeasureAlert.id))).all()
    return [_view(*row) for row in rows]


def open_for_caseload(session: Session, actor: User, today: date | None = None) -> list[AlertView]:
    """Open alerts of every client whose record the staff member may read (the roster's
    flag): the therapist's caseload, every client for the director. Oldest first."""
    permissions.require_staff(session, actor, "measure_alert.list")
    today = today or program.local_today(session)
    query = _query().where(col(MeasureAlert.acknowledged_at).is_(None))
    condition = permissions.visible_clients_condition(actor, today)
    if condition is not None:
        query = query.where(condition)
    rows = session.exec(query.order_by(col(MeasureAlert.created_at), col(MeasureAlert.id))).all()
    audit.record_now(session, actor, "measure_alert.list", outcome="allowed",
                     detail=f"{len(rows)} open alerts of {len({alert.client_id for alert, _, _ in rows})} clients")
    return [_view(*row) for row in rows]


def for_client(session: Session, actor: User, client_id: int, *, include_acknowledged: bool = True) -> list[AlertView]:
    """One client's alerts, newest first (staff: alerts are the care team's work list)."""
    permissions.check(session, actor, permissions.READ, client_id, what="measure_alert.view", roles=permissions.STAFF)
    query = _query().where(MeasureAlert.client_id == client_id)
    if not include_acknowledged:
        query = query.where(col(MeasureAlert.acknowledged_at).is_(None))
    rows = session.exec(query.order_by(col(MeasureAlert.created_at).desc(), col(MeasureAlert.id).desc())).all()
    return [_view(*row) for row in rows]
