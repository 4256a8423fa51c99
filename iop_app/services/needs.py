"""The client's hierarchy of needs: the problems in their life, in the order
therapy should take them. Each saved order is a dated snapshot (NeedRanking +
NeedRankingItem); the therapist marks the need being worked on now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session, col, select

from ..models import Need, NeedRanking, NeedRankingItem, User, utcnow
from ..models.enums import LifeArea
from . import audit, inputs, permissions, program
from .errors import PermissionDenied, ValidationError
from .goals import LIFE_AREA_LABELS
from .ids import is_id

LABEL_MAX = 120
MAX_NEEDS = 20
# Problems people in the program often name; the client may also write their own.
COMMON_NEEDS: tuple[tuple[str, str], ...] = (
    ("Staying sober", "sobriety"),
    ("Managing anxiety", "mental_health"),
    ("Managing low mood", "mental_health"),
    ("Rebuilding trust with family", "relationships"),
    ("Finding steady work", "work_school"),
    ("Getting back to school", "work_school"),
    ("Stable housing", "housing"),
    ("Sleep and physical health", "physical_health"),
    ("Court requirements", "legal"),
    ("Paying off debts", "finances"),
    ("Finding meaning and purpose", "spirituality"),
)


class NeedCreate(BaseModel):
    """A need the client adds (services/inputs.py validates it)."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    label: str = Field(min_length=1, max_length=LABEL_MAX)
    area: LifeArea = LifeArea.OTHER

    messages: ClassVar[dict[str, str]] = {
        "label": f"A need can be up to {LABEL_MAX} characters (this one is {{length}}).",
        "label:missing": "Please write the need, or pick one from the list.",
        "label:type": "Please write the need, or pick one from the list.",
        "area": "Choose a life area.",
    }


@dataclass(frozen=True)
class NeedView:
    id: int
    label: str
    area: str
    in_focus: bool

    @property
    def area_label(self) -> str:
        return LIFE_AREA_LABELS.get(self.area, "Other")


@dataclass(frozen=True)
class Snapshot:
    id: int
    at: datetime  # UTC
    local_at: datetime  # program-local
    by_user_id: int
    labels: list[str]  # most important first


def _active_needs(session: Session, client_id: int) -> list[Need]:
    return list(session.exec(select(Need).where(Need.client_id == client_id, col(Need.active).is_(True))
                             .order_by(col(Need.id))).all())


def _latest_positions(session: Session, client_id: int) -> dict[int, int]:
    latest = session.exec(select(NeedRanking.id).where(NeedRanking.client_id == client_id)
                          .order_by(col(NeedRanking.created_at).desc(), col(NeedRanking.id).desc())).first()
    if latest is None:
        return {}
    items = session.exec(select(NeedRankingItem).where(NeedRankingItem.ranking_id == latest)).all()
    return {item.need_id: item.position for item in items}


def current_order(session: Session, actor: User, client_id: int) -> list[NeedView]:
    """Active needs in the last saved order; needs added since then follow, oldest first."""
    permissions.require(session, actor, permissions.READ, client_id, what="needs.view")
    needs = _active_needs(session, client_id)
    positions = _latest_positions(session, client_id)
    unranked = len(needs) + 1000
    needs.sort(key=lambda n: (positions.get(n.id, unranked), n.id))
    return [NeedView(n.id, n.label, n.area, n.in_focus) for n in needs]


def history(session: Session, actor: User, client_id: int, limit: int = 20) -> list[Snapshot]:
    """Saved orders, newest first (two queries)."""
    permissions.require(session, actor, permissions.READ, client_id, what="needs.history")
    tz = program.program_tz(session)
    rankings = session.exec(select(NeedRanking).where(NeedRanking.client_id == client_id)
                            .order_by(col(NeedRanking.created_at).desc(), col(NeedRanking.id).desc())
                            .limit(max(1, min(limit, 100)))).all()
    if not rankings:
        return []
    ids = [r.id for r in rankings]
    rows = session.exec(
        select(NeedRankingItem.ranking_id, Need.label)
        .join(Need, Need.id == NeedRankingItem.need_id)
        .where(col(NeedRankingItem.ranking_id).in_(ids))
        .order_by(col(NeedRankingItem.ranking_id), col(NeedRankingItem.position))
    ).all()
    labels: dict[int, list[str]] = {i: [] for i in ids}
    for ranking_id, label in rows:
        labels[ranking_id].append(label)
    return [Snapshot(r.id, r.created_at, program.to_local(r.created_at, tz), r.by_user_id, labels[r.id])
            for r in rankings]


