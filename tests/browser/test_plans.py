"""The issue's plan scenario in a real browser (production build): a therapist writes
a treatment plan with one objective and signs it; the client signs it from a 375 px
phone and it is in force."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import Page, expect
from sqlmodel import Session, create_engine, select

from iop_app.models import Client, TreatmentPlan, User
from iop_app.services import program

from .helpers import new_page, sign_in_and_land

EMAIL = "planner@iop.example"


def _new_client(live_server) -> tuple[int, str]:
    """A client of the demo therapist with no plan yet (made for this test)."""
    with Session(create_engine(live_server.db_url)) as session:
        demo = session.exec(select(User).where(User.email == "client@iop.example")).one()
        therapist = session.exec(select(User).where(User.email == "therapist@iop.example")).one()
        user = User(email=EMAIL, full_name="Pat Planner", role="client", password_hash=demo.password_hash)
        session.add(user)
        session.flush()
        client = Client(user_id=user.id, admission_date=program.local_today(session) - timedelta(days=5),
                        status="active", primary_therapist_id=therapist.id)
        session.add(client)
        session.commit()
        target = (program.local_today(session) + timedelta(days=30)).isoformat()
        return client.id, target


def _plan_status(live_server, client_id: int) -> list[str]:
    with Session(create_engine(live_server.db_url)) as session:
        return list(session.exec(select(TreatmentPlan.status).where(TreatmentPlan.client_id == client_id)).all())


def test_therapist_writes_and_signs_a_plan_and_the_client_signs_it_on_a_phone(page: Page, browser, live_server):
    client_id, target = _new_client(live_server)
    sign_in_and_land(page, "therapist@iop.example", "/staff/roster")
    page.goto(f"/staff/clients/{client_id}/plan")
    expect(page.get_by_role("heading", name="Pat Planner")).to_be_visible()
    expect(page.get_by_role("navigation", name="Client record").get_by_role("link", name="Treatment plan")
           ).to_have_attribute("aria-current", "page")
    page.get_by_role("button", name="Start the treatment plan").click()
    expect(page.get_by_role("heading", name="Version 1 — Draft")).to_be_visible()

    page.locator("#new-problem-statement").fill("Drinks most evenings after work; two relapses this year.")
    page.locator("#new-problem-dimension").select_option("d5")
    page.get_by_role("button", name="Add problem").click()
    expect(page.get_by_role("heading", name="Problem: Drinks most evenings after work; two relapses this year.")
           ).to_be_visible()

    page.get_by_text("Add a goal", exact=True).click()
    page.locator("[id^=new-goal-statement-]").fill("I want to stay sober for my kids.")
    page.get_by_role("button", name="Add goal to: Drinks most evenings").click()
    expect(page.get_by_text("Goal (in the client's words): I want to stay sober for my kids.")).to_be_visible()

    page.get_by_text("Add an objective", exact=True).click()
    page.locator("[id^=new-obj-statement-]").fill("Attend at least 90% of IOP groups each week.")
    page.locator("[id^=new-obj-target-]").fill(target)
    page.get_by_role("button", name="Add objective to: I want to stay sober").click()
    expect(page.get_by_text("Objective: Attend at least 90% of IOP groups each week.")).to_be_visible()

    page.get_by_text("Add an intervention", exact=True).click()
    page.locator("[id^=int-what-]").fill("Relapse prevention group")
    page.locator("[id^=int-who-]").fill("Group facilitator")
    page.locator("[id^=int-frequency-]").fill("3 times a week")
    page.get_by_role("button", name="Add intervention to: Attend at least 90%").click()
    expect(page.get_by_text("Relapse prevention group — who: Group facilitator — how often: 3 times a week")
           ).to_be_visible()

    page.locator("#plan-signature").fill("Marcus Reyes")
    page.get_by_role("button", name="Sign and lock").click()
    expect(page.get_by_text("Waiting for the client's signature.")).to_be_visible()
    expect(page.get_by_text("Marcus Reyes (staff), ")).to_be_visible()
    assert _plan_status(live_server, client_id) == ["awaiting_client"]

    # the client, on a phone
    context, phone = new_page(browser, live_server, 375, 740, is_mobile=True, has_touch=True)
    try:
        sign_in_and_land(phone, EMAIL, "/client")
        phone.get_by_role("navigation", name="Main").get_by_role("link", name="My plan").click()
        expect(phone.get_by_role("heading", name="Waiting for your signature")).to_be_visible()
        expect(phone.get_by_text("Objective: Attend at least 90% of IOP groups each week.")).to_be_visible()
        phone.get_by_label("Type your full name to sign").fill("Pat Planner")
        phone.get_by_role("button", name="Sign my plan").click()
        expect(phone.get_by_text("Thank you. You signed your treatment plan")).to_be_visible()
        expect(phone.get_by_role("heading", name="My plan in force")).to_be_visible()
        expect(phone.get_by_text("Pat Planner (client), ")).to_be_visible()
        assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    finally:
        context.close()
    assert _plan_status(live_server, client_id) == ["signed"]

    # the therapist sees it in force
    page.reload()
    expect(page.get_by_role("heading", name="Version 1 — Signed")).to_be_visible()
    expect(page.get_by_role("button", name="Start a review (new version)")).to_be_visible()
