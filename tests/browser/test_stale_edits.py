"""Two tabs on the same group session's notes: the save made on the older copy is
refused with who and when, the typed text stays, and Reload shows the latest notes
with the refused text below them. Earlier versions are listed on the page."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from .helpers import sign_in_and_land


def test_stale_notes_save_is_refused_and_the_text_is_kept(page: Page, live_server):
    sign_in_and_land(page, "therapist@iop.example", "/staff/roster")
    page.get_by_role("link", name="Groups").click()
    page.get_by_role("link", name="Morning Process Group").click()
    expect(page.get_by_role("heading", name="Morning Process Group")).to_be_visible()
    page.get_by_role("link", name=re.compile(r"^Roll call for ")).last.click()
    expect(page.get_by_role("heading", name="Roll call")).to_be_visible()
    notes = page.get_by_label("Notes", exact=True)
    expect(notes).to_be_visible()

    other = page.context.new_page()  # a second tab, same sign-in, its own page state
    other.goto(page.url)
    other_notes = other.get_by_label("Notes", exact=True)
    expect(other_notes).to_be_visible()
    other_notes.fill("Notes from the other tab.")
    other.get_by_role("button", name="Save topic and notes").click()
    expect(other.get_by_text("Topic and notes saved.")).to_be_visible()

    notes.fill("My notes, typed on the older copy.")
    page.get_by_role("button", name="Save topic and notes").click()
    expect(page.get_by_text(re.compile(r"You changed this at \d\d:\d\d in another tab or window"))).to_be_visible()
    expect(notes).to_have_value("My notes, typed on the older copy.")

    page.get_by_role("button", name="Reload").click()
    expect(notes).to_have_value("Notes from the other tab.")
    expect(page.get_by_text("Your unsaved text (not saved):")).to_be_visible()
    expect(page.get_by_text(re.compile(r"My notes, typed on the older copy\."))).to_be_visible()

    notes.fill("Notes from the other tab.\nMy notes, typed on the older copy.")
    page.get_by_role("button", name="Save topic and notes").click()
    expect(page.get_by_text("Topic and notes saved.")).to_be_visible()
    expect(page.get_by_text("Your unsaved text (not saved):")).to_have_count(0)
    page.get_by_text("Earlier versions (1)").click()
    expect(page.locator("details pre", has_text="Notes from the other tab.")).to_be_visible()
    other.close()


def test_a_client_editing_the_same_goal_in_two_tabs(page: Page, live_server):
    sign_in_and_land(page, "client@iop.example", "/client")
    page.goto("/client/goals")
    first = page.locator(".goal-card").first
    expect(first).to_be_visible()
    title = first.get_by_role("heading").inner_text()

    other = page.context.new_page()
    other.goto("/client/goals")
    card = other.get_by_role("group", name=title, exact=True)
    card.get_by_text("Edit goal").click()
    card.get_by_label("Goal wording", exact=True).fill(title + " (reworded)")
    card.get_by_role("button", name=f"Save changes to {title}").click()
    expect(other.get_by_role("heading", name=title + " (reworded)")).to_be_visible()

    mine = page.get_by_role("group", name=title, exact=True)  # this tab still shows the older copy
    mine.get_by_text("Update progress").click()
    mine.get_by_label("Progress (%)", exact=True).fill("45")
    mine.get_by_role("button", name=f"Save progress for {title}").click()
    expect(mine.get_by_text(re.compile(r"You changed this at \d\d:\d\d in another tab or window"))).to_be_visible()
    mine.get_by_role("button", name="Reload").click()
    reworded = page.get_by_role("group", name=title + " (reworded)", exact=True)
    expect(reworded.get_by_text("Your unsaved text (not saved):")).to_be_visible()
    expect(reworded.get_by_text("Progress: 45%")).to_be_visible()
    other.close()
