"""Request and response bodies of the JSON API, and the OpenAPI document
generated from them."""
from marshmallow import Schema, fields, validate

from services.common.actors import ROLES


class ErrorSchema(Schema):
    error = fields.String(required=True, metadata={"description": "error code"})
    message = fields.String(required=True)
    errors = fields.List(fields.Dict(), metadata={"description": "field errors"})


class LoginSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(1, 64))
    password = fields.String(required=True, validate=validate.Length(1, 200))


class UserSchema(Schema):
    username = fields.String(required=True)
    role = fields.String(validate=validate.OneOf(ROLES))
    unit = fields.String(allow_none=True)
    office = fields.String(allow_none=True)
    scope = fields.List(fields.String())
    full_name = fields.String()


class LoginResultSchema(Schema):
    user = fields.Nested(UserSchema)
    csrf_token = fields.String(required=True)


class ReceiveSchema(Schema):
    records = fields.Raw(required=True, metadata={
        "description": "one intake record or a list of them"})
    request_id = fields.String(load_default=None, allow_none=True)


class ReceiveResultSchema(Schema):
    id = fields.String()
    record_type = fields.String()
    status = fields.String(validate=validate.OneOf(["created", "duplicate"]))
    warnings = fields.List(fields.Raw())


class RecordSchema(Schema):
    id = fields.String()
    record_type = fields.String()
    unit = fields.String()
    office = fields.String(allow_none=True)
    work_year = fields.Integer()
    received_on = fields.Date()
    number = fields.String(allow_none=True)
    issuing_body = fields.String(allow_none=True)
    date = fields.String(allow_none=True)
    data = fields.Dict()


class ProposalsSchema(Schema):
    judgment_record_id = fields.String()
    decision_date = fields.Date()
    proposals = fields.List(fields.Dict())
    awaiting_request = fields.Raw()
    nothing_to_enforce = fields.Raw()
    flags = fields.Raw()


class DraftFromProposalSchema(Schema):
    index = fields.Integer(required=True, validate=validate.Range(min=0))
    decision_date = fields.Date(load_default=None, allow_none=True)
    request_id = fields.String(load_default=None, allow_none=True)


class DraftSchema(Schema):
    content = fields.Dict(required=True)
    request_id = fields.String(load_default=None, allow_none=True)


class UpdateDraftSchema(Schema):
    content = fields.Dict(required=True)
    version = fields.Integer(load_default=None, allow_none=True)


class StepSchema(Schema):
    request_id = fields.String(load_default=None, allow_none=True)


class ReturnSchema(StepSchema):
    note = fields.String(required=True, validate=validate.Length(1, 2000))


class SignSchema(StepSchema):
    as_deputy = fields.Boolean(load_default=False)
    late_reason = fields.String(load_default=None, allow_none=True)


class RevokeSchema(StepSchema):
    kind = fields.String(required=True)
    reason = fields.String(required=True, validate=validate.Length(1, 2000))


class IdSchema(Schema):
    id = fields.String(required=True)


class DecisionSchema(Schema):
    id = fields.String()
    unit = fields.String()
    office = fields.String(allow_none=True)
    decision_kind = fields.String()
    kind_label = fields.String(allow_none=True)
    status = fields.String(validate=validate.OneOf(
        ["draft", "submitted", "returned", "signed", "issued"]))
    display = fields.String(allow_none=True)
    number = fields.Integer(allow_none=True)
    work_year = fields.Integer(allow_none=True)
    issued_on = fields.Date(allow_none=True)
    deadline = fields.Date(allow_none=True)
    debtors = fields.List(fields.String())
    judgment_record_id = fields.String(allow_none=True)
    version = fields.Integer()
    content = fields.Dict()
    checks = fields.List(fields.Dict())
    history = fields.List(fields.Dict())


class SeriesSchema(Schema):
    unit = fields.String(required=True)
    work_year = fields.Integer(required=True)
    kind = fields.String(load_default="QD")
