"""Intake format: received judgments, enforcement requests and entrustments.

A file (JSON or YAML) contains one record or a list of records. Each record has a
`record_type`: "judgment", "request" or "entrustment". The field-by-field
description is in docs/intake-format.md.

`load_records` validates in two passes. First the marshmallow schemas check each
field: type, closed lists, dates, decimal strings. Then the cross-field checks
compare fields with each other: party refs, shares, settlements, date order. They
run on a record only when its fields are valid. The problems of all records are
reported at once in an `IntakeError`, each with the path of the field, a stable
English code and a Vietnamese message for the clerk.

Problems that do not make a record unusable are returned as warnings in the
loaded record's `warnings` list (same shape as errors): suspected legacy TCVN3 or
VNI characters, missing amounts, an incomplete operative part, and the like.

Loaded records keep the input shape, with these conversions:

- text is NFC normalised and stripped;
- full dates are `datetime.date`, and dates known only to the month or year stay
  "YYYY-MM" or "YYYY" strings;
- decimal strings are `Decimal`;
- optional fields that were left out are present with their default.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from decimal import Decimal
from pathlib import Path

import yaml
from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields

from services.decisions.obligations import (
    DEDUCTIBLE,
    KINDS,
    MEASURABLE_KINDS,
    MONEY_KINDS,
    SETTLEMENT_KINDS,
    measure,
    quantity,
    several_side,
)

RECORD_TYPES = ("judgment", "request", "entrustment")
PARTY_KINDS = ("person", "organisation")
ROLES = (
    "plaintiff",
    "defendant",
    "accused",
    "victim",
    "related_party",
    "creditor",
    "debtor",
    "child",
    "representative",
    "guardian",
    "heir",
)
LIABILITIES = ("single", "joint", "several")
RECEIPT_MODES = ("direct", "post", "electronic")
REQUEST_MODES = ("in_person_written", "oral", "post", "electronic")
OPERATIVE_PART = ("complete", "partial", "missing")
INTEREST_BASES = ("statutory", "contractual", "none")
INTEREST_STARTS = ("request_date", "effective_date")
RATE_UNITS = ("percent_per_year", "percent_per_month")
AMOUNT_KINDS = ("vnd", "gold", "foreign_currency", "asset", "act", "periodic", "none")
GOLD_UNITS = ("lượng", "chỉ")
PERIODS = ("month", "quarter", "year")

UNIT_CODE = re.compile(r"^\d{2}(-KV\d{2})?$")
ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?$")
MONTH = re.compile(r"^(\d{4})-(\d{2})$")
DECIMAL = re.compile(r"^\d+(?:\.\d+)?$")
CURRENCY = re.compile(r"^[A-Z]{3}$")
ID_NUMBER = re.compile(r"^\d{9,13}$")
LUNAR_WORDS = re.compile(r"âm\s*-?\s*lịch", re.IGNORECASE)
LUNAR_ABBREVIATION = re.compile(r"(?<!\w)ÂL(?!\w)")

# Characters that never occur in Vietnamese Unicode text but are what TCVN3 (ABC)
# or VNI bytes turn into when read as Latin-1 or Windows-1252: "N¬i nhËn" is
# "Nơi nhận" in TCVN3, "ñeán khi thöïc hieän" is "đến khi thực hiện" in VNI.
LEGACY_MARKERS = frozenset("¡¢£¤¥¦§¨ª¬®¯±²³´µ¶·¸¹º¼½¾¿ÄÅÆÇËÎÏÐÑÖØÛÜÞßäåæçëîïðñöøûüþÿ")

MESSAGES = {
    # field errors
    "missing_field": "Thiếu trường bắt buộc. Hãy bổ sung giá trị cho trường này.",
    "null_not_allowed": "Trường này không được để trống (null). Hãy nhập giá trị.",
    "invalid_type": "Kiểu dữ liệu không đúng: cần {expected}.",
    "unknown_field": (
        "Trường này không có trong định dạng tiếp nhận. Hãy xóa hoặc sửa lại tên "
        "trường."
    ),
    "empty_text": "Không được để chuỗi rỗng. Hãy nhập nội dung cho trường này.",
    "invalid_choice": "Giá trị '{value}' không hợp lệ. Chỉ chấp nhận: {choices}.",
    "invalid_date": (
        "Ngày '{value}' không hợp lệ. Hãy nhập ngày dương lịch theo dạng NNNN-TT-NN "
        "(năm-tháng-ngày), ví dụ 2026-10-15."
    ),
    "lunar_date": (
        "'{value}' là ngày âm lịch. Hãy quy đổi và nhập ngày dương lịch tương ứng "
        "theo dạng NNNN-TT-NN; nếu cần, ghi ngày âm lịch vào phần ghi chú."
    ),
    "invalid_partial_date": (
        "Ngày '{value}' không hợp lệ. Hãy nhập theo dạng NNNN-TT-NN, hoặc NNNN-TT hay "
        "NNNN nếu chỉ biết tháng hoặc năm."
    ),
    "invalid_month": (
        "Tháng '{value}' không hợp lệ. Hãy nhập theo dạng NNNN-TT, ví dụ 2015-09."
    ),
    "decimal_not_string": (
        "Số '{value}' phải được ghi dưới dạng chuỗi trong dấu ngoặc kép, ví dụ "
        '"41555000", để không mất độ chính xác.'
    ),
    "invalid_decimal": (
        "'{value}' không phải là số hợp lệ. Hãy chỉ dùng chữ số, dấu chấm cho phần "
        'thập phân và không dùng dấu phân cách hàng nghìn, ví dụ "22.72".'
    ),
    "vnd_not_integer": (
        "Số tiền đồng '{value}' phải là số nguyên. Nếu đã dùng dấu chấm để phân cách "
        'hàng nghìn, hãy bỏ dấu chấm, ví dụ "41555000".'
    ),
    "invalid_unit_code": (
        "Mã đơn vị '{value}' không hợp lệ. Hãy nhập mã tỉnh hai chữ số (ví dụ \"79\") "
        'hoặc mã phòng khu vực (ví dụ "79-KV01").'
    ),
    "invalid_currency": (
        "Mã ngoại tệ '{value}' không hợp lệ. Hãy nhập mã ISO 4217 gồm ba chữ cái in "
        'hoa, ví dụ "USD"; tiền đồng dùng loại "vnd".'
    ),
    "invalid_id_number": (
        "Số định danh '{value}' không hợp lệ. Hãy nhập từ 9 đến 13 chữ số, không có "
        "khoảng trắng hay ký tự khác."
    ),
    "invalid_year": (
        "Năm '{value}' không hợp lệ. Hãy nhập năm gồm bốn chữ số, từ 1900 đến 2100."
    ),
    "invalid_records": (
        "Dữ liệu phải là một bản ghi (object) hoặc một danh sách bản ghi. Hãy kiểm "
        "tra lại cấu trúc tệp."
    ),
    "invalid_file": (
        "Không đọc được tệp: {detail}. Hãy kiểm tra định dạng JSON hoặc YAML."
    ),
    "unsupported_file_type": (
        "Tệp '{value}' không được hỗ trợ. Hãy dùng tệp có đuôi .json, .yaml hoặc .yml."
    ),
    # cross-field errors
    "unknown_party_ref": (
        "Mã đương sự '{value}' không có trong danh sách đương sự (parties). Hãy sửa "
        "lại mã hoặc bổ sung đương sự."
    ),
    "duplicate_ref": (
        "Mã '{value}' bị trùng. Mỗi đương sự và mỗi nghĩa vụ phải có mã riêng."
    ),
    "external_ref_required": (
        "Bản án không có số hoặc không rõ cơ quan ban hành thì phải nhập external_ref "
        "(mã tham chiếu bên ngoài) để phát hiện bản ghi trùng."
    ),
    "full_date_required": (
        "Bản án có số thì phải có đủ ngày, tháng, năm ban hành (NNNN-TT-NN). Hãy nhập "
        "ngày đầy đủ."
    ),
    "date_after_receipt": (
        "Ngày {value} muộn hơn ngày nhận {received}, điều này không thể xảy ra. Hãy "
        "kiểm tra lại ngày."
    ),
    "effective_before_judgment": (
        "Ngày có hiệu lực {value} sớm hơn ngày ban hành bản án {date}. Hãy kiểm tra "
        "lại."
    ),
    "date_before_judgment": (
        "Ngày {value} sớm hơn ngày của bản án {date}, điều này không thể xảy ra. Hãy "
        "kiểm tra lại ngày."
    ),
    "birth_year_mismatch": (
        "Năm sinh {value} không khớp với ngày sinh {date}. Hãy giữ một trong hai hoặc "
        "sửa cho khớp."
    ),
    "liability_mismatch": (
        "Trách nhiệm '{value}' không phù hợp với {count} người phải thi hành án. Một "
        "người thì dùng 'single'; nhiều người thì dùng 'joint' (liên đới) hoặc "
        "'several' (theo phần)."
    ),
    "ambiguous_several": (
        "Nghĩa vụ theo phần ('several') cần có nhiều người phải thi hành án hoặc "
        "nhiều người được thi hành án để chia phần."
    ),
    "shares_required": (
        "Nghĩa vụ theo phần ('several') phải có shares ghi phần của từng người. Hãy "
        "bổ sung shares."
    ),
    "shares_keys_mismatch": (
        "Shares phải ghi phần của đúng những người {value}. Hãy sửa lại mã trong "
        "shares."
    ),
    "shares_not_applicable": (
        "Chỉ chia phần (shares) được cho số tiền đồng, vàng hoặc ngoại tệ. Hãy bỏ "
        "shares hoặc sửa loại số tiền."
    ),
    "shares_sum_mismatch": (
        "Tổng các phần ({total}) không bằng số tiền của nghĩa vụ ({value}). Hãy sửa "
        "lại các phần hoặc số tiền."
    ),
    "settled_exceeds_amount": (
        "Tổng số đã nộp, khấu trừ, miễn ({total}) vượt quá số tiền của nghĩa vụ "
        "({value}). Nếu bản án tuyên trả lại phần thừa, hãy nhập thành một nghĩa vụ "
        "trả lại tiền riêng."
    ),
    "settlement_kind_mismatch": (
        "Khoản đã thi hành phải cùng loại với số tiền của nghĩa vụ (cùng là tiền "
        "đồng, vàng hoặc cùng một ngoại tệ). Hãy sửa lại."
    ),
    "remaining_mismatch": (
        "Số còn phải thi hành theo bản án ({value}) không khớp với số tiền trừ các "
        "khoản đã nộp, khấu trừ, miễn ({computed}). Hãy đối chiếu lại với bản án."
    ),
    "remaining_not_applicable": (
        "Chỉ ghi số còn phải thi hành (remaining) cho số tiền đồng, vàng hoặc ngoại "
        "tệ."
    ),
    "components_exceed_amount": (
        "Tổng các thành phần ({total}) lớn hơn số tiền của nghĩa vụ ({value}). Hãy "
        "kiểm tra lại các thành phần."
    ),
    "components_not_applicable": "Chỉ ghi thành phần (components) cho số tiền đồng.",
    "equivalent_empty": (
        "Hãy nhập số tiền quy đổi (amount) hoặc nội dung quy đổi (text)."
    ),
    "periodic_end_before_start": (
        "Ngày kết thúc {value} phải sau ngày bắt đầu {date}. Hãy kiểm tra lại."
    ),
    "step_outside_period": (
        "Mốc thay đổi mức ngày {value} phải nằm trong thời gian cấp dưỡng. Hãy kiểm "
        "tra lại."
    ),
    "beneficiary_sum_mismatch": (
        "Tổng mức của từng người được cấp dưỡng ({total}) không bằng mức mỗi kỳ "
        "({value}). Hãy sửa lại cho khớp."
    ),
    "periodic_steps_mismatch": (
        "Mức mỗi kỳ từ ngày {value} ({step}) không khớp với tổng mức của những người "
        "còn được cấp dưỡng ({total}). Hãy sửa lại mốc thay đổi mức hoặc thời hạn của "
        "từng người."
    ),
    "scope_period_order": (
        "Tháng bắt đầu {value} phải không muộn hơn tháng kết thúc {date}."
    ),
    "amount_exceeds_due": (
        "Số tiền {value} lớn hơn số tiền phải thi hành ({total}). Hãy kiểm tra lại "
        "quyết định ủy thác."
    ),
    # warnings
    "legacy_encoding_suspected": (
        "Có ký tự lạ ({value}), có thể do lẫn phông chữ TCVN3 hoặc VNI cũ. Hãy đối "
        "chiếu với bản gốc và gõ lại bằng Unicode."
    ),
    "missing_amount": (
        "Nghĩa vụ về tiền nhưng chưa có số tiền. Sẽ không đề xuất thu khoản này cho "
        "đến khi bổ sung số tiền."
    ),
    "operative_part_partial": (
        "Chỉ có một phần nội dung quyết định của bản án. Hãy bổ sung phần còn thiếu "
        "nếu có."
    ),
    "operative_part_missing": (
        "Không có phần quyết định của bản án. Các nghĩa vụ chỉ được ghi nhận để tham "
        "khảo và sẽ không được đề xuất ra quyết định thi hành án."
    ),
    "effective_date_missing": (
        "Chưa có ngày bản án có hiệu lực pháp luật. Hãy bổ sung khi có thông tin."
    ),
    "components_incomplete": (
        "Tổng các thành phần ({total}) nhỏ hơn số tiền của nghĩa vụ ({value}); có thể "
        "còn thành phần chưa được nhập."
    ),
    "deceased_without_successor": (
        "Đương sự đã chết và chưa có người kế thừa quyền, nghĩa vụ hoặc người đại "
        "diện. Hãy bổ sung khi xác định được."
    ),
    "prior_decision_date_inconsistent": (
        "Quyết định trước ghi ngày {value}, sớm hơn {date} mà nó căn cứ; có thể ghi "
        "sai năm. Dữ liệu được giữ nguyên như bản gốc, cần cán bộ xác minh."
    ),
}


class Message(str):
    """A message shown to clerks (Vietnamese) that carries a stable English code."""

    code: str

    def __new__(cls, code: str, text: str) -> Message:
        message = super().__new__(cls, text)
        message.code = code
        return message


def message(code: str, **values) -> Message:
    """Build the coded message for `code` with its placeholders filled in."""
    return Message(code, MESSAGES[code].format(**values))


def problem(path: str, code: str, **values) -> dict:
    """Build one error or warning entry: {"path", "code", "message"}."""
    return {"path": path, "code": code, "message": MESSAGES[code].format(**values)}


class IntakeError(ValueError):
    """Invalid intake data, with every problem found in `errors`.

    Each error is {"path": "records[0].obligations[2].amount.value", "code":
    "invalid_decimal", "message": "<Vietnamese text for the clerk>"}.
    """

    def __init__(self, errors: list[dict]):
        self.errors = errors
        first = "; ".join(f"{item['path']}: {item['code']}" for item in errors[:5])
        more = f" and {len(errors) - 5} more" if len(errors) > 5 else ""
        super().__init__(f"{len(errors)} invalid intake value(s): {first}{more}")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


# ---------------------------------------------------------------- fields


class _Coded:
    """Mixin giving marshmallow's built-in field errors a code and Vietnamese text."""

    expected = "một giá trị hợp lệ"

    def make_error(self, key: str, **kwargs) -> ValidationError:
        if key == "required":
            return ValidationError(message("missing_field"))
        if key == "null":
            return ValidationError(message("null_not_allowed"))
        return ValidationError(message("invalid_type", expected=self.expected))


