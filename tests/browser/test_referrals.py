"""A therapist refers the demo client to a directory entry from the record and moves
the referral through its loop to attended; the client sees it on their phone."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from sqlmodel import Session, create_engine, select

from iop_app.models import Client, User
from iop_app.services import program

from .helpers import sign_in_and_land

PROVIDER = "Harbor Dental Access"


def _demo_client(db_url: str) -> tuple[int, str]:
    with Session(create_engine(db_url)) as session:
        user = session.exec(select(User).where(User.email == "client@iop.example")).one()
        client = session.exec(select(Client).where(Client.user_id == user.id)).one()
        return client.id, program.local_today(session).isoformat()


def test_therapist_refers_to_a_directory_entry_and_moves_it_to_attended(page: Page, phone_page: Page,
                                                                        live_server):
    client_id, today = _demo_client(live_server.db_url)
    sign_in_and_land(page, "therapist@iop.example", "/staff/roster")
    page.goto(f"/staff/clients/{client_id}")
    page.get_by_role("navigation", name="Client record").get_by_role("link", name="Referrals").click()
    expect(page).to_have_url(re.compile(rf"/staff/clients/{client_id}/referrals/?$"))
    expect(page.locator("#referrals .referral-card").first).to_be_visible()

    form = page.locator("#new-referral")
    form.get_by_label("Directory entry").select_option(label=f"{PROVIDER} (Medical)")
    form.get_by_label("Urgency").select_option("soon")
    form.get_by_role("button", name="Send referral").click()
    expect(page.locator("#ref-reason-error")).to_have_text("Say why the client is referred.")
    form.get_by_label("Reason for the referral").fill("Broken tooth; pain when eating.")
    form.get_by_role("button", name="Send referral").click()
    expect(page.get_by_text("Referral sent.")).to_be_visible()

    card = page.locator(".referral-card", has=page.get_by_role("heading", name=PROVIDER))
    expect(card.locator(".referral-status")).to_have_text("Sent")
    expect(card).to_contain_text("Next: reply from the provider, due")

    card.get_by_label("Next step").select_option("accepted")
    card.get_by_role("button", name="Record step").click()
    expect(card.locator(".referral-status")).to_have_text("Accepted")

    card.get_by_label("Next step").select_option("scheduled")
    card.get_by_role("button", name="Record step").click()
    expect(card.get_by_text("Enter the appointment date.")).to_be_visible()  # no date given
    card.get_by_label("Next step").select_option("scheduled")
    card.get_by_label("Appointment date (when set)").fill(today)
    card.get_by_role("button", name="Record step").click()
    expect(card.locator(".referral-status")).to_have_text("Appointment set")

    card.get_by_label("Next step").select_option("attended")
    card.get_by_role("button", name="Record step").click()
    expect(card.locator(".referral-status")).to_have_text("Attended")
    expect(card.locator("ol li")).to_have_count(4)
    expect(card.locator("ol li").last).to_contain_text("Attended")
    expect(card.locator("ol li").last).to_contain_text("Marcus Reyes")

    # The client sees it from their phone, with the directory to browse.
    sign_in_and_land(phone_page, "client@iop.example", "/client")
    phone_page.goto("/client/resources")
    mine = phone_page.locator("#my-referrals .my-referral", has=phone_page.get_by_role("heading", name=PROVIDER))
    expect(mine).to_contain_text("Attended")
    phone_page.get_by_label("Category").select_option("mutual_help")
    phone_page.get_by_role("button", name="Search").click()
    expect(phone_page.locator("#directory").get_by_role("heading", name="SMART Recovery Bayport")).to_be_visible()
    expect(phone_page.locator("#directory").get_by_role("heading", name="Bayport Legal Aid")).to_have_count(0)
