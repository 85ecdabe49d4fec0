"""Register rows from events, notes, closing lines and replay, without I/O."""
import uuid
from datetime import date

import pytest

from services.common import events
from services.common.calendar import work_year
from services.common.units import get_unit
from services.registers import rows
from services.registers.layout import CLOSING_KEY, all_layouts, load_layout

HCM = "Thi hành án dân sự Thành phố Hồ Chí Minh"
HANOI = "Thi hành án dân sự thành phố Hà Nội"

DEBTOR = {"name": "Nguyễn Văn Đức", "address": "12 Lê Lợi, phường Bến Thành"}
CREDITOR = {"name": "Trần Thị Hoa", "address": "5 Hai Bà Trưng, phường Sài Gòn"}
JUDGMENT = {"issuing_body": "Tòa án nhân dân Thành phố Hồ Chí Minh",
            "number": "125/2026/DS-ST", "date": "2026-08-20"}


# Event builders, also used by test_service.py


def envelope(event_type, data, seq=None, event_id=None):
    """Build a validated decisions envelope around DATA."""
    return {
        "event_id": event_id or str(uuid.uuid4()),
        "event_type": event_type,
        "schema_version": events.SCHEMA_VERSION,
        "occurred_at": "2026-11-02T09:00:00+07:00",
        "source": "decisions",
        "seq": seq,
        "data": events.validate_data(event_type, data),
    }


def intake(record_id=None, unit="79", received_on="2026-10-05", **extra):
    return {"record_id": record_id or str(uuid.uuid4()), "unit": unit,
            "office": None, "work_year": work_year(date.fromisoformat(received_on)),
            "received_on": received_on, "judgment": JUDGMENT,
            "debtors": [DEBTOR], "creditors": [CREDITOR], **extra}


def judgment_received(**extra):
    data = intake(mode_of_receipt="post", other_documents="Biên bản kê biên",
                  parties=[DEBTOR, CREDITOR], **extra)
    return envelope(events.JUDGMENT_RECEIVED, data)


def request_received(**extra):
    data = intake(mode="oral", request_date="2026-10-04",
                  requester=CREDITOR, content="Yêu cầu thi hành khoản bồi thường",
                  **extra)
    return envelope(events.REQUEST_RECEIVED, data)


def entrustment_received(**extra):
    data = intake(sending_unit="01", decision_number="15/QĐ-THADS",
                  decision_date="2026-09-28", amount_vnd=40_000_000,
                  assets="Thi hành khoản tiền 40.000.000 đồng", **extra)
    return envelope(events.ENTRUSTMENT_RECEIVED, data)


def issued(number, kind="ex_officio", unit="79", issued_on="2026-11-02",
           decision_id=None, seq=None, event_id=None, **extra):
    """Build a decision_issued envelope for decision NUMBER of UNIT."""
    data = {
        "decision_id": decision_id or f"d-{unit}-{number}-{uuid.uuid4().hex[:6]}",
        "unit": unit, "office": None, "kind": "QD", "decision_kind": kind,
        "mode": kind if kind in ("ex_officio", "on_request") else None,
        "work_year": work_year(date.fromisoformat(issued_on)),
        "number": number, "display": f"{number:02d}/QĐ-THADS",
        "issued_on": issued_on, "issued_at": f"{issued_on}T09:00:00+07:00",
        "judgment": JUDGMENT, "debtors": [DEBTOR], "creditors": [CREDITOR],
        "obligations": "Bồi thường thiệt hại: 12.500.000 đồng",
        "total_vnd": 12_500_000, "officer": "Lê Minh Tâm",
        "signer": "Phạm Quốc Bảo",
    }
    data.update(extra)
    return envelope(events.DECISION_ISSUED, data, seq=seq, event_id=event_id)


