"""Tests for decision proposals: the fixture expectations and the grouping rules."""

import datetime as dt
import json
import sys
import types
from pathlib import Path

import pytest
import yaml

from services.decisions.intake import IntakeError, judgment_key, load_records
from services.decisions.proposals import NEW_REGIME, OLD_REGIME, propose, regime_for

CASES = Path(__file__).resolve().parents[1] / "fixtures" / "cases"
NEW_DATE = dt.date(2026, 10, 15)
OLD_DATE = dt.date(2026, 6, 15)


class WeekdayCalendar:
    """Stand-in calendar that skips Saturdays and Sundays only (no public holidays)."""

    def add_working_days(self, start: dt.date, days: int) -> dt.date:
        day, counted = start, 0
        while counted < days:
            day += dt.timedelta(days=1)
            if day.weekday() < 5:
                counted += 1
        return day


CALENDAR = WeekdayCalendar()


def fixture_expectations():
    for path in sorted(CASES.glob("case-*.yaml")):
        fixture = yaml.safe_load(path.read_text(encoding="utf-8"))
        for expected in fixture["expected"]:
            index = expected.get("judgment", 0)
            test_id = f"{path.stem}-{expected['decision_date']}-j{index}"
            yield pytest.param(fixture, expected, id=test_id)


def run_fixture(fixture: dict, expected: dict, calendar=CALENDAR):
    records = load_records(fixture["records"])
    judgments = [record for record in records if record["record_type"] == "judgment"]
    judgment = judgments[expected.get("judgment", 0)]
    requests = [
        record
        for record in records
        if record["record_type"] == "request"
        and judgment_key(record) == judgment_key(judgment)
    ]
    return propose(judgment, expected["decision_date"], requests, calendar=calendar)


def signature(proposal: dict) -> tuple:
    refs = tuple(sorted(item["ref"] for item in proposal["items"]))
    return (
        proposal["mode"],
        proposal["rule"],
        tuple(sorted(proposal["debtors"])),
        tuple(sorted(proposal["creditors"])),
        refs,
    )


def assert_item_matches(actual: dict, expected: dict, where: str):
    for key, value in expected.items():
        if key == "amount":
            for amount_key, amount_value in value.items():
                assert actual["amount"].get(amount_key) == amount_value, (
                    where,
                    actual,
                )
        else:
            assert actual[key] == value, (where, key, actual)


def assert_proposals_match(actual: list[dict], expected: list[dict]):
    by_signature = {}
    for proposal in actual:
        by_signature.setdefault(signature(proposal), []).append(proposal)
    actual_signatures = sorted(by_signature)
    assert len(actual) == len(expected), actual_signatures
    for expected_proposal in expected:
        key = signature(expected_proposal)
        candidates = by_signature.get(key)
        assert candidates, (key, actual_signatures)
        found = candidates.pop()
        assert found["deadline"] == expected_proposal["deadline"], key
        items = {item["ref"]: item for item in found["items"]}
        for item in expected_proposal["items"]:
            assert_item_matches(items[item["ref"]], item, key)


@pytest.mark.parametrize(("fixture", "expected"), fixture_expectations())
def test_fixture_proposals(fixture, expected):
    result = run_fixture(fixture, expected)

    assert_proposals_match(result.proposals, expected["proposals"])
    nothing = {
        (item["obligation"], item["reason"]) for item in result.nothing_to_enforce
    }
    expected_nothing = {
        (item["obligation"], item["reason"]) for item in expected["nothing_to_enforce"]
    }
    assert nothing == expected_nothing
    assert sorted(result.awaiting_request) == sorted(expected["awaiting_request"])
    flags = {(item["obligation"], item["code"]) for item in result.flags}
    assert flags == {(item["obligation"], item["code"]) for item in expected["flags"]}


@pytest.mark.parametrize(("fixture", "expected"), fixture_expectations())
def test_fixture_deadlines_with_default_calendar(fixture, expected):
    # October 2026 has no public holiday, so the real calendar gives the same days.
    result = run_fixture(fixture, expected, calendar=None)

    assert_proposals_match(result.proposals, expected["proposals"])


@pytest.mark.parametrize(("fixture", "expected"), fixture_expectations())
def test_fixture_never_collects_settled_lines(fixture, expected):
    result = run_fixture(fixture, expected)

    settled = {
        (item["obligation"], tuple(item["debtors"]), tuple(item["creditors"]))
        for item in result.nothing_to_enforce
    }
    blocked = {item["obligation"] for item in result.flags if item["blocking"]}
    for proposal in result.proposals:
        for item in proposal["items"]:
            line = (item["ref"], tuple(item["debtors"]), tuple(item["creditors"]))
            assert line not in settled
            assert item["ref"] not in blocked


