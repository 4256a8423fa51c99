"""Every page of every role, at 1280 px and at a 375 px phone width: axe-core
finds no WCAG 2.1 A/AA violation, and nothing makes the page scroll sideways.

axe-core comes from npm (.tools/package.json; `make setup` installs it). Each
page view is its own test id, e.g. `therapist-375-roll-call`. One signed-in
browser context per role and width is shared by that role's page views.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, col, create_engine, select

from iop_app.models import (
    Addendum,
    BreakGlassGrant,
    Client,
    Discharge,
    GroupSession,
    ProgressNote,
    TherapyGroup,
    TreatmentPlan,
    User,
)
from iop_app.services import permissions

from .helpers import ROOT, sign_in_and_land

AXE_JS = ROOT / ".tools" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
WIDTHS = {1280: 800, 375: 740}  # width: height


@dataclass(frozen=True)
class View:
    key: str  # test id part
    path: str  # URL, or a template filled from the demo data ({client}, {group}, {session})
    ready: str  # CSS selector that appears once the page's data has loaded


SIGNED_OUT = [
    View("signin", "/signin", "form button[type=submit]"),
    View("activate", "/family/activate", "#act-email"),
]
STAFF = [
    View("roster", "/staff/roster", "table.roster tbody tr"),
    View("client-record", "/staff/clients/{client}", "main h2"),
    View("groups", "/staff/groups", "main table tbody tr"),
    View("group", "/staff/groups/{group}", "main table tbody tr"),
    View("roll-call", "/staff/sessions/{session}", "main select[id^=status-]"),
    View("roll-call-old", "/staff/sessions/{old_session}", "#rollcall-reason"),
    View("family-sessions", "/staff/family-sessions", "main h3"),
    View("intake-signed", "/staff/clients/{client}/intake", "#orientation-list li"),
    View("intake-draft", "/staff/clients/{intake_client}/intake", "#intake-form #risk-d6"),
    View("plan", "/staff/clients/{client}/plan", "main h2"),
    View("plan-draft", "/staff/clients/{plan_draft}/plan", "#new-problem-statement"),
    View("my-notes", "/staff/notes", "main h2"),
    View("client-notes", "/staff/clients/{client}/notes", "main table tbody tr"),
    View("note-signed", "/staff/notes/{note}", "main h2"),
    View("note-draft", "/staff/notes/{draft_note}", "main h2"),
    View("screens", "/staff/clients/{client}/screens", "#screens li"),
    View("recovery-tools", "/staff/clients/{client}/tools", "#staff-safety-versions details"),
    View("discharge-form", "/staff/clients/{client}/discharge", "#discharge-type option"),
    View("discharge-summary", "/staff/clients/{discharged}/discharge", "#summary-form"),
    View("follow-ups", "/staff/follow-ups", "#follow-ups-show option"),
    View("referrals", "/staff/clients/{client}/referrals", "#referrals .referral-card"),
    View("resources", "/staff/resources", "table.resources tbody tr"),
]
ROLES = {
    "director": ("director@iop.example", "/director", [
        View("overview", "/director", "#setting-hours[value]:not([value=''])"),
        View("accounts", "/director/accounts", "main table tbody tr"),
        View("audit", "/director/audit", "main table tbody tr"),
        View("break-glass", "/director/break-glass", "main [role=status]"),
        View("orientation-items", "/director/orientation", "#orientation-items li"),
        View("screen-panel", "/director/screen-panel", "#analytes li"),
        View("reports", "/director/reports", "main table tbody tr"),
        View("supervision", "/director/supervision", "#supervision-staff li"),
        *STAFF,
    ]),
    "therapist": ("therapist@iop.example", "/staff/roster", [
        *STAFF, View("denied", "/denied", "main h1"),
        View("emergency-access", "/staff/clients/{off_caseload}", "#emergency-reason"),
    ]),
    "client": ("client@iop.example", "/client", [
        # The measure trends are drawn in the same update as the diary chart, below it.
        View("home", "/client", "#measure-trends .main-svg"),
        View("checkin", "/client/checkin", "#checkin-day option"),
        # GAD-7: due today in the demo and left due by test_measures (which completes the PHQ-9).
        View("measure", "/client/measures/gad7", "#measure-progress"),
        View("goals", "/client/goals", ".goal-card"),
        View("needs", "/client/needs", "#needs-list li"),
        View("plan", "/client/plan", "main h2"),
        View("family", "/client/family", "main table tbody tr"),
        View("orientation", "/client/orientation", "#orientation-items li"),
        View("screens", "/client/screens", "#my-screens li"),
        View("my-notes", "/client/notes", "#my-notes-off"),
        View("tools", "/client/tools", "#balance-versions details"),
        View("safety-plan", "/client/safety-plan", "#safety-helpers-list li"),
        View("resources", "/client/resources", "#directory h3"),
    ]),
    "family": ("family@iop.example", "/family", [View("home", "/family", "main h2")]),
}

CASES = [pytest.param(None, width, view, id=f"signed-out-{width}-{view.key}")
         for width in WIDTHS for view in SIGNED_OUT]
CASES += [pytest.param(role, width, view, id=f"{role}-{width}-{view.key}")
          for role, (_email, _home, views) in ROLES.items() for width in WIDTHS for view in views]


def _demo_ids(db_url: str) -> dict[str, int]:
    """Ids in the seeded demo program: the demo client, the demo therapist's
    morning group, its latest past session and one older than 7 days."""
    with Session(create_engine(db_url)) as session:
        user = session.exec(select(User).where(User.email == "client@iop.example")).one()
        client = session.exec(select(Client).where(Client.user_id == user.id)).one()
        group = session.exec(select(TherapyGroup).where(TherapyGroup.name == "Morning Process Group")).one()
        now = datetime.now(UTC)
        past = select(GroupSession).where(GroupSession.group_id == group.id, ~col(GroupSession.cancelled),
                                          GroupSession.starts_at < now).order_by(col(GroupSession.starts_at).desc())
        sessions = session.exec(past).all()
        recent = sessions[0]
        old = next(s for s in sessions if (recent.starts_at - s.starts_at).days > 14)
        therapist = session.exec(select(User).where(User.email == "therapist@iop.example")).one()
        # Off the caseload and never opened through break-glass (another test may have
        # opened one on this shared server): the page then offers the emergency form.
        opened = set(session.exec(select(BreakGlassGrant.client_id)).all())
        off_caseload = next(c.id for c in session.exec(select(Client).order_by(Client.id))
                            if c.id not in opened and not permissions.can(session, therapist, permissions.READ, c.id))
        # The demo therapist's client still in intake, with a draft intake (seed.py).
        intake_client = session.exec(select(Client.id).join(User, User.id == Client.user_id)
                                     .where(User.full_name == "Morgan Ellis")).one()
        draft = session.exec(select(TreatmentPlan.client_id).where(TreatmentPlan.status == "draft")
                             .order_by(TreatmentPlan.id)).first()  # the demo's review being written
        # A signed note with an addendum, and a draft the demo therapist wrote (their edit form).
        note = session.exec(select(Addendum.note_id).where(col(Addendum.note_id).is_not(None))).first()
        draft_note = session.exec(select(ProgressNote.id).where(ProgressNote.author_id == therapist.id,
                                                                ProgressNote.status == "draft")).first()
        # The demo therapist's discharged client with a discharge summary (seed.py).
        discharged = session.exec(select(Discharge.client_id).join(Client, Client.id == Discharge.client_id)
                                  .where(Client.primary_therapist_id == therapist.id)
                                  .order_by(Discharge.id)).first()
        return {"discharged": discharged, "client": client.id, "group": group.id, "session": recent.id,
                "old_session": old.id,
                "off_caseload": off_caseload, "intake_client": intake_client, "plan_draft": draft,
                "note": note, "draft_note": draft_note or note}


@pytest.fixture(scope="module")
def demo_ids(live_server):
    return _demo_ids(live_server.db_url)


@pytest.fixture(scope="module")
def role_pages(browser, live_server):
    """One browser context per (role, width), signed in on first use, shared by
    the module's page views of that role and width."""
    contexts, pages = [], {}

    def get(role: str | None, width: int) -> Page:
        if (role, width) not in pages:
            ctx = browser.new_context(viewport={"width": width, "height": WIDTHS[width]}, base_url=live_server.url,
                                      # axe.min.js is injected as an inline script, which the app's CSP
                                      # (rightly) blocks; the CSP itself is tested in test_security_headers.
                                      bypass_csp=True, reduced_motion="reduce",
                                      **({"is_mobile": True, "has_touch": True} if width < 600 else {}))
            ctx.set_default_timeout(20_000)
            contexts.append(ctx)
            page = ctx.new_page()
            if role is not None:
                email, home, _views = ROLES[role]
                sign_in_and_land(page, email, home)
            pages[(role, width)] = page
        return pages[(role, width)]

    yield get
    for ctx in contexts:
        ctx.close()