def revoked(target, by, seq=None, event_id=None):
    """Build the decision_revoked envelope of decision BY changing TARGET."""
    old, new = target["data"], by["data"]
    data = {"decision_id": old["decision_id"], "unit": old["unit"],
            "work_year": old["work_year"], "display": old["display"],
            "by_decision_id": new["decision_id"], "by_display": new["display"],
            "by_kind": new["decision_kind"], "on": new["issued_on"],
            "reason": "Quyết định ban hành không đúng thẩm quyền"}
    return envelope(events.DECISION_REVOKED, data, seq=seq, event_id=event_id)


def correcting(target, number, kind="revocation", issued_on="2026-11-12", **extra):
    old = target["data"]
    related = {"decision_id": old["decision_id"], "display": old["display"],
               "date": old["issued_on"]}
    return issued(number, kind=kind, unit=old["unit"], issued_on=issued_on,
                  related_decision=related, **extra)


def only_row(message):
    _, data = events.load_envelope(message)
    found = rows.effects(message["event_type"], data)
    assert len(found.rows) == 1
    return found.rows[0], found.notes


def source_value(row, source):
    value = row
    for part in source.split("."):
        assert isinstance(value, dict), f"{source}: {part} is not reachable"
        assert part in value, f"row has no {source}"
        value = value[part]
    return value


# Row data per register


def test_fold_drops_case_and_diacritics():
    assert rows.fold("Nguyễn Văn Đức") == "nguyen van duc"
    assert rows.fold("ĐẶNG THỊ Ánh") == "dang thi anh"
    assert rows.fold(None) == ""


def test_judgment_received_fills_mau01():
    row, notes = only_row(judgment_received())
    data = row.data

    assert (row.form, row.unit, row.work_year) == ("01", "79", 2027)
    assert row.entry_date == date(2026, 10, 5)
    assert data["received_at"] == "2026-10-05"
    assert data["mode_of_receipt"] == "Qua dịch vụ bưu chính"
    assert data["judgment"]["number"] == "125/2026/DS-ST"
    assert data["judgment"]["date"] == "2026-08-20"
    assert data["judgment"]["body"] == "Tòa án nhân dân Thành phố Hồ Chí Minh"
    assert data["parties"] == (
        "Nguyễn Văn Đức, 12 Lê Lợi, phường Bến Thành\n"
        "Trần Thị Hoa, 5 Hai Bà Trưng, phường Sài Gòn")
    assert data["other_documents"] == "Biên bản kê biên"
    assert "nguyen van duc" in row.party_search
    assert row.judgment_search == "125/2026/ds-st"
    assert notes == ()


def test_request_received_fills_mau02():
    row, _ = only_row(request_received())
    data = row.data

    assert row.form == "02"
    assert data["mode_of_receipt"] == "Trình bày trực tiếp"
    assert data["requester"] == "Trần Thị Hoa, 5 Hai Bà Trưng, phường Sài Gòn"
    assert data["request"] == {"date": "2026-10-04",
                               "content": "Yêu cầu thi hành khoản bồi thường"}
    assert data["debtors"] == "Nguyễn Văn Đức, 12 Lê Lợi, phường Bến Thành"
    assert data["result"] is None


def test_entrustment_received_fills_mau06():
    row, _ = only_row(entrustment_received())
    entrustment = row.data["entrustment"]

    assert row.form == "06"
    assert entrustment["number"] == "15/QĐ-THADS"
    assert entrustment["date"] == "2026-09-28"
    assert entrustment["sender"] == HANOI
    assert entrustment["amount_vnd"] == 40_000_000
    assert row.data["obligations"] == "Thi hành khoản tiền 40.000.000 đồng"
    assert row.decision_display == "15/QĐ-THADS"


