"""Issue #11's group-note scenario: the therapist takes roll call and writes the
group note once, finds it in two attendees' records and not in the absent
member's, signs it, then adds an addendum and sees both the original and the
late entry."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

from playwright.sync_api import Page, expect
from sqlmodel import Session, create_engine, select

from iop_app.models import Client, GroupMembership, GroupSession, TherapyGroup, User
from iop_app.services import program

from .helpers import sign_in_and_land

GROUP = "Browser Notes Group"
MEMBERS = ("Alex Morgan", "Jamie Rivera", "Taylor Brooks")


def _make_session(db_url: str) -> tuple[int, dict[str, int]]:
    """A small group of the demo therapist with three members and a session today."""
    with Session(create_engine(db_url)) as session:
        therapist = session.exec(select(User).where(User.email == "therapist@iop.example")).one()
        today = program.local_today(session)
        group = TherapyGroup(name=GROUP, group_type="skills_development", facilitator_id=therapist.id,
                             weekdays="1,2,3,4,5,6,7", start_time=time(5, 0), duration_minutes=60,
                             start_date=today - timedelta(days=30), location="Room 9")
        session.add(group)
        session.flush()
        ids = {}
        for name in MEMBERS:
            client = session.exec(select(Client).join(User, User.id == Client.user_id)
                                  .where(User.full_name == name)).one()
            ids[name] = client.id
            session.add(GroupMembership(group_id=group.id, client_id=client.id, joined_on=today - timedelta(days=7)))
        meeting = GroupSession(group_id=group.id, duration_minutes=60, topic="Coping with cravings",
                               starts_at=program.to_utc(datetime.combine(today, time(5, 0)),
                                                        program.program_tz(session)))
        session.add(meeting)
        session.commit()
        return meeting.id, ids


def _fill_part(page: Page, name: str, status: str) -> None:
    part = page.locator("fieldset", has_text=f"{name} · {status}")
    for label, text in (("Data", "Shared a recent craving and how it passed."), ("Response", "Engaged."),
                        ("Assessment", "Progressing."), ("Plan", "Practise the skill daily.")):
        page.get_by_label(f"{label} ({name})").fill(text)
    part.locator("input[type=checkbox]").first.check()


def test_group_note_written_once_signed_and_amended(page: Page, live_server):
    session_id, ids = _make_session(live_server.db_url)
    sign_in_and_land(page, "therapist@iop.example", "/staff/roster")

    # Roll call: two attend (one late), one is absent.
    page.goto(f"/staff/sessions/{session_id}")
    expect(page.get_by_role("heading", name="Roll call")).to_be_visible()
    page.get_by_label("Status for Alex Morgan").select_option("present")
    expect(page.get_by_text("Saved.")).to_be_visible()
    page.get_by_label("Status for Jamie Rivera").select_option("late")
    expect(page.get_by_label("Status for Jamie Rivera")).to_have_value("late")
    page.get_by_label("Status for Taylor Brooks").select_option("unexcused")
    expect(page.get_by_label("Status for Taylor Brooks")).to_have_value("unexcused")

    # The group note: the shared part once, each attendee's own part.
    expect(page.locator("fieldset", has_text="Jamie Rivera · Late")).to_be_visible()
    expect(page.locator("fieldset", has_text="Taylor Brooks")).to_have_count(0)
    page.get_by_label("Topic", exact=True).last.fill("Coping with cravings")
    page.get_by_label(re.compile(r"^Interventions \(shared part")).fill("Urge surfing practice in pairs.")
    _fill_part(page, "Alex Morgan", "Present")
    _fill_part(page, "Jamie Rivera", "Late")
    page.get_by_role("button", name="Save group note").click()
    expect(page.get_by_text("Group note saved: 2 attendee notes.")).to_be_visible()

    # In both attendees' records, not in the absent member's.
    for name in ("Alex Morgan", "Jamie Rivera"):
        page.goto(f"/staff/clients/{ids[name]}/notes")
        expect(page.get_by_role("heading", name=name)).to_be_visible()
        expect(page.locator("tr", has_text=GROUP)).to_contain_text("Draft")
    page.goto(f"/staff/clients/{ids['Taylor Brooks']}/notes")
    expect(page.get_by_role("heading", name="Taylor Brooks")).to_be_visible()
    expect(page.locator("main table tbody tr").first).to_be_visible()
    expect(page.locator("tr", has_text=GROUP)).to_have_count(0)

    # Signed once for every attendee.
    page.goto(f"/staff/sessions/{session_id}")
    page.get_by_role("button", name="Sign group note").click()
    expect(page.get_by_text("Signed: every attendee's note is signed and locked.")).to_be_visible()
    page.get_by_role("link", name="Alex Morgan's note").click()
    expect(page.get_by_role("heading", name="Alex Morgan · Group session")).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Status: Signed"))).to_be_visible()
    expect(page.get_by_text("Urge surfing practice in pairs.")).to_be_visible()
    expect(page.get_by_role("button", name="Save draft")).to_have_count(0)  # locked

    # An addendum: the original stays, the late entry is shown with it.
    page.get_by_label("Addendum").fill("Called after group: used the skill that evening.")
    page.get_by_label("Reason (optional)").fill("Information after signing")
    page.get_by_role("button", name="Add addendum").click()
    expect(page.get_by_text("Addendum added. The original note is unchanged.")).to_be_visible()
    expect(page.get_by_text("Shared a recent craving and how it passed.")).to_be_visible()
    expect(page.get_by_text("Called after group: used the skill that evening.")).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Late entry, .* by Marcus Reyes"))).to_be_visible()

    # Signed: the session now counts in Jamie's documented services.
    page.goto(f"/staff/clients/{ids['Jamie Rivera']}/notes")
    expect(page.locator("tr", has_text=GROUP)).to_contain_text("Signed")
    expect(page.locator("tr", has_text=GROUP)).to_contain_text("45 min")
