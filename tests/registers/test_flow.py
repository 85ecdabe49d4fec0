"""Registers fill themselves from the decisions flow of the real cases."""
from pathlib import Path

import pytest
import yaml

from services.decisions.service import DecisionsService
from services.numbering.service import NumberingService
from services.registers.service import RegistersService
from tests.conftest import wait_until

CASES = Path(__file__).parent.parent / "fixtures" / "cases"
DAY = "2026-10-15"
CENTRAL = {"username": "cuc", "role": "central", "unit": None, "scope": ["all"]}


def actor(role, unit):
    return {"username": f"{role}{unit}", "role": role, "unit": unit,
            "full_name": "Người dùng thử"}


@pytest.fixture
def system(container_factory, service_config):
    config = service_config("numbering", "decisions", "registers",
                            REGISTERS_CATCHUP_SECONDS=1)
    for service in (NumberingService, DecisionsService, RegistersService):
        container_factory(service, config).start()
    return config


def load_case(name):
    return yaml.safe_load((CASES / f"{name}.yaml").read_text(encoding="utf-8"))


def import_case(proxy, name):
    ids = []
    for index, record in enumerate(load_case(name)["records"]):
        unit = str(record["receiving_unit"])[:2]
        ids += [r["id"] for r in proxy.decisions.receive(
            actor("clerk", unit), record, f"{name}-{index}")]
    return ids


def issue_all(proxy, judgment_id, unit):
    officer, head = actor("officer", unit), actor("head", unit)
    issued = []
    count = len(proxy.decisions.proposals(head, judgment_id, DAY)["proposals"])
    for index in range(count):
        decision_id = proxy.decisions.draft_from_proposal(
            officer, judgment_id, index, DAY, f"{judgment_id}-{index}")
        proxy.decisions.submit(officer, decision_id)
        proxy.decisions.sign(head, decision_id, late_reason="Nhập lại hồ sơ")
        issued.append(proxy.decisions.issue(head, decision_id))
    return issued


def register_rows(proxy, form, unit, expected):
    def enough():
        page = proxy.registers.rows(CENTRAL, form, unit, 2027)
        rows = [r for r in page["rows"] if "_closing" not in r]
        return rows if len(rows) >= expected else None
    return wait_until(enough, timeout=30, message=f"{expected} rows in Mẫu {form}")


def test_cases_fill_registers_01_02_03(system, rpc_proxy):
    proxy = rpc_proxy()
    # Case 01 (Đà Nẵng): a judgment and a child-support request.
    # Case 23 (Quảng Ninh): a judgment with ex officio items only.
    first_ids = import_case(proxy, "case-01")
    second_ids = import_case(proxy, "case-23")
    issued_01 = issue_all(proxy, first_ids[0], "48")
    issued_23 = issue_all(proxy, second_ids[0], "22")

    judgments = register_rows(proxy, "01", "48", 1)
    requests = register_rows(proxy, "02", "48", 1)
    accepted_48 = register_rows(proxy, "03", "48", len(issued_01))
    accepted_22 = register_rows(proxy, "03", "22", len(issued_23))

    assert judgments[0]["judgment"]["number"] == "41/2018/QĐST-HNGĐ"
    assert judgments[0]["stt"] == 1
    assert "Lê Quang Huy" in requests[0]["debtors"]
    assert [r["stt"] for r in accepted_22] == list(range(1, len(issued_23) + 1))
    assert sorted(r["decision"]["display"] for r in accepted_22) == sorted(
        d["display"] for d in issued_23)
    assert [r["decision"]["display"] for r in accepted_48] == [
        d["display"] for d in issued_01]
    assert all(r["decision"]["mode"] in ("Chủ động", "Theo yêu cầu")
               for r in accepted_48 + accepted_22)


def test_revocation_adds_note_and_mau04_row(system, rpc_proxy):
    proxy = rpc_proxy()
    judgment_id = import_case(proxy, "case-23")[0]
    first = issue_all(proxy, judgment_id, "22")[0]
    before = register_rows(proxy, "03", "22", 2)
    officer, head = actor("officer", "22"), actor("head", "22")

    revocation = proxy.decisions.revoke(
        officer, first["id"], "revocation", "Ra quyết định không đúng", "rv")
    proxy.decisions.submit(officer, revocation)
    proxy.decisions.sign(head, revocation)
    revoked_by = proxy.decisions.issue(head, revocation)

    mau04 = register_rows(proxy, "04", "22", 1)
    assert mau04[0]["decision"]["display"] == revoked_by["display"]

    def noted():
        rows = register_rows(proxy, "03", "22", 2)
        row = next(r for r in rows
                   if r["decision"]["display"] == first["display"])
        return row if row.get("notes") else None

    row = wait_until(noted, timeout=30, message="note on the revoked row")
    assert revoked_by["display"] in row["notes"]
    assert "thu hồi" in row["notes"]
    old = next(r for r in before if r["decision"]["display"] == first["display"])
    assert {k: v for k, v in row.items() if k != "notes"} == {
        k: v for k, v in old.items() if k != "notes"}


def test_rebuild_check_finds_no_difference(system, rpc_proxy):
    proxy = rpc_proxy()
    judgment_id = import_case(proxy, "case-23")[0]
    issue_all(proxy, judgment_id, "22")
    register_rows(proxy, "03", "22", 2)

    report = proxy.registers.rebuild_check(CENTRAL, "03", "22", 2027)

    assert report["differences"] == []
