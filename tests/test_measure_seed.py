"""The demo's measures are stamped no later than the moment it was seeded."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select

from iop_app.models import MeasureAlert, MeasureResponse, ProgramSetting, utcnow
from iop_app.seed import seed_demo_program


def test_seeded_early_in_the_day_no_response_or_acknowledgement_is_in_the_future(session):
    # A program zone where it is now between 01:00 and 09:59, before the demo's 10:30 stamps.
    hour = datetime.now(UTC).hour
    offset = next(o for o in range(-12, 15) if 1 <= (hour + o) % 24 <= 9)
    zone = "Etc/UTC" if offset == 0 else f"Etc/GMT{-offset:+d}"  # Etc/GMT-5 is UTC+5
    session.add(ProgramSetting(key="timezone", value=zone))
    session.commit()
    seed_demo_program(session)
    now = utcnow()
    completed = [r.completed_at for r in session.exec(select(MeasureResponse)).all()]
    acknowledged = [a.acknowledged_at for a in session.exec(select(MeasureAlert)).all() if a.acknowledged_at]
    assert completed and acknowledged
    assert max(completed) <= now and max(acknowledged) <= now