class CodedList(_Coded, fields.List):
    expected = "một danh sách"


class CodedNested(_Coded, fields.Nested):
    expected = "một object hoặc danh sách object"


class Flag(_Coded, fields.Boolean):
    expected = "true hoặc false"


class Text(_Coded, fields.String):
    """A string, NFC normalised and stripped; empty text counts as no value."""

    expected = "một chuỗi ký tự"

    def _deserialize(self, value, attr, data, **kwargs):
        text = nfc(super()._deserialize(value, attr, data, **kwargs)).strip()
        if text:
            return text
        if self.allow_none:
            return None
        raise ValidationError(message("empty_text"))


class Choice(Text):
    """A string from a closed list of codes."""

    def __init__(self, choices, **kwargs):
        super().__init__(**kwargs)
        self.choices = tuple(choices)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if text is None or text in self.choices:
            return text
        choices = ", ".join(self.choices)
        raise ValidationError(message("invalid_choice", value=text, choices=choices))


class UnitCode(Text):
    """A unit code: a two-digit province code or a regional office code."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if not UNIT_CODE.match(text):
            raise ValidationError(message("invalid_unit_code", value=text))
        return text


class IdNumber(Text):
    """A personal identification number or organisation code: digits only."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if text is not None and not ID_NUMBER.match(text):
            raise ValidationError(message("invalid_id_number", value=text))
        return text


