"""The issue's discharge scenario in a real browser (production build): the therapist
discharges a client with an aftercare plan, signs the summary and downloads its PDF;
the follow-up list shows the first contact due."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import Page, expect
from sqlmodel import Session, create_engine, select

from iop_app.models import Client, User
from iop_app.services import program

from .helpers import sign_in_and_land


def _new_client(live_server) -> tuple[int, str]:
    """A client of the demo therapist admitted 60 days ago (made for this test), and
    the day 7 days ago, when they are discharged: their first follow-up is due today."""
    with Session(create_engine(live_server.db_url)) as session:
        demo = session.exec(select(User).where(User.email == "client@iop.example")).one()
        therapist = session.exec(select(User).where(User.email == "therapist@iop.example")).one()
        user = User(email="leaving@iop.example", full_name="Dee Leaving", role="client",
                    password_hash=demo.password_hash)
        session.add(user)
        session.flush()
        today = program.local_today(session)
        client = Client(user_id=user.id, admission_date=today - timedelta(days=60), status="active",
                        primary_therapist_id=therapist.id)
        session.add(client)
        session.commit()
        return client.id, (today - timedelta(days=7)).isoformat()


def test_therapist_discharges_with_an_aftercare_plan_and_the_follow_up_list_shows_it(page: Page, live_server):
    client_id, week_ago = _new_client(live_server)
    sign_in_and_land(page, "therapist@iop.example", "/staff/roster")
    page.goto(f"/staff/clients/{client_id}/discharge")
    expect(page.get_by_role("navigation", name="Client record").get_by_role("link", name="Discharge")
           ).to_have_attribute("aria-current", "page")
    page.get_by_label("Type of discharge").select_option("completed")
    page.get_by_label("Date of discharge").fill(week_ago)
    page.get_by_label("Reason for discharge").fill("Completed all three phases of the program.")
    page.get_by_role("button", name="Discharge client").click()
    expect(page.get_by_role("heading", name="Discharge summary and aftercare plan")).to_be_visible()
    expect(page.get_by_text("Completed the program on")).to_be_visible()

    page.get_by_label("Course of treatment and condition at discharge").fill(
        "Attended 34 of 36 groups; mood and sleep improved; no use in the last 40 days.")
    page.get_by_label("Services after discharge (level of care, provider, how often)").fill(
        "Level 1 outpatient, weekly relapse-prevention group.")
    page.get_by_label("Mutual-help meetings (12-step, SMART and others)").fill("SMART Recovery, Tuesdays 7 pm.")
    page.get_by_label("Next appointments").fill("Dr. Kim on Dec 2 at 10:00.")
    page.get_by_label("The aftercare plan was written with the client").check()
    page.get_by_role("button", name="Save summary").click()
    expect(page.get_by_text("Discharge summary saved (draft).")).to_be_visible()

    page.get_by_label("Your full name").fill("Marcus Reyes")
    page.get_by_role("button", name="Sign summary").click()
    expect(page.get_by_text("Signed by Marcus Reyes")).to_be_visible()
    with page.expect_download() as info:
        page.get_by_role("button", name="Download PDF").click()
    download = info.value
    assert download.suggested_filename == f"discharge-summary-{week_ago}.pdf"
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Follow-ups").click()
    row = page.locator("main table tbody tr", has_text="Dee Leaving")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Week 1")
    expect(row.locator("td").nth(4)).to_have_text("due")
