"""The content of a decision draft, validated with marshmallow.

A draft names the records it rests on, its parties and the obligation
lines it orders. The same content renders the PDF and fills the
`decision_issued` event.
"""
import re
from datetime import date

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


WHOLE = re.compile(r"[0-9]{1,18}")
QUANTITY = re.compile(r"[0-9]{1,18}(\.[0-9]{1,6})?")
CURRENCY = re.compile(r"[A-Z]{3}")
MAX_LINES = 500


def _check(pattern, value, field, hint):
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise ValidationError(f"{value!r} không hợp lệ: {hint}", field)


def _check_date(value, field, optional=False):
    if optional and value in (None, ""):
        return
    try:
        date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError(
            f"{value!r} không phải ngày dạng YYYY-MM-DD.", field) from None


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

    @validates_schema
    def check_by_kind(self, data, **kwargs):
        """Check the fields each kind of amount needs, so that a decision
        that passes validation always renders."""
        kind = data["kind"]
        digits = "ghi số đồng, chỉ gồm chữ số, ví dụ 1038875"
        if kind == "vnd":
            _check(WHOLE, data.get("value"), "value", digits)
        elif kind == "gold":
            _check(QUANTITY, data.get("quantity"), "quantity",
                   "ghi số lượng vàng, ví dụ 22.72")
            if data.get("unit") not in ("lượng", "chỉ"):
                raise ValidationError("Đơn vị vàng là lượng hoặc chỉ.", "unit")
        elif kind == "foreign_currency":
            _check(CURRENCY, data.get("currency"), "currency",
                   "ghi mã tiền tệ ba chữ in hoa, ví dụ USD")
            _check(QUANTITY, data.get("value"), "value", "ghi số tiền, ví dụ 100.50")
        elif kind == "periodic":
            self.check_periodic(data, digits)
        elif kind in ("asset", "act") and not (data.get("description") or "").strip():
            raise ValidationError("Hãy mô tả tài sản hoặc việc phải làm.",
                                  "description")

    def check_periodic(self, data, digits):
        _check(WHOLE, data.get("per_period"), "per_period", digits)
        _check_date(data.get("start"), "start")
        _check_date(data.get("end"), "end", optional=True)
        for index, step in enumerate(data.get("steps") or []):
            _check_date(step.get("from"), f"steps.{index}.from")
            _check(WHOLE, step.get("per_period"), f"steps.{index}.per_period",
                   digits)


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
    obligations = fields.List(fields.Nested(ObligationLine), load_default=list,
                              validate=validate.Length(max=MAX_LINES))
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
