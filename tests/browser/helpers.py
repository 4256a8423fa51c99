"""Shared steps for browser tests."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

ROOT = Path(__file__).resolve().parents[2]  # the project checkout
DEMO_PASSWORD = "Recovery-Demo-2026"


def sign_in(page: Page, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/signin")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def sign_in_and_land(page: Page, email: str, path: str) -> None:
    sign_in(page, email)
    expect(page).to_have_url(re.compile(re.escape(path) + r"/?$"), timeout=20_000)
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/signin/?$"))


def new_page(browser, live_server, width: int, height: int, **ctx_kwargs):
    """A fresh browser context (own cookies) and page on the live server."""
    context = browser.new_context(
        viewport={"width": width, "height": height},
        base_url=live_server.url,
        **ctx_kwargs,
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    return context, page
