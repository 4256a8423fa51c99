"""Migration f11b0c0e0002 on a database seeded before it: every plan review becomes a
signed plan version (nothing recorded is lost), the reviews' earlier summaries follow
them, and plan_review goes."""

from __future__ import annotations

from datetime import UTC, date, datetime

from alembic import command
from sqlalchemy import inspect
from sqlmodel import Session, col, select

from iop_app.db import get_engine
from iop_app.manage import alembic_config
from iop_app.models import TextVersion, TreatmentPlan, User
from iop_app.seed import seed_demo_program
from iop_app.services import plans, versions
from tests.migration_helpers import database_at, inserter, tables

BEFORE = "f11d0c0e0004"
RECORDED = datetime(2026, 3, 2, 17, 30, tzinfo=UTC)


def test_plan_reviews_become_signed_plan_versions(tmp_path):
    url, engine = database_at(tmp_path, BEFORE)
    with Session(engine) as session:
        seed_demo_program(session)  # today's demo program (plans already as versions)
    t = tables(engine)
    with engine.begin() as db:
        add = inserter(db, t)
        therapist = db.execute(select(User.id).where(User.email == "therapist@iop.example")).scalar_one()
        director = db.execute(select(User.id).where(User.email == "director@iop.example")).scalar_one()

        def legacy_client(email, full_name, admitted):
            person = add("user", email=email, full_name=full_name, password_hash="x", role="client", active=True,
                         created_at=RECORDED)
            return add("client", user_id=person, admission_date=admitted, status="active",
                       primary_therapist_id=therapist, level_of_care="2.1", stage_of_change="action",
                       discharge_note="")

        client = legacy_client("legacy@test.example", "Lee Legacy", date(2026, 1, 5))
        other = legacy_client("other@test.example", "Olu Other", date(2026, 2, 1))

        def review(client_id, on, reviewer, summary, updated_at=None):
            return add("plan_review", client_id=client_id, reviewed_on=on, reviewer_id=reviewer, summary=summary,
                       version=1, updated_at=updated_at, updated_by=reviewer if updated_at else None)

        # recorded out of date order: versions follow the review dates
        second = review(client, date(2026, 2, 9), director, "Second review: sleep added.")
        review(client, date(2026, 1, 8), therapist, "Initial plan agreed.", RECORDED)
        review(other, date(2026, 2, 4), therapist, "")
        add("text_version", table_name="plan_review", row_id=second, field="summary",
            previous_text="Second review (typo).", changed_by=director, changed_at=RECORDED)
        seeded_versions = db.execute(select(TreatmentPlan.id).order_by(TreatmentPlan.id)).all()

    command.upgrade(alembic_config(url), "head")
    assert "plan_review" not in inspect(get_engine(url)).get_table_names()
    with Session(get_engine(url), expire_on_commit=False) as session:
        rows = session.exec(select(TreatmentPlan).where(TreatmentPlan.client_id == client)
                            .order_by(col(TreatmentPlan.number))).all()
        assert [(p.number, p.status, p.effective_on, p.review_due_on, p.changes, p.therapist_signed_by,
                 p.therapist_signature, p.client_signed_at) for p in rows] == [
            (1, "superseded", date(2026, 1, 8), date(2026, 2, 7), "Initial plan agreed.", therapist, "Marcus Reyes",
             None),
            (2, "signed", date(2026, 2, 9), date(2026, 3, 11), "Second review: sleep added.", director,
             "Dana Whitfield", None),
        ]
        assert rows[1].previous_id == rows[0].id and rows[0].previous_id is None
        assert rows[0].therapist_signed_at == RECORDED  # when it was recorded, not typed
        assert rows[1].therapist_signed_at == datetime(2026, 2, 9, 12, tzinfo=UTC)
        [only] = session.exec(select(TreatmentPlan).where(TreatmentPlan.client_id == other)).all()
        assert (only.number, only.status, only.changes) == (1, "signed", "")
        # earlier summaries stay with their version
        earlier = versions.earlier_texts(session, "treatment_plan", [rows[1].id], ("changes",))
        assert [e.text for e in earlier[rows[1].id]] == ["Second review (typo)."]
        assert session.exec(select(TextVersion).where(TextVersion.table_name == "plan_review")).all() == []
        # the demo's own versions are untouched; the due date drives the roster and the record
        assert len(session.exec(select(TreatmentPlan)).all()) == len(seeded_versions) + 3
        director_user = session.exec(select(User).where(User.id == director)).one()
        status = plans.review_status(session, director_user, client, date(2026, 3, 20))
        assert (status.in_force_id, status.next_due, status.days_overdue) == (rows[1].id, date(2026, 3, 11), 9)
        # the printable copy says the client's signature was never taken
        view = plans.plan_view(session, director_user, rows[1].id)
        from iop_app.services import plan_pdf, program

        pdf = plan_pdf.render(view, "Harbor Light IOP", program.program_tz(session), compress=False)
        assert b"Client: not signed \\(recorded before client signatures were kept\\)" in pdf

    # and back: the reviews return, versions written since stay
    command.downgrade(alembic_config(url), BEFORE)
    t = tables(get_engine(url))
    review_row = t["plan_review"].c
    with get_engine(url).connect() as db:
        back = db.execute(select(review_row.reviewed_on, review_row.summary).where(review_row.client_id == client)
                          .order_by(review_row.reviewed_on)).all()
        assert [tuple(r) for r in back] == [(date(2026, 1, 8), "Initial plan agreed."),
                                            (date(2026, 2, 9), "Second review: sleep added.")]
        plan_ids = t["treatment_plan"].c.id
        assert db.execute(select(plan_ids).order_by(plan_ids)).all() == seeded_versions
