"""Request and response bodies of the JSON API, and the OpenAPI document
generated from them."""
import re

from marshmallow import (
    Schema, ValidationError, fields, validate, validates_schema,
)

from services.common.actors import ROLES
from services.common.units import provincial_units
from services.registers.rows import FORMS


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


class DiscardSchema(StepSchema):
    reason = fields.String(required=True, validate=validate.Length(1, 2000))


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
        ["draft", "submitted", "returned", "signed", "issued", "discarded"]))
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


# registers -----------------------------------------------------------------

REGISTER_FORMS = FORMS
UNIT_CODES = tuple(unit.code for unit in provincial_units())
EXPORT_FORMATS = ("xlsx", "pdf")
REPORTING_MONTHS = (3, 6, 10, 12)


# Search text without control characters: PostgreSQL cannot store NUL,
# and no register cell contains the others. NOTE: Python's "$" also
# matches before a final line feed, so one trailing "\n" passes.
printable = validate.Regexp(r"^[^\x00-\x1f\x7f]*$",
                            error="control characters are not allowed")


def decision_number_filter(value):
    """Accept "7", "07" or a printed number such as "07/QĐ-THADS".

    Every digit must be ASCII 0-9, because str.isdigit() also accepts
    digits such as "²" or "٣" that int() rejects, and a bare number has at
    most 9 digits so that it fits the register's integer column.
    """
    text = value.strip()
    if any(char.isdigit() and char not in "0123456789" for char in text):
        raise ValidationError("digits must be ASCII 0-9")
    if text.isdigit() and not re.fullmatch(r"[0-9]{1,9}", text):
        raise ValidationError("a decision number has at most 9 digits")


def work_year_field(**kwargs):
    return fields.Integer(validate=validate.Range(2000, 2100), metadata={
        "description": "the year in which the work year ends: 2027 for "
                       "1 October 2026 to 30 September 2027"}, **kwargs)


class RegisterPathSchema(Schema):
    form = fields.String(required=True, validate=validate.OneOf(REGISTER_FORMS),
                         metadata={"description": "form number, 03 for Mẫu số 03"})
    unit = fields.String(required=True, validate=validate.OneOf(UNIT_CODES),
                         metadata={"description": "provincial unit code"})
    work_year = work_year_field(required=True)


class RegisterListQuerySchema(Schema):
    unit = fields.String(validate=validate.OneOf(UNIT_CODES))
    work_year = work_year_field()


class RegisterRowsQuerySchema(Schema):
    date_from = fields.Date(metadata={"description": "first entry date"})
    date_to = fields.Date(metadata={"description": "last entry date"})
    party = fields.String(validate=[validate.Length(1, 200), printable],
                          metadata={"description": "part of a party's name or "
                                    "address, with or without diacritics"})
    judgment_number = fields.String(validate=[validate.Length(1, 100), printable])
    decision_number = fields.String(
        validate=[validate.Length(1, 64), printable, decision_number_filter],
        metadata={"description": "7 or 07/QĐ-THADS"})
    limit = fields.Integer(validate=validate.Range(0, 1000),
                           metadata={"description": "rows per page, default 100"})
    offset = fields.Integer(validate=validate.Range(0, 10**9))

    @validates_schema
    def check_dates(self, data, **kwargs):
        first, last = data.get("date_from"), data.get("date_to")
        if first and last and first > last:
            raise ValidationError("date_from is after date_to", "date_from")


class PageNumberSchema(Schema):
    trang = fields.Integer(validate=validate.Range(1, 10**7))


class ExportQuerySchema(Schema):
    format = fields.String(required=True,
                           validate=validate.OneOf(EXPORT_FORMATS))


class StatisticsPathSchema(Schema):
    work_year = work_year_field(required=True)
    months = fields.Integer(required=True,
                            validate=validate.OneOf(REPORTING_MONTHS),
                            metadata={"description": "length of the period "
                                      "from 1 October, in months"})


class RegisterSummarySchema(Schema):
    form = fields.String()
    title = fields.String()
    unit = fields.String()
    unit_name = fields.String()
    work_year = fields.Integer()
    rows = fields.Integer(metadata={"description": "rows entered so far"})


class RegisterRowsSchema(Schema):
    form = fields.String()
    unit = fields.String()
    work_year = fields.Integer()
    total = fields.Integer(metadata={
        "description": "rows that match the filters, closing lines excluded"})
    rows = fields.List(fields.Dict(), metadata={
        "description": "row data by layout source path; a closing line "
                       "has only the key _closing"})


class PeriodSchema(Schema):
    code = fields.String()
    label = fields.String()
    start = fields.Date()
    end = fields.Date()


class UnitCountsSchema(Schema):
    unit = fields.String()
    unit_name = fields.String()
    counts = fields.Dict(keys=fields.String(), values=fields.Integer(),
                         metadata={"description": "rows per form number"})


class StatisticsSchema(Schema):
    work_year = fields.Integer()
    months = fields.Integer()
    period = fields.Nested(PeriodSchema)
    units = fields.List(fields.Nested(UnitCountsSchema))