class Year(_Coded, fields.Field):
    expected = "một năm gồm bốn chữ số"

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError(message("invalid_year", value=value))
        if not 1900 <= value <= 2100:
            raise ValidationError(message("invalid_year", value=value))
        return value


def _reject_lunar(text: str) -> None:
    if LUNAR_WORDS.search(text) or LUNAR_ABBREVIATION.search(text):
        raise ValidationError(message("lunar_date", value=text))


def parse_date(value) -> dt.date:
    """Parse a solar date given as "YYYY-MM-DD" or as a `date` (from YAML)."""
    if isinstance(value, dt.datetime):
        raise ValidationError(message("invalid_date", value=value.isoformat()))
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        raise ValidationError(message("invalid_date", value=value))
    text = nfc(value).strip()
    _reject_lunar(text)
    match = ISO_DATE.match(text)
    try:
        return dt.date(*(int(part) for part in match.groups()))
    except (AttributeError, ValueError):
        raise ValidationError(message("invalid_date", value=text)) from None


def parse_partial_date(value) -> dt.date | str:
    """Parse a date that may be known only to the month ("2001-02") or year."""
    if isinstance(value, (dt.date, int)) and not isinstance(value, bool):
        value = value.isoformat() if isinstance(value, dt.date) else str(value)
    if not isinstance(value, str):
        raise ValidationError(message("invalid_partial_date", value=value))
    text = nfc(value).strip()
    _reject_lunar(text)
    if ISO_DATE.match(text):
        return parse_date(text)
    match = PARTIAL_DATE.match(text)
    if not match or (match.group(2) and not 1 <= int(match.group(2)) <= 12):
        raise ValidationError(message("invalid_partial_date", value=text))
    return text


def parse_month(value) -> str:
    """Parse a month written "YYYY-MM"."""
    text = nfc(value).strip() if isinstance(value, str) else str(value)
    _reject_lunar(text)
    match = MONTH.match(text)
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValidationError(message("invalid_month", value=text))
    return text


def earliest_day(value) -> dt.date | None:
    """Return the first day a full or partial date can denote (None stays None)."""
    if value is None or isinstance(value, dt.date):
        return value
    parts = [int(part) for part in value.split("-")]
    return dt.date(parts[0], parts[1] if len(parts) > 1 else 1, 1)


class DateValue(_Coded, fields.Field):
    expected = "một ngày dạng NNNN-TT-NN"

    def _deserialize(self, value, attr, data, **kwargs):
        return parse_date(value)


class PartialDate(_Coded, fields.Field):
    expected = "một ngày dạng NNNN-TT-NN, NNNN-TT hoặc NNNN"

    def _deserialize(self, value, attr, data, **kwargs):
        return parse_partial_date(value)


class MonthValue(_Coded, fields.Field):
    expected = "một tháng dạng NNNN-TT"

    def _deserialize(self, value, attr, data, **kwargs):
        return parse_month(value)


