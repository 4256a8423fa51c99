"""Migration c1f4a11e0001 on rows written by the old invitation flow: links that
reached an account other than through their own activation are detached,
unactivated family accounts removed (their codes still work), and consents whose
free-text end names discharge end by themselves (already, for clients who were
discharged)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from alembic import command
from sqlmodel import Session, func, select

from iop_app.manage import alembic_config
from iop_app.models import AuditEvent, Consent, FamilyLink, User
from iop_app.services import family
from tests.migration_helpers import database_at, inserter, tables

NOW = datetime.now(UTC)
LEGACY_CODE_B = "ABCD-EFGH-JKMN"
LEGACY_CODE_A = "PQRS-TUVW-XYZ2"


def test_legacy_rows_follow_the_new_rules(tmp_path):
    url, engine = database_at(tmp_path, "b00b51e906bd", "legacy.db")
    t = tables(engine)
    with engine.begin() as db:
        add = inserter(db, t)

        def user(email, role, password_hash="argon2-hash"):
            return add("user", email=email, full_name=email.split("@")[0], password_hash=password_hash, role=role,
                       active=True, failed_signins=0, created_at=NOW)

        def client(email, status="active", discharge_date=None):
            return add("client", user_id=user(email, "client"), admission_date=date(2026, 9, 1), status=status,
                       level_of_care="2.1", stage_of_change="action", discharge_date=discharge_date,
                       discharge_note="")

        def link(client_id, email, family_user_id, activated, code=None):
            return add("family_link", client_id=client_id, name="Robin", relationship="Friend", email=email,
                       family_user_id=family_user_id, invite_code_hash=family.code_hash(code) if code else None,
                       invite_expires_at=NOW + timedelta(days=5) if code else None, invited_at=NOW,
                       activated_at=NOW if activated else None, created_at=NOW)

        def event(action, target, detail="", outcome="success"):
            add("audit_event", at=NOW, actor_label="x", action=action, target=target, outcome=outcome, detail=detail)

        def consent(client_id, link_id, recorder, expiry_event, expires_on=None):
            return add("consent", client_id=client_id, family_link_id=link_id, scope="scheduling", purpose="x",
                       expires_on=expires_on, expiry_event=expiry_event, signature="x", signed_on=date(2026, 9, 2),
                       granted_at=NOW, on_paper=False, recorded_by=recorder)

        b, a = client("b@test.example"), client("a@test.example")
        c = client("c@test.example", status="discharged", discharge_date=date(2026, 10, 20))
        # The reproduced takeover, frozen before activation: B's invitation made a
        # pending account, A's invitation reused it with A's code.
        pending = user("robin@example.org", "family", password_hash="")
        link_b = link(b, "robin@example.org", pending, False, LEGACY_CODE_B)
        link_a = link(a, "robin@example.org", pending, False, LEGACY_CODE_A)
        # An active family member: activated through B's link (kept) ...
        sam = user("sam@example.org", "family")
        proper = link(b, "sam@example.org", sam, True)
        event("family.activate", f"family_link:{proper}")
        event("family.invite", f"family_link:{proper}", "existing active account linked")  # a re-invite
        # ... linked silently by A's invitation (detached) ...
        silent = link(a, "sam@example.org", sam, True)
        event("family.invite", f"family_link:{silent}", "existing active account linked")
        # ... and reached through a pending account someone else's code activated (detached).
        shared = link(c, "sam@example.org", sam, False)
        seeded = link(c, "sam@example.org", sam, True)  # demo data: activated, no audit trail (kept)
        recorder = t["client"].c
        b_user = db.execute(select(recorder.user_id).where(recorder.id == b)).scalar()
        c_user = db.execute(select(recorder.user_id).where(recorder.id == c)).scalar()
        at_discharge = consent(b, proper, b_user, "My Discharge from the program")
        already_over = consent(c, seeded, c_user, "discharge")
        expired_first = consent(c, seeded, c_user, "discharge", expires_on=date(2026, 10, 1))
        probation = consent(b, proper, b_user, "the end of my probation")

    command.upgrade(alembic_config(url), "head")
    with Session(engine) as session:
        links = {row.id: row for row in session.exec(select(FamilyLink))}
        assert {i: links[i].family_user_id for i in (link_b, link_a, proper, silent, shared, seeded)} == {
            link_b: None, link_a: None, proper: sam, silent: None, shared: None, seeded: sam}
        assert links[link_b].invite_code_hash == family.code_hash(LEGACY_CODE_B)  # codes still work
        assert session.get(User, pending) is None
        detached = session.exec(select(AuditEvent).where(AuditEvent.action == "family_link.detach")).all()
        assert sorted(e.target for e in detached) == sorted(
            f"family_link:{i}" for i in (link_b, link_a, silent, shared))
        assert session.exec(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "account.delete", AuditEvent.target == f"user:{pending}")).one() == 1

        consents = {row.id: row for row in session.exec(select(Consent))}
        assert {i: (consents[i].end_event, consents[i].ended_on) for i in consents} == {
            at_discharge: ("discharge", None), already_over: ("discharge", date(2026, 10, 20)),
            expired_first: ("discharge", None), probation: ("", None)}

        # The relative's legacy code now makes their own account, for B's link alone.
        relative = family.activate(session, "robin@example.org", LEGACY_CODE_B, "the relative's own password")
        session.expire_all()
        assert session.get(FamilyLink, link_b).family_user_id == relative.id
        assert session.get(FamilyLink, link_a).family_user_id is None
    engine.dispose()
