"""FHIR export: a Bundle that fhir.resources validates, with LOINC-coded scores, that
reads back to the same answers and scores; audited; nothing beyond the measures."""

from __future__ import annotations

import json

import pytest
from fhir.resources.R4B.bundle import Bundle
from sqlmodel import select

from iop_app.models import AuditEvent, User
from iop_app.services import measure_fhir, measure_records


@pytest.fixture
def answered(session, factory):
    therapist = factory.user("therapist")
    client = factory.client(therapist, name="Alex Rivera")
    user = factory.client_user(client)
    forms = {
        "phq9": {n: 2 for n in range(1, 10)},
        "gad7": {1: 3, 2: 2, 3: 1, 4: 0, 5: 1, 6: 2, 7: 3},
        "bam": {**{n: 1 for n in range(1, 18)}, 14: 4},  # item 14 is answered No (0) or Yes (4)
        "urica": {n: (n % 5) + 1 for n in range(1, 33)},
    }
    done = {}
    for code, answers in forms.items():
        draft = measure_records.save_draft(session, user, client.id, code=code, answers=answers)
        done[code] = measure_records.submit(session, user, client.id, draft.id)
    return client, therapist, done


def test_export_validates_and_round_trips(session, answered):
    client, therapist, done = answered
    text = measure_fhir.export_json(session, therapist, client.id)
    bundle = Bundle.model_validate_json(text)  # raises if not valid FHIR
    kinds = [entry.resource.get_resource_type() for entry in bundle.entry]
    assert kinds.count("QuestionnaireResponse") == 4 and kinds.count("Observation") == 4

    back = measure_fhir.scores_from_json(text)
    for response in done.values():
        read = back[response.id]
        assert read["code"] == response.code
        assert read["answers"] == response.answers
        assert read["total"] == (None if response.total is None else pytest.approx(response.total))
        assert read["subscales"] == pytest.approx(response.subscales)


def test_scores_carry_their_loinc_codes(session, answered):
    client, therapist, done = answered
    data = json.loads(measure_fhir.export_json(session, therapist, client.id))
    codes = {}
    for entry in data["entry"]:
        resource = entry["resource"]
        if resource["resourceType"] == "Observation":
            loinc = [c["code"] for c in resource["code"]["coding"] if c["system"] == "http://loinc.org"]
            codes[int(resource["identifier"][0]["value"])] = loinc
            assert resource["derivedFrom"][0]["reference"] in {e["fullUrl"] for e in data["entry"]}
    assert codes[done["phq9"].id] == ["44261-6"]
    assert codes[done["gad7"].id] == ["70274-6"]
    questionnaires = {e["resource"]["questionnaire"] for e in data["entry"]
                      if e["resource"]["resourceType"] == "QuestionnaireResponse"}
    assert "http://loinc.org/q/44249-1" in questionnaires


def test_export_holds_no_name_and_is_audited(session, answered):
    client, therapist, _ = answered
    text = measure_fhir.export_json(session, therapist, client.id)
    user = session.get(User, client.user_id)
    assert user.full_name not in text and user.email not in text
    [event] = session.exec(select(AuditEvent).where(AuditEvent.action == "measure.fhir_export",
                                                    AuditEvent.outcome == "success")).all()
    assert event.actor_user_id == therapist.id and event.client_id == client.id


def test_a_correction_replaces_the_original_as_amended(session, answered):
    client, therapist, done = answered
    fixed = measure_records.correct(session, therapist, client.id, done["gad7"].id,
                                    answers={n: 0 for n in range(1, 8)}, reason="Entered for the wrong week")
    back = measure_fhir.scores_from_json(measure_fhir.export_json(session, therapist, client.id))
    assert done["gad7"].id not in back and back[fixed.id]["total"] == 0
    data = json.loads(measure_fhir.export_json(session, therapist, client.id))
    mine = {"system": measure_fhir.RESPONSE_ID_SYSTEM, "value": str(fixed.id)}
    # A QuestionnaireResponse has one identifier, an Observation a list of them.
    statuses = {e["resource"]["resourceType"]: e["resource"]["status"] for e in data["entry"]
                if e["resource"]["identifier"] in (mine, [mine])}
    assert statuses == {"QuestionnaireResponse": "amended", "Observation": "amended"}
