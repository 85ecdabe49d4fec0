"""Vietnamese reading and formatting of amounts and dates for decision documents.

Numbers are read the way Vietnamese financial documents read them. A zero tens
digit reads "linh" ("một trăm linh năm"). A final 1 after a tens digit of 2 or
more reads "mốt", a final 4 there reads "tư", and a final 5 after any tens digit
reads "lăm". A zero hundreds digit inside a number reads "không trăm". The tỷ
(10^9) scale repeats, so 10^12 reads "một nghìn tỷ".
"""

import datetime
import unicodedata
from decimal import Decimal, InvalidOperation

BILLION = 10**9

DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
GROUP_SCALES = ("", "nghìn", "triệu")

PERIOD_NAMES = {"month": "tháng", "quarter": "quý", "year": "năm"}
GOLD_UNITS = ("lượng", "chỉ")

# Labels printed before asset identifiers; an unknown key prints as given.
IDENTIFIER_LABELS = {
    "plate": "biển số",
    "frame": "số khung",
    "engine": "số máy",
    "registration": "giấy đăng ký số",
    "certificate": "giấy chứng nhận số",
    "parcel": "thửa đất số",
    "map_sheet": "tờ bản đồ số",
    "account": "số tài khoản",
}


class InvalidAmountError(ValueError):
    """An amount that cannot be read or formatted (wrong kind, sign or value)."""


def to_decimal(value, field: str = "value") -> Decimal:
    """Convert an int, Decimal or decimal string to Decimal.

    Raises InvalidAmountError naming the field when the value is not a finite
    decimal number. Floats are rejected because they carry binary rounding.
    """
    if isinstance(value, bool) or isinstance(value, float):
        raise InvalidAmountError(
            f"{field} must be an int, Decimal or decimal string, got {value!r}"
        )
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise InvalidAmountError(
            f"{field} is not a decimal number: {value!r}"
        ) from None
    if not number.is_finite():
        raise InvalidAmountError(f"{field} is not a finite number: {value!r}")
    return number


def _whole_dong(amount, field: str = "value") -> int:
    number = to_decimal(amount, field)
    if number != number.to_integral_value():
        raise InvalidAmountError(
            f"{field} must be a whole number of đồng, got {amount!r}"
        )
    if number < 0:
        raise InvalidAmountError(f"{field} must not be negative, got {amount!r}")
    return int(number)


def _read_units(units: int, tens: int) -> list[str]:
    if units == 0:
        return []
    if units == 1 and tens >= 2:
        return ["mốt"]
    if units == 4 and tens >= 2:
        return ["tư"]
    if units == 5 and tens >= 1:
        return ["lăm"]
    return [DIGITS[units]]


