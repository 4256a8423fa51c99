"""Measurement-based care in a real browser (production build, seeded demo program):
the client's home shows each measure's trend at 375 px; a record opened through
emergency access shows its Measures section without a reload; the demo client
completes the PHQ-9 due today on a 375 px phone, leaving half way and coming back to
the same item, answers item 9 above 0 and sees the crisis resources at once; the
therapist then sees the alert on the roster and acknowledges it on the record with
the action taken."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from sqlmodel import Session, col, create_engine, select

from iop_app.models import BreakGlassGrant, Client, MeasureAlert, MeasureResponse, User
from iop_app.models.enums import MeasureAlertKind, MeasureResponseStatus
from iop_app.services import permissions

from .helpers import sign_in_and_land
from .test_client_portal import assert_fits_the_screen


def _alex_id(db_url: str) -> int:
    with Session(create_engine(db_url)) as session:
        user = session.exec(select(User).where(User.email == "client@iop.example")).one()
        return session.exec(select(Client).where(Client.user_id == user.id)).one().id


def _phq9_ids(db_url: str, client_id: int) -> list[int]:
    with Session(create_engine(db_url)) as session:
        return list(session.exec(select(MeasureResponse.id).where(
            MeasureResponse.client_id == client_id, MeasureResponse.code == "phq9",
            MeasureResponse.status == MeasureResponseStatus.SUBMITTED)).all())


def _answer(page: Page, number: int, label: str) -> None:
    expect(page.locator("#measure-progress")).to_have_text(f"Item {number} of 9")
    radio = page.locator("#measure-item").get_by_label(label, exact=True)
    radio.click()
    expect(radio).to_be_checked()
    page.get_by_role("button", name="Next", exact=True).click()


def test_client_completes_phq9_sees_crisis_help_and_therapist_acknowledges(phone_page: Page, page: Page,
                                                                            live_server):
    alex = _alex_id(live_server.db_url)
    before = _phq9_ids(live_server.db_url, alex)
    client = phone_page
    sign_in_and_land(client, "client@iop.example", "/client")
    due = client.locator("#measures-due")
    expect(due).to_contain_text("PHQ-9")
    client.get_by_role("link", name=re.compile(r"^(Start|Continue) the PHQ-9$")).click()
    expect(client.get_by_role("heading", name=re.compile("^PHQ-9"))).to_be_visible()
    for number in range(1, 5):
        _answer(client, number, "Several days")
    assert_fits_the_screen(client)

    # Leave half way: the home page says how far they got, and coming back resumes at item 5.
    client.goto("/client")
    expect(client.locator("#measures-due")).to_contain_text("4 of 9 answered")
    client.get_by_role("link", name="Continue the PHQ-9").click()
    expect(client.locator("#measure-progress")).to_have_text("Item 5 of 9")
    client.get_by_role("button", name="Back", exact=True).click()
    expect(client.locator("#measure-item").get_by_label("Several days", exact=True)).to_be_checked()
    client.get_by_role("button", name="Next", exact=True).click()
    for number in range(5, 9):
        _answer(client, number, "Not at all")
    _answer(client, 9, "Several days")  # thoughts of being better off dead or of self-harm

    expect(client.locator("#measure-progress")).to_contain_text("Check your answers (9 of 9 answered)")
    submit = client.locator("#measure-submit")
    submit.click()
    crisis = client.get_by_role("region", name="Crisis support")
    expect(crisis).to_be_visible()
    expect(crisis).to_contain_text("988")
    expect(client.locator("#measure-done")).to_be_visible()
    expect(client.locator("#measure-credit")).to_contain_text("Pfizer")
    assert_fits_the_screen(client)
    after = _phq9_ids(live_server.db_url, alex)
    assert len(after) == len(before) + 1  # submitted once

    # The therapist: the roster flags Alex; the record lists the alert; acknowledging needs the action taken.
    sign_in_and_land(page, "therapist@iop.example", "/staff/roster")
    row = page.locator("table.roster tbody tr", has_text="Alex Morgan")
    expect(row.locator("td.measure-alert-cell")).to_contain_text("Open alert")
    expect(row).to_contain_text("PHQ-9 5, mild, down")
    row.get_by_role("link", name="Alex Morgan", exact=True).click()
    alerts = page.locator("#open-alerts")
    alert = alerts.locator(".measure-alert", has_text="item 9")
    expect(alert).to_be_visible()
    alert.get_by_role("button", name=re.compile("^Acknowledge")).click()
    expect(alert.get_by_role("alert")).to_contain_text("action taken")
    alert.get_by_label("Action taken").fill("Called Alex at once; safety plan reviewed; seen today.")
    alert.get_by_role("button", name=re.compile("^Acknowledge")).click()
    expect(page.get_by_text("Alert acknowledged; the action taken is recorded.")).to_be_visible()
    with Session(create_engine(live_server.db_url)) as session:
        item9 = session.exec(select(MeasureAlert).where(
            MeasureAlert.client_id == alex, MeasureAlert.kind == MeasureAlertKind.ITEM9,
            col(MeasureAlert.response_id).in_(after))).one()
        assert item9.acknowledged_at is not None and item9.action_note.startswith("Called Alex")


def test_client_home_shows_each_measures_trend_on_a_phone(phone_page: Page, live_server):
    sign_in_and_land(phone_page, "client@iop.example", "/client")
    trends = phone_page.locator("#measure-trends")
    expect(trends.get_by_role("heading", name="My questionnaires over time")).to_be_visible()
    # The chart in words under each chart (the chart itself is hidden from screen readers).
    expect(trends.locator(".measure-summary").first).to_contain_text(re.compile(r"^PHQ-9: \d+ responses?; first"))
    phone_page.wait_for_function(
        "() => { const p = document.querySelector('#measure-trends .js-plotly-plot');"
        " return p && p.layout && p.layout.shapes.length === 5"  # the PHQ-9's five bands shaded
        " && p.data.some(t => t.name === 'Mood (diary, 7-day)'); }")
    assert_fits_the_screen(phone_page)


def _off_caseload_never_opened(db_url: str) -> int:
    with Session(create_engine(db_url)) as session:
        therapist = session.exec(select(User).where(User.email == "therapist@iop.example")).one()
        opened = set(session.exec(select(BreakGlassGrant.client_id)).all())
        answered = set(session.exec(select(MeasureResponse.client_id)).all())
        # From the highest id: test_break_glass and test_accessibility open the lowest ones.
        return next(c.id for c in session.exec(select(Client).where(Client.status == "active")
                                               .order_by(col(Client.id).desc()))
                    if c.id in answered and c.id not in opened
                    and not permissions.can(session, therapist, permissions.READ, c.id))


def test_measures_section_loads_after_emergency_access(page: Page, live_server):
    client_id = _off_caseload_never_opened(live_server.db_url)
    sign_in_and_land(page, "therapist@iop.example", "/staff/roster")
    page.goto(f"/staff/clients/{client_id}")
    page.get_by_label("Reason for emergency access").fill("Client in crisis at the desk; their therapist is away.")
    page.get_by_role("button", name="Open the record with emergency access").click()
    expect(page.locator("#emergency-banner")).to_be_visible(timeout=20_000)
    # No reload: the Measures section follows the record.
    expect(page.locator(".measure-summary").first).to_contain_text("PHQ-9")
