"""Emergency (break-glass) access end to end: the demo therapist opens a record off
their caseload with a reason, sees the banner; the director reviews the use; the
audit trail still verifies."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from iop_app.db import get_engine
from iop_app.models import Client, User
from iop_app.services import audit, permissions

from .helpers import sign_in_and_land, sign_out

REASON = "Client arrived in crisis; their therapist is away and I am on call."


def _client_off_caseload(db_url: str) -> tuple[int, str]:
    with Session(get_engine(db_url)) as session:
        therapist = session.exec(select(User).where(User.email == "therapist@iop.example")).one()
        for client, name in session.exec(select(Client, User.full_name).join(User, User.id == Client.user_id)
                                         .where(Client.status == "active").order_by(Client.id)):
            if not permissions.can(session, therapist, permissions.READ, client.id):
                return client.id, name
    raise AssertionError("the demo has no active client off the demo therapist's caseload")


def test_therapist_opens_a_record_in_an_emergency_and_the_director_reviews_it(page: Page, live_server):
    client_id, name = _client_off_caseload(live_server.db_url)
    sign_in_and_land(page, "therapist@iop.example", "/staff/roster")
    page.goto(f"/staff/clients/{client_id}")
    expect(page.get_by_role("heading", name="Emergency access")).to_be_visible(timeout=20_000)
    expect(page.get_by_role("heading", name=name)).to_have_count(0)

    reason = page.get_by_label("Reason for emergency access")
    reason.fill("urgent")
    page.get_by_role("button", name="Open the record with emergency access").click()
    expect(page.get_by_text("Explain the emergency in 10 to 500 characters.")).to_be_visible()

    reason.fill(REASON)
    page.get_by_role("button", name="Open the record with emergency access").click()
    expect(page.get_by_role("heading", name=name)).to_be_visible(timeout=20_000)
    expect(page.get_by_text(re.compile(r"Emergency access until \d\d:\d\d — every view is logged"))).to_be_visible()
    sign_out(page)

    sign_in_and_land(page, "director@iop.example", "/director")
    page.get_by_role("link", name="Emergency access").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Emergency access")
    row = page.locator("tr", has_text=REASON)
    expect(row).to_contain_text(name)
    expect(row).to_contain_text(re.compile(r"[1-9]\d* views"))
    row.get_by_label("Review note").fill("Called the therapist: justified.")
    row.get_by_role("button", name=re.compile("^Mark reviewed")).click()
    expect(page.get_by_text("Marked reviewed.")).to_be_visible()
    expect(page.locator("tr", has_text=REASON)).to_have_count(0)  # left the "to review" list

    with Session(get_engine(live_server.db_url)) as session:
        assert audit.verify_chain(session).intact
