"""The content of a decision draft, validated with marshmallow.

A draft names the records it rests on, its parties and the obligation
lines it orders. The same content renders the PDF and fills the
`decision_issued` event.
"""
from marshmallow import (
    EXCLUDE, Schema, ValidationError, fields, validate, validates_schema,
)

DECISION_KINDS = (
    "ex_officio", "on_request", "entrust_enforcement", "entrust_asset",
    "revocation", "amendment", "cancellation",
)
CORRECTING_KINDS = ("revocation", "amendment", "cancellation")
MODES = ("ex_officio", "on_request")
AMOUNT_KINDS = ("vnd", "gold", "foreign_currency", "asset", "act", "periodic",
                "none")

KIND_LABELS = {
    "ex_officio": "Chủ động",
    "on_request": "Theo yêu cầu",
    "entrust_enforcement": "Ủy thác thi hành án",
    "entrust_asset": "Ủy thác xử lý tài sản",
    "revocation": "Thu hồi quyết định",
    "amendment": "Sửa đổi, bổ sung quyết định",
    "cancellation": "Hủy quyết định",
}


class Party(Schema):
    class Meta:
        unknown = EXCLUDE

    ref = fields.String(load_default=None, allow_none=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=300))
    address = fields.String(load_default=None, allow_none=True)
    id_number = fields.String(load_default=None, allow_none=True)
    birth_year = fields.Integer(load_default=None, allow_none=True)
    representative = fields.String(load_default=None, allow_none=True)


class Amount(Schema):
    class Meta:
        unknown = EXCLUDE

    kind = fields.String(required=True, validate=validate.OneOf(AMOUNT_KINDS))
    value = fields.String(load_default=None, allow_none=True)
    quantity = fields.String(load_default=None, allow_none=True)
    unit = fields.String(load_default=None, allow_none=True)
    purity = fields.String(load_default=None, allow_none=True)
    currency = fields.String(load_default=None, allow_none=True)
    description = fields.String(load_default=None, allow_none=True)
    identifiers = fields.Dict(load_default=None, allow_none=True)
    per_period = fields.String(load_default=None, allow_none=True)
    period = fields.String(load_default=None, allow_none=True)
    start = fields.String(load_default=None, allow_none=True)
    end = fields.String(load_default=None, allow_none=True)
    end_text = fields.String(load_default=None, allow_none=True)
    steps = fields.List(fields.Dict(), load_default=None, allow_none=True)
    beneficiaries = fields.List(fields.Dict(), load_default=None, allow_none=True)


class ObligationLine(Schema):
    class Meta:
        unknown = EXCLUDE

    ref = fields.String(load_default=None, allow_none=True)
    kind = fields.String(load_default=None, allow_none=True)
    mode = fields.String(load_default=None, allow_none=True,
                         validate=validate.OneOf(MODES))
    description = fields.String(required=True, validate=validate.Length(min=1))
    debtor = fields.String(load_default=None, allow_none=True)
    creditor = fields.String(load_default=None, allow_none=True)
    amount = fields.Nested(Amount, required=True)
    note = fields.String(load_default=None, allow_none=True)
    # A refund of an advance that the judgment offset against a fee.
    refund_of_offset = fields.Boolean(load_default=False)


class DraftContent(Schema):
    class Meta:
        unknown = EXCLUDE

    decision_kind = fields.String(
        required=True, validate=validate.OneOf(DECISION_KINDS))
    mode = fields.String(load_default=None, allow_none=True,
                         validate=validate.OneOf(MODES))
    judgment_record_id = fields.String(load_default=None, allow_none=True)
    request_record_id = fields.String(load_default=None, allow_none=True)
    entrustment_record_id = fields.String(load_default=None, allow_none=True)
    related_decision_id = fields.String(load_default=None, allow_none=True)
    debtors = fields.List(fields.Nested(Party), load_default=list)
    creditors = fields.List(fields.Nested(Party), load_default=list)
    obligations = fields.List(fields.Nested(ObligationLine), load_default=list)
    reason = fields.String(load_default=None, allow_none=True)
    receiving_unit = fields.String(load_default=None, allow_none=True)
    asset = fields.Dict(load_default=None, allow_none=True)
    extra_recipients = fields.List(fields.String(), load_default=list)
    proposal = fields.Dict(load_default=None, allow_none=True)

    @validates_schema
    def check_kind_needs(self, data, **kwargs):
        kind = data["decision_kind"]
        if kind in CORRECTING_KINDS and not data.get("related_decision_id"):
            raise ValidationError(
                "Quyết định thu hồi, sửa đổi, bổ sung hoặc hủy phải ghi rõ "
                "quyết định bị thu hồi, sửa đổi hoặc hủy.",
                "related_decision_id")
        if kind in MODES and not data.get("judgment_record_id"):
            raise ValidationError(
                "Hãy chọn bản án, quyết định được thi hành.",
                "judgment_record_id")
        if kind == "on_request" and not data.get("request_record_id"):
            raise ValidationError(
                "Quyết định thi hành án theo yêu cầu phải dựa trên một "
                "đơn yêu cầu đã nhận.", "request_record_id")
        if kind in MODES and not data.get("obligations"):
            raise ValidationError(
                "Hãy ghi ít nhất một khoản phải thi hành.", "obligations")


def flatten_errors(messages, prefix=""):
    """Turn marshmallow's nested messages into [{path, code, message}]."""
    found = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            if isinstance(key, int):
                path = f"{prefix}[{key}]"
            found.extend(flatten_errors(value, path))
    elif isinstance(messages, list):
        for message in messages:
            if isinstance(message, (dict, list)):
                found.extend(flatten_errors(message, prefix))
            else:
                found.append({"path": prefix, "code": "invalid",
                              "message": str(message)})
    else:
        found.append({"path": prefix, "code": "invalid", "message": str(messages)})
    return found


def load_content(data):
    """Validate draft content; raise ValidationError with field paths."""
    return DraftContent().load(data)