# ---------------------------------------------------------------- helpers


def judgment(obligations, parties=None, **fields):
    """Build and load a small judgment received on Monday 5 October 2026."""
    record = {
        "record_type": "judgment",
        "received_on": "2026-10-05",
        "receiving_unit": "79",
        "mode_of_receipt": "direct",
        "issuing_body": "Tòa án nhân dân Thành phố Hồ Chí Minh",
        "number": "10/2026/DS-ST",
        "date": "2026-09-01",
        "effective_date": "2026-09-20",
        "kind": "Bản án dân sự sơ thẩm",
        "parties": parties
        or [
            {"ref": "A", "name": "Nguyễn Văn An"},
            {"ref": "B", "name": "Trần Thị Bình"},
            {"ref": "C", "name": "Lê Văn Cường"},
        ],
        "obligations": obligations,
        **fields,
    }
    return load_records(record)[0]


def request(refs, requester="B", received="2026-10-07", **fields):
    record = {
        "record_type": "request",
        "received_on": received,
        "receiving_unit": "79",
        "mode": "in_person_written",
        "request_date": received,
        "requester": {"ref": requester, "name": "Người yêu cầu"},
        "judgment": {
            "issuing_body": "Tòa án nhân dân Thành phố Hồ Chí Minh",
            "number": "10/2026/DS-ST",
            "date": "2026-09-01",
        },
        "obligation_refs": refs,
        **fields,
    }
    return load_records(record)[0]


def vnd(value):
    return {"kind": "vnd", "value": value}


def fee(ref, debtor, value="300000"):
    return {
        "ref": ref,
        "kind": "court_fee",
        "description": "Án phí",
        "debtors": [debtor],
        "amount": vnd(value),
    }


def debt(ref, debtor="A", creditor="B", value="1000000", **fields):
    return {
        "ref": ref,
        "kind": "debt",
        "description": "Trả nợ",
        "debtors": [debtor],
        "creditors": [creditor],
        "amount": vnd(value),
        **fields,
    }


def rules(result):
    return sorted(proposal["rule"] for proposal in result.proposals)


def flag_codes(result):
    return {(item["obligation"], item["code"]) for item in result.flags}


# ---------------------------------------------------------------- regime and deadlines


def test_regime_changes_on_first_of_july_2026():
    assert regime_for(dt.date(2026, 6, 30)) == OLD_REGIME
    assert regime_for(dt.date(2026, 7, 1)) == NEW_REGIME


def test_provisional_measure_deadline_is_day_of_receipt():
    record = judgment(
        [
            {
                "ref": "O1",
                "kind": "provisional_measure",
                "description": "Phong tỏa tài khoản",
                "debtors": ["A"],
                "amount": {
                    "kind": "act",
                    "description": "Phong tỏa tài khoản của ông An",
                },
            }
        ]
    )

    result = propose(record, NEW_DATE, calendar=CALENDAR)

    proposal = result.proposals[0]
    assert proposal["deadline"] == dt.date(2026, 10, 5)
    assert proposal["deadline_rule"] == "immediately_on_receipt"


def test_bankruptcy_deadline_is_three_working_days():
    record = judgment(
        [
            {
                "ref": "O1",
                "kind": "bankruptcy",
                "description": "Quyết định tuyên bố phá sản",
                "debtors": ["A"],
                "amount": {
                    "kind": "act",
                    "description": "Thi hành quyết định phá sản",
                },
            }
        ]
    )

    result = propose(record, NEW_DATE, calendar=CALENDAR)

    assert result.proposals[0]["deadline"] == dt.date(2026, 10, 8)
    assert result.proposals[0]["deadline_rule"] == "three_working_days_from_receipt"


def test_ex_officio_deadline_skips_weekend():
    record = judgment([fee("O1", "A")], received_on="2026-10-09")

    result = propose(record, NEW_DATE, calendar=CALENDAR)

    assert result.proposals[0]["deadline"] == dt.date(2026, 10, 16)
    assert (
        result.proposals[0]["deadline_rule"]
        == "five_working_days_from_judgment_receipt"
    )


