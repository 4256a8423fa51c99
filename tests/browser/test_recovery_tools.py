"""The client's recovery tools in a real browser at 375 px (issue #13): the safety
plan is one tap from home (and from every client page, in the header), and the
client fills in a decisional balance, which is kept as a new dated version."""

from __future__ import annotations

from playwright.sync_api import expect

from .test_client_portal import assert_fits_the_screen, sign_in


def test_the_client_opens_the_safety_plan_in_one_tap_and_fills_a_decisional_balance(phone_page):
    page = phone_page
    sign_in(page)

    # One tap from home: the safety plan, with the client's people as tap-to-call links and 988.
    page.locator("#home-safety-plan").click()
    expect(page.get_by_role("heading", name="My safety plan", exact=True)).to_be_visible()
    expect(page.locator("#safety-helpers-list").get_by_role("link", name="Call My sister Ana")).to_have_attribute(
        "href", "tel:5550177")
    expect(page.locator("#safety-crisis-lines").get_by_role("link", name="Call or text 988")).to_have_attribute(
        "href", "tel:988")
    assert_fits_the_screen(page)

    # The tools page, then the decisional balance in the client's own words.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Tools", exact=True).click()
    expect(page.get_by_role("heading", name="My recovery tools", exact=True)).to_be_visible()
    expect(page.locator("#balance-versions details").first).to_contain_text("Version 2")
    page.get_by_label("Good things about changing", exact=True).fill("My kids trust me again.\nI sleep.")
    page.get_by_label("Not so good things about changing", exact=True).fill("Friday nights are long.")
    page.get_by_label("Good things about not changing", exact=True).fill("Nothing much any more.")
    page.get_by_label("Not so good things about not changing", exact=True).fill("I'd lose my job.")
    page.get_by_role("button", name="Save my decisional balance").click()
    expect(page.get_by_role("status").filter(has_text="Saved as version 3.")).to_be_visible()
    expect(page.locator("#balance-versions details").first).to_contain_text("Version 3")
    assert_fits_the_screen(page)

    # And from this page too, the safety plan is one tap away (the header's link).
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Safety plan", exact=True).click()
    expect(page.get_by_role("heading", name="My safety plan", exact=True)).to_be_visible()