def parse_decimal(value, integer: bool = False) -> Decimal:
    """Parse a non-negative decimal string such as "41555000" or "22.72".

    A `Decimal` is accepted too, so that loaded records load again unchanged.
    """
    if isinstance(value, Decimal) and value.is_finite():
        value = format(value, "f")
    if not isinstance(value, str):
        raise ValidationError(message("decimal_not_string", value=value))
    text = value.strip()
    if not DECIMAL.match(text):
        raise ValidationError(message("invalid_decimal", value=text))
    if integer and "." in text:
        raise ValidationError(message("vnd_not_integer", value=text))
    return Decimal(text)


class DecimalString(_Coded, fields.Field):
    """A non-negative number written as a string; `integer` is for Vietnamese đồng."""

    expected = "một số ghi dưới dạng chuỗi"

    def __init__(self, integer: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.integer = integer

    def _deserialize(self, value, attr, data, **kwargs):
        return parse_decimal(value, self.integer)


class _Mapping(_Coded, fields.Field):
    """A mapping from text keys to values parsed by `parse_value`."""

    expected = "một object (khóa: giá trị)"

    def parse_value(self, value):
        raise NotImplementedError

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, dict):
            raise self.make_error("invalid")
        result, errors = {}, {}
        for key, item in value.items():
            try:
                result[nfc(str(key)).strip()] = self.parse_value(item)
            except ValidationError as error:
                errors[key] = error.messages
        if errors:
            raise ValidationError(errors)
        return result


class DecimalMap(_Mapping):
    def parse_value(self, value):
        return parse_decimal(value)


class PartialDateMap(_Mapping):
    def parse_value(self, value):
        return parse_partial_date(value)


class TextMap(_Mapping):
    def parse_value(self, value):
        if not isinstance(value, (str, int)) or isinstance(value, bool):
            raise ValidationError(message("invalid_type", expected="một chuỗi ký tự"))
        return nfc(str(value)).strip()


class InterestStart(_Coded, fields.Field):
    """Start of interest: "request_date", "effective_date" or a date."""

    expected = "'request_date', 'effective_date' hoặc một ngày"

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) and value.strip() in INTEREST_STARTS:
            return value.strip()
        return parse_date(value)


class AmountField(_Coded, fields.Field):
    """An amount in one of the shapes listed in AMOUNT_KINDS, chosen by `kind`."""

    expected = "một object số tiền có trường kind"

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, dict):
            raise self.make_error("invalid")
        kind = value.get("kind")
        if kind is None:
            raise ValidationError({"kind": [message("missing_field")]})
        if kind not in AMOUNT_SCHEMAS:
            choices = ", ".join(AMOUNT_KINDS)
            error = message("invalid_choice", value=kind, choices=choices)
            raise ValidationError({"kind": [error]})
        return AMOUNT_SCHEMAS[kind].load(value)


def required_text():
    return Text(required=True)


def optional_text():
    return Text(allow_none=True, load_default=None)


def optional(field_class, *args, **kwargs):
    return field_class(*args, allow_none=True, load_default=None, **kwargs)


def ref_list():
    return CodedList(Text(), load_default=list)


def nested_list(schema):
    return CodedList(CodedNested(schema), load_default=list)


# ---------------------------------------------------------------- schemas


class IntakeSchema(Schema):
    """Base schema: unknown fields are rejected so that typos do not pass silently."""

    class Meta:
        unknown = RAISE

    error_messages = {
        "unknown": message("unknown_field"),
        "type": message("invalid_type", expected="một object gồm các trường"),
    }


class VndAmountSchema(IntakeSchema):
    kind = Choice(["vnd"], required=True)
    value = DecimalString(integer=True, required=True)


class GoldAmountSchema(IntakeSchema):
    kind = Choice(["gold"], required=True)
    quantity = DecimalString(required=True)
    unit = Choice(GOLD_UNITS, required=True)
    purity = optional_text()


class ForeignAmountSchema(IntakeSchema):
    kind = Choice(["foreign_currency"], required=True)
    currency = Text(required=True)
    value = DecimalString(required=True)

    def load(self, data, **kwargs):
        loaded = super().load(data, **kwargs)
        currency = loaded["currency"]
        if not CURRENCY.match(currency) or currency == "VND":
            error = message("invalid_currency", value=currency)
            raise ValidationError({"currency": [error]})
        return loaded


class AssetAmountSchema(IntakeSchema):
    kind = Choice(["asset"], required=True)
    description = required_text()
    identifiers = TextMap(load_default=dict)


class ActAmountSchema(IntakeSchema):
    kind = Choice(["act"], required=True)
    description = required_text()


class StepSchema(IntakeSchema):
    from_ = DateValue(required=True, data_key="from")
    per_period = DecimalString(integer=True, required=True)


class BeneficiarySchema(IntakeSchema):
    ref = required_text()
    per_period = DecimalString(integer=True, required=True)
    until = optional(DateValue)


class PeriodicAmountSchema(IntakeSchema):
    kind = Choice(["periodic"], required=True)
    per_period = DecimalString(integer=True, required=True)
    period = Choice(PERIODS, required=True)
    start = DateValue(required=True)
    end = optional(DateValue)
    end_text = optional_text()
    steps = nested_list(StepSchema)
    beneficiaries = nested_list(BeneficiarySchema)

    def load(self, data, **kwargs):
        loaded = super().load(data, **kwargs)
        for step in loaded["steps"]:
            step["from"] = step.pop("from_")
        return loaded


class NoneAmountSchema(IntakeSchema):
    kind = Choice(["none"], required=True)


AMOUNT_SCHEMAS = {
    "vnd": VndAmountSchema(),
    "gold": GoldAmountSchema(),
    "foreign_currency": ForeignAmountSchema(),
    "asset": AssetAmountSchema(),
    "act": ActAmountSchema(),
    "periodic": PeriodicAmountSchema(),
    "none": NoneAmountSchema(),
}


class RepresentativeSchema(IntakeSchema):
    name = required_text()
    relation = optional_text()
    basis = optional_text()


class PartySchema(IntakeSchema):
    ref = required_text()
    kind = Choice(PARTY_KINDS, load_default="person")
    name = required_text()
    roles = CodedList(Choice(ROLES), load_default=list)
    id_number = optional(IdNumber)
    birth_date = optional(PartialDate)
    birth_year = optional(Year)
    address = optional_text()
    representative = optional(CodedNested, RepresentativeSchema)
    deceased = Flag(load_default=False)


class RequesterSchema(PartySchema):
    """The person filing a request; `ref` names the party in the judgment, if any."""

    ref = optional_text()
    name = required_text()


class InterestSchema(IntakeSchema):
    basis = Choice(INTEREST_BASES, required=True)
    start = optional(InterestStart)
    rate = optional(DecimalString)
    rate_unit = optional(Choice, RATE_UNITS)
    note = optional_text()


