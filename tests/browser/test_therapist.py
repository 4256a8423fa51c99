"""The demo therapist's morning: flagged clients in the roster, roll call for a
group session, and the client's attendance rate changes (weekly hours wait for the
session's note: only documented services count)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from .helpers import sign_in_and_land

# Roster columns for a therapist (no therapist column).
ATTENDANCE, HOURS, FLAGS = 6, 7, 9


def roster_row(page: Page, name: str):
    return page.locator("table.roster tbody tr", has_text=name)


def cell_text(page: Page, name: str, column: int) -> str:
    return roster_row(page, name).locator("td").nth(column).inner_text().strip()


def hours_of(text: str) -> float:
    return float(re.match(r"([\d.]+) / ", text).group(1))


def attendance_of(text: str) -> tuple[int, int]:
    attended, recorded = re.search(r"\((\d+)/(\d+)\)", text).groups()
    return int(attended), int(recorded)


def test_therapist_takes_roll_call_and_sees_the_roster_change(page: Page, live_server):
    sign_in_and_land(page, "therapist@iop.example", "/staff/roster")
    expect(roster_row(page, "Alex Morgan")).to_be_visible()
    # Quinn Harper has not checked in for 4 days: flagged
    expect(roster_row(page, "Quinn Harper").locator("td").nth(FLAGS)).to_contain_text("no check-in 3+ days")
    expect(page.get_by_text(re.compile(r"^Flagged$"))).to_be_visible()
    hours_before = hours_of(cell_text(page, "Alex Morgan", HOURS))
    attended_before, recorded_before = attendance_of(cell_text(page, "Alex Morgan", ATTENDANCE))

    # The group: add a one-hour extra session today and open its roll call.
    page.get_by_role("link", name="Groups").click()
    page.get_by_role("link", name="Morning Process Group").click()
    expect(page.get_by_role("heading", name="Morning Process Group")).to_be_visible()
    page.get_by_label("Start", exact=True).fill("06:00")
    page.get_by_label("Minutes", exact=True).fill("60")
    page.get_by_label("Topic", exact=True).fill("Browser roll call")
    page.get_by_role("button", name="Add extra session").click()
    expect(page.get_by_text("Extra session added.")).to_be_visible()
    session_row = page.locator("tr", has_text="Browser roll call")
    session_row.get_by_role("link").click()
    expect(page.get_by_role("heading", name="Roll call")).to_be_visible()

    # Roll call: one tap marks everyone present for the whole hour.
    status = page.get_by_label("Status for Alex Morgan")
    expect(status).to_have_value("")
    page.get_by_role("button", name="All present").click()
    expect(page.get_by_text(re.compile(r"\d+ marked present"))).to_be_visible()
    expect(status).to_have_value("present")
    expect(page.get_by_label("Minutes for Alex Morgan")).to_have_value("60")

    # Back on the roster, Alex's attendance includes the session; the hours do not yet:
    # only documented services count (the group note is signed in tests/browser/test_notes.py).
    page.get_by_role("link", name="Roster").click()
    expect(roster_row(page, "Alex Morgan")).to_be_visible()
    expect(roster_row(page, "Alex Morgan").locator("td").nth(ATTENDANCE)).to_contain_text(
        f"({attended_before + 1}/{recorded_before + 1})")  # waits for the roster's fresh figures
    expect(roster_row(page, "Alex Morgan").locator("td").nth(HOURS)).to_contain_text(f"{hours_before:g} / ")