def add_need(session: Session, actor: User, client_id: int, label: str, area: str = "other") -> Need:
    permissions.require(session, actor, permissions.WRITE, client_id, what="need.create")
    given = inputs.validate(NeedCreate, label=label, area=area)
    active = _active_needs(session, client_id)
    if any(n.label.lower() == given.label.lower() for n in active):
        raise ValidationError({"label": "That need is already on your list."})
    if len(active) >= MAX_NEEDS:
        raise ValidationError({"label": f"Your list can hold up to {MAX_NEEDS} needs; remove one first."})
    need = Need(client_id=client_id, label=given.label, area=given.area, created_at=utcnow())
    return audit.save_new(session, actor, need, "need.create", "need", client_id=client_id)


def _need_on_record(session: Session, actor: User, client_id: int, need_id, what: str) -> Need:
    need = session.get(Need, need_id) if is_id(need_id) else None
    if need is None or need.client_id != client_id or not need.active:
        audit.record_now(session, actor, what, client_id=client_id, target=f"need:{need_id}"[:120],
                         outcome="denied", detail="need not on this record")
        raise PermissionDenied("That need could not be found on this record.")
    return need


def remove_need(session: Session, actor: User, client_id: int, need_id: int) -> None:
    """Take a need off the list (kept for the history of past orders)."""
    permissions.require(session, actor, permissions.WRITE, client_id, what="need.remove")
    need = _need_on_record(session, actor, client_id, need_id, "need.remove")
    need.active = False
    need.in_focus = False
    session.add(need)
    audit.record(session, actor, "need.remove", client_id=client_id, target=f"need:{need.id}")
    session.commit()


def save_order(session: Session, actor: User, client_id: int, need_ids: list[int]) -> NeedRanking:
    """Save the order (most important first) as a new dated snapshot. The list must
    hold every active need of this client exactly once."""
    permissions.require(session, actor, permissions.WRITE, client_id, what="needs.rank")
    if not isinstance(need_ids, (list, tuple)) or not all(is_id(i) for i in need_ids):
        raise ValidationError({"order": "The order could not be read. Please reload the page and try again."})
    active_ids = {n.id for n in _active_needs(session, client_id)}
    if not active_ids:
        raise ValidationError({"order": "Add at least one need before saving an order."})
    if len(need_ids) != len(set(need_ids)) or set(need_ids) != active_ids:
        raise ValidationError({"order": "Your list changed since the page loaded. Please reload and try again."})
    ranking = NeedRanking(client_id=client_id, by_user_id=actor.id, created_at=utcnow())
    session.add(ranking)
    session.flush()
    for position, need_id in enumerate(need_ids, start=1):
        session.add(NeedRankingItem(ranking_id=ranking.id, need_id=need_id, position=position))
    audit.record(session, actor, "needs.rank", client_id=client_id, target=f"need_ranking:{ranking.id}")
    session.commit()
    return ranking


def set_focus(session: Session, actor: User, client_id: int, need_id: int | None) -> None:
    """Staff mark the need therapy is working on now (None clears it). One at a time."""
    permissions.require(session, actor, permissions.WRITE, client_id, what="need.focus", roles=permissions.STAFF)
    need = None if need_id is None else _need_on_record(session, actor, client_id, need_id, "need.focus")
    for other in session.exec(select(Need).where(Need.client_id == client_id, col(Need.in_focus).is_(True))).all():
        other.in_focus = False
        session.add(other)
    if need is not None:
        need.in_focus = True
        session.add(need)
    audit.record(session, actor, "need.focus", client_id=client_id, target=f"need:{need_id}")
    session.commit()