class SettledSchema(IntakeSchema):
    how = Choice(SETTLEMENT_KINDS, required=True)
    amount = optional(AmountField)
    date = optional(DateValue)
    receipt = optional_text()
    by = optional_text()
    note = optional_text()


class ComponentSchema(IntakeSchema):
    label = required_text()
    value = DecimalString(integer=True, required=True)


class EquivalentSchema(IntakeSchema):
    amount = optional(AmountField)
    text = optional_text()


class ObligationSchema(IntakeSchema):
    ref = required_text()
    kind = Choice(KINDS, required=True)
    description = required_text()
    debtors = ref_list()
    creditors = ref_list()
    liability = optional(Choice, LIABILITIES)
    shares = DecimalMap(load_default=dict)
    amount = optional(AmountField)
    equivalent = optional(CodedNested, EquivalentSchema)
    components = nested_list(ComponentSchema)
    remaining = optional(DecimalString)
    interest = optional(CodedNested, InterestSchema)
    settled = nested_list(SettledSchema)
    condition = optional_text()
    due_date = optional(DateValue)
    partition = Flag(load_default=False)
    exhibit = optional_text()
    notes = optional_text()


class JudgmentSchema(IntakeSchema):
    record_type = Choice(["judgment"], required=True)
    received_on = DateValue(required=True)
    receiving_unit = UnitCode(required=True)
    mode_of_receipt = Choice(RECEIPT_MODES, required=True)
    issuing_body = optional_text()
    number = optional_text()
    external_ref = optional_text()
    date = optional(PartialDate)
    effective_date = optional(DateValue)
    case_type = optional_text()
    kind = required_text()
    operative_part = Choice(OPERATIVE_PART, load_default="complete")
    parties = CodedList(CodedNested(PartySchema), required=True)
    obligations = nested_list(ObligationSchema)
    notes = optional_text()


class JudgmentRefSchema(IntakeSchema):
    issuing_body = optional_text()
    number = optional_text()
    date = optional(PartialDate)
    external_ref = optional_text()


class ScopePeriodSchema(IntakeSchema):
    from_ = MonthValue(required=True, data_key="from")
    to = MonthValue(required=True)


class PriorDecisionSchema(IntakeSchema):
    number = required_text()
    date = DateValue(required=True)
    issuing_body = optional_text()
    note = optional_text()


class RequestSchema(IntakeSchema):
    record_type = Choice(["request"], required=True)
    received_on = DateValue(required=True)
    receiving_unit = UnitCode(required=True)
    mode = Choice(REQUEST_MODES, required=True)
    request_date = DateValue(required=True)
    requester = CodedNested(RequesterSchema, required=True)
    on_behalf_of = ref_list()
    judgment = CodedNested(JudgmentRefSchema, required=True)
    obligation_refs = CodedList(Text(), required=True)
    debtor_refs = ref_list()
    scope = optional_text()
    scope_period = optional(CodedNested, ScopePeriodSchema)
    debtor_assets = optional_text()
    original_dates = PartialDateMap(load_default=dict)
    prior_decisions = nested_list(PriorDecisionSchema)
    notes = optional_text()


class EntrustedAmountsSchema(IntakeSchema):
    due = optional(AmountField)
    enforced = optional(AmountField)
    in_progress = optional(AmountField)
    entrusted = optional(AmountField)


class EntrustmentSchema(IntakeSchema):
    record_type = Choice(["entrustment"], required=True)
    received_on = DateValue(required=True)
    receiving_unit = UnitCode(required=True)
    sending_unit = required_text()
    decision_number = required_text()
    decision_date = DateValue(required=True)
    judgment = CodedNested(JudgmentRefSchema, required=True)
    debtors = CodedList(CodedNested(RequesterSchema), required=True)
    creditors = nested_list(RequesterSchema)
    amounts = CodedNested(EntrustedAmountsSchema, required=True)
    assets = optional_text()
    documents = CodedList(Text(), load_default=list)
    notes = optional_text()


RECORD_SCHEMAS = {
    "judgment": JudgmentSchema(),
    "request": RequestSchema(),
    "entrustment": EntrustmentSchema(),
}


def _rename_scope_period(record: dict) -> None:
    period = record.get("scope_period")
    if period is not None:
        period["from"] = period.pop("from_")


# ---------------------------------------------------------------- cross-field checks


def _check_identity(reference: dict, path: str) -> list[dict]:
    """Check that a judgment, or a reference to one, identifies a single judgment."""
    errors = []
    if not reference.get("number") or not reference.get("issuing_body"):
        if not reference.get("external_ref"):
            errors.append(problem(f"{path}.external_ref", "external_ref_required"))
    date = reference.get("date")
    if reference.get("number") and not isinstance(date, dt.date):
        errors.append(problem(f"{path}.date", "full_date_required"))
    return errors


def _not_after(value, limit: dt.date, path: str) -> list[dict]:
    """Report `value` (a full or partial date) if it cannot precede `limit`."""
    first = earliest_day(value)
    if first is None or first <= limit:
        return []
    return [problem(path, "date_after_receipt", value=value, received=limit)]


def _check_judgment_dates(record: dict, path: str) -> list[dict]:
    received = record["received_on"]
    errors = _not_after(record.get("date"), received, f"{path}.date")
    effective = record.get("effective_date")
    issued = earliest_day(record.get("date"))
    if effective and issued and effective < issued:
        errors.append(
            problem(
                f"{path}.effective_date",
                "effective_before_judgment",
                value=effective,
                date=record["date"],
            )
        )
    return errors


def _check_parties(parties: list[dict], path: str, received: dt.date) -> list[dict]:
    errors = _check_unique(parties, f"{path}.parties")
    for index, party in enumerate(parties):
        party_path = f"{path}.parties[{index}]"
        birth = party.get("birth_date")
        errors += _not_after(birth, received, f"{party_path}.birth_date")
        year = party.get("birth_year")
        if birth and year and earliest_day(birth).year != year:
            errors.append(
                problem(
                    f"{party_path}.birth_year",
                    "birth_year_mismatch",
                    value=year,
                    date=birth,
                )
            )
    return errors


def _check_unique(items: list[dict], path: str) -> list[dict]:
    seen, errors = set(), []
    for index, item in enumerate(items):
        if item["ref"] in seen:
            errors.append(
                problem(f"{path}[{index}].ref", "duplicate_ref", value=item["ref"])
            )
        seen.add(item["ref"])
    return errors


