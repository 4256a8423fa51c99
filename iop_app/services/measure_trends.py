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

from datetime import date

import pandas as pd
from sqlalchemy import Integer, bindparam, exists
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from ..models import MeasureResponse, User
from ..models.enums import MeasureResponseStatus
from . import permissions, program, progress

RELIABLE_CHANGE_POINTS = {"phq9": 5}
RESPONSE_CODES = ("phq9", "gad7")
COLUMNS = ["response_id", "code", "completed_at", "day", "total", "band", "change", "reliable_change", "response"]


DIARY_DAYS_MAX = 365
_LATER = aliased(MeasureResponse)
# Built once; a view binds the client id and runs it.
SERIES = (select(MeasureResponse.id, MeasureResponse.code, MeasureResponse.completed_at, MeasureResponse.total,
                 MeasureResponse.band)
          .where(MeasureResponse.client_id == bindparam("client_id", type_=Integer()),
                 MeasureResponse.status == MeasureResponseStatus.SUBMITTED,
                 ~exists().where(_LATER.supersedes_id == MeasureResponse.id))
          .order_by(col(MeasureResponse.code), col(MeasureResponse.completed_at), col(MeasureResponse.id)))


def series(session: Session, actor: User, client_id: int, codes: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Columns COLUMNS, one row per response in force, ordered by measure then time.
    `completed_at` is UTC, `day` the program-local day, `change` the total minus the
    first total of that measure."""
    permissions.check(session, actor, permissions.READ, client_id, what="measure.trend")
    return _series(session, client_id, codes)


def trends(session: Session, actor: User, client_id: int,
           today: date | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What the record's Measures section charts, with one permission check: the series
    (as `series`) and the diary (progress.checkin_frame: mood and craving with 7-day
    averages) from the first response's day, at most DIARY_DAYS_MAX days, to today."""
    permissions.check(session, actor, permissions.READ, client_id, what="measure.trend")
    today = today or program.local_today(session)
    frame = _series(session, client_id)
    first = min(frame["day"], default=today) if not frame.empty else today
    days = max(1, min(DIARY_DAYS_MAX, (today - first).days + 1))
    return frame, progress._checkin_frame(session, client_id, days, today)


def _series(session: Session, client_id: int, codes: tuple[str, ...] | None = None) -> pd.DataFrame:
    """The frame built from plain lists (a few dozen rows: column-wise pandas work would
    cost more than the query)."""
    rows = session.connection().execute(SERIES, {"client_id": client_id}).all()
    if codes:
        rows = [row for row in rows if row[1] in codes]
    if not rows:
        return pd.DataFrame(columns=COLUMNS)
    tz = program.program_tz(session)
    columns: dict[str, list] = {name: [] for name in COLUMNS}
    firsts: dict[str, float] = {}
    for response_id, code, completed_at, total, band in rows:
        total = float("nan") if total is None else float(total)
        first = firsts.setdefault(code, total)
        change = total - first
        threshold = RELIABLE_CHANGE_POINTS.get(code)
        for name, value in (("response_id", response_id), ("code", code), ("completed_at", completed_at),
                            ("day", program.to_local(completed_at, tz).date()), ("total", total), ("band", band),
                            ("change", change),
                            ("reliable_change", threshold is not None and -change >= threshold),
                            ("response", code in RESPONSE_CODES and first > 0 and total <= first * 0.5)):
            columns[name].append(value)
    frame = pd.DataFrame(columns)
    frame["completed_at"] = pd.to_datetime(frame["completed_at"], utc=True)
    return frame
