"""The demo program's screens: every active client screened, nearly all negative;
one client on buprenorphine whose positives are expected; one unexpected positive
that flags the roster."""

from __future__ import annotations

from sqlmodel import select

from iop_app.models import Client, User
from iop_app.models.screens import ExpectedMedication, Screen
from iop_app.seed import seed_demo_program
from iop_app.services import roster, screens


def test_the_demo_program_has_screens_for_active_clients(session):
    seed_demo_program(session)
    director = session.exec(select(User).where(User.role == "director")).first()
    active = session.exec(select(Client).where(Client.status == "active")).all()
    screened = {s.client_id for s in session.exec(select(Screen)).all()}
    assert {c.id for c in active} <= screened

    records = {c.id: screens.screens_record(session, director, c.id) for c in active}
    flagged = [cid for cid, r in records.items() if r.flagged]
    assert len(flagged) == 1
    slip = records[flagged[0]].screens[0]
    assert [(r.analyte, r.expected) for r in slip.positives] == [("Methamphetamine", False)]
    assert slip.confirmation == "sent"

    [med] = session.exec(select(ExpectedMedication)).all()
    bup = records[med.client_id]
    assert bup.screens and all([(r.analyte, r.expected) for r in s.positives] == [("Buprenorphine", True)]
                               for s in bup.screens)
    positives = sum(bool(s.positives) for r in records.values() for s in r.screens)
    assert positives == len(bup.screens) + 1  # everyone else negative

    page = roster.roster_page(session, director, roster.RosterQuery(page_size=200))
    assert [r.client_id for r in page.rows if roster.FLAG_SCREEN in r.flags] == flagged