def _format_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:8]:
            summary = " ".join(line.strip() for line in node["summary"].splitlines()[1:])
            lines.append(f"    {json.dumps(node['target'])}: {summary[:300]}")
        if len(v["nodes"]) > 8:
            lines.append(f"    ... and {len(v['nodes']) - 8} more")
    return "\n".join(lines)


RUN_AXE = """async (tags) => {
  const results = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return results.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target, summary: n.failureSummary || ''})),
  }));
}"""

# Elements sticking out past the right edge of the viewport (what causes sideways scroll).
OVERFLOWING = """() => {
  const w = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.right > w + 0.5 && r.width > 0) {
      // Clipped by an ancestor scroller, unless it is absolutely placed and that
      // scroller is not positioned (then the scroller does not contain it).
      let positioned = getComputedStyle(el).position === 'absolute' ? 'absolute' : 'flow';
      let clipped = false;
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
        const s = getComputedStyle(p);
        const isPositioned = s.position !== 'static';
        if (/(auto|scroll|hidden|clip)/.test(s.overflowX) && (positioned === 'flow' || isPositioned)) {
          clipped = true; break;
        }
        if (isPositioned) positioned = s.position === 'absolute' ? 'absolute' : 'flow';
      }
      if (!clipped) out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
        + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '')
        + ' right=' + Math.round(r.right));
    }
  }
  return out.slice(0, 10);
}"""


@pytest.mark.parametrize(("role", "width", "view"), CASES)
def test_page_has_no_wcag_violations_and_no_sideways_scroll(role, width, view, role_pages, demo_ids):
    assert AXE_JS.exists(), f"{AXE_JS} missing: run `make setup` (npm ci in .tools installs axe-core)"
    page = role_pages(role, width)
    page.goto(view.path.format(**demo_ids))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.locator(view.ready).first.wait_for(state="attached")
    # Let late renders (lazy plotly charts, Radix presence) settle before measuring.
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)

    # Check what is folded away too (forms in <details>: create a group, cancel a session, ...).
    page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
    page.wait_for_timeout(100)

    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    violations = page.evaluate(RUN_AXE, WCAG_TAGS)
    assert violations == [], f"axe-core found WCAG 2.1 A/AA violations on {page.url}:\n{_format_violations(violations)}"

    scroll_width, client_width = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert client_width <= width
    assert scroll_width <= width, (
        f"{page.url} scrolls sideways at {width} px (scrollWidth {scroll_width}); sticking out: "
        f"{page.evaluate(OVERFLOWING)}")
