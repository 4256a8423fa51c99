"""Treatment-plan reviews: recorded by staff, the next one due 30 days after the last.

A review can be corrected afterwards (its date or summary) by the same staff who may
record one. Edits are protected like every shared record (services/versions.py): a
save made on an older copy is refused, naming who saved and when, and a replaced
summary is kept as an earlier version. Recording a new review is guarded too: when
the page passes the newest review it showed, a review recorded by someone else since
is reported instead of silently recording a second one for the same month.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from pydantic import Field
from sqlmodel import Session, col, select

from ..models import PlanReview, User, utcnow
from ..models.enums import ClientStatus
from . import audit, inputs, permissions, program, versions
from .errors import PermissionDenied, ValidationError
from .ids import is_id
from .inputs import ServiceInput

REVIEW_INTERVAL_DAYS = 30
SUMMARY_MAX = 4000


@dataclass
class ReviewStatus:
    last_review: date | None
    next_due: date
    overdue: bool
    days_overdue: int


def status(session: Session, actor: User, client_id: int, today: date | None = None) -> ReviewStatus:
    """When the next review is due (last + 30 days; with none yet, admission + 30 days)."""
    client = permissions.require(session, actor, permissions.READ, client_id, what="plan_review.view")
    today = today or program.local_today(session)
    last = session.exec(select(PlanReview.reviewed_on).where(PlanReview.client_id == client.id)
                        .order_by(col(PlanReview.reviewed_on).desc())).first()
    due = (last or client.admission_date) + timedelta(days=REVIEW_INTERVAL_DAYS)
    overdue = client.status != ClientStatus.DISCHARGED and due < today
    return ReviewStatus(last, due, overdue, (today - due).days if overdue else 0)


def history(session: Session, actor: User, client_id: int) -> list[dict]:
    """Reviews, latest date first, each with its version (for edit_review) and its
    earlier summaries (newest first)."""
    permissions.require(session, actor, permissions.READ, client_id, what="plan_review.view")
    rows = session.exec(select(PlanReview, User.full_name).join(User, User.id == PlanReview.reviewer_id)
                        .where(PlanReview.client_id == client_id)
                        .order_by(col(PlanReview.reviewed_on).desc())).all()
    earlier = versions.earlier_texts(session, "plan_review", [r.id for r, _ in rows], ("summary",))
    return [{"id": r.id, "reviewed_on": r.reviewed_on, "reviewer": name, "summary": r.summary, "version": r.version,
             "earlier": earlier.get(r.id, [])} for r, name in rows]


class PlanReviewInput(ServiceInput, strict=True):
    """A review's date and summary (record_review, edit_review)."""

    reviewed_on: date
    summary: str = Field(min_length=1, max_length=SUMMARY_MAX)

    messages = {
        "reviewed_on": "Enter the date of the review.",
        "summary:missing": "Write a short summary of the review.",
        "summary:type": "Write a short summary of the review.",
        "summary": f"The summary must be at most {SUMMARY_MAX} characters.",
    }


def _check(client, reviewed_on, summary, today: date) -> str:
    """The checked summary; the date must also fall between admission and today."""
    errors = {}
    try:
        review = inputs.validate(PlanReviewInput, reviewed_on=reviewed_on, summary=summary)
    except ValidationError as exc:
        errors, review = exc.errors, None
    if "reviewed_on" not in errors:  # a date (strict): now the program's rules
        if reviewed_on > today:
            errors["reviewed_on"] = "A review cannot be in the future."
        elif reviewed_on < client.admission_date:
            errors["reviewed_on"] = "A review cannot be before admission."
    if errors or review is None:
        raise ValidationError(errors)
    return review.summary


def record_review(session: Session, actor: User, client_id: int, reviewed_on: date, summary: str,
                  today: date | None = None, *, expected_latest_id: int | None = None) -> PlanReview:
    """A therapist or the director records a review held on `reviewed_on`.
    `expected_latest_id`: the highest review id the page showed (0: none). If a review
    was recorded since, StaleEdit names who recorded it and when."""
    client = permissions.require(session, actor, permissions.WRITE, client_id, what="plan_review.create",
                                 roles=permissions.STAFF)
    today = today or program.local_today(session)
    summary = _check(client, reviewed_on, summary, today)
    # A read-then-insert check, not atomic like versions.write: that is enough here because
    # adding overwrites nothing; two saves in the very same instant both stay, both listed.
    if expected_latest_id is not None:
        newest = session.exec(select(PlanReview).where(PlanReview.client_id == client.id)
                              .order_by(col(PlanReview.id).desc())).first()
        if newest is not None and newest.id != expected_latest_id:
            audit.record_now(session, actor, "plan_review.create", client_id=client.id, outcome="failure",
                             target=f"plan_review:{newest.id}", detail="stale page: a review was recorded since")
            raise versions.stale_edit(session, actor, newest.updated_by or newest.reviewer_id, newest.updated_at,
                                      did="recorded a plan review for this client",
                                      advice="Reload to see it; your text is kept below.",
                                      own_advice="Reload to see it; your text is kept below.")
    now = utcnow()
    review = PlanReview(client_id=client.id, reviewed_on=reviewed_on, reviewer_id=actor.id, summary=summary,
                        updated_at=now, updated_by=actor.id)
    return audit.save_new(session, actor, review, "plan_review.create", "plan_review", client_id=client.id,
                          detail=reviewed_on.isoformat())


def edit_review(session: Session, actor: User, review_id, *, reviewed_on: date, summary: str,
                expected_version: int, today: date | None = None) -> PlanReview:
    """Correct a review's date or summary. Refused (StaleEdit) when it was saved after
    the page showed `expected_version`; the replaced summary is kept."""
    review = session.get(PlanReview, review_id) if is_id(review_id) else None
    if review is None:
        # Same answer as a review on a record the actor may not see: ids cannot be probed.
        audit.record_now(session, actor, "plan_review.update", target=f"plan_review:{review_id}"[:120],
                         outcome="denied", detail="no such review")
        raise PermissionDenied()
    client = permissions.require(session, actor, permissions.WRITE, review.client_id, what="plan_review.update",
                                 roles=permissions.STAFF)
    today = today or program.local_today(session)
    summary = _check(client, reviewed_on, summary, today)
    values = {k: v for k, v in (("reviewed_on", reviewed_on), ("summary", summary)) if v != getattr(review, k)}
    if not values:
        versions.check(session, actor, review, expected_version, what="plan_review.update", client_id=client.id)
        return review
    versions.write(session, actor, review, values, expected_version=expected_version, what="plan_review.update",
                   client_id=client.id, keep=("summary",))
    audit.record(session, actor, "plan_review.update", client_id=client.id, target=f"plan_review:{review.id}",
                 detail=f"changed {', '.join(values)}; version {review.version}")
    session.commit()
    return review
