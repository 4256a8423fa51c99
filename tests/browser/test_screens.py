"""A therapist records a presumptive cocaine positive for a client on their
caseload and sees the roster flag it; the client then sees the screen on their
own page from their phone (375 px)."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import Page, expect
from sqlmodel import Session, create_engine, select

from iop_app.models import Client, User
from iop_app.services import auth, program

from .helpers import DEMO_PASSWORD, sign_in_and_land

NAME = "Sam Screened"
EMAIL = "screened@iop.example"


def _active_client(db_url: str) -> int:
    """A new active client on the demo therapist's caseload, admitted yesterday."""
    with Session(create_engine(db_url)) as session:
        therapist = session.exec(select(User).where(User.email == "therapist@iop.example")).one()
        user = User(email=EMAIL, full_name=NAME, role="client", password_hash=auth.hash_password(DEMO_PASSWORD))
        session.add(user)
        session.flush()
        client = Client(user_id=user.id, status="active", primary_therapist_id=therapist.id,
                        admission_date=program.local_today(session) - timedelta(days=1))
        session.add(client)
        session.commit()
        return client.id


def test_therapist_records_a_positive_screen_and_the_roster_flags_it(page: Page, phone_page: Page, live_server):
    client_id = _active_client(live_server.db_url)
    sign_in_and_land(page, "therapist@iop.example", "/staff/roster")
    row = page.locator("table.roster tbody tr", has_text=NAME)
    expect(row).to_be_visible()
    expect(row).not_to_contain_text("unexpected positive")

    page.goto(f"/staff/clients/{client_id}/screens")
    expect(page.get_by_role("heading", name=NAME)).to_be_visible()
    expect(page.get_by_text("No screens recorded yet.")).to_be_visible()
    form = page.locator("#record-screen")
    form.get_by_label("Specimen").select_option("urine")
    form.get_by_label("Method").select_option("poc")
    form.get_by_label("Temperature in range (urine)").select_option("passed")
    form.get_by_label("Adulterant check").select_option("passed")
    form.get_by_label("Collection observed").check()
    form.get_by_label("Cocaine", exact=True).select_option("positive")
    form.get_by_label("Amphetamines", exact=True).select_option("negative")
    form.get_by_label("Fentanyl", exact=True).select_option("negative")
    form.get_by_role("button", name="Record screen").click()

    expect(page.get_by_role("status")).to_contain_text("an unexpected positive. The roster flags it.")
    expect(page.locator("#screen-flag")).to_be_visible()
    card = page.locator("#screens li").first
    expect(card).to_contain_text("Positive: Cocaine (unexpected)")
    expect(card).to_contain_text("Presumptive (unconfirmed)")
    expect(page.locator("#screen-timeline")).to_contain_text("No check-in")

    page.get_by_role("link", name="Roster").first.click()
    row = page.locator("table.roster tbody tr", has_text=NAME)
    expect(row).to_contain_text("screen: unexpected positive or missed")

    sign_in_and_land(phone_page, EMAIL, "/client")
    phone_page.goto("/client/screens")
    expect(phone_page.locator("#my-screens li").first).to_contain_text("Cocaine (unexpected)")
    expect(phone_page.get_by_role("button", name="Record screen")).to_have_count(0)