def _check_refs(obligation: dict, refs: set[str], path: str) -> list[dict]:
    """Check that every party named by the obligation is in the judgment's parties."""
    named = []
    for field_name in ("debtors", "creditors"):
        for index, ref in enumerate(obligation[field_name]):
            named.append((ref, f"{path}.{field_name}[{index}]"))
    named += [(ref, f"{path}.shares.{ref}") for ref in obligation["shares"]]
    for index, entry in enumerate(obligation["settled"]):
        if entry.get("by"):
            named.append((entry["by"], f"{path}.settled[{index}].by"))
    amount = obligation.get("amount") or {}
    for index, beneficiary in enumerate(amount.get("beneficiaries") or []):
        named.append((beneficiary["ref"], f"{path}.amount.beneficiaries[{index}].ref"))
    return [
        problem(where, "unknown_party_ref", value=ref)
        for ref, where in named
        if ref not in refs
    ]


def _check_liability(obligation: dict, path: str) -> list[dict]:
    liability = obligation.get("liability")
    count = len(obligation["debtors"])
    mismatch = (liability == "single" and count > 1) or (
        liability == "joint" and count < 2
    )
    if mismatch:
        return [
            problem(
                f"{path}.liability", "liability_mismatch", value=liability, count=count
            )
        ]
    if liability == "several" and several_side(obligation) is None:
        return [problem(f"{path}.liability", "ambiguous_several")]
    return []


def _check_shares(obligation: dict, path: str) -> list[dict]:
    """Check that shares name exactly the divided side and add up to the amount."""
    shares = obligation["shares"]
    if obligation.get("liability") == "several" and not shares:
        return [problem(f"{path}.shares", "shares_required")]
    if not shares:
        return []
    amount = obligation.get("amount")
    if amount is None or amount["kind"] not in MEASURABLE_KINDS:
        return [problem(f"{path}.shares", "shares_not_applicable")]
    side = several_side(obligation) or "debtors"
    expected = set(obligation[side])
    if set(shares) != expected:
        names = ", ".join(sorted(expected)) or "-"
        return [problem(f"{path}.shares", "shares_keys_mismatch", value=names)]
    total = sum(shares.values(), Decimal(0))
    if total != quantity(amount):
        return [
            problem(
                f"{path}.shares",
                "shares_sum_mismatch",
                total=total,
                value=quantity(amount),
            )
        ]
    return []


def _settled_total(obligation: dict, path: str) -> tuple[Decimal | None, list[dict]]:
    """Add up the deductible settlements in the unit of the obligation's amount."""
    amount = obligation.get("amount")
    total, errors = Decimal(0), []
    for index, entry in enumerate(obligation["settled"]):
        if entry["how"] not in DEDUCTIBLE or entry.get("amount") is None:
            continue
        if amount is None or amount["kind"] not in MEASURABLE_KINDS:
            return None, errors
        settled = measure(entry["amount"], amount)
        if settled is None:
            errors.append(
                problem(f"{path}.settled[{index}].amount", "settlement_kind_mismatch")
            )
            continue
        total += settled
    return total, errors


def _check_settlements(obligation: dict, path: str, received: dt.date) -> list[dict]:
    errors = []
    for index, entry in enumerate(obligation["settled"]):
        errors += _not_after(
            entry.get("date"), received, f"{path}.settled[{index}].date"
        )
    total, kind_errors = _settled_total(obligation, path)
    errors += kind_errors
    amount = obligation.get("amount")
    if total is None or amount is None or amount["kind"] not in MEASURABLE_KINDS:
        if obligation.get("remaining") is not None:
            errors.append(problem(f"{path}.remaining", "remaining_not_applicable"))
        return errors
    if total > quantity(amount):
        errors.append(
            problem(
                f"{path}.settled",
                "settled_exceeds_amount",
                total=total,
                value=quantity(amount),
            )
        )
    stated = obligation.get("remaining")
    if stated is not None and stated != quantity(amount) - total:
        computed = quantity(amount) - total
        errors.append(
            problem(
                f"{path}.remaining",
                "remaining_mismatch",
                value=stated,
                computed=computed,
            )
        )
    return errors


def _check_components(obligation: dict, path: str) -> list[dict]:
    components = obligation["components"]
    if not components:
        return []
    amount = obligation.get("amount")
    if amount is None or amount["kind"] != "vnd":
        return [problem(f"{path}.components", "components_not_applicable")]
    total = sum((item["value"] for item in components), Decimal(0))
    if total > amount["value"]:
        return [
            problem(
                f"{path}.components",
                "components_exceed_amount",
                total=total,
                value=amount["value"],
            )
        ]
    return []


def _check_periodic(amount: dict, path: str) -> list[dict]:
    """Check a periodic amount: end after start, steps inside, per-person sums."""
    start, end = amount["start"], amount.get("end")
    if end and end <= start:
        return [
            problem(f"{path}.end", "periodic_end_before_start", value=end, date=start)
        ]
    errors = []
    for index, step in enumerate(amount["steps"]):
        if step["from"] <= start or (end and step["from"] >= end):
            errors.append(
                problem(
                    f"{path}.steps[{index}].from",
                    "step_outside_period",
                    value=step["from"],
                )
            )
    beneficiaries = amount["beneficiaries"]
    if errors or not beneficiaries:
        return errors
    return _check_beneficiary_sums(amount, path)


def _active_total(beneficiaries: list[dict], day: dt.date) -> Decimal:
    active = [
        item for item in beneficiaries if item["until"] is None or item["until"] > day
    ]
    return sum((item["per_period"] for item in active), Decimal(0))


def _check_beneficiary_sums(amount: dict, path: str) -> list[dict]:
    beneficiaries = amount["beneficiaries"]
    total = _active_total(beneficiaries, amount["start"])
    if total != amount["per_period"]:
        return [
            problem(
                f"{path}.beneficiaries",
                "beneficiary_sum_mismatch",
                total=total,
                value=amount["per_period"],
            )
        ]
    errors = []
    for index, step in enumerate(amount["steps"]):
        total = _active_total(beneficiaries, step["from"])
        if total != step["per_period"]:
            errors.append(
                problem(
                    f"{path}.steps[{index}].per_period",
                    "periodic_steps_mismatch",
                    value=step["from"],
                    step=step["per_period"],
                    total=total,
                )
            )
    return errors


def _check_obligation(
    obligation: dict, refs: set[str], path: str, received
) -> list[dict]:
    errors = _check_refs(obligation, refs, path)
    errors += _check_liability(obligation, path)
    errors += _check_shares(obligation, path)
    errors += _check_settlements(obligation, path, received)
    errors += _check_components(obligation, path)
    amount = obligation.get("amount")
    if amount is not None and amount["kind"] == "periodic":
        errors += _check_periodic(amount, f"{path}.amount")
    equivalent = obligation.get("equivalent")
    if equivalent is not None and not (equivalent["amount"] or equivalent["text"]):
        errors.append(problem(f"{path}.equivalent", "equivalent_empty"))
    return errors


