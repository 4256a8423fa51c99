"""FHIR export of a client's measures: a Bundle of QuestionnaireResponse (the answers
item by item) and Observation (the scores) resources, built and validated with the
`fhir.resources` package.

FHIR version: `fhir.resources` 8 (the release that works with the project's pydantic 2)
ships R5 and R4B, not R4 itself. R4B is the R4-compatible release (4.3.0):
QuestionnaireResponse, Observation and Bundle have the same structure as in R4
(4.0.1), so the JSON produced here is valid R4 for these resources.

Staff only (the care team's exports; a client reads their own measures in the app),
audited as an export. The bundle holds only the measures: no names or contact
details (the subject is the program's client id), no diary, no notes, no alerts or
the actions taken on them. Only responses in force are exported; a correction is
exported with status "amended" in place of the response it corrects.
"""

from __future__ import annotations

import uuid
from datetime import UTC

from fhir.resources.R4B.bundle import Bundle
from sqlalchemy import exists
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from ..models import MeasureResponse, User
from ..models.enums import MeasureResponseStatus
from . import audit, measures, permissions
from .measure_records import answers_of

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
LOCAL = "urn:harbor-light"  # the program's own code systems and identifiers
RESPONSE_ID_SYSTEM = f"{LOCAL}:measure-response"
SCORE_CODE_SYSTEM = f"{LOCAL}:measure-score"
ANSWER_SYSTEM = f"{LOCAL}:measure-answer"
CLIENT_ID_SYSTEM = f"{LOCAL}:client"
SURVEY = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "survey",
                      "display": "Survey"}]}
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://harbor-light.example/fhir")


def _urn(kind: str, row_id: int) -> str:
    """A stable urn:uuid for one resource, the same on every export."""
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, f'{kind}/{row_id}')}"


def _instant(moment) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat()


def _score_code(instrument: measures.Instrument) -> dict:
    codings = []
    loinc = instrument.loinc.total or instrument.loinc.panel
    if loinc:
        codings.append({"system": LOINC, "code": loinc, "display": f"{instrument.name} {instrument.total.label}"
                        if instrument.loinc.total and instrument.total else instrument.title})
    codings.append({"system": SCORE_CODE_SYSTEM, "code": instrument.code, "display": instrument.name})
    return {"coding": codings, "text": f"{instrument.name} score"}


def _quantity(value) -> dict:
    return {"value": value, "unit": "{score}", "system": UCUM, "code": "{score}"}


def _questionnaire_response(row: MeasureResponse, instrument: measures.Instrument, subject: dict) -> dict:
    items = []
    for number, value in sorted(answers_of(row).items()):
        item = instrument.item(number)
        label = next((option.label for option in item.options if option.value == value), str(value))
        items.append({"linkId": str(number), "text": item.text,
                      "answer": [{"valueCoding": {"system": f"{ANSWER_SYSTEM}:{instrument.code}", "code": str(value),
                                                  "display": label}}]})
    canonical = (f"{LOINC}/q/{instrument.loinc.panel}" if instrument.loinc.panel
                 else f"{LOCAL}:questionnaire:{instrument.code}")
    return {
        "resourceType": "QuestionnaireResponse",
        "identifier": {"system": RESPONSE_ID_SYSTEM, "value": str(row.id)},
        "questionnaire": canonical,
        "status": "amended" if row.supersedes_id else "completed",
        "subject": subject,
        "authored": _instant(row.completed_at),
        "item": items,
    }


def _observation(row: MeasureResponse, instrument: measures.Instrument, subject: dict) -> dict:
    labels = {subscale.key: subscale.label for subscale in instrument.subscales}
    resource = {
        "resourceType": "Observation",
        "identifier": [{"system": RESPONSE_ID_SYSTEM, "value": str(row.id)}],
        "status": "amended" if row.supersedes_id else "final",
        "category": [SURVEY],
        "code": _score_code(instrument),
        "subject": subject,
        "effectiveDateTime": _instant(row.completed_at),
        "derivedFrom": [{"reference": _urn("QuestionnaireResponse", row.id)}],
    }
    if row.total is not None:
        resource["valueQuantity"] = _quantity(row.total)
    interpretation = [text for text in (row.band, {True: "positive screen", False: "negative screen"}.get(
        row.positive, "")) if text]
    if interpretation:
        resource["interpretation"] = [{"text": text} for text in interpretation]
    components = [{"code": {"coding": [{"system": SCORE_CODE_SYSTEM, "code": f"{instrument.code}.{key}"}],
                            "text": labels.get(key, key)},
                   "valueQuantity": _quantity(value)}
                  for key, value in sorted((row.subscales or {}).items())]
    if components:
        resource["component"] = components
    return resource


def export_bundle(session: Session, actor: User, client_id: int) -> Bundle:
    """A validated FHIR Bundle (type collection) of the client's measures in force."""
    client = permissions.require(session, actor, permissions.READ, client_id, what="measure.fhir_export",
                                 roles=permissions.STAFF)
    later = aliased(MeasureResponse)
    rows = session.exec(select(MeasureResponse).where(
        MeasureResponse.client_id == client.id, MeasureResponse.status == MeasureResponseStatus.SUBMITTED,
        ~exists().where(later.supersedes_id == MeasureResponse.id))
        .order_by(col(MeasureResponse.completed_at), col(MeasureResponse.id))).all()
    subject = {"identifier": {"system": CLIENT_ID_SYSTEM, "value": str(client.id)}}
    entries = []
    for row in rows:
        instrument = measures.definition(row.code)
        entries.append({"fullUrl": _urn("QuestionnaireResponse", row.id),
                        "resource": _questionnaire_response(row, instrument, subject)})
        entries.append({"fullUrl": _urn("Observation", row.id), "resource": _observation(row, instrument, subject)})
    bundle = Bundle.model_validate({"resourceType": "Bundle", "type": "collection",
                                    "identifier": {"system": f"{LOCAL}:measure-export", "value": str(uuid.uuid4())},
                                    "entry": entries})
    audit.record_now(session, actor, "measure.fhir_export", client_id=client.id, outcome="success",
                     detail=f"{len(rows)} responses as FHIR R4 (R4B) bundle {bundle.identifier.value}")
    return bundle


def export_json(session: Session, actor: User, client_id: int) -> str:
    """export_bundle as FHIR JSON."""
    return export_bundle(session, actor, client_id).model_dump_json(by_alias=True, exclude_none=True)


def scores_from_json(text: str) -> dict[int, dict]:
    """Read an export back: response id -> {"code", "total", "subscales", "answers"} (what a
    receiving system would take from the Observations and QuestionnaireResponses)."""
    bundle = Bundle.model_validate_json(text)
    found: dict[int, dict] = {}
    for entry in bundle.entry or []:
        resource = entry.resource
        if resource.get_resource_type() == "Observation":
            response_id = int(resource.identifier[0].value)
            local = next(c.code for c in resource.code.coding if c.system == SCORE_CODE_SYSTEM)
            record = found.setdefault(response_id, {})
            record["code"] = local
            record["total"] = float(resource.valueQuantity.value) if resource.valueQuantity else None
            record["subscales"] = {component.code.coding[0].code.split(".", 1)[1]: float(component.valueQuantity.value)
                                   for component in resource.component or []}
        elif resource.get_resource_type() == "QuestionnaireResponse":
            response_id = int(resource.identifier.value)
            found.setdefault(response_id, {})["answers"] = {
                int(item.linkId): int(item.answer[0].valueCoding.code) for item in resource.item or []}
    return found
