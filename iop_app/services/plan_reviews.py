"""Treatment-plan reviews: recorded by staff, the next one due 30 days after the last."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session, col, select

from ..models import PlanReview, User
from . import audit, permissions, program
from .errors import ValidationError

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
    overdue = client.status != "discharged" and due < today
    return ReviewStatus(last, due, overdue, (today - due).days if overdue else 0)


def history(session: Session, actor: User, client_id: int) -> list[dict]:
    permissions.require(session, actor, permissions.READ, client_id, what="plan_review.view")
    rows = session.exec(select(PlanReview, User.full_name).join(User, User.id == PlanReview.reviewer_id)
                        .where(PlanReview.client_id == client_id)
                        .order_by(col(PlanReview.reviewed_on).desc())).all()
    return [{"id": r.id, "reviewed_on": r.reviewed_on, "reviewer": name, "summary": r.summary} for r, name in rows]


def record_review(session: Session, actor: User, client_id: int, reviewed_on: date, summary: str,
                  today: date | None = None) -> PlanReview:
    """A therapist or the director records a review held on `reviewed_on`."""
    client = permissions.require(session, actor, permissions.WRITE, client_id, what="plan_review.create",
                                 roles=("therapist", "director"))
    today = today or program.local_today(session)
    errors = {}
    if not isinstance(reviewed_on, date):
        errors["reviewed_on"] = "Enter the date of the review."
    elif reviewed_on > today:
        errors["reviewed_on"] = "A review cannot be in the future."
    elif reviewed_on < client.admission_date:
        errors["reviewed_on"] = "A review cannot be before admission."
    if not isinstance(summary, str) or not summary.strip():
        errors["summary"] = "Write a short summary of the review."
    elif len(summary.strip()) > SUMMARY_MAX:
        errors["summary"] = f"The summary must be at most {SUMMARY_MAX} characters."
    if errors:
        raise ValidationError(errors)
    review = PlanReview(client_id=client.id, reviewed_on=reviewed_on, reviewer_id=actor.id, summary=summary.strip())
    session.add(review)
    session.flush()
    audit.record(session, actor, "plan_review.create", client_id=client.id, target=f"plan_review:{review.id}",
                 detail=reviewed_on.isoformat())
    session.commit()
    return review