def check_judgment(record: dict, path: str) -> list[dict]:
    """Run the cross-field checks of a loaded judgment record."""
    errors = _check_identity(record, path)
    errors += _check_judgment_dates(record, path)
    errors += _check_parties(record["parties"], path, record["received_on"])
    errors += _check_unique(record["obligations"], f"{path}.obligations")
    refs = {party["ref"] for party in record["parties"]}
    for index, obligation in enumerate(record["obligations"]):
        where = f"{path}.obligations[{index}]"
        errors += _check_obligation(obligation, refs, where, record["received_on"])
    return errors


def check_request(record: dict, path: str) -> list[dict]:
    """Run the cross-field checks of a loaded request record."""
    reference = record["judgment"]
    errors = _check_identity(reference, f"{path}.judgment")
    received, requested = record["received_on"], record["request_date"]
    errors += _not_after(requested, received, f"{path}.request_date")
    issued = earliest_day(reference.get("date"))
    if issued and requested < issued:
        errors.append(
            problem(
                f"{path}.request_date",
                "date_before_judgment",
                value=requested,
                date=reference["date"],
            )
        )
    for index, prior in enumerate(record["prior_decisions"]):
        errors += _not_after(
            prior["date"], received, f"{path}.prior_decisions[{index}].date"
        )
    period = record.get("scope_period")
    if period and period["from"] > period["to"]:
        errors.append(
            problem(
                f"{path}.scope_period",
                "scope_period_order",
                value=period["from"],
                date=period["to"],
            )
        )
    return errors


def check_entrustment(record: dict, path: str) -> list[dict]:
    """Run the cross-field checks of a loaded entrustment record."""
    errors = _check_identity(record["judgment"], f"{path}.judgment")
    decided, received = record["decision_date"], record["received_on"]
    errors += _not_after(decided, received, f"{path}.decision_date")
    issued = earliest_day(record["judgment"].get("date"))
    if issued and decided < issued:
        errors.append(
            problem(
                f"{path}.decision_date",
                "date_before_judgment",
                value=decided,
                date=record["judgment"]["date"],
            )
        )
    return errors + _check_entrusted_amounts(record["amounts"], f"{path}.amounts")


def _check_entrusted_amounts(amounts: dict, path: str) -> list[dict]:
    due = amounts.get("due")
    if due is None or due["kind"] not in MEASURABLE_KINDS:
        return []
    errors = []
    for name in ("enforced", "in_progress", "entrusted"):
        part = amounts.get(name)
        if part is None:
            continue
        value = measure(part, due)
        if value is None:
            errors.append(problem(f"{path}.{name}", "settlement_kind_mismatch"))
        elif value > quantity(due):
            errors.append(
                problem(
                    f"{path}.{name}",
                    "amount_exceeds_due",
                    value=value,
                    total=quantity(due),
                )
            )
    return errors


CROSS_CHECKS = {
    "judgment": check_judgment,
    "request": check_request,
    "entrustment": check_entrustment,
}


# ---------------------------------------------------------------- warnings


def _legacy_warnings(value, path: str):
    """Yield a warning for every text that contains suspected TCVN3 or VNI bytes."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key != "warnings":
                yield from _legacy_warnings(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _legacy_warnings(item, f"{path}[{index}]")
    elif isinstance(value, str):
        found = sorted({char for char in value if _is_legacy_char(char)})
        if found:
            characters = " ".join(found)
            yield problem(path, "legacy_encoding_suspected", value=characters)


def _is_legacy_char(char: str) -> bool:
    return char in LEGACY_MARKERS or "\x80" <= char <= "\x9f" or char == "\ufffd"


def _judgment_warnings(record: dict, path: str) -> list[dict]:
    warnings = []
    if record["operative_part"] != "complete":
        code = f"operative_part_{record['operative_part']}"
        warnings.append(problem(f"{path}.operative_part", code))
    if record.get("effective_date") is None:
        warnings.append(problem(f"{path}.effective_date", "effective_date_missing"))
    for index, party in enumerate(record["parties"]):
        if party["deceased"] and not party.get("representative"):
            warnings.append(
                problem(f"{path}.parties[{index}]", "deceased_without_successor")
            )
    for index, obligation in enumerate(record["obligations"]):
        warnings += _obligation_warnings(obligation, f"{path}.obligations[{index}]")
    return warnings


def _obligation_warnings(obligation: dict, path: str) -> list[dict]:
    warnings = []
    amount = obligation.get("amount")
    no_amount = amount is None or amount["kind"] == "none"
    cleared = any(
        entry["how"] in {"exempted", "waived"} and entry.get("amount") is None
        for entry in obligation["settled"]
    )
    if obligation["kind"] in MONEY_KINDS and no_amount and not cleared:
        warnings.append(problem(f"{path}.amount", "missing_amount"))
    components = obligation["components"]
    if components and amount and amount["kind"] == "vnd":
        total = sum((item["value"] for item in components), Decimal(0))
        if total < amount["value"]:
            warnings.append(
                problem(
                    f"{path}.components",
                    "components_incomplete",
                    total=total,
                    value=amount["value"],
                )
            )
    return warnings


def _request_warnings(record: dict, path: str) -> list[dict]:
    """Warn about prior decisions dated before their judgment or original request."""
    reference = record["judgment"].get("date")
    filed = record["original_dates"].get("request_date")
    bases = [day for day in (reference, filed) if isinstance(day, dt.date)]
    warnings = []
    for index, prior in enumerate(record["prior_decisions"]):
        earlier = [day for day in bases if prior["date"] < day]
        if earlier:
            warnings.append(
                problem(
                    f"{path}.prior_decisions[{index}].date",
                    "prior_decision_date_inconsistent",
                    value=prior["date"],
                    date=max(earlier),
                )
            )
    return warnings


def collect_warnings(record: dict, path: str) -> list[dict]:
    """Return the warnings of a loaded record (problems that do not reject it)."""
    warnings = list(_legacy_warnings(record, path))
    if record["record_type"] == "judgment":
        warnings += _judgment_warnings(record, path)
    elif record["record_type"] == "request":
        warnings += _request_warnings(record, path)
    return warnings


# ---------------------------------------------------------------- loading


def flatten_errors(messages, path: str) -> list[dict]:
    """Turn marshmallow's nested error messages into a flat list with field paths."""
    if isinstance(messages, dict):
        result = []
        for key, value in messages.items():
            result += flatten_errors(value, _join_path(path, key))
        return result
    if isinstance(messages, list):
        result = []
        for item in messages:
            result += flatten_errors(item, path)
        return result
    code = getattr(messages, "code", "invalid")
    return [{"path": path, "code": code, "message": str(messages)}]


def _join_path(path: str, key) -> str:
    if key == "_schema":
        return path
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}"