@pytest.mark.parametrize("kind, mode", [
    ("ex_officio", "Chủ động"), ("on_request", "Theo yêu cầu"),
])
def test_enforcement_decision_fills_mau03(kind, mode):
    row, _ = only_row(issued(7, kind=kind))
    data = row.data

    assert (row.form, row.entry_date) == ("03", date(2026, 11, 2))
    assert data["entry_date"] == "2026-11-02"
    assert data["decision"]["display"] == "07/QĐ-THADS"
    assert data["decision"]["date"] == "2026-11-02"
    assert data["decision"]["mode"] == mode
    assert data["total_vnd"] == 12_500_000
    assert data["officer"] == "Lê Minh Tâm"
    assert data["obligations"] == "Bồi thường thiệt hại: 12.500.000 đồng"
    assert data["creditors"] == "Trần Thị Hoa, 5 Hai Bà Trưng, phường Sài Gòn"
    assert data["notes"] is None
    assert (row.decision_number, row.decision_display) == (7, "07/QĐ-THADS")


def test_decision_on_paper_is_noted():
    row, _ = only_row(issued(3, on_paper=True))

    assert row.data["notes"] == "Quyết định ban hành trên giấy"


@pytest.mark.parametrize("kind, label", [
    ("revocation", "Thu hồi quyết định"),
    ("amendment", "Sửa đổi, bổ sung quyết định"),
    ("cancellation", "Hủy quyết định"),
])
def test_correcting_decision_fills_mau04(kind, label):
    target = issued(5)
    row, _ = only_row(correcting(target, 9, kind=kind))

    assert row.form == "04"
    assert row.data["decision"]["kind_label"] == label
    assert row.data["related_decision"]["display"] == "05/QĐ-THADS"
    assert row.data["related_decision"]["date"] == "2026-11-02"


def test_entrust_enforcement_fills_mau05():
    target = issued(4)
    message = correcting(target, 11, kind="entrust_enforcement",
                         receiving_unit="01")
    row, _ = only_row(message)
    data = row.data

    assert row.form == "05"
    assert data["entrustment"]["number"] == "11/QĐ-THADS"
    assert data["entrustment"]["date"] == "2026-11-12"
    assert data["entrustment"]["receiver"] == HANOI
    assert data["entrustment"]["amount_vnd"] == 12_500_000
    assert data["decision"]["display"] == "04/QĐ-THADS"
    assert data["decision"]["date"] == "2026-11-02"
    assert row.decision_display == "11/QĐ-THADS"


def test_entrust_asset_fills_mau07():
    asset = {"description": "Nhà đất tại thửa 120, tờ bản đồ 8",
             "location": "Xã Tân Phú, tỉnh Đồng Nai"}
    row, _ = only_row(issued(12, kind="entrust_asset", receiving_unit="01",
                             asset=asset))

    assert row.form == "07"
    assert row.data["asset"] == asset
    assert row.data["entrustment"]["receiver"] == HANOI
    assert row.data["entrustment"]["amount_vnd"] is None
    assert row.data["decision"]["display"] is None


def test_revocation_note_text():
    target = issued(5)
    by = correcting(target, 7)
    _, data = events.load_envelope(revoked(target, by))
    found = rows.effects(events.DECISION_REVOKED, data)

    assert found.rows == ()
    (note,) = found.notes
    assert (note.subject_type, note.subject_id) == (
        "decision", target["data"]["decision_id"])
    assert note.text == ("Ngày 12/11/2026: bị thu hồi bởi Quyết định số "
                         "07/QĐ-THADS ngày 12/11/2026")


def test_enforcement_decision_settles_request():
    request = request_received()
    record_id = request["data"]["record_id"]
    _, notes = only_row(issued(8, kind="on_request", request_record_id=record_id))

    (note,) = notes
    assert (note.subject_type, note.subject_id) == ("record", record_id)
    assert note.kind == rows.ENFORCED_BY
    assert note.text == "Quyết định thi hành án số 08/QĐ-THADS ngày 02/11/2026"


@pytest.mark.parametrize("known, printed", [
    ("2009-04-15", "2009-04-15"), ("2009-04", "04/2009"), ("2009", "2009"),
    (None, None),
])
def test_partial_judgment_date(known, printed):
    judgment = dict(JUDGMENT, date=known)
    row, _ = only_row(issued(1, judgment=judgment))

    assert row.data["judgment"]["date"] == printed


