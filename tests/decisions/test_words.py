"""Vietnamese reading and formatting of amounts and dates."""

import datetime
from decimal import Decimal

import pytest

from services.decisions.words import (
    InvalidAmountError,
    amount_text,
    format_date_long,
    format_date_short,
    format_decimal_vi,
    format_vnd,
    vnd_in_words,
)

READINGS = [
    (0, "Không đồng"),
    (5, "Năm đồng"),
    (10, "Mười đồng"),
    (11, "Mười một đồng"),
    (14, "Mười bốn đồng"),
    (15, "Mười lăm đồng"),
    (20, "Hai mươi đồng"),
    (21, "Hai mươi mốt đồng"),
    (24, "Hai mươi tư đồng"),
    (25, "Hai mươi lăm đồng"),
    (101, "Một trăm linh một đồng"),
    (105, "Một trăm linh năm đồng"),
    (110, "Một trăm mười đồng"),
    (115, "Một trăm mười lăm đồng"),
    (1_000, "Một nghìn đồng"),
    (1_005, "Một nghìn không trăm linh năm đồng"),
    (10_050, "Mười nghìn không trăm năm mươi đồng"),
    (300_000, "Ba trăm nghìn đồng"),
    (1_000_000, "Một triệu đồng"),
    (1_038_875, "Một triệu không trăm ba mươi tám nghìn tám trăm bảy mươi lăm đồng"),
    (9_637_550, "Chín triệu sáu trăm ba mươi bảy nghìn năm trăm năm mươi đồng"),
    (41_555_000, "Bốn mươi mốt triệu năm trăm năm mươi lăm nghìn đồng"),
    (
        69_359_902,
        "Sáu mươi chín triệu ba trăm năm mươi chín nghìn chín trăm linh hai đồng",
    ),
    (
        192_751_000,
        "Một trăm chín mươi hai triệu bảy trăm năm mươi mốt nghìn đồng",
    ),
    (
        1_603_728_684,
        "Một tỷ sáu trăm linh ba triệu bảy trăm hai mươi tám nghìn "
        "sáu trăm tám mươi tư đồng",
    ),
    (1_000_000_005, "Một tỷ không trăm linh năm đồng"),
    (1_000_000_000_000, "Một nghìn tỷ đồng"),
    (1_500_000_000_000, "Một nghìn năm trăm tỷ đồng"),
]


@pytest.mark.parametrize(("amount", "expected"), READINGS)
def test_vnd_in_words(amount, expected):
    assert vnd_in_words(amount) == expected


def test_vnd_in_words_accepts_decimal_and_string():
    assert vnd_in_words(Decimal("105")) == "Một trăm linh năm đồng"
    assert vnd_in_words(Decimal("105.00")) == "Một trăm linh năm đồng"
    assert vnd_in_words("21") == "Hai mươi mốt đồng"


@pytest.mark.parametrize("amount", [-1, Decimal("10.5"), "abc", 1.5, Decimal("NaN")])
def test_vnd_in_words_rejects_invalid(amount):
    with pytest.raises(InvalidAmountError):
        vnd_in_words(amount)


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (0, "0 đồng"),
        (5, "5 đồng"),
        (1_000, "1.000 đồng"),
        (192_751_000, "192.751.000 đồng"),
        (Decimal("1603728684"), "1.603.728.684 đồng"),
        (1_000_000_000_000, "1.000.000.000.000 đồng"),
    ],
)
def test_format_vnd(amount, expected):
    assert format_vnd(amount) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("22.72"), "22,72"),
        (Decimal("1250.50"), "1.250,50"),
        (Decimal("100"), "100"),
        (Decimal("-3.5"), "-3,5"),
        (Decimal("1234567.891"), "1.234.567,891"),
        ("0.5", "0,5"),
    ],
)
def test_format_decimal_vi(value, expected):
    assert format_decimal_vi(value) == expected


