"""The family portal in a real browser: the demo family member accepts a
proposed time, the therapist confirms it, the family member downloads the
calendar file; after the client revokes consent, the family member's next
click on the page they still have open shows nothing."""

from __future__ import annotations

import re
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
from playwright.sync_api import expect

from .helpers import new_page, sign_in, sign_in_and_land


@pytest.fixture
def second_page(browser, live_server):
    """Another person, in their own browser (own cookies)."""
    contexts = []

    def make():
        context, pg = new_page(browser, live_server, 1280, 800, accept_downloads=True)
        contexts.append(context)
        return pg

    yield make
    for context in contexts:
        context.close()


def _fits_width(pg) -> bool:
    return pg.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_family_pages_fit_a_phone(phone_page, browser, live_server):
    # Runs first: it changes nothing, so the demo data is as seeded.
    sign_in_and_land(phone_page, "family@iop.example", "/family")
    expect(phone_page.get_by_role("heading", name="Alex Morgan")).to_be_visible()
    assert _fits_width(phone_page)
    context, client = new_page(browser, live_server, 375, 740, is_mobile=True, has_touch=True)
    try:
        sign_in_and_land(client, "client@iop.example", "/client")
        client.goto("/client/family")
        expect(client.get_by_role("heading", name="Consents to share information")).to_be_visible()
        assert _fits_width(client)
    finally:
        context.close()


def test_family_member_accepts_downloads_then_loses_access_on_revocation(browser, live_server, second_page):
    family = second_page()
    sign_in_and_land(family, "family@iop.example", "/family")
    expect(family.get_by_role("heading", name="Alex Morgan")).to_be_visible()
    expect(family.get_by_text("protected by federal confidentiality rules (42 CFR part 2)")).to_be_visible()
    expect(family.get_by_role("heading", name="Attendance and progress")).to_be_visible()

    # One of the two seeded times may clash with the program's groups on some
    # weekdays; only free times carry an Accept button.
    accept = family.get_by_role("button", name="Accept ").first
    chosen = accept.get_attribute("aria-label").removeprefix("Accept ")
    accept.click()
    expect(family.get_by_role("status")).to_contain_text("The therapist will confirm this time")
    expect(family.get_by_text("Accepted by Sam Morgan")).to_be_visible()

    therapist = second_page()
    sign_in_and_land(therapist, "therapist@iop.example", "/staff/roster")
    therapist.goto("/staff/family-sessions")
    therapist.get_by_role("button", name="Confirm the accepted time for Alex Morgan").click()
    expect(therapist.get_by_role("status")).to_contain_text("Session booked")

    family.get_by_role("button", name="Refresh").click()
    download_button = family.get_by_role("button", name=f"Download calendar file for the session {chosen}")
    expect(download_button).to_be_visible()
    with family.expect_download() as info:
        download_button.click()
    download = info.value
    assert download.suggested_filename == "family-session.ics"
    (event,) = icalendar.Calendar.from_ical(Path(download.path()).read_bytes()).walk("VEVENT")
    start = event.decoded("dtstart")
    assert start.utcoffset().total_seconds() == 0  # stored and sent in UTC
    # The page shows the program's time zone (America/Los_Angeles in the demo).
    tz_label = family.get_by_text("Times are shown in the program's time zone").inner_text()
    tz = ZoneInfo(tz_label.split("(")[1].split(")")[0])
    local = start.astimezone(tz)
    end_local = event.decoded("dtend").astimezone(tz)
    assert chosen == local.strftime("%a %d %b %Y, %H:%M") + "–" + end_local.strftime("%H:%M")

    client = second_page()
    sign_in_and_land(client, "client@iop.example", "/client")
    client.goto("/client/family")
    expect(client.get_by_role("cell", name="Calendar file for the family session", exact=False).first).to_be_visible()
    client.get_by_role("button", name="Revoke consent for Sam Morgan").click()
    expect(client.get_by_role("status")).to_contain_text("Consent revoked")

    # The family member's page is still open; their very next action shows nothing.
    download_button.click()
    expect(family.get_by_text("There is nothing to show here right now.")).to_be_visible()
    body = family.locator("main").inner_text()
    assert "Alex" not in body and "Family session" not in body and "42 CFR" not in body


def _invite(client, name: str) -> tuple[str, str]:
    """Invite a listed person; return their code and the whole callout text."""
    client.get_by_role("button", name=f"Invite to the portal: {name}").click()
    code = client.locator("#invite-code")
    expect(code).to_have_text(re.compile(r"^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$"))
    callout = client.get_by_role("status").filter(has_text=f"Invitation for {name}")
    expect(callout).to_be_visible()
    return code.inner_text(), callout.inner_text()


def _activate(page, name: str, email: str, code: str, password: str) -> None:
    page.goto("/family/activate")
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("One-time code").fill(code)
    page.get_by_label("Choose a password").fill(password)
    page.get_by_label("Type the password again").fill(password)
    page.get_by_role("button", name="Activate account").click()


def test_invitations_read_the_same_and_existing_accounts_accept_in_their_portal(live_server, second_page):
    client = second_page()
    sign_in_and_land(client, "client@iop.example", "/client")
    client.goto("/client/family")
    client.get_by_text("Add a person").click()
    # A new person, and the family member of another client (family2@): the client
    # cannot tell them apart at any step.
    for name, email in (("Jo Morgan", "jo.morgan@example.org"), ("Chris R", "family2@iop.example")):
        client.get_by_label("Name", exact=True).fill(name)
        client.get_by_label("Relationship").fill("Cousin")
        client.get_by_label("Email").fill(email)
        client.get_by_role("button", name="Add", exact=True).click()
        expect(client.get_by_role("status")).to_contain_text(f"{name} is on your list")
    jo_code, jo_text = _invite(client, "Jo Morgan")
    chris_code, chris_text = _invite(client, "Chris R")
    # Apart from the name, the code and the minute it expires, the wording is the same.
    same = re.compile(r"Invitation for .*?(?=\. Give)|[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}|\d{4}-\d\d-\d\d \d\d:\d\d")
    assert same.sub("", jo_text) == same.sub("", chris_text)
    for name in ("Jo Morgan", "Chris R"):
        expect(client.get_by_role("row").filter(has_text=name)).to_contain_text("invited")

    newcomer = second_page()
    _activate(newcomer, "Jo Morgan", "jo.morgan@example.org", jo_code, "jo has a long own password")
    expect(newcomer.get_by_text("Your account is active")).to_be_visible()
    sign_in(newcomer, "jo.morgan@example.org", "jo has a long own password")
    expect(newcomer).to_have_url(re.compile(r"/family/?$"), timeout=20_000)
    expect(newcomer.get_by_text("There is nothing to show here right now.")).to_be_visible()

    # An existing account cannot be activated with a code: the one generic message.
    chris = second_page()
    _activate(chris, "Chris R", "family2@iop.example", chris_code, "someone else's password")
    expect(chris.get_by_role("alert")).to_contain_text("sign in and enter the code")
    # Its owner, signed in with their own password, accepts in their portal.
    sign_in_and_land(chris, "family2@iop.example", "/family")
    chris.get_by_text("Accept an invitation").click()
    chris.get_by_label("One-time code").fill(chris_code)
    chris.get_by_role("button", name="Accept invitation").click()
    expect(chris.get_by_role("status")).to_contain_text("Invitation accepted")

    client.reload()
    expect(client.get_by_role("row").filter(has_text="Jo Morgan")).to_contain_text("active")
    expect(client.get_by_role("row").filter(has_text="Chris R")).to_contain_text("active")
