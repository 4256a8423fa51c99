"""The demo program's record: signed intakes for clients past intake, one client
still in intake with a draft, an addendum, orientation initialled (the demo client
has two items left to initial from their phone)."""

from __future__ import annotations

from sqlmodel import col, func, select

from iop_app.models import Client, User
from iop_app.models.record import Addendum, AsamRating, Intake
from iop_app.seed import seed_demo_program
from iop_app.services import intake


def test_the_demo_program_has_a_true_intake_for_every_page(session):
    seed_demo_program(session)
    signed = session.exec(select(Intake).where(Intake.status == "signed")).all()
    past_intake = session.exec(select(Client).where(Client.status != "intake")).all()
    assert {i.client_id for i in signed} == {c.id for c in past_intake}
    assert all(i.signed_at is not None and i.signed_by for i in signed)
    assert session.exec(select(func.count()).select_from(AsamRating)).one() >= 6 * len(signed)
    assert session.exec(select(func.count()).select_from(Addendum)
                        .where(col(Addendum.intake_id).is_not(None))).one() == 1  # notes have theirs

    [draft] = session.exec(select(Intake).where(Intake.status == "draft")).all()
    morgan = session.get(Client, draft.client_id)
    assert morgan.status == "intake" and session.get(User, morgan.user_id).full_name == "Morgan Ellis"
    therapist = session.exec(select(User).where(User.email == "therapist@iop.example")).one()
    view = intake.intake_record(session, therapist, morgan.id).intake
    assert intake.missing_to_sign(view)  # half done: not ready to sign yet

    demo = session.exec(select(User).where(User.email == "client@iop.example")).one()
    lines = intake.client_orientation(session, demo)
    assert len(lines) == 6 and all(line.staff_done for line in lines)
    assert [line.client_done for line in lines] == [True] * 4 + [False] * 2
    assert lines[0].staff_initials == "MR" and lines[0].client_initials == "AM"
