"""Nothing of one user reaches the next on a shared computer (issue #9, point 3):
the websocket frames are watched while a second user signs in on the same tab and
reloads, and a tab left open after its session ended clears itself."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from .helpers import sign_in_and_land, sign_out

# The demo client (iop_app/seed.py: the first client, with the first three goal templates).
CLIENT_TEXTS = [
    "Alex Morgan",
    "Go 30 days without drinking",
    "Use a coping skill when cravings hit",
    "Find part-time work",
    "My kids deserve a present parent.",
]


def watch_frames(page: Page) -> list[str]:
    """Every websocket frame the page sends or receives from now on, as text."""
    frames: list[str] = []

    def text(payload) -> str:
        return payload if isinstance(payload, str) else bytes(payload).decode("utf-8", "replace")

    def on_socket(ws):
        ws.on("framereceived", lambda payload: frames.append(text(payload)))
        ws.on("framesent", lambda payload: frames.append(text(payload)))

    page.on("websocket", on_socket)
    return frames


def client_texts_in(frames: list[str]) -> set[str]:
    return {t for t in CLIENT_TEXTS for f in frames if t in f}


def open_client_pages(page: Page) -> None:
    sign_in_and_land(page, "client@iop.example", "/client")
    page.get_by_role("link", name="Goals", exact=True).click()
    expect(page.get_by_text("Go 30 days without drinking").first).to_be_visible(timeout=20_000)
    page.get_by_role("link", name="Family", exact=True).click()
    expect(page).to_have_url(re.compile(r"/client/family/?$"))
    page.get_by_role("link", name="Home", exact=True).click()
    expect(page).to_have_url(re.compile(r"/client/?$"))


def test_the_next_user_on_the_same_tab_receives_nothing_of_the_client(page, live_server):
    frames = watch_frames(page)
    open_client_pages(page)
    # The watch sees the client's data while the client is signed in...
    assert "Go 30 days without drinking" in client_texts_in(frames)
    # ...which the server keeps in memory only: no pickled page states on disk.
    states_dir = live_server.log_path.parent / "states"  # REFLEX_STATES_WORKDIR of the live server
    assert not states_dir.exists() or not any(p.is_file() for p in states_dir.rglob("*"))
    sign_out(page)
    frames.clear()
    # ...and none of it once a family member without any consent signs in on the same tab and reloads.
    sign_in_and_land(page, "family4@iop.example", "/family")
    expect(page.locator("#nothing-to-show")).to_be_visible(timeout=20_000)
    page.reload()
    expect(page.locator("#nothing-to-show")).to_be_visible(timeout=20_000)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.wait_for_timeout(1_000)  # let any late frame arrive
    assert frames, "no websocket frames were seen"
    assert client_texts_in(frames) == set()


def test_a_tab_left_open_after_sign_out_clears_itself_without_a_click(page):
    open_client_pages(page)
    page.get_by_role("link", name="Goals", exact=True).click()
    expect(page.get_by_text("Go 30 days without drinking").first).to_be_visible(timeout=20_000)
    other = page.context.new_page()
    other.goto("/client")
    expect(other.get_by_role("button", name="Sign out")).to_be_visible(timeout=20_000)
    sign_out(other)
    # The first tab's session check (every 30 s) finds the session gone: its screen
    # is cleared and it goes to sign-in by itself.
    expect(page).to_have_url(re.compile(r"/signin/?$"), timeout=45_000)
    expect(page.get_by_text("Go 30 days without drinking")).to_have_count(0)
    expect(page.get_by_text("Your session has ended")).to_be_visible()
