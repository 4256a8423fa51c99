"""A client's measure series for trend charts, as one pandas frame from one query.

Only responses in force count: a response superseded by a correction is left out
(its correction stands in its place). Marks, per measure, against the client's first
response of that measure:
- `reliable_change`: PHQ-9 down by RELIABLE_CHANGE_POINTS or more (a drop this size is
  beyond the PHQ-9's measurement error);
- `response`: a total at or below half the first one (a 50% drop), for the measures
  where lower is better (RESPONSE_CODES) and the first total was above 0.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import exists
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from ..models import MeasureResponse, User
from ..models.enums import MeasureResponseStatus
from . import permissions, program

RELIABLE_CHANGE_POINTS = {"phq9": 5}
RESPONSE_CODES = ("phq9", "gad7")
COLUMNS = ["response_id", "code", "completed_at", "day", "total", "band", "change", "reliable_change", "response"]


def series(session: Session, actor: User, client_id: int, codes: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Columns COLUMNS, one row per response in force, ordered by measure then time.
    `completed_at` is UTC, `day` the program-local day, `change` the total minus the
    first total of that measure."""
    permissions.check(session, actor, permissions.READ, client_id, what="measure.trend")
    later = aliased(MeasureResponse)
    query = (select(MeasureResponse.id, MeasureResponse.code, MeasureResponse.completed_at, MeasureResponse.total,
                    MeasureResponse.band)
             .where(MeasureResponse.client_id == client_id, MeasureResponse.status == MeasureResponseStatus.SUBMITTED,
                    ~exists().where(later.supersedes_id == MeasureResponse.id))
             .order_by(col(MeasureResponse.code), col(MeasureResponse.completed_at), col(MeasureResponse.id)))
    if codes:
        query = query.where(col(MeasureResponse.code).in_(list(codes)))
    frame = pd.DataFrame(session.exec(query).all(), columns=["response_id", "code", "completed_at", "total", "band"])
    if frame.empty:
        return pd.DataFrame(columns=COLUMNS)
    tz = program.program_tz(session)
    frame["completed_at"] = pd.to_datetime(frame["completed_at"], utc=True)
    frame["day"] = frame["completed_at"].dt.tz_convert(tz).dt.date
    frame["total"] = frame["total"].astype("float64")
    first = frame.groupby("code")["total"].transform("first")
    frame["change"] = frame["total"] - first
    threshold = frame["code"].map(RELIABLE_CHANGE_POINTS)
    frame["reliable_change"] = (threshold.notna() & (-frame["change"] >= threshold)).astype(bool)
    frame["response"] = (frame["code"].isin(RESPONSE_CODES) & (first > 0)
                         & (frame["total"] <= first * 0.5)).astype(bool)
    return frame[COLUMNS].reset_index(drop=True)