def test_events_outside_registers_add_nothing():
    data = {"unit": "79", "deadline": date(2026, 11, 5), "what": "issue"}

    assert rows.effects(events.DEADLINE_DUE, data) == rows.Effects()


# Composing notes at read time


def test_compose_appends_dated_notes_without_changing_data():
    row, _ = only_row(issued(5, on_paper=True))
    before = dict(row.data)
    notes = [{"kind": "revocation", "noted_on": "2026-11-12", "data": {},
              "text": "Ngày 12/11/2026: bị thu hồi bởi Quyết định số 07/QĐ-THADS "
                      "ngày 12/11/2026"}]

    composed = rows.compose_row("03", 4, row.data, notes)

    assert composed["stt"] == 4
    assert composed["notes"] == ("Quyết định ban hành trên giấy\n"
                                 + notes[0]["text"])
    assert row.data == before
    assert {k: v for k, v in composed.items() if k not in ("stt", "notes")} == {
        k: v for k, v in before.items() if k != "notes"}


def test_compose_fills_result_and_entrusted_decision():
    note = {"kind": rows.ENFORCED_BY, "noted_on": "2026-10-09",
            "text": "Quyết định thi hành án số 08/QĐ-THADS ngày 09/10/2026",
            "data": {"display": "08/QĐ-THADS", "date": "2026-10-09"}}
    request_row, _ = only_row(request_received())
    entrusted_row, _ = only_row(entrustment_received())

    request = rows.compose_row("02", 1, request_row.data, [note])
    entrusted = rows.compose_row("06", 1, entrusted_row.data, [note])

    assert request["result"] == note["text"]
    assert request["notes"] is None
    assert entrusted["decision"] == {"display": "08/QĐ-THADS",
                                     "date": "2026-10-09"}


def test_every_layout_source_is_in_the_row():
    target = issued(1)
    samples = {
        "01": judgment_received(), "02": request_received(),
        "03": issued(2), "04": correcting(target, 3),
        "05": correcting(target, 4, kind="entrust_enforcement",
                         receiving_unit="01"),
        "06": entrustment_received(),
        "07": issued(5, kind="entrust_asset", receiving_unit="01",
                     asset={"description": "Xe ô tô", "location": "Cần Thơ"}),
    }
    for layout in all_layouts():
        row, _ = only_row(samples[layout.form])
        composed = rows.compose_row(layout.form, 1, row.data, [])
        for column in layout.columns:
            if column.source is not None:
                source_value(composed, column.source)


def test_closing_totals_read_stored_paths_only():
    # Closing totals are summed in SQL over the stored row data, which
    # lacks what compose_row adds at read time.
    composed = {"stt", "notes", "result"}
    for layout in all_layouts():
        for total in layout.closing_totals:
            source = layout.columns[layout.column_index(total.column)].source
            assert source not in composed, (layout.form, source)
            if layout.form == "06":
                assert not source.startswith("decision."), source


# Closing lines


def mau03_rows(days):
    """Return composed Mẫu 03 rows issued on DAYS, in STT order."""
    result = []
    for stt, day in enumerate(days, start=1):
        row, _ = only_row(issued(stt, issued_on=day))
        result.append(rows.compose_row("03", stt, row.data, []))
    return result


def closing_labels(lines):
    return [line[CLOSING_KEY]["label"] if CLOSING_KEY in line else line["stt"]
            for line in lines]


