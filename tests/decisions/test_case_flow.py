"""Every real case: import, propose, draft, sign and issue through RPC."""
from pathlib import Path

import pytest
import yaml
from nameko.exceptions import RemoteError

from services.decisions.service import DecisionsService
from services.numbering.service import NumberingService

CASES = sorted((Path(__file__).parent.parent / "fixtures" / "cases").glob("*.yaml"))
DECISION_DATE = "2026-10-15"


def actors(unit):
    return ({"username": f"clerk{unit}", "role": "clerk", "unit": unit},
            {"username": f"officer{unit}", "role": "officer", "unit": unit},
            {"username": f"head{unit}", "role": "head", "unit": unit,
             "full_name": "Trưởng Thi hành án"})


def expected_for(case, day):
    return next(item for item in case["expected"]
                if str(item["decision_date"]) == day)


def signature(proposal):
    return (proposal["mode"], proposal["rule"],
            sorted(item["ref"] for item in proposal["items"]))


@pytest.fixture
def system(container_factory, service_config):
    config = service_config("numbering", "decisions")
    container_factory(NumberingService, config).start()
    container_factory(DecisionsService, config).start()
    return config


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_case_is_proposed_and_issued(system, rpc_proxy, path):
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    judgment = case["records"][0]
    unit = str(judgment["receiving_unit"])[:2]
    clerk, officer, head = actors(unit)
    proxy = rpc_proxy()

    results = []
    for index, record in enumerate(case["records"]):
        record_clerk = actors(str(record["receiving_unit"])[:2])[0]
        results += proxy.decisions.receive(
            record_clerk, record, f"import-{path.stem}-{index}")
    assert [r["status"] for r in results] == ["created"] * len(case["records"])
    judgment_id = results[0]["id"]

    result = proxy.decisions.proposals(head, judgment_id, DECISION_DATE)
    expected = expected_for(case, DECISION_DATE)
    assert sorted(map(signature, result["proposals"])) == sorted(
        map(signature, expected["proposals"]))
    assert sorted(f["code"] for f in result["flags"]) == sorted(
        f["code"] for f in expected["flags"])

    complete = judgment.get("number") and len(str(judgment.get("date"))) == 10
    displays = []
    for index in range(len(result["proposals"])):
        decision_id = proxy.decisions.draft_from_proposal(
            officer, judgment_id, index, DECISION_DATE, f"{path.stem}-{index}")
        proxy.decisions.submit(officer, decision_id)
        if not complete:
            with pytest.raises(RemoteError) as error:
                proxy.decisions.sign(head, decision_id, late_reason="Nhập lại")
            assert "judgment_incomplete" in error.value.value
            continue
        proxy.decisions.sign(head, decision_id,
                             late_reason="Nhập lại hồ sơ cũ vào phần mềm")
        issued = proxy.decisions.issue(head, decision_id)
        assert issued["status"] == "issued"
        displays.append(issued["display"])

    assert displays == [f"{n:02d}/QĐ-THADS" for n in range(1, len(displays) + 1)]