def load_record(
    data, path: str = "records[0]", stored: bool = False
) -> tuple[dict | None, list[dict]]:
    """Validate one record; return (loaded record, []) or (None, errors).

    With `stored`, top-level fields outside the intake format (a database id,
    earlier warnings) are dropped instead of rejected, and no warnings are added.
    """
    if not isinstance(data, dict):
        error = message("invalid_type", expected="một object gồm các trường")
        return None, flatten_errors(error, path)
    record_type = data.get("record_type")
    if record_type not in RECORD_SCHEMAS:
        choices = ", ".join(RECORD_TYPES)
        if record_type is None:
            error = message("missing_field")
        else:
            error = message("invalid_choice", value=record_type, choices=choices)
        return None, flatten_errors(error, f"{path}.record_type")
    try:
        unknown = EXCLUDE if stored else RAISE
        record = RECORD_SCHEMAS[record_type].load(data, unknown=unknown)
    except ValidationError as error:
        return None, flatten_errors(error.messages, path)

    _rename_scope_period(record)
    errors = CROSS_CHECKS[record_type](record, path)
    if errors:
        return None, errors
    if not stored:
        record["warnings"] = collect_warnings(record, path)
    return record, []


def coerce_record(data: dict, record_type: str) -> dict:
    """Return `data` as a loaded record of `record_type`, whatever form it came in.

    Accepts a record returned by `load_records` or its stored JSON form (dates
    and numbers as strings, extra top-level fields such as a database id).
    Raises IntakeError if the record is invalid or of another type.
    """
    if not isinstance(data, dict) or data.get("record_type") != record_type:
        error = message("invalid_choice", value=_type_of(data), choices=record_type)
        raise IntakeError(flatten_errors(error, "records[0].record_type"))
    record, errors = load_record(data, stored=True)
    if errors:
        raise IntakeError(errors)
    return record


def _type_of(data) -> str:
    return data.get("record_type") if isinstance(data, dict) else type(data).__name__


def load_records(data) -> list[dict]:
    """Validate one record or a list of records and return the loaded records.

    Raises IntakeError listing every problem in every record. Each loaded record
    has a `warnings` list for problems that need attention but do not reject it.
    """
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise IntakeError([problem("records", "invalid_records")])
    records, errors = [], []
    for index, item in enumerate(data):
        record, record_errors = load_record(item, f"records[{index}]")
        errors += record_errors
        if record is not None:
            records.append(record)
    if errors:
        raise IntakeError(errors)
    return records


def load_file(path) -> list[dict]:
    """Read a .json, .yaml or .yml intake file and return its loaded records.

    Raises IntakeError for an unsupported extension, a file that cannot be
    parsed, or invalid records.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in {".json", ".yaml", ".yml"}:
        raise IntakeError([problem("file", "unsupported_file_type", value=path.name)])
    try:
        text = path.read_text(encoding="utf-8-sig")
        data = json.loads(text) if suffix == ".json" else yaml.safe_load(text)
    except (UnicodeDecodeError, json.JSONDecodeError, yaml.YAMLError) as error:
        detail = str(error).splitlines()[0]
        raise IntakeError([problem("file", "invalid_file", detail=detail)]) from error
    return load_records(data)


# ---------------------------------------------------------------- duplicates

TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"
# "hoà"/"hòa", "khoẻ"/"khỏe", "thuỷ"/"thủy": the old and new placement of the tone
# mark in a syllable ending in oa, oe or uy. Keys put the mark on the first vowel.
OLD_TONE_PLACEMENT = re.compile(
    rf"(?<![qQ])([oO])([aAeE])([{TONE_MARKS}])(?!\w)"
    rf"|(?<![qQ])([uU])([yY])([{TONE_MARKS}])(?!\w)"
)
BODY_ABBREVIATIONS = (
    (re.compile(r"\btand\b"), "tòa án nhân dân"),
    (re.compile(r"\btp\.?\s*hcm\b|\btphcm\b"), "thành phố hồ chí minh"),
    (re.compile(r"\btp\.\s*|\btp\b"), "thành phố "),
)


def _move_tone_mark(match: re.Match) -> str:
    if match.group(1):
        return match.group(1) + match.group(3) + match.group(2)
    return match.group(4) + match.group(6) + match.group(5)


def normalise_text(text: str | None) -> str | None:
    """Normalise text for comparison: NFC, case, spacing and tone-mark placement.

    Diacritics are kept: "Hòa" and "Hoà" match, "Hòa" and "Hoa" do not.
    """
    if text is None:
        return None
    decomposed = unicodedata.normalize("NFD", text)
    decomposed = OLD_TONE_PLACEMENT.sub(_move_tone_mark, decomposed)
    folded = nfc(decomposed).casefold()
    return " ".join(folded.split()) or None


def normalise_issuing_body(text: str | None) -> str | None:
    """Normalise a court name, expanding the usual abbreviations (TAND, TP.HCM)."""
    body = normalise_text(text)
    if body is None:
        return None
    body = body.replace(",", " ")
    for pattern, replacement in BODY_ABBREVIATIONS:
        body = pattern.sub(replacement, body)
    body = re.sub(r"\s*-\s*", " - ", body)
    return " ".join(body.split())


def normalise_number(text: str | None) -> str | None:
    """Normalise a judgment number: "Số: 01 / 2018 / HSST" becomes "1/2018/hsst"."""
    number = normalise_text(text)
    if number is None:
        return None
    number = re.sub(r"^số\s*:?\s*", "", number)
    number = re.sub(r"\s+", "", number)
    return re.sub(r"^0+(?=\d)", "", number)


def judgment_key(record: dict) -> tuple[str | None, str | None, str | None]:
    """Return (issuing body, number, date) identifying a judgment, for duplicates.

    Works on judgment records and on the `judgment` reference of requests and
    entrustments, loaded or raw. Texts are normalised by `normalise_issuing_body`
    and `normalise_number`; the date is an ISO string ("2018-04-17", or "2009-04"
    when only the month is known). A judgment without a number is keyed by its
    external_ref in the number slot, prefixed "ref:".
    """
    reference = record
    if record.get("record_type") in ("request", "entrustment"):
        reference = record["judgment"]
    number = normalise_number(reference.get("number"))
    if number is None and reference.get("external_ref"):
        number = "ref:" + normalise_text(reference["external_ref"])
    date = reference.get("date")
    if isinstance(date, dt.date):
        date = date.isoformat()
    elif date is not None:
        date = str(date).strip()
    return normalise_issuing_body(reference.get("issuing_body")), number, date


def find_duplicate_judgments(records: list[dict]) -> list[list[int]]:
    """Return groups of indexes of judgment records that share a `judgment_key`."""
    groups: dict[tuple, list[int]] = {}
    for index, record in enumerate(records):
        if record.get("record_type") == "judgment":
            groups.setdefault(judgment_key(record), []).append(index)
    return [indexes for indexes in groups.values() if len(indexes) > 1]