def test_default_calendar_is_imported_lazily(monkeypatch):
    class FixedCalendar:
        def add_working_days(self, start, days):
            return dt.date(2030, 1, 1)

    module = types.ModuleType("services.common.calendar")
    module.default_calendar = FixedCalendar()
    monkeypatch.setitem(sys.modules, "services.common.calendar", module)

    result = propose(judgment([fee("O1", "A")]), NEW_DATE)

    assert result.proposals[0]["deadline"] == dt.date(2030, 1, 1)


# ---------------------------------------------------------------- grouping


def test_nd62_joint_fee_gets_own_decision():
    joint_fee = {
        "ref": "O1",
        "kind": "court_fee",
        "description": "Liên đới chịu án phí",
        "debtors": ["A", "B"],
        "liability": "joint",
        "amount": vnd("600000"),
    }
    record = judgment([joint_fee, fee("O2", "C")])

    result = propose(record, OLD_DATE, calendar=CALENDAR)

    assert rules(result) == ["nd62_art6_common", "nd62_art6_joint"]
    joint = next(p for p in result.proposals if p["rule"] == "nd62_art6_joint")
    assert joint["debtors"] == ["A", "B"]


def test_nd152_joint_fee_names_all_debtors():
    joint_fee = {
        "ref": "O1",
        "kind": "court_fee",
        "description": "Liên đới chịu án phí",
        "debtors": ["A", "B"],
        "liability": "joint",
        "amount": vnd("600000"),
    }

    result = propose(judgment([joint_fee]), NEW_DATE, calendar=CALENDAR)

    assert rules(result) == ["nd152_art8_joint"]
    assert result.proposals[0]["debtors"] == ["A", "B"]


def test_nd152_same_exhibit_combines_return_and_confiscation():
    record = judgment(
        [
            {
                "ref": "O1",
                "kind": "return_money",
                "description": "Trả lại một phần tiền tạm giữ",
                "creditors": ["B"],
                "amount": vnd("3000000"),
                "exhibit": "tiền tạm giữ theo biên bản số 12",
            },
            {
                "ref": "O2",
                "kind": "confiscation",
                "description": "Tịch thu phần còn lại",
                "amount": vnd("2000000"),
                "exhibit": "tiền tạm giữ theo biên bản số 12",
            },
        ]
    )

    new = propose(record, NEW_DATE, calendar=CALENDAR)
    old = propose(record, OLD_DATE, calendar=CALENDAR)

    assert rules(new) == ["nd152_art8_same_exhibit"]
    assert rules(old) == ["nd62_art6_common", "nd62_art6_return"]


def test_nd62_requests_on_different_days_stay_separate():
    record = judgment([debt("O1", creditor="B"), debt("O2", creditor="C")])
    requests = [
        request(["O1"], requester="B", received="2026-10-06"),
        request(["O2"], requester="C", received="2026-10-07"),
    ]

    result = propose(record, OLD_DATE, requests, calendar=CALENDAR)

    assert rules(result) == ["nd62_art7_per_request", "nd62_art7_per_request"]


def test_nd152_requests_against_one_debtor_merge():
    record = judgment([debt("O1", creditor="B"), debt("O2", creditor="C")])
    requests = [
        request(["O1"], requester="B", received="2026-10-06"),
        request(["O2"], requester="C", received="2026-10-07"),
    ]

    result = propose(record, NEW_DATE, requests, calendar=CALENDAR)

    assert rules(result) == ["nd152_art11_per_debtor"]
    proposal = result.proposals[0]
    assert proposal["creditors"] == ["B", "C"]
    assert proposal["requests"] == [0, 1]
    assert proposal["deadline"] == dt.date(2026, 10, 13)


def test_nd152_joint_debt_on_request():
    joint = debt("O1", creditor="C")
    joint.update(debtors=["A", "B"], liability="joint")
    record = judgment([joint])

    result = propose(
        record, NEW_DATE, [request(["O1"], requester="C")], calendar=CALENDAR
    )

    assert rules(result) == ["nd152_art11_joint"]
    assert result.proposals[0]["debtors"] == ["A", "B"]


def test_request_against_one_joint_debtor():
    joint = debt("O1", creditor="C")
    joint.update(debtors=["A", "B"], liability="joint")
    record = judgment([joint])
    chosen = request(["O1"], requester="C", debtor_refs=["B"])

    result = propose(record, OLD_DATE, [chosen], calendar=CALENDAR)

    assert rules(result) == ["nd62_art7_per_request"]
    assert result.proposals[0]["debtors"] == ["B"]
    assert result.proposals[0]["items"][0]["amount"] == vnd("1000000")


