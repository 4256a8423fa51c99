"""Sign-in, role home pages, sign-out and refusals in a real browser."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .helpers import sign_in, sign_in_and_land, sign_out

HOMES = [
    ("director@iop.example", "/director", "Program overview"),
    ("therapist@iop.example", "/staff/roster", None),
    ("client@iop.example", "/client", None),
    ("family@iop.example", "/family", None),
]


@pytest.mark.parametrize("email,path,heading", HOMES)
def test_each_demo_role_lands_on_its_home_page(page, email, path, heading):
    sign_in_and_land(page, email, path)
    if heading:
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_wrong_password_is_refused(page):
    sign_in(page, "therapist@iop.example", "not-the-right-password")
    expect(page.get_by_role("alert")).to_contain_text("Sign-in failed")
    expect(page).to_have_url(re.compile(r"/signin/?$"))
    page.goto("/staff/roster")
    expect(page).to_have_url(re.compile(r"/signin/?$"), timeout=20_000)


def test_sign_out_ends_access(page):
    sign_in_and_land(page, "director@iop.example", "/director")
    sign_out(page)
    page.goto("/director/audit")
    expect(page).to_have_url(re.compile(r"/signin/?$"), timeout=20_000)
    expect(page.get_by_role("heading", name="Audit log")).to_have_count(0)


def test_sign_out_in_one_tab_ends_the_other_tab(page):
    sign_in_and_land(page, "director@iop.example", "/director")
    other = page.context.new_page()
    other.goto("/director/accounts")
    expect(other.get_by_role("heading", name="Accounts", exact=True)).to_be_visible()
    # Wait until the page has loaded its data, so the sign-out lands after it.
    expect(other.get_by_role("cell", name="therapist@iop.example", exact=True)).to_be_visible()
    sign_out(page)
    # The open tab's next event is refused and it goes to the sign-in page.
    other.get_by_label("Show").select_option("client")
    expect(other).to_have_url(re.compile(r"/signin/?$"), timeout=20_000)


def test_client_typing_a_staff_url_is_refused(page):
    sign_in_and_land(page, "client@iop.example", "/client")
    for url in ["/staff/roster", "/director/audit", "/family"]:
        page.goto(url)
        expect(page).to_have_url(re.compile(r"/denied/?$"), timeout=20_000)
        expect(page.get_by_role("heading", level=1)).to_have_text("Not available")


def test_director_sees_the_audit_trail(page):
    sign_in_and_land(page, "director@iop.example", "/director")
    page.goto("/director/audit")
    page.get_by_label("Action starts with").fill("signin")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("cell", name="director@iop.example").first).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Events")).to_be_visible()
