"""Event names and the schemas of their payloads.

Every event travels in an envelope:

    {"event_id": uuid, "event_type": name, "schema_version": int,
     "occurred_at": ISO 8601 with offset, "source": service name,
     "seq": position in the source's outbox, "data": {...}}

`event_id` is unique, so a handler that records the ids it has applied
can ignore a redelivered or replayed event. `seq` orders one source's
events; consumers use it to catch up on history they missed.
"""
from marshmallow import EXCLUDE, Schema, fields, validate

SCHEMA_VERSION = 1

JUDGMENT_RECEIVED = "judgment_received"
REQUEST_RECEIVED = "request_received"
ENTRUSTMENT_RECEIVED = "entrustment_received"
DECISION_ISSUED = "decision_issued"
DECISION_REVOKED = "decision_revoked"
DEADLINE_DUE = "deadline_due"
PAPER_FALLBACK_AUTHORIZED = "paper_fallback_authorized"
PAPER_FALLBACK_ENDED = "paper_fallback_ended"
FAULT_REPORTED = "fault_reported"


class Envelope(Schema):
    event_id = fields.UUID(required=True)
    event_type = fields.String(required=True)
    schema_version = fields.Integer(required=True)
    occurred_at = fields.AwareDateTime(required=True)
    source = fields.String(required=True)
    seq = fields.Integer(load_default=None, allow_none=True)
    data = fields.Dict(required=True)


class _Data(Schema):
    class Meta:
        unknown = EXCLUDE


# A judgment's date may be known only to the month or year ("2009-04").
PARTIAL_DATE = validate.Regexp(r"^\d{4}(-\d{2}(-\d{2})?)?$")


class JudgmentRef(_Data):
    issuing_body = fields.String(allow_none=True)
    number = fields.String(allow_none=True)
    date = fields.String(allow_none=True, validate=PARTIAL_DATE)
    effective_date = fields.String(allow_none=True, load_default=None,
                                   validate=PARTIAL_DATE)


class PartyRef(_Data):
    name = fields.String(required=True)
    address = fields.String(allow_none=True, load_default=None)
    id_number = fields.String(allow_none=True, load_default=None)


class Intake(_Data):
    """Common part of the three intake events."""

    record_id = fields.String(required=True)
    unit = fields.String(required=True)
    office = fields.String(allow_none=True, load_default=None)
    work_year = fields.Integer(required=True)
    received_on = fields.Date(required=True)
    judgment = fields.Nested(JudgmentRef, required=True)
    debtors = fields.List(fields.Nested(PartyRef), load_default=list)
    creditors = fields.List(fields.Nested(PartyRef), load_default=list)


class JudgmentReceived(Intake):
    mode_of_receipt = fields.String(allow_none=True, load_default=None)
    parties = fields.List(fields.Nested(PartyRef), load_default=list)
    case_type = fields.String(allow_none=True, load_default=None)
    other_documents = fields.String(allow_none=True, load_default=None)


class RequestReceived(Intake):
    mode = fields.String(allow_none=True, load_default=None)
    request_date = fields.Date(allow_none=True, load_default=None)
    requester = fields.Nested(PartyRef, allow_none=True, load_default=None)
    content = fields.String(allow_none=True, load_default=None)


class EntrustmentReceived(Intake):
    sending_unit = fields.String(required=True)
    decision_number = fields.String(allow_none=True, load_default=None)
    decision_date = fields.Date(allow_none=True, load_default=None)
    amount_vnd = fields.Integer(allow_none=True, load_default=None)
    assets = fields.String(allow_none=True, load_default=None)


class DecisionIssued(_Data):
    decision_id = fields.String(required=True)
    unit = fields.String(required=True)
    office = fields.String(allow_none=True, load_default=None)
    kind = fields.String(required=True)  # document kind of the series, e.g. QD
    decision_kind = fields.String(required=True)
    mode = fields.String(allow_none=True, load_default=None)
    work_year = fields.Integer(required=True)
    number = fields.Integer(required=True, validate=validate.Range(min=1))
    display = fields.String(required=True)
    issued_on = fields.Date(required=True)
    issued_at = fields.AwareDateTime(required=True)
    on_paper = fields.Boolean(load_default=False)
    judgment = fields.Nested(JudgmentRef, allow_none=True, load_default=None)
    judgment_record_id = fields.String(allow_none=True, load_default=None)
    request_record_id = fields.String(allow_none=True, load_default=None)
    entrustment_record_id = fields.String(allow_none=True, load_default=None)
    debtors = fields.List(fields.Nested(PartyRef), load_default=list)
    creditors = fields.List(fields.Nested(PartyRef), load_default=list)
    obligations = fields.String(allow_none=True, load_default=None)
    total_vnd = fields.Integer(allow_none=True, load_default=None)
    officer = fields.String(allow_none=True, load_default=None)
    signer = fields.String(allow_none=True, load_default=None)
    related_decision = fields.Dict(allow_none=True, load_default=None)
    receiving_unit = fields.String(allow_none=True, load_default=None)
    asset = fields.Dict(allow_none=True, load_default=None)


class DecisionRevoked(_Data):
    decision_id = fields.String(required=True)
    unit = fields.String(required=True)
    work_year = fields.Integer(required=True)
    display = fields.String(required=True)
    by_decision_id = fields.String(required=True)
    by_display = fields.String(required=True)
    by_kind = fields.String(required=True)
    on = fields.Date(required=True)
    reason = fields.String(allow_none=True, load_default=None)


class DeadlineDue(_Data):
    decision_id = fields.String(allow_none=True, load_default=None)
    record_id = fields.String(allow_none=True, load_default=None)
    unit = fields.String(required=True)
    deadline = fields.Date(required=True)
    what = fields.String(required=True)


class PaperFallback(_Data):
    unit = fields.String(required=True)
    fault_id = fields.String(required=True)
    at = fields.AwareDateTime(required=True)


class FaultReported(_Data):
    fault_id = fields.String(required=True)
    unit = fields.String(required=True)
    blocking = fields.Boolean(required=True)
    summary = fields.String(required=True)


SCHEMAS = {
    JUDGMENT_RECEIVED: JudgmentReceived,
    REQUEST_RECEIVED: RequestReceived,
    ENTRUSTMENT_RECEIVED: EntrustmentReceived,
    DECISION_ISSUED: DecisionIssued,
    DECISION_REVOKED: DecisionRevoked,
    DEADLINE_DUE: DeadlineDue,
    PAPER_FALLBACK_AUTHORIZED: PaperFallback,
    PAPER_FALLBACK_ENDED: PaperFallback,
    FAULT_REPORTED: FaultReported,
}


class UnknownEventType(KeyError):
    pass


def schema_for(event_type):
    try:
        return SCHEMAS[event_type]()
    except KeyError:
        raise UnknownEventType(
            f"event type {event_type!r} has no payload schema; "
            f"known types: {', '.join(sorted(SCHEMAS))}"
        ) from None


def validate_data(event_type, data):
    """Check DATA against EVENT_TYPE's schema and return it JSON-ready.

    Raises marshmallow.ValidationError naming the bad fields.
    """
    schema = schema_for(event_type)
    return schema.dump(schema.load(data))


def load_envelope(message):
    """Validate an incoming envelope and return (envelope, data)."""
    envelope = Envelope().load(message)
    data = schema_for(envelope["event_type"]).load(envelope["data"])
    return envelope, data