def test_nd152_partition_covers_unrequested_partition_items():
    record = judgment(
        [
            debt("O1", creditor="B", partition=True),
            {
                "ref": "O2",
                "kind": "handover_property",
                "description": "Bà Bình giao xe ô tô cho ông An",
                "debtors": ["B"],
                "creditors": ["A"],
                "amount": {"kind": "asset", "description": "Xe ô tô"},
                "partition": True,
            },
        ]
    )

    result = propose(
        record, NEW_DATE, [request(["O1"], requester="B")], calendar=CALENDAR
    )

    assert rules(result) == ["nd152_art11_partition"]
    refs = [item["ref"] for item in result.proposals[0]["items"]]
    assert refs == ["O1", "O2"]
    assert result.awaiting_request == ["O2"]


def test_fee_offset_collects_only_remainder():
    offset_fee = fee("O1", "A", "500000")
    offset_fee["settled"] = [{"how": "offset_advance", "amount": vnd("300000")}]
    offset_fee["remaining"] = "200000"

    result = propose(judgment([offset_fee]), NEW_DATE, calendar=CALENDAR)

    assert len(result.proposals) == 1
    items = result.proposals[0]["items"]
    assert items == [{**items[0], "amount": vnd("200000")}]
    assert result.nothing_to_enforce == []


def test_legal_basis_cites_law_and_decree():
    record = judgment([fee("O1", "A"), fee("O2", "A", "100000")])

    old = propose(record, OLD_DATE, calendar=CALENDAR).proposals[0]["legal_basis"]
    new = propose(record, NEW_DATE, calendar=CALENDAR).proposals[0]["legal_basis"]

    assert old.startswith(
        "Điểm a khoản 2 Điều 36 Luật Thi hành án dân sự số 26/2008/QH12"
    )
    assert "điểm b khoản 1 Điều 6 Nghị định số 62/2015/NĐ-CP" in old
    assert "khoản 2 Điều 33 Luật Thi hành án dân sự số 106/2025/QH15" in new
    assert "khoản 1 Điều 8 Nghị định số 152/2026/NĐ-CP" in new


# ---------------------------------------------------------------- flags


def test_deceased_creditor_without_successor_blocks():
    parties = [
        {"ref": "A", "name": "Nguyễn Văn An"},
        {"ref": "B", "name": "Trần Thị Bình", "deceased": True},
    ]
    returned = {
        "ref": "O1",
        "kind": "return_money",
        "description": "Trả lại tiền tạm ứng án phí",
        "creditors": ["B"],
        "amount": vnd("300000"),
    }

    result = propose(
        judgment([returned], parties=parties), NEW_DATE, calendar=CALENDAR
    )

    assert result.proposals == []
    assert flag_codes(result) == {("O1", "deceased_without_successor")}


def test_obligation_not_yet_due_blocks():
    record = judgment([debt("O1", due_date="2027-01-01")])

    result = propose(record, NEW_DATE, [request(["O1"])], calendar=CALENDAR)

    assert result.proposals == []
    assert flag_codes(result) == {("O1", "not_yet_due")}


def test_joint_with_shares_keeps_both_readings():
    joint = debt("O1", creditor="C", value="900000")
    joint.update(
        debtors=["A", "B"], liability="joint", shares={"A": "450000", "B": "450000"}
    )

    result = propose(
        judgment([joint]), NEW_DATE, [request(["O1"], "C")], calendar=CALENDAR
    )

    flag = result.flags[0]
    assert flag["code"] == "joint_with_shares"
    assert flag["blocking"] is True
    readings = [item["reading"] for item in flag["alternatives"]]
    assert readings == ["joint", "shares"]
    assert flag["alternatives"][1]["shares"][0]["amount"] == vnd("450000")


def test_request_for_other_judgment_is_ignored():
    other = request(["O1"])
    other["judgment"]["number"] = "11/2026/DS-ST"

    result = propose(judgment([debt("O1")]), NEW_DATE, [other], calendar=CALENDAR)

    assert result.proposals == []
    assert flag_codes(result) == {(None, "request_judgment_mismatch")}
    assert result.awaiting_request == ["O1"]


def test_request_unknown_obligation_is_flagged():
    result = propose(
        judgment([debt("O1")]), NEW_DATE, [request(["O9"])], calendar=CALENDAR
    )

    assert flag_codes(result) == {("O9", "request_unknown_obligation")}


