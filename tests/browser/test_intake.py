"""A therapist completes the intake of a client in intake status and signs it: the
client becomes active and leaves the roster's "intake not signed" flag. The
therapist initials an orientation item with the client, who then initials it from
their phone (375 px)."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import Page, expect
from sqlmodel import Session, create_engine, select

from iop_app.models import Client, User
from iop_app.services import auth, program

from .helpers import DEMO_PASSWORD, sign_in_and_land

NAME = "Jordan Newcomer"
EMAIL = "newcomer@iop.example"


def _client_in_intake(db_url: str) -> int:
    """A new client on the demo therapist's caseload, admitted yesterday, no intake yet."""
    with Session(create_engine(db_url)) as session:
        therapist = session.exec(select(User).where(User.email == "therapist@iop.example")).one()
        user = User(email=EMAIL, full_name=NAME, role="client", password_hash=auth.hash_password(DEMO_PASSWORD))
        session.add(user)
        session.flush()
        client = Client(user_id=user.id, status="intake", primary_therapist_id=therapist.id,
                        admission_date=program.local_today(session) - timedelta(days=1))
        session.add(client)
        session.commit()
        return client.id


def _fill_the_rest(page: Page, today) -> None:
    for n in range(1, 7):
        page.locator(f"#risk-d{n}").select_option(str(n % 3))
        page.locator(f"#narrative-d{n}").fill(f"Dimension {n}: findings from the interview.")
    page.locator("#sub-0-substance").fill("Alcohol")
    page.locator("#sub-0-first-use-age").fill("16")
    page.locator("#sub-0-route").fill("oral")
    page.locator("#sub-0-frequency").fill("daily")
    page.locator("#sub-0-amount").fill("a pint")
    page.locator("#sub-0-last-use").fill((today - timedelta(days=3)).isoformat())
    page.locator("#sub-0-longest-abstinence").fill("3 months")
    page.get_by_label("Prior treatment").fill("Detox in 2024")
    page.get_by_label("Medications").fill("None")
    page.get_by_label("Suicide risk").select_option("low")
    page.get_by_label("Risk screen notes").fill("Passive thoughts last year; none now; safety plan made.")
    page.get_by_label("Strengths").fill("Motivated; supportive sister")
    page.get_by_label("Recommended level of care").select_option("2.1")
    page.get_by_label("Rationale for the level of care").fill("Needs structure beyond weekly outpatient.")


def test_therapist_completes_and_signs_an_intake_and_the_client_initials_orientation(
        page: Page, phone_page: Page, live_server):
    client_id = _client_in_intake(live_server.db_url)
    with Session(create_engine(live_server.db_url)) as session:
        today = program.local_today(session)

    sign_in_and_land(page, "therapist@iop.example", "/staff/roster")
    row = page.locator("table.roster tbody tr", has_text=NAME)
    expect(row).to_contain_text("intake not signed (1 day since admission)")
    row.get_by_role("link", name=NAME).click()
    page.get_by_role("navigation", name="Client record").get_by_role("link", name="Intake and assessment").click()
    expect(page).to_have_url(re.compile(rf"/staff/clients/{client_id}/intake/?$"))
    expect(page.locator("#intake-status")).to_contain_text("Not started")

    # First sitting: what is known so far, saved as a draft.
    page.get_by_label("Referral source").fill("Primary care physician")
    page.get_by_label("Presenting problem").fill("Daily drinking since a layoff; two blackouts this month.")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    expect(page.locator("#intake-status")).to_contain_text("Draft, last saved by Marcus Reyes")

    # Signing too early names what is missing, next to each field.
    page.get_by_role("button", name="Sign intake").click()
    expect(page.locator("#risk-d1-error")).to_have_text("Rate this dimension (0–4) before signing.")
    expect(page.get_by_role("alert").first).to_contain_text("Not signed yet")

    # Second sitting: the rest; the first sitting's answers are still there.
    expect(page.get_by_label("Referral source")).to_have_value("Primary care physician")
    _fill_the_rest(page, today)
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    expect(page.locator("#risk-d1-error")).to_have_count(0)
    page.get_by_role("button", name="Sign intake").click()
    expect(page.get_by_text("Intake signed and locked. The client is now active.")).to_be_visible()
    expect(page.locator("#intake-status")).to_contain_text("Signed by Marcus Reyes")
    expect(page.get_by_text("Client status: Active")).to_be_visible()
    expect(page.get_by_label("Strengths")).to_be_disabled()  # locked
    expect(page.get_by_role("button", name="Save draft")).to_have_count(0)

    # An addendum after signing; the signed text stays.
    page.get_by_label("Addendum", exact=True).fill("Sister reports an earlier detox in 2019.")
    page.get_by_role("button", name="Add addendum").click()
    expect(page.get_by_text("Sister reports an earlier detox in 2019.")).to_be_visible()
    expect(page.get_by_label("Strengths")).to_have_value("Motivated; supportive sister")

    # Orientation: the therapist goes through the first item with the client and initials it.
    item = page.locator("#orientation-list li").first
    item.get_by_label("Staff initials").fill("MR")
    item.get_by_role("button", name=re.compile(r"^Initial")).click()
    expect(item).to_contain_text("Staff: MR · Marcus Reyes")

    # The roster: active now, no intake flag.
    page.get_by_role("link", name="Roster", exact=True).click()
    row = page.locator("table.roster tbody tr", has_text=NAME)
    expect(row).to_contain_text("active")
    expect(row).not_to_contain_text("intake not signed")

    # The client initials that item from their phone.
    sign_in_and_land(phone_page, EMAIL, "/client")
    phone_page.get_by_role("link", name="Orientation").click()
    expect(phone_page.get_by_role("heading", name="Orientation", level=1)).to_be_visible()
    first = phone_page.locator("#orientation-items li").first
    expect(first).to_contain_text("Marcus Reyes went through this with you")
    first.get_by_label("Your initials").fill("JN")
    first.get_by_role("button", name=re.compile(r"^Initial")).click()
    expect(first).to_contain_text("You initialled JN on")
    expect(phone_page.locator("#orientation-count")).to_have_text("1 of 6 initialled")
    assert phone_page.evaluate("() => document.documentElement.scrollWidth") <= 375