def test_closing_lines_follow_each_ended_period():
    days = ["2025-10-03", "2025-12-31", "2026-02-10", "2026-07-04",
            "2026-09-30"]
    lines = rows.with_closing_lines(load_layout("03"), mau03_rows(days), 2026,
                                    date(2026, 12, 4))

    assert closing_labels(lines) == [
        1, 2, "Kết sổ Quý I năm công tác 2026",
        3, "Kết sổ Quý II năm công tác 2026",
        "Kết sổ 6 tháng đầu năm công tác 2026",
        "Kết sổ Quý III năm công tác 2026",
        4, 5, "Kết sổ Quý IV năm công tác 2026",
        "Kết sổ 6 tháng cuối năm công tác 2026",
        "Kết sổ năm công tác 2026",
    ]
    totals = {line[CLOSING_KEY]["period"]: line[CLOSING_KEY]["totals"]
              for line in lines if CLOSING_KEY in line}
    assert totals["Q1"] == {"decision_number": 2, "total_vnd": 25_000_000}
    assert totals["Q3"] == {"decision_number": 0, "total_vnd": 0}
    assert totals["H1"] == {"decision_number": 3, "total_vnd": 37_500_000}
    assert totals["Y"] == {"decision_number": 5, "total_vnd": 62_500_000}


def test_closing_lines_only_for_ended_periods():
    lines = rows.with_closing_lines(
        load_layout("03"), mau03_rows(["2026-10-05", "2026-11-20"]), 2027,
        date(2026, 12, 31))

    assert closing_labels(lines) == [1, 2]


def test_tail_closing_needs_last_page():
    first_page = mau03_rows(["2025-10-03", "2025-11-03"])
    closings = rows.closings_for(load_layout("03"), first_page, 2026,
                                 date(2026, 1, 5))

    partial = list(rows.insert_closing_lines(first_page, closings, at_end=False))
    whole = list(rows.insert_closing_lines(first_page, closings))

    assert closing_labels(partial) == [1, 2]
    assert closing_labels(whole) == [1, 2, "Kết sổ Quý I năm công tác 2026"]


# Replay in memory


def test_memory_replay_ignores_repeated_event_ids():
    first, second = issued(1), issued(2)
    memory = rows.MemoryRegisters()

    applied = [memory.apply(message) for message in (first, second, first)]

    assert applied == [True, True, False]
    composed = memory.composed(("03", "79", 2027))
    assert sorted(row["stt"] for row in composed.values()) == [1, 2]


def test_memory_replay_applies_early_revocation():
    target = issued(5)
    by = correcting(target, 7)
    memory = rows.MemoryRegisters()
    for message in (revoked(target, by), target, by):
        memory.apply(message)

    row = memory.composed(("03", "79", 2027))[target["event_id"]]

    assert row["notes"].startswith("Ngày 12/11/2026: bị thu hồi bởi")
    assert len(memory.composed(("04", "79", 2027))) == 1


def test_memory_replay_keeps_included_registers():
    memory = rows.MemoryRegisters(include=lambda key: key[1] == "01")
    memory.apply(issued(1, unit="79"))
    memory.apply(issued(1, unit="01"))

    assert memory.keys() == [("03", "01", 2027)]


def test_compare_rows_reports_each_problem():
    a, b, c = (rows.compose_row("03", stt, only_row(issued(stt))[0].data, [])
               for stt in (1, 2, 3))
    changed = dict(b, officer="Người khác")
    expected = {"e1": a, "e2": b}
    stored = {"e2": changed, "e3": c}

    differences = rows.compare_rows(expected, stored)

    assert [(d["event_id"], d["problem"]) for d in differences] == [
        ("", "stt_sequence"), ("e1", "missing"), ("e2", "different"),
        ("e3", "unexpected")]
    assert differences[0]["stored"] == [2, 3]
    assert differences[2]["field"] == "officer"
    assert differences[2]["stored"] == "Người khác"
    assert rows.compare_rows(expected, dict(expected)) == []


def test_compare_rows_accepts_swapped_stt():
    a, b = (rows.compose_row("03", stt, only_row(issued(stt))[0].data, [])
            for stt in (1, 2))
    expected = {"e1": a, "e2": b}
    stored = {"e1": dict(a, stt=2), "e2": dict(b, stt=1)}

    assert rows.compare_rows(expected, stored) == []


def test_unit_name_falls_back_to_code():
    assert rows.unit_name("79") == get_unit("79").name == HCM
    assert rows.unit_name("Cơ quan khác") == "Cơ quan khác"
    assert rows.unit_name(None) is None
