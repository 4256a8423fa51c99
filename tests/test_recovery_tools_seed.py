"""The demo client's recovery tools are filled in (issue #13): placements over the
weeks, two versions of a decisional balance, urges beside the diary, a relapse-
prevention plan in two versions with people to call, and a safety plan."""

from __future__ import annotations

from sqlmodel import select

from iop_app.models import Client, User
from iop_app.seed import seed_demo_program
from iop_app.services import recovery_tools as tools


def test_the_demo_client_has_their_tools_filled_in(session):
    seed_demo_program(session)
    demo = session.exec(select(User).where(User.email == "client@iop.example")).one()
    client = session.exec(select(Client).where(Client.user_id == demo.id)).one()
    shown = tools.tools(session, demo, client.id)
    assert len(shown.stages) == 4 and shown.stages[0].stage == "action"
    assert [v.number for v in shown.balances] == [2, 1]
    assert [v.number for v in shown.relapse_plans] == [2, 1]
    assert len(tools.contacts(shown.relapse_plans[0].parts["people"])) == 3
    assert shown.safety_plans and all(shown.safety_plans[0].parts.values())
    assert len(shown.urges) == 7
    assert any(day.urges and day.checked_in for day in shown.diary)  # urges sit beside check-ins
    therapist = session.get(User, client.primary_therapist_id)
    assert tools.tools(session, therapist, client.id).safety_plans  # the therapist sees them too
