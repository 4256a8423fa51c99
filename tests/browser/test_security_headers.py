"""The production server's security headers, and every role's pages working under
its Content-Security-Policy: no violation, no console error, charts drawn, the
websocket connected."""

from __future__ import annotations

import re
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import Page, expect

from .helpers import sign_in_and_land


def _get(url: str, **headers: str):
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:  # a 404 page must carry them too
        return error.code, error.headers, error.read()


def _assert_security_headers(headers, what: str) -> None:
    csp = headers.get("Content-Security-Policy") or ""
    assert "frame-ancestors 'none'" in csp, what
    script_src = re.search(r"script-src ([^;]*)", csp).group(1)
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src, what
    assert headers.get("X-Content-Type-Options") == "nosniff", what
    assert headers.get("Referrer-Policy") == "no-referrer", what
    # The test server is plain http (IOP_ORIGIN=http://localhost:...): no HSTS.
    assert headers.get("Strict-Transport-Security") is None, what


def test_every_kind_of_response_carries_the_headers(live_server):
    status, headers, body = _get(f"{live_server.url}/signin")
    assert status == 200
    asset = re.search(rb'href="(/assets/[^"]+\.js)"', body).group(1).decode()
    for path, encoding, expected in [
        ("/", "identity", 200),
        ("/signin", "identity", 200),
        ("/signin", "gzip", 200),  # the precompressed copy
        ("/staff/clients/1", "identity", 200),  # a dynamic route (SPA fallback page)
        ("/ping", "identity", 200),
        (asset, "identity", 200),
        (asset, "gzip", 200),
        ("/styles.css", "identity", 200),
        ("/no-such-page", "identity", 404),
    ]:
        status, headers, _ = _get(live_server.url + path, **{"Accept-Encoding": encoding})
        assert status == expected, (path, status)
        _assert_security_headers(headers, f"{path} ({encoding})")


def _watch(page: Page) -> list[str]:
    """Every CSP violation and console error on this page, as text."""
    problems: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and problems.append(f"console: {msg.text} {msg.location}"))
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.on("response", lambda r: r.status >= 400 and problems.append(f"http {r.status}: {r.url}"))
    page.context.expose_binding("__cspViolation", lambda _source, text: problems.append(f"csp: {text}"))
    page.context.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => window.__cspViolation("
        "`${e.violatedDirective} blocked ${e.blockedURI} at ${e.sourceFile}:${e.lineNumber}`));")
    return problems


def _visit(page: Page, path: str, heading: str | None = None, charts: int = 0) -> None:
    """Load `path` afresh (its own HTML and inline scripts); `heading`: an h2 the loaded data draws."""
    response = page.goto(path)
    assert response is not None and response.ok, (path, response and response.status)
    h1 = page.get_by_role("heading", level=1)
    expect(h1).to_be_visible()
    if heading:
        expect(page.get_by_role("heading", level=2, name=heading)).to_be_visible()
    if charts:
        # plotly draws into SVG: the charts work under the policy.
        expect(page.locator(".js-plotly-plot .main-svg").nth(charts - 1)).to_be_visible(timeout=20_000)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)  # late effects (toasts, charts resizing)


def _href(page: Page, link) -> str:
    href = link.first.get_attribute("href")
    assert href
    return href


@pytest.mark.parametrize("role", ["client", "therapist", "director", "family"])
def test_pages_work_under_the_content_security_policy(page: Page, live_server, role):
    problems = _watch(page)
    with page.expect_websocket(lambda ws: "/_event" in ws.url) as ws_info:
        page.goto("/signin")
    ws_info.value.wait_for_event("framereceived", timeout=15_000)  # the event channel works
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()

    if role == "client":
        sign_in_and_land(page, "client@iop.example", "/client")
        _visit(page, "/client", charts=1)
        for path in ("/client/checkin", "/client/goals", "/client/needs", "/client/family"):
            _visit(page, path)
        # Reordering needs moves focus (once done by eval); unsaved, so the demo data stays.
        _visit(page, "/client/needs")
        second = page.locator("#needs-list > li").nth(1).locator(".need-label").inner_text()
        page.get_by_role("button", name=f"Move {second} up").click()
        expect(page.locator("#needs-list > li").first).to_contain_text(second)
        expect(page.get_by_role("button", name=f"Move {second} down")).to_be_focused()
    elif role == "therapist":
        sign_in_and_land(page, "therapist@iop.example", "/staff/roster")
        _visit(page, "/staff/roster")
        client = _href(page, page.locator("table.roster tbody tr", has_text="Alex Morgan").get_by_role("link"))
        _visit(page, client, heading="Alex Morgan", charts=4)
        _visit(page, "/staff/groups")
        group = _href(page, page.get_by_role("link", name="Morning Process Group"))
        _visit(page, group, charts=1)
        _visit(page, _href(page, page.locator("a[href^='/staff/sessions/']")))
        _visit(page, "/staff/family-sessions")
    elif role == "director":
        sign_in_and_land(page, "director@iop.example", "/director")
        for path in ("/director", "/director/accounts", "/director/audit", "/staff/roster"):
            _visit(page, path)
    else:
        sign_in_and_land(page, "family@iop.example", "/family")
        _visit(page, "/family")
        _visit(page, "/denied")  # a page this role may not see, and the denial page itself

    # The app has no favicon; browsers ask for one anyway. Not a policy matter.
    assert [p for p in problems if "/favicon.ico" not in p] == []


def test_the_policy_blocks_an_injected_inline_script(page: Page, live_server):
    """The control for the test above: what an XSS would inject is blocked and reported."""
    problems = _watch(page)
    page.goto("/signin")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.evaluate("() => { const s = document.createElement('script');"
                  " s.textContent = 'window.__injected = true'; document.body.appendChild(s); }")
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.__injected") is None
    assert any(p.startswith("csp: script-src") for p in problems), problems