def _read_triple(value: int, leading: bool) -> list[str]:
    """Read 0 < value < 1000. A leading triple omits a zero hundreds digit."""
    hundreds, rest = divmod(value, 100)
    tens, units = divmod(rest, 10)
    words = []
    if hundreds or not leading:
        words += [DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units and words:
            words.append("linh")
    elif tens == 1:
        words.append("mười")
    else:
        words += [DIGITS[tens], "mươi"]
    return words + _read_units(units, tens)


def _read_below_billion(value: int, leading: bool) -> list[str]:
    groups = [(value // 10**6) % 1000, (value // 1000) % 1000, value % 1000]
    words = []
    for index, group in enumerate(groups):
        if group == 0:
            continue
        words += _read_triple(group, leading and not words)
        scale = GROUP_SCALES[2 - index]
        if scale:
            words.append(scale)
    return words


def _read_number(value: int, leading: bool = True) -> list[str]:
    if value < BILLION:
        return _read_below_billion(value, leading)
    billions, rest = divmod(value, BILLION)
    words = _read_number(billions, leading) + ["tỷ"]
    if rest:
        words += _read_below_billion(rest, leading=False)
    return words


def number_in_words(number: int) -> str:
    """Read a non-negative integer in lower-case Vietnamese ("hai mươi mốt")."""
    if number == 0:
        return DIGITS[0]
    return " ".join(_read_number(number))


def capitalize_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def vnd_in_words(amount) -> str:
    """Read a VND amount in words, capitalised: "Một trăm linh năm đồng".

    Accepts an int, an integral Decimal or a decimal string. Raises
    InvalidAmountError for fractions of a đồng and negative amounts.
    """
    return capitalize_first(number_in_words(_whole_dong(amount)) + " đồng")


def _group_thousands(digits: str) -> str:
    groups = []
    while len(digits) > 3:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    groups.insert(0, digits)
    return ".".join(groups)


def format_decimal_vi(value) -> str:
    """Format a decimal the Vietnamese way: "1.250,50", "22,72", "-3,5".

    Keeps the number of decimal places of the input, so "100.50" prints "100,50".
    """
    number = to_decimal(value)
    sign = "-" if number < 0 else ""
    text = format(abs(number), "f")
    whole, _, fraction = text.partition(".")
    result = sign + _group_thousands(whole)
    if fraction:
        result += "," + fraction
    return result


def format_vnd(amount) -> str:
    """Format a VND amount with dot thousands separators: "192.751.000 đồng"."""
    return _group_thousands(str(_whole_dong(amount))) + " đồng"


def vnd_text(amount) -> str:
    """Return a VND amount in digits and words: "5.000 đồng (Năm nghìn đồng)"."""
    return f"{format_vnd(amount)} ({vnd_in_words(amount)})"


def parse_date(value, field: str = "date") -> datetime.date:
    """Accept a date or an ISO "YYYY-MM-DD" string; raise ValueError otherwise."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(
            f"{field} must be an ISO date YYYY-MM-DD, got {value!r}"
        ) from None


def _day_month(value: datetime.date) -> tuple[str, str]:
    # Decree 30/2020 pads days below 10 and the months January and February only.
    day = f"{value.day:02d}"
    month = f"{value.month:02d}" if value.month <= 2 else str(value.month)
    return day, month


def format_date_short(value) -> str:
    """Format a date as "17/4/2018" or "05/01/2026" (Decree 30/2020 padding)."""
    date = parse_date(value)
    day, month = _day_month(date)
    return f"{day}/{month}/{date.year}"


def format_date_long(value) -> str:
    """Format a date as "ngày 05 tháng 10 năm 2026" (Decree 30/2020 padding)."""
    date = parse_date(value)
    day, month = _day_month(date)
    return f"ngày {day} tháng {month} năm {date.year}"


def _gold_text(amount: dict) -> str:
    unit = amount.get("unit") or "lượng"
    if unit not in GOLD_UNITS:
        raise InvalidAmountError(
            f"gold unit must be one of {GOLD_UNITS}, got {unit!r}"
        )
    text = f"{format_decimal_vi(amount['quantity'])} {unit} vàng"
    if amount.get("purity"):
        text += f" {amount['purity']}"
    return text


def _foreign_currency_text(amount: dict) -> str:
    currency = str(amount.get("currency") or "").strip()
    if not currency:
        raise InvalidAmountError(
            "foreign_currency amount is missing its currency code"
        )
    return f"{format_decimal_vi(amount['value'])} {currency}"


def _asset_text(amount: dict) -> str:
    text = str(amount.get("description") or "").strip()
    identifiers = amount.get("identifiers") or {}
    parts = [
        f"{IDENTIFIER_LABELS.get(key, key)}: {value}"
        for key, value in identifiers.items()
        if value not in (None, "")
    ]
    if parts:
        text += " (" + "; ".join(parts) + ")"
    return text


def _period_rate(per_period, period_name: str) -> str:
    whole = _whole_dong(per_period, "per_period")
    digits = format_vnd(whole)
    return f"{digits}/{period_name} ({vnd_in_words(whole)})"


def _periodic_end(amount: dict) -> str:
    end_text = str(amount.get("end_text") or "").strip()
    end = amount.get("end")
    if end and end_text:
        return f"{end_text} (ngày {format_date_short(end)})"
    if end:
        return f"đến ngày {format_date_short(end)}"
    return end_text


def _periodic_text(amount: dict) -> str:
    period = amount.get("period") or "month"
    if period not in PERIOD_NAMES:
        raise InvalidAmountError(
            f"period must be one of {sorted(PERIOD_NAMES)}, got {period!r}"
        )
    period_name = PERIOD_NAMES[period]
    segments = [
        f"{_period_rate(amount['per_period'], period_name)}"
        f" từ ngày {format_date_short(amount['start'])}"
    ]
    steps = amount.get("steps") or []
    steps = sorted(steps, key=lambda step: parse_date(step["from"], "steps.from"))
    for step in steps:
        segments.append(
            f"từ ngày {format_date_short(step['from'])} còn "
            f"{_period_rate(step['per_period'], period_name)}"
        )
    text = ", ".join(segments)
    end = _periodic_end(amount)
    return f"{text} {end}" if end else text


def _text_only(amount: dict) -> str:
    return str(amount.get("description") or "").strip()


AMOUNT_RENDERERS = {
    "vnd": lambda amount: vnd_text(amount["value"]),
    "gold": _gold_text,
    "foreign_currency": _foreign_currency_text,
    "periodic": _periodic_text,
    "asset": _asset_text,
    "act": _text_only,
    "none": lambda amount: "",
}


def amount_text(amount: dict) -> str:
    """Render one obligation amount as plain (unescaped) Vietnamese text.

    VND amounts and periodic VND payments print in digits and in words. Gold and
    foreign currency print in digits, assets and acts as their description, and
    the kind "none" as an empty string. Raises InvalidAmountError for an unknown
    kind or an invalid value, naming the field.
    """
    if not isinstance(amount, dict):
        raise InvalidAmountError(f"amount must be a dict, got {type(amount).__name__}")
    kind = amount.get("kind")
    if kind not in AMOUNT_RENDERERS:
        raise InvalidAmountError(
            f"amount kind must be one of {sorted(AMOUNT_RENDERERS)}, got {kind!r}"
        )
    try:
        text = AMOUNT_RENDERERS[kind](amount)
    except KeyError as missing:
        raise InvalidAmountError(
            f"{kind} amount is missing the field {missing}"
        ) from None
    return unicodedata.normalize("NFC", text)
