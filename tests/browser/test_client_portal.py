"""The client portal in a real browser (production build, seeded demo program):
check-in, goals, needs and the home chart, on a desktop and at 375 px wide."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, create_engine, select

from iop_app.models import Client, Goal, MoodEntry, User
from iop_app.services import program

DEMO_PASSWORD = "Recovery-Demo-2026"


def _db(live_server):
    return Session(create_engine(live_server.db_url))


def _today(live_server) -> date:
    with _db(live_server) as session:
        return program.local_today(session)


def _alex(session) -> Client:
    user = session.exec(select(User).where(User.email == "client@iop.example")).one()
    return session.exec(select(Client).where(Client.user_id == user.id)).one()


def _todays_entry(live_server):
    with _db(live_server) as session:
        alex = _alex(session)
        return session.exec(select(MoodEntry).where(MoodEntry.client_id == alex.id,
                                                    MoodEntry.day == program.local_today(session))).first()


def sign_in(page: Page) -> None:
    page.goto("/signin")
    page.get_by_label("Email", exact=True).fill("client@iop.example")
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="My recovery")).to_be_visible()


def go(page: Page, link: str, heading: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name=link).click()
    expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()


def assert_fits_the_screen(page: Page) -> None:
    """Nothing sticks out past the right edge (tables may scroll inside .table-scroll)."""
    width = page.evaluate("window.innerWidth")
    overflow = page.evaluate(
        """() => {
            const w = window.innerWidth;
            return [...document.querySelectorAll('main *, header *')].filter(el => {
                if (el.closest('.table-scroll')) return false;
                const r = el.getBoundingClientRect();
                return r.width > 0 && r.height > 0 && r.right > w + 1;
            }).slice(0, 5).map(el => el.tagName + '#' + el.id + '.' + el.className);
        }"""
    )
    assert overflow == [], f"wider than {width}px: {overflow}"
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def do_checkin(page: Page, mood: str) -> None:
    go(page, "Check-in", "Daily check-in")
    expect(page.get_by_label("Day", exact=True)).to_have_value(re.compile(r"\d{4}-\d\d-\d\d"))
    page.get_by_label("Mood", exact=True).fill(mood)
    page.get_by_label("Anxiety", exact=True).fill("3")
    page.get_by_label("Craving", exact=True).fill("2")
    page.get_by_label("Hours slept", exact=True).fill("7.5")
    page.get_by_label("loneliness", exact=True).check()
    page.get_by_label("went for a walk", exact=True).check()
    page.get_by_label("Note (optional)", exact=True).fill("Felt steadier after group.")
    page.get_by_role("button", name="Save check-in").click()
    expect(page.get_by_role("status").filter(has_text="Your check-in for today is")).to_be_visible()


def add_goal_and_progress(page: Page, title: str) -> None:
    go(page, "Goals", "My goals")
    page.get_by_label("Goal", exact=True).fill(title)
    page.get_by_label("Why it matters to me (optional)", exact=True).fill("I sleep better when I move.")
    page.get_by_label("Life area", exact=True).select_option("physical_health")
    page.get_by_label("Steps, one per line (optional)", exact=True).fill("Buy walking shoes\nWalk after dinner")
    page.get_by_role("button", name="Add goal").click()
    card = page.get_by_role("group", name=title, exact=True)
    expect(card.get_by_role("heading", name=title)).to_be_visible()
    # The tick is saved on the server, which then redraws the box: click, then expect it ticked.
    card.get_by_label("Buy walking shoes", exact=True).click()
    expect(card.get_by_label("Buy walking shoes", exact=True)).to_be_checked()
    expect(card.get_by_text("50%", exact=True)).to_be_visible()
    card.get_by_text("Update progress").click()
    card.get_by_label("Progress (%)", exact=True).fill("60")
    card.get_by_label("What changed? (optional)", exact=True).fill("Walked three times")
    card.get_by_role("button", name=f"Save progress for {title}").click()
    expect(card.get_by_text("60%", exact=True)).to_be_visible()
    card.get_by_text("History").click()
    expect(card.get_by_text("Progress 60% — Walked three times")).to_be_visible()
    expect(card.get_by_text("Done: Buy walking shoes (50%)")).to_be_visible()


def reorder_needs(page: Page) -> None:
    go(page, "Needs", "My needs")
    items = page.locator("#needs-list > li")
    expect(items.first).to_be_visible()
    second = items.nth(1).locator(".need-label").inner_text()
    page.get_by_role("button", name=f"Move {second} up").click()
    expect(items.first).to_contain_text(second)
    expect(page.get_by_role("status").filter(has_text=f"{second} moved to 1st")).to_be_visible()
    # From the keyboard: focus stays on the moved need, so Enter moves it again.
    page.get_by_role("button", name=f"Move {second} down").focus()
    page.keyboard.press("Enter")
    expect(items.nth(1)).to_contain_text(second)
    expect(page.get_by_role("button", name=f"Move {second} down")).to_be_focused()
    page.keyboard.press("Enter")
    expect(items.nth(2)).to_contain_text(second)
    page.get_by_role("button", name=f"Move {second} up").click()
    expect(items.nth(1)).to_contain_text(second)
    page.get_by_role("button", name=f"Move {second} up").click()
    expect(items.first).to_contain_text(second)
    page.get_by_role("button", name="Save order").click()
    expect(page.get_by_text("Your order is saved.")).to_be_visible()
    history = page.get_by_role("heading", name="How my priorities changed").locator("xpath=..")
    expect(history.get_by_text(f"1. {second} (up from 2)").first).to_be_visible()


def home_chart_includes_today(page: Page, live_server, mood: str) -> None:
    go(page, "Home", "My recovery")
    expect(page.locator("#checkin-status")).to_have_text("You have checked in today. Thank you.")
    expect(page.locator("#chart-summary")).to_contain_text(f"Latest check-in today: mood {mood}, anxiety 3, craving 2.")
    today = _today(live_server).isoformat()
    plot = page.locator("#trend-chart .js-plotly-plot")
    expect(plot).to_be_visible()
    page.wait_for_function(
        "([day, mood]) => { const p = document.querySelector('#trend-chart .js-plotly-plot');"
        " return p && p.data && p.data[0].x.includes(day)"
        " && p.data[0].y[p.data[0].x.indexOf(day)] === mood; }",
        arg=[today, int(mood)],
    )
    expect(page.get_by_text("Walk 20 minutes a day").first).to_be_visible()
    expect(page.locator("#hours-label")).to_contain_text("hours this week")


def test_demo_client_checks_in_sets_a_goal_reorders_needs_and_sees_the_chart(page, live_server):
    sign_in(page)
    do_checkin(page, mood="7")
    entry = _todays_entry(live_server)
    assert (entry.mood, entry.anxiety, entry.craving, entry.sleep_hours) == (7, 3, 2, 7.5)
    assert entry.triggers == "loneliness" and entry.coping == "went for a walk"
    add_goal_and_progress(page, "Walk 20 minutes a day")
    with _db(live_server) as session:
        goal = session.exec(select(Goal).where(Goal.title == "Walk 20 minutes a day")).one()
        assert (goal.progress_pct, goal.life_area) == (60, "physical_health")
    reorder_needs(page)
    home_chart_includes_today(page, live_server, mood="7")


def test_the_same_on_a_phone(phone_page, live_server):
    page = phone_page
    sign_in(page)
    assert_fits_the_screen(page)
    do_checkin(page, mood="8")  # today's check-in may exist already: saving again updates it
    assert _todays_entry(live_server).mood == 8
    assert_fits_the_screen(page)
    add_goal_and_progress(page, "Walk 20 minutes a day, phone")
    assert_fits_the_screen(page)
    reorder_needs(page)
    assert_fits_the_screen(page)
    for name in ("Move", "Save order"):
        button = page.get_by_role("button", name=re.compile(f"^{name}")).first
        box = button.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 375
    go(page, "Home", "My recovery")
    expect(page.locator("#chart-summary")).to_contain_text("Latest check-in today: mood 8")
    assert_fits_the_screen(page)


def test_bad_check_in_shows_messages_next_to_the_fields_and_saves_nothing(page, live_server):
    sign_in(page)
    before = _todays_entry(live_server)
    before_values = None if before is None else (before.mood, before.anxiety, before.craving, before.note)
    go(page, "Check-in", "Daily check-in")
    if before is not None:  # wait for the saved check-in to fill the form, or it would replace what is typed
        expect(page.get_by_label("Mood", exact=True)).to_have_value(str(before.mood))
    page.get_by_label("Mood", exact=True).fill("11")
    page.get_by_label("Anxiety", exact=True).fill("-1")
    page.get_by_label("Craving", exact=True).fill("")
    page.get_by_label("Hours slept", exact=True).fill("30")
    page.get_by_label("Note (optional)", exact=True).fill("x" * 2001)
    page.get_by_role("button", name="Save check-in").click()
    expect(page.locator("#checkin-mood-error")).to_have_text("Mood is a whole number from 1 to 10.")
    expect(page.locator("#checkin-anxiety-error")).to_have_text("Anxiety is a whole number from 0 to 10.")
    expect(page.locator("#checkin-craving-error")).to_have_text("Please enter your craving, 0 to 10.")
    expect(page.locator("#checkin-sleep_hours-error")).to_have_text("Hours slept is a number from 0 to 24.")
    expect(page.locator("#checkin-note-error")).to_contain_text("up to 2000 characters")
    # Each message is tied to its field for screen readers.
    expect(page.get_by_label("Mood", exact=True)).to_have_attribute("aria-describedby",
                                                                    re.compile("checkin-mood-error"))
    after = _todays_entry(live_server)
    assert (None if after is None else (after.mood, after.anxiety, after.craving, after.note)) == before_values

    # A goal without a title is refused next to the title field.
    go(page, "Goals", "My goals")
    with _db(live_server) as session:
        goals_before = len(session.exec(select(Goal)).all())
    page.get_by_role("button", name="Add goal").click()
    expect(page.locator("#goal-title-error")).to_have_text("Please enter a title.")
    with _db(live_server) as session:
        assert len(session.exec(select(Goal)).all()) == goals_before


@pytest.mark.parametrize("craving", ["9"])
def test_high_craving_shows_coping_suggestions_and_crisis_lines(page, live_server, craving):
    sign_in(page)
    go(page, "Check-in", "Daily check-in")
    page.get_by_label("Mood", exact=True).fill("4")
    page.get_by_label("Anxiety", exact=True).fill("6")
    page.get_by_label("Craving", exact=True).fill(craving)
    page.get_by_label("Hours slept", exact=True).fill("5")
    page.get_by_role("button", name="Save check-in").click()
    support = page.get_by_role("region", name="Support right now")
    expect(support).to_be_visible()
    expect(support.get_by_role("link", name="Call or text 988")).to_have_attribute("href", "tel:988")
    expect(support.get_by_role("link", name="1-800-662-4357")).to_be_visible()
    assert _todays_entry(live_server).craving == int(craving)