def test_requester_without_standing_is_flagged():
    record = judgment([debt("O1")])

    result = propose(
        record, NEW_DATE, [request(["O1"], requester="C")], calendar=CALENDAR
    )

    assert result.proposals == []
    assert flag_codes(result) == {("O1", "requester_not_creditor")}
    assert result.awaiting_request == []


def test_duplicate_request_proposes_once():
    record = judgment([debt("O1")])
    requests = [request(["O1"]), request(["O1"], received="2026-10-08")]

    result = propose(record, NEW_DATE, requests, calendar=CALENDAR)

    assert len(result.proposals) == 1
    assert flag_codes(result) == {("O1", "duplicate_request")}


def support(**amount):
    periodic = {
        "kind": "periodic",
        "per_period": "2000000",
        "period": "month",
        "start": "2026-01-10",
        **amount,
    }
    return {
        "ref": "O1",
        "kind": "child_support",
        "description": "Cấp dưỡng nuôi con",
        "debtors": ["A"],
        "creditors": ["B"],
        "amount": periodic,
    }


def test_periodic_request_stops_at_enforcement_year_end():
    scope = {"from": "2026-08", "to": "2026-12"}
    requests = [request(["O1"], scope_period=scope)]

    result = propose(judgment([support()]), OLD_DATE, requests, calendar=CALENDAR)

    item = result.proposals[0]["items"][0]
    assert item["periods"] == ["2026-08", "2026-09"]
    assert item["amount"] == vnd("4000000")
    codes = {code for _, code in flag_codes(result)}
    assert codes == {"months_beyond_enforcement_year", "months_not_yet_due"}


def test_periodic_request_without_scope_blocks():
    result = propose(
        judgment([support()]), NEW_DATE, [request(["O1"])], calendar=CALENDAR
    )

    assert result.proposals == []
    assert flag_codes(result) == {("O1", "periodic_scope_missing")}


def test_periodic_amount_follows_steps_and_end():
    amount = {
        "end": "2026-05-10",
        "steps": [{"from": "2026-03-10", "per_period": "1000000"}],
    }
    scope = {"from": "2026-01", "to": "2026-09"}

    result = propose(
        judgment([support(**amount)]),
        NEW_DATE,
        [request(["O1"], scope_period=scope)],
        calendar=CALENDAR,
    )

    item = result.proposals[0]["items"][0]
    assert item["periods"] == ["2026-01", "2026-02", "2026-03", "2026-04"]
    assert item["amount"] == vnd("6000000")


def test_missing_operative_part_proposes_nothing():
    record = judgment([fee("O1", "A")], operative_part="missing")

    result = propose(record, NEW_DATE, calendar=CALENDAR)

    assert result.proposals == []
    assert flag_codes(result) == {(None, "operative_part_missing")}


# ---------------------------------------------------------------- stored records


def as_stored(record: dict, record_id: str) -> dict:
    """Return a record as a database stores it: JSON types and an id."""
    stored = json.loads(json.dumps(record, default=str, ensure_ascii=False))
    return {**stored, "id": record_id}


def test_stored_records_give_same_proposals():
    fixture = yaml.safe_load((CASES / "case-03.yaml").read_text(encoding="utf-8"))
    records = load_records(fixture["records"])
    judgment_record, requests = records[0], records[1:]
    stored_requests = [as_stored(item, f"r{n}") for n, item in enumerate(requests)]

    loaded = propose(judgment_record, NEW_DATE, requests, calendar=CALENDAR)
    stored = propose(
        as_stored(judgment_record, "j1"), NEW_DATE, stored_requests, calendar=CALENDAR
    )

    strip = [{**p, "request_ids": None} for p in stored.proposals]
    assert strip == [{**p, "request_ids": None} for p in loaded.proposals]
    assert stored.flags == loaded.flags
    ids = [p["request_ids"] for p in stored.proposals if p["mode"] == "on_request"]
    assert ids == [["r0"], ["r1"]]


def test_invalid_stored_judgment_raises():
    stored = as_stored(judgment([fee("O1", "A")]), "j1")
    stored["obligations"][0]["amount"]["value"] = "abc"

    with pytest.raises(IntakeError) as caught:
        propose(stored, NEW_DATE, calendar=CALENDAR)

    paths = [error["path"] for error in caught.value.errors]
    assert paths == ["records[0].obligations[0].amount.value"]


def test_request_passed_as_judgment_raises():
    with pytest.raises(IntakeError):
        propose(request(["O1"]), NEW_DATE, calendar=CALENDAR)