@pytest.mark.parametrize(
    ("value", "short", "long"),
    [
        ("2018-04-17", "17/4/2018", "ngày 17 tháng 4 năm 2018"),
        ("2026-01-05", "05/01/2026", "ngày 05 tháng 01 năm 2026"),
        ("2026-02-28", "28/02/2026", "ngày 28 tháng 02 năm 2026"),
        (datetime.date(2026, 10, 5), "05/10/2026", "ngày 05 tháng 10 năm 2026"),
        ("2026-06-30", "30/6/2026", "ngày 30 tháng 6 năm 2026"),
    ],
)
def test_date_formats_pad_per_decree_30(value, short, long):
    assert format_date_short(value) == short
    assert format_date_long(value) == long


def test_amount_vnd():
    text = amount_text({"kind": "vnd", "value": "41555000"})
    assert text == (
        "41.555.000 đồng (Bốn mươi mốt triệu năm trăm năm mươi lăm nghìn đồng)"
    )


def test_amount_gold_with_and_without_purity():
    with_purity = {
        "kind": "gold", "quantity": "22.72", "unit": "lượng", "purity": "9999",
    }
    assert amount_text(with_purity) == "22,72 lượng vàng 9999"
    in_chi = {"kind": "gold", "quantity": "5", "unit": "chỉ", "purity": None}
    assert amount_text(in_chi) == "5 chỉ vàng"


def test_amount_foreign_currency():
    amount = {"kind": "foreign_currency", "currency": "USD", "value": "1250.50"}
    assert amount_text(amount) == "1.250,50 USD"


def test_amount_periodic_with_step_and_end_text():
    amount = {
        "kind": "periodic",
        "per_period": "5000000",
        "period": "month",
        "start": "2018-04-17",
        "end": None,
        "end_text": "đến khi con trưởng thành",
        "steps": [{"from": "2030-09-16", "per_period": "2500000"}],
    }
    assert amount_text(amount) == (
        "5.000.000 đồng/tháng (Năm triệu đồng) từ ngày 17/4/2018, "
        "từ ngày 16/9/2030 còn 2.500.000 đồng/tháng (Hai triệu năm trăm nghìn đồng) "
        "đến khi con trưởng thành"
    )


def test_amount_periodic_with_end_date():
    amount = {
        "kind": "periodic",
        "per_period": "1500000",
        "period": "month",
        "start": "2026-01-05",
        "end": "2032-01-06",
        "end_text": None,
        "steps": [],
    }
    assert amount_text(amount) == (
        "1.500.000 đồng/tháng (Một triệu năm trăm nghìn đồng) "
        "từ ngày 05/01/2026 đến ngày 06/01/2032"
    )


def test_amount_periodic_steps_sorted_by_date():
    amount = {
        "kind": "periodic",
        "per_period": "3000000",
        "period": "month",
        "start": "2020-01-01",
        "steps": [
            {"from": "2030-01-01", "per_period": "1000000"},
            {"from": "2025-01-01", "per_period": "2000000"},
        ],
    }
    text = amount_text(amount)
    assert text.index("01/01/2025") < text.index("01/01/2030")


def test_amount_asset_lists_identifiers():
    amount = {
        "kind": "asset",
        "description": "01 xe mô tô hiệu Honda Wave",
        "identifiers": {"plate": "59X1-123.45", "frame": None, "colour": "đỏ"},
    }
    assert amount_text(amount) == (
        "01 xe mô tô hiệu Honda Wave (biển số: 59X1-123.45; colour: đỏ)"
    )


def test_amount_act_and_none():
    act = {"kind": "act", "description": "Buộc tháo dỡ công trình xây dựng trái phép"}
    assert amount_text(act) == "Buộc tháo dỡ công trình xây dựng trái phép"
    assert amount_text({"kind": "none"}) == ""


@pytest.mark.parametrize(
    "amount",
    [
        {"kind": "bitcoin", "value": "1"},
        {"kind": "vnd"},
        {"kind": "vnd", "value": "12.5"},
        {"kind": "gold", "quantity": "1", "unit": "kg"},
        {"kind": "foreign_currency", "value": "1"},
        {
            "kind": "periodic",
            "per_period": "1",
            "period": "day",
            "start": "2020-01-01",
        },
    ],
)
def test_amount_text_rejects_invalid(amount):
    with pytest.raises(InvalidAmountError):
        amount_text(amount)
