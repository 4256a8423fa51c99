"""The community resource directory: search and filter, edits that do not overwrite
each other, and the CSV export taken back in unchanged (all or nothing)."""

from __future__ import annotations

import csv
import io

import pytest
from sqlmodel import func, select

from iop_app.models import AuditEvent
from iop_app.models.referrals import CommunityResource
from iop_app.services import resources
from iop_app.services.errors import StaleEdit, ValidationError

ENTRY = dict(name="Bayport Legal Aid", category="legal", address="300 Court Street", phone="(555) 201-8800",
             web="https://bayportlegalaid.example.org", hours="Mon–Thu 9:00–16:00", languages="English, Spanish",
             cost="Free", notes="Housing, benefits and family law.")


def test_search_by_text_and_category_and_retired_entries_are_hidden(session, team):
    staff, client_user = team["therapist"], team["client_user"]
    resources.create_resource(session, staff, **ENTRY)
    resources.create_resource(session, staff, **(ENTRY | {"name": "SMART Recovery", "category": "mutual_help",
                                                          "languages": "English", "notes": "Tuesdays"}))
    food = resources.create_resource(session, staff, **(ENTRY | {"name": "Food Bank", "category": "food",
                                                                 "notes": "100% free_food"}))
    assert [r.name for r in resources.search(session, staff, "spanish")] == ["Bayport Legal Aid", "Food Bank"]
    assert [r.name for r in resources.search(session, client_user, "", "mutual_help")] == ["SMART Recovery"]
    assert [r.name for r in resources.search(session, staff, "100%")] == ["Food Bank"]  # % is literal
    assert resources.search(session, staff, "_food")[0].name == "Food Bank"
    assert resources.search(session, staff, "x_o") == []
    resources.set_active(session, staff, food.id, False, expected_version=food.version)
    assert "Food Bank" not in [r.name for r in resources.search(session, client_user)]
    assert "Food Bank" not in [r.name for r in resources.search(session, client_user, include_retired=True)]
    assert "Food Bank" in [r.name for r in resources.search(session, staff, include_retired=True)]
    with pytest.raises(ValidationError):
        resources.search(session, staff, "", "casino")
    with pytest.raises(ValidationError):
        resources.search(session, staff, "x" * 101)


def test_entries_are_checked_field_by_field(session, team):
    with pytest.raises(ValidationError) as exc:
        resources.create_resource(session, team["therapist"], name="", category="spa", phone="call me",
                                  web="javascript:alert(1)", notes="n" * 1001)
    assert set(exc.value.errors) == {"name", "category", "phone", "web", "notes"}
    assert exc.value.errors["web"].startswith("Enter a web address starting with https://")
    assert session.exec(select(func.count()).select_from(CommunityResource)).one() == 0


def test_an_edit_on_an_older_copy_is_refused(session, team):
    staff = team["therapist"]
    row = resources.create_resource(session, staff, **ENTRY)
    seen = row.version
    resources.update_resource(session, team["director"], row.id, expected_version=seen, **(ENTRY | {"cost": "$5"}))
    with pytest.raises(StaleEdit, match="Dana Director"):
        resources.update_resource(session, staff, row.id, expected_version=seen, **(ENTRY | {"cost": "$9"}))
    session.expire_all()
    assert session.get(CommunityResource, row.id).cost == "$5"


def test_the_export_imports_back_unchanged_and_edits_come_back_in(session, team):
    staff = team["therapist"]
    first = resources.create_resource(session, staff, **ENTRY)
    resources.create_resource(session, staff, **(ENTRY | {"name": "=HYPERLINK(\"x\")", "category": "food",
                                                          "notes": "Line one\nline two, \"quoted\""}))
    exported = resources.export_csv(session, staff)
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert list(rows[0]) == list(resources.CSV_COLUMNS)
    assert rows[0]["name"].startswith("'=")  # a spreadsheet will not run it as a formula
    assert resources.import_csv(session, staff, exported) == resources.ImportResult(0, 0, 2)
    session.expire_all()
    names = sorted(r.name for r in session.exec(select(CommunityResource)).all())
    assert names == ["=HYPERLINK(\"x\")", "Bayport Legal Aid"]

    # Change one row, add one without an id, and take it back in.
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=resources.CSV_COLUMNS)
    writer.writeheader()
    for row in rows:
        if row["id"] == str(first.id):
            row["hours"] = "Mon–Fri 9:00–17:00"
        writer.writerow(row)
    writer.writerow({"id": "", "name": "Harbor Shelter", "category": "housing", "active": "yes"})
    assert resources.import_csv(session, staff, buffer.getvalue()) == resources.ImportResult(1, 1, 1)
    session.expire_all()
    assert session.get(CommunityResource, first.id).hours == "Mon–Fri 9:00–17:00"
    assert session.get(CommunityResource, first.id).version == 2
    assert len(list(csv.DictReader(io.StringIO(resources.export_csv(session, staff))))) == 3
    session.commit()  # a new read: the export's event was written on its own connection
    actions = session.exec(select(AuditEvent.action).where(AuditEvent.action.like("resources.%"))).all()
    assert actions.count("resources.import") == 2 and actions.count("resources.export") == 2


def test_an_import_with_a_bad_row_imports_nothing_and_names_the_rows(session, team):
    staff = team["therapist"]
    text = ("name,category,phone\n"
            "Good Place,food,(555) 100-2000\n"
            "Bad Category,casino,\n"
            ",housing,\n")
    with pytest.raises(ValidationError) as exc:
        resources.import_csv(session, staff, text)
    message = exc.value.errors["csv"]
    assert message.startswith("Nothing was imported.") and "Row 3: category" in message and "Row 4: name" in message
    assert session.exec(select(func.count()).select_from(CommunityResource)).one() == 0
    for bad, words in (("", "Choose or paste"), ("title,kind\nx,y\n", "missing column(s): name, category"),
                       ("name,category,id\nX,food,999\n", "is not an entry"),
                       ("name,category,active\nX,food,maybe\n", "write yes or no"),
                       (None, "Choose or paste")):
        with pytest.raises(ValidationError, match=words.replace("(", r"\(").replace(")", r"\)")):
            resources.import_csv(session, staff, bad)
