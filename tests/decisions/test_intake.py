"""Tests for the intake format: loading, errors, warnings and duplicate keys."""

import copy
import datetime as dt
import json
import unicodedata
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from services.decisions.intake import (
    IntakeError,
    find_duplicate_judgments,
    judgment_key,
    load_file,
    load_records,
)

CASES = Path(__file__).resolve().parents[1] / "fixtures" / "cases"
FIXTURES = sorted(CASES.glob("case-*.yaml"))


def read_fixture(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def base_judgment() -> dict:
    """A valid judgment with three obligations, as a clerk would type it in JSON."""
    return {
        "record_type": "judgment",
        "received_on": "2026-10-05",
        "receiving_unit": "75",
        "mode_of_receipt": "post",
        "issuing_body": "Tòa án nhân dân thành phố H, tỉnh Đồng Nai",
        "number": "28/2018/QĐST-DS",
        "date": "2018-05-02",
        "effective_date": "2018-05-02",
        "kind": "Quyết định công nhận sự thỏa thuận của các đương sự",
        "parties": [
            {"ref": "P1", "kind": "organisation", "name": "Công ty tài chính V"},
            {
                "ref": "P2",
                "name": "Trương Thị Hồng Nhung",
                "id_number": "075186419398",
            },
        ],
        "obligations": [
            {
                "ref": "O1",
                "kind": "debt",
                "description": "Trả nợ hợp đồng tín dụng",
                "debtors": ["P2"],
                "creditors": ["P1"],
                "amount": {"kind": "vnd", "value": "41555000"},
            },
            {
                "ref": "O2",
                "kind": "return_money",
                "description": "Hoàn trả tạm ứng án phí",
                "creditors": ["P1"],
                "amount": {"kind": "vnd", "value": "1039000"},
            },
            {
                "ref": "O3",
                "kind": "court_fee",
                "description": "Án phí dân sự sơ thẩm",
                "debtors": ["P2"],
                "amount": {"kind": "vnd", "value": "1038875"},
            },
        ],
    }


def base_request() -> dict:
    return {
        "record_type": "request",
        "received_on": "2026-10-06",
        "receiving_unit": "75",
        "mode": "post",
        "request_date": "2026-10-06",
        "requester": {"ref": "P1", "name": "Công ty tài chính V"},
        "judgment": {
            "issuing_body": "Tòa án nhân dân thành phố H, tỉnh Đồng Nai",
            "number": "28/2018/QĐST-DS",
            "date": "2018-05-02",
        },
        "obligation_refs": ["O1"],
    }


def base_entrustment() -> dict:
    return {
        "record_type": "entrustment",
        "received_on": "2026-10-20",
        "receiving_unit": "48",
        "sending_unit": "Thi hành án dân sự Thành phố Hồ Chí Minh",
        "decision_number": "120/QĐ-THADS",
        "decision_date": "2026-10-12",
        "judgment": {
            "issuing_body": "Tòa án nhân dân Thành phố Hồ Chí Minh",
            "number": "299/2018/HNGĐ-PT",
            "date": "2018-03-22",
        },
        "debtors": [
            {"name": "Tăng Quốc Hưng", "address": "phường Hòa Khánh, Đà Nẵng"}
        ],
        "creditors": [{"name": "Quách Ngọc Trinh"}],
        "amounts": {
            "due": {"kind": "vnd", "value": "1603728684"},
            "enforced": {"kind": "vnd", "value": "100000000"},
            "in_progress": {"kind": "vnd", "value": "0"},
            "entrusted": {"kind": "vnd", "value": "1503728684"},
        },
        "assets": "Căn hộ tại phường Hòa Khánh, thành phố Đà Nẵng",
        "documents": ["Bản sao bản án", "Quyết định thi hành án số 15/QĐ-THADS"],
    }


def errors_of(data) -> list[dict]:
    with pytest.raises(IntakeError) as caught:
        load_records(data)
    return caught.value.errors


def codes_at(errors: list[dict]) -> set[tuple[str, str]]:
    return {(error["path"], error["code"]) for error in errors}


# ---------------------------------------------------------------- fixtures


@pytest.mark.parametrize("path", FIXTURES, ids=[path.stem for path in FIXTURES])
def test_fixture_loads_with_expected_warnings(path):
    fixture = read_fixture(path)

    records = load_records(fixture["records"])

    assert len(records) == len(fixture["records"])
    warnings = {
        (w["path"], w["code"]) for record in records for w in record["warnings"]
    }
    expected = {(item["path"], item["code"]) for item in fixture["intake_warnings"]}
    assert warnings == expected


def test_fixture_cases_cover_every_case_number():
    numbers = [path.stem.split("-")[1] for path in FIXTURES]
    assert numbers == [
        "01",
        "02",
        "03",
        "04",
        "06",
        "08",
        "09",
        "11",
        "12",
        "15",
        "18",
        "21",
        "23",
        "24",
    ]


def test_loaded_record_converts_types():
    record = load_records(base_judgment())[0]

    assert record["received_on"] == dt.date(2026, 10, 5)
    assert record["obligations"][0]["amount"]["value"] == Decimal("41555000")
    assert record["obligations"][0]["settled"] == []
    assert record["parties"][1]["deceased"] is False
    assert record["warnings"] == []


def test_load_file_reads_json_and_yaml(tmp_path):
    data = [base_judgment(), base_request()]
    json_path = tmp_path / "batch.json"
    json_path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    yaml_path = tmp_path / "batch.yml"
    yaml_path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")

    from_json = load_file(json_path)
    from_yaml = load_file(yaml_path)

    assert from_json == from_yaml
    assert [record["record_type"] for record in from_json] == ["judgment", "request"]


def test_load_file_rejects_unknown_extension(tmp_path):
    path = tmp_path / "batch.txt"
    path.write_text("{}", encoding="utf-8")

    with pytest.raises(IntakeError) as caught:
        load_file(path)

    assert codes_at(caught.value.errors) == {("file", "unsupported_file_type")}


def test_load_file_reports_unparsable_json(tmp_path):
    path = tmp_path / "batch.json"
    path.write_text('{"record_type": "judgment",', encoding="utf-8")

    with pytest.raises(IntakeError) as caught:
        load_file(path)

    assert codes_at(caught.value.errors) == {("file", "invalid_file")}


def test_json_number_must_be_quoted(tmp_path):
    path = tmp_path / "one.json"
    text = json.dumps(base_judgment()).replace('"41555000"', "41555000")
    path.write_text(text, encoding="utf-8")

    with pytest.raises(IntakeError) as caught:
        load_file(path)

    errors = caught.value.errors
    assert codes_at(errors) == {
        ("records[0].obligations[0].amount.value", "decimal_not_string")
    }


# ---------------------------------------------------------------- field errors


def mutate(path: str, value):
    """Return a copy of the base judgment with the dotted `path` set to `value`."""
    record = copy.deepcopy(base_judgment())
    target = record
    parts = path.split(".")
    for part in parts[:-1]:
        target = target[int(part)] if part.isdigit() else target[part]
    last = parts[-1]
    if value is KeyError:
        del target[last]
    elif last.isdigit():
        target[int(last)] = value
    else:
        target[last] = value
    return record


BAD_FIELDS = [
    (
        "obligations.2.amount.value",
        "1.038.875",
        "obligations[2].amount.value",
        "invalid_decimal",
    ),
    (
        "obligations.2.amount.value",
        "1038875.5",
        "obligations[2].amount.value",
        "vnd_not_integer",
    ),
    (
        "obligations.2.amount.value",
        1038875,
        "obligations[2].amount.value",
        "decimal_not_string",
    ),
    (
        "obligations.2.amount.value",
        "-5",
        "obligations[2].amount.value",
        "invalid_decimal",
    ),
    (
        "obligations.2.amount.kind",
        "usd",
        "obligations[2].amount.kind",
        "invalid_choice",
    ),
    (
        "obligations.2.amount",
        {"value": "1"},
        "obligations[2].amount.kind",
        "missing_field",
    ),
    ("obligations.0.kind", "loan", "obligations[0].kind", "invalid_choice"),
    ("obligations.0.description", "  ", "obligations[0].description", "empty_text"),
    ("obligations.0.debtors", "P2", "obligations[0].debtors", "invalid_type"),
    ("obligations.0.colour", "red", "obligations[0].colour", "unknown_field"),
    ("parties", KeyError, "parties", "missing_field"),
    ("parties.1.id_number", "0751 8641", "parties[1].id_number", "invalid_id_number"),
    (
        "parties.1.birth_date",
        "2001-13",
        "parties[1].birth_date",
        "invalid_partial_date",
    ),
    ("parties.1.birth_year", 18, "parties[1].birth_year", "invalid_year"),
    ("receiving_unit", "7", "receiving_unit", "invalid_unit_code"),
    ("mode_of_receipt", "fax", "mode_of_receipt", "invalid_choice"),
    ("received_on", "05/10/2026", "received_on", "invalid_date"),
    ("received_on", "2026-02-30", "received_on", "invalid_date"),
    ("received_on", None, "received_on", "null_not_allowed"),
    ("kind", KeyError, "kind", "missing_field"),
]


@pytest.mark.parametrize(("field", "value", "path", "code"), BAD_FIELDS)
def test_invalid_field_names_its_path(field, value, path, code):
    errors = errors_of(mutate(field, value))

    assert codes_at(errors) == {(f"records[0].{path}", code)}
    assert all(error["message"] for error in errors)


def test_error_in_second_record_names_its_index():
    second = mutate("obligations.1.amount.value", "1,039,000")

    errors = errors_of([base_judgment(), second])

    assert codes_at(errors) == {
        ("records[1].obligations[1].amount.value", "invalid_decimal")
    }


def test_every_field_error_is_reported_at_once():
    record = mutate("receiving_unit", "HCM")
    record["obligations"][0]["amount"]["value"] = "41,555,000"

    errors = errors_of(record)

    assert len(errors) == 2
    assert "2 invalid intake value(s)" in str(IntakeError(errors))


@pytest.mark.parametrize("data", ["judgment", 42, None])
def test_top_level_must_be_record_or_list(data):
    assert codes_at(errors_of(data)) == {("records", "invalid_records")}


def test_unknown_record_type_is_rejected():
    errors = errors_of({"record_type": "appeal"})

    assert codes_at(errors) == {("records[0].record_type", "invalid_choice")}


def test_foreign_currency_code_is_checked():
    amount = {"kind": "foreign_currency", "currency": "usd", "value": "100.50"}

    errors = errors_of(mutate("obligations.0.amount", amount))

    assert codes_at(errors) == {
        ("records[0].obligations[0].amount.currency", "invalid_currency")
    }


# ---------------------------------------------------------------- lunar dates


@pytest.mark.parametrize(
    "text",
    ["06/9/2014 âm lịch", "06/01/2016 âmlịch", "06/9/2014 Âm Lịch", "6/9/2014 ÂL"],
)
def test_lunar_date_is_rejected(text):
    errors = errors_of(mutate("date", text))

    assert codes_at(errors) == {("records[0].date", "lunar_date")}
    assert "dương lịch" in errors[0]["message"]


def test_lunar_date_rejected_in_request_fields():
    request = base_request()
    request["request_date"] = "13/4/2015 âm lịch"
    request["original_dates"] = {"request_date": "2015 âm lịch"}

    errors = errors_of(request)

    assert codes_at(errors) == {
        ("records[0].request_date", "lunar_date"),
        ("records[0].original_dates.request_date", "lunar_date"),
    }


def test_lunar_text_in_description_is_kept():
    record = mutate("obligations.0.description", "Dây hụi mở ngày 06/9/2014 âm lịch")

    loaded = load_records(record)[0]

    assert loaded["obligations"][0]["description"].endswith("âm lịch")


# ---------------------------------------------------------------- cross-field errors


def test_obligation_refs_must_name_parties():
    errors = errors_of(mutate("obligations.0.creditors", ["P1", "P9"]))

    assert codes_at(errors) == {
        ("records[0].obligations[0].creditors[1]", "unknown_party_ref")
    }


def test_shares_must_add_up():
    record = base_judgment()
    record["parties"].append({"ref": "P3", "name": "Lê Văn Cường"})
    record["obligations"][2].update(
        debtors=["P2", "P3"],
        liability="several",
        shares={"P2": "500000", "P3": "500000"},
    )

    errors = errors_of(record)

    assert codes_at(errors) == {
        ("records[0].obligations[2].shares", "shares_sum_mismatch")
    }


def test_several_liability_needs_shares():
    record = base_judgment()
    record["parties"].append({"ref": "P3", "name": "Lê Văn Cường"})
    record["obligations"][2].update(debtors=["P2", "P3"], liability="several")

    errors = errors_of(record)

    assert codes_at(errors) == {
        ("records[0].obligations[2].shares", "shares_required")
    }


def test_single_liability_with_two_debtors_is_rejected():
    record = base_judgment()
    record["parties"].append({"ref": "P3", "name": "Lê Văn Cường"})
    record["obligations"][2].update(debtors=["P2", "P3"], liability="single")

    errors = errors_of(record)

    assert codes_at(errors) == {
        ("records[0].obligations[2].liability", "liability_mismatch")
    }


def test_settlements_cannot_exceed_amount():
    settled = [
        {"how": "offset_advance", "amount": {"kind": "vnd", "value": "1039000"}}
    ]

    errors = errors_of(mutate("obligations.2.settled", settled))

    assert codes_at(errors) == {
        ("records[0].obligations[2].settled", "settled_exceeds_amount")
    }


def test_stated_remainder_must_match_settlements():
    paid = [{"how": "paid", "amount": {"kind": "vnd", "value": "38875"}}]
    record = mutate("obligations.2.settled", paid)
    record["obligations"][2]["remaining"] = "1000001"

    errors = errors_of(record)

    assert codes_at(errors) == {
        ("records[0].obligations[2].remaining", "remaining_mismatch")
    }


def test_judgment_date_after_receipt_is_rejected():
    record = mutate("date", "2026-10-06")
    record["effective_date"] = None

    errors = errors_of(record)

    assert codes_at(errors) == {("records[0].date", "date_after_receipt")}


def test_settlement_date_after_receipt_is_rejected():
    settled = [
        {"how": "paid", "amount": {"kind": "vnd", "value": "1"}, "date": "2026-11-01"}
    ]

    errors = errors_of(mutate("obligations.0.settled", settled))

    assert codes_at(errors) == {
        ("records[0].obligations[0].settled[0].date", "date_after_receipt")
    }


def test_effective_date_before_judgment_is_rejected():
    errors = errors_of(mutate("effective_date", "2018-05-01"))

    assert codes_at(errors) == {
        ("records[0].effective_date", "effective_before_judgment")
    }


def test_missing_number_needs_external_ref():
    errors = errors_of(mutate("number", None))

    assert codes_at(errors) == {("records[0].external_ref", "external_ref_required")}


def test_numbered_judgment_needs_full_date():
    errors = errors_of(mutate("date", "2018-05"))

    assert codes_at(errors) == {("records[0].date", "full_date_required")}


def test_duplicate_obligation_ref_is_rejected():
    errors = errors_of(mutate("obligations.2.ref", "O1"))

    assert codes_at(errors) == {("records[0].obligations[2].ref", "duplicate_ref")}


def test_periodic_beneficiaries_must_add_up():
    record = base_judgment()
    record["parties"].append(
        {"ref": "C1", "name": "Lê Phan Bảo Ngọc", "roles": ["child"]}
    )
    record["obligations"][0].update(
        kind="child_support",
        amount={
            "kind": "periodic",
            "per_period": "5000000",
            "period": "month",
            "start": "2018-05-02",
            "beneficiaries": [{"ref": "C1", "per_period": "2500000"}],
        },
    )

    errors = errors_of(record)

    path = "records[0].obligations[0].amount.beneficiaries"
    assert codes_at(errors) == {(path, "beneficiary_sum_mismatch")}


def test_request_dated_after_receipt_is_rejected():
    request = base_request()
    request["request_date"] = "2026-10-07"

    assert codes_at(errors_of(request)) == {
        ("records[0].request_date", "date_after_receipt")
    }


def test_request_scope_months_must_be_in_order():
    request = base_request()
    request["scope_period"] = {"from": "2015-09", "to": "2014-12"}

    assert codes_at(errors_of(request)) == {
        ("records[0].scope_period", "scope_period_order")
    }


def test_request_scope_loads_with_from_key():
    request = base_request()
    request["scope_period"] = {"from": "2014-12", "to": "2015-09"}

    loaded = load_records(request)[0]

    assert loaded["scope_period"] == {"from": "2014-12", "to": "2015-09"}


def test_entrustment_loads():
    record = load_records(base_entrustment())[0]

    assert record["amounts"]["entrusted"]["value"] == Decimal("1503728684")
    assert record["debtors"][0]["ref"] is None


def test_entrusted_amount_cannot_exceed_due():
    record = base_entrustment()
    record["amounts"]["enforced"]["value"] = "2000000000"

    errors = errors_of(record)

    assert codes_at(errors) == {("records[0].amounts.enforced", "amount_exceeds_due")}


# ---------------------------------------------------------------- text and warnings


def test_text_is_nfc_normalised():
    decomposed = unicodedata.normalize("NFD", "Trương Thị Hồng Nhung")
    record = mutate("parties.1.name", decomposed)

    loaded = load_records(record)[0]

    assert loaded["parties"][1]["name"] == unicodedata.normalize("NFC", decomposed)
    assert loaded["parties"][1]["name"] != decomposed


@pytest.mark.parametrize(
    "text", ["N¬i nhËn", "ThÈm ph¸n", "ñeán khi thöïc hieän xong"]
)
def test_legacy_encoding_is_a_warning(text):
    loaded = load_records(mutate("obligations.0.description", text))[0]

    warnings = {(w["path"], w["code"]) for w in loaded["warnings"]}
    assert warnings == {
        ("records[0].obligations[0].description", "legacy_encoding_suspected")
    }


def test_vietnamese_text_raises_no_legacy_warning():
    text = (
        "Ông Tăng Quốc Hưng được nhận nhà ở, đất ở; Khánh Hòa, Hồ Chí Minh, Đà Nẵng."
    )

    loaded = load_records(mutate("obligations.0.description", text))[0]

    assert loaded["warnings"] == []


def test_missing_amount_is_a_warning():
    loaded = load_records(mutate("obligations.0.amount", None))[0]

    codes = {(w["path"], w["code"]) for w in loaded["warnings"]}
    assert codes == {("records[0].obligations[0].amount", "missing_amount")}


def test_waived_fine_raises_no_missing_amount_warning():
    fine = {
        "ref": "O4",
        "kind": "fine",
        "description": "Miễn phạt tiền",
        "debtors": ["P2"],
        "amount": {"kind": "none"},
        "settled": [{"how": "exempted"}],
    }
    record = base_judgment()
    record["obligations"].append(fine)

    assert load_records(record)[0]["warnings"] == []


# ---------------------------------------------------------------- duplicate keys


@pytest.mark.parametrize(
    ("body", "number"),
    [
        ("Tòa án nhân dân Thành phố Hồ Chí Minh", "01/2018/HSST"),
        ("  TÒA ÁN NHÂN DÂN   THÀNH PHỐ HỒ CHÍ MINH ", "1/2018/hsst"),
        ("TAND TP.HCM", "Số: 01 / 2018 / HSST"),
        ("Toà án nhân dân TP Hồ Chí Minh", "01/2018/HSST"),
        (
            unicodedata.normalize("NFD", "Tòa án nhân dân Thành phố Hồ Chí Minh"),
            "01/2018/HSST",
        ),
    ],
)
def test_judgment_key_normalises_spelling(body, number):
    reference = {"issuing_body": body, "number": number, "date": "2018-01-10"}
    expected = ("tòa án nhân dân thành phố hồ chí minh", "1/2018/hsst", "2018-01-10")

    assert judgment_key(reference) == expected


def test_judgment_key_keeps_diacritics():
    hoa = judgment_key(
        {"issuing_body": "Tòa án nhân dân tỉnh Khánh Hòa", "number": "6/2018"}
    )
    old_style = judgment_key(
        {"issuing_body": "Toà án nhân dân tỉnh Khánh Hoà", "number": "6/2018"}
    )
    plain = judgment_key(
        {"issuing_body": "Toa an nhan dan tinh Khanh Hoa", "number": "6/2018"}
    )

    assert hoa == old_style
    assert hoa != plain


def test_judgment_key_uses_external_ref_without_number():
    reference = {"issuing_body": None, "number": None, "external_ref": "Hỏi đáp  51C1"}

    assert judgment_key(reference) == (None, "ref:hỏi đáp 51c1", None)


def test_request_and_judgment_share_key():
    judgment = load_records(base_judgment())[0]
    request = load_records(base_request())[0]

    assert judgment_key(request) == judgment_key(judgment)


def test_find_duplicate_judgments():
    first = base_judgment()
    second = mutate("issuing_body", "TAND thành phố H,  tỉnh Đồng Nai")
    third = mutate("number", "29/2018/QĐST-DS")
    records = load_records([first, base_request(), second, third])

    assert find_duplicate_judgments(records) == [[0, 2]]
