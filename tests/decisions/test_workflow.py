"""Intake, drafting, signing and issuing through RPC, with real numbering."""
import base64
import subprocess

import pytest
from nameko.exceptions import RemoteError

from services.decisions.service import DecisionsService
from services.numbering.service import NumberingService
from tests.conftest import wait_until

CLERK = {"username": "vanthu79", "role": "clerk", "unit": "79"}
OFFICER = {"username": "chv79", "role": "officer", "unit": "79",
           "full_name": "Nguyễn Văn Chấp"}
HEAD = {"username": "truong79", "role": "head", "unit": "79",
        "full_name": "Trần Thị Trưởng"}
OTHER_HEAD = {"username": "truong01", "role": "head", "unit": "01"}
CENTRAL = {"username": "cuc", "role": "central", "unit": None, "scope": ["all"]}

JUDGMENT = {
    "record_type": "judgment",
    "received_on": "2026-10-12",
    "receiving_unit": "79",
    "mode_of_receipt": "direct",
    "issuing_body": "Tòa án nhân dân khu vực 1 - Thành phố Hồ Chí Minh",
    "number": "01/2026/HS-ST",
    "date": "2026-09-10",
    "effective_date": "2026-09-25",
    "case_type": "hình sự",
    "kind": "Bản án hình sự sơ thẩm",
    "parties": [
        {"ref": "D1", "kind": "person", "name": "Trịnh Quang Vũ",
         "roles": ["accused", "debtor"], "id_number": "079085013757",
         "birth_year": 1985, "address": "phường Bến Thành, Thành phố Hồ Chí Minh"},
    ],
    "obligations": [
        {"ref": "O1", "kind": "return_money", "description": "Trả lại tiền cho bị cáo",
         "creditors": ["D1"], "amount": {"kind": "vnd", "value": "2000000"}},
        {"ref": "O2", "kind": "court_fee", "description": "Án phí hình sự sơ thẩm",
         "debtors": ["D1"], "amount": {"kind": "vnd", "value": "200000"}},
    ],
}


@pytest.fixture
def system(container_factory, service_config):
    config = service_config("numbering", "decisions")
    container_factory(NumberingService, config).start()
    container_factory(DecisionsService, config).start()
    return config


def content_for(judgment_id, lines, kind="ex_officio", request_id=None):
    return {
        "decision_kind": kind, "mode": kind, "judgment_record_id": judgment_id,
        "request_record_id": request_id,
        "debtors": [{"name": "Trịnh Quang Vũ",
                     "address": "phường Bến Thành, Thành phố Hồ Chí Minh"}],
        "creditors": [],
        "obligations": lines,
    }


FEE_LINE = {"ref": "O2", "kind": "court_fee", "description": "Án phí hình sự sơ thẩm",
            "debtor": "Trịnh Quang Vũ", "amount": {"kind": "vnd", "value": "200000"}}


def received_judgment(proxy):
    result = proxy.decisions.receive(CLERK, JUDGMENT, "import-1")
    return result[0]["id"]


RETURN_LINE = {"ref": "O1", "kind": "return_money",
               "description": "Trả lại tiền cho bị cáo",
               "creditor": "Trịnh Quang Vũ",
               "amount": {"kind": "vnd", "value": "2000000"}}


def issue_draft(proxy, judgment_id, request_id="draft-1", line=FEE_LINE):
    decision_id = proxy.decisions.draft(
        OFFICER, content_for(judgment_id, [line]), request_id)
    proxy.decisions.submit(OFFICER, decision_id)
    proxy.decisions.sign(HEAD, decision_id)
    return decision_id, proxy.decisions.issue(HEAD, decision_id)


def test_same_judgment_imported_twice_is_reported(system, rpc_proxy):
    proxy = rpc_proxy()
    first = proxy.decisions.receive(CLERK, JUDGMENT, "a")
    again = proxy.decisions.receive(CLERK, dict(JUDGMENT), "b")

    assert first[0]["status"] == "created"
    assert again[0]["status"] == "duplicate"
    assert again[0]["id"] == first[0]["id"]
    assert len(proxy.decisions.list_records(CLERK)) == 1


def test_invalid_intake_names_the_field(system, rpc_proxy):
    proxy = rpc_proxy()
    bad = dict(JUDGMENT, received_on="ngày mai")

    with pytest.raises(RemoteError) as error:
        proxy.decisions.receive(CLERK, bad)

    assert error.value.exc_type == "InvalidInput"
    assert "received_on" in error.value.value
    assert proxy.decisions.list_records(CLERK) == []


def test_issue_gives_number_pdf_and_event(system, rpc_proxy, sql):
    proxy = rpc_proxy()
    judgment_id = received_judgment(proxy)
    decision_id, issued = issue_draft(proxy, judgment_id)

    assert issued["status"] == "issued"
    assert issued["display"] == "01/QĐ-THADS"
    assert issued["work_year"] == 2027
    pdf = base64.b64decode(proxy.decisions.pdf(HEAD, decision_id)["content_base64"])
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf,
                          capture_output=True, check=True).stdout.decode()
    assert "01/QĐ-THADS" in text
    assert "Trịnh Quang Vũ" in text
    assert "200.000" in text

    url = system["DECISIONS_DATABASE_URL"]
    wait_until(lambda: sql(url, "SELECT 1 FROM outbox WHERE event_type = "
                                "'decision_issued' AND sent_at IS NOT NULL"),
               message="decision_issued relayed")
    status = wait_until(
        lambda: (lambda s: s if s["bound"] == 1 else None)(
            proxy.numbering.series_status("79", "QD", 2027)),
        message="numbering bound the number")
    assert status["highest"] == 1


def test_retried_issue_keeps_the_number(system, rpc_proxy):
    proxy = rpc_proxy()
    judgment_id = received_judgment(proxy)
    decision_id, first = issue_draft(proxy, judgment_id)
    again = proxy.decisions.issue(HEAD, decision_id)
    _, second = issue_draft(proxy, judgment_id, "draft-2", RETURN_LINE)

    assert again["display"] == first["display"] == "01/QĐ-THADS"
    assert second["display"] == "02/QĐ-THADS"


def test_issued_decision_cannot_change(system, rpc_proxy):
    proxy = rpc_proxy()
    judgment_id = received_judgment(proxy)
    decision_id, issued = issue_draft(proxy, judgment_id)

    with pytest.raises(RemoteError) as error:
        proxy.decisions.update_draft(
            OFFICER, decision_id, content_for(judgment_id, [FEE_LINE]))

    assert error.value.exc_type == "AlreadyIssued"
    assert proxy.decisions.get(HEAD, decision_id)["version"] == issued["version"]


@pytest.mark.parametrize("actor, step, exc_type", [
    (CLERK, "draft", "Forbidden"),
    (OFFICER, "sign", "Forbidden"),
    (CENTRAL, "submit", "Forbidden"),
    (OTHER_HEAD, "sign", "NotFound"),
])
def test_who_may_do_what(system, rpc_proxy, actor, step, exc_type):
    proxy = rpc_proxy()
    judgment_id = received_judgment(proxy)
    decision_id = proxy.decisions.draft(
        OFFICER, content_for(judgment_id, [FEE_LINE]), "d")
    proxy.decisions.submit(OFFICER, decision_id)

    with pytest.raises(RemoteError) as error:
        if step == "draft":
            proxy.decisions.draft(actor, content_for(judgment_id, [FEE_LINE]))
        elif step == "sign":
            proxy.decisions.sign(actor, decision_id)
        else:
            proxy.decisions.submit(actor, decision_id)

    assert error.value.exc_type == exc_type


def test_other_unit_sees_nothing(system, rpc_proxy):
    proxy = rpc_proxy()
    judgment_id = received_judgment(proxy)
    decision_id = proxy.decisions.draft(
        OFFICER, content_for(judgment_id, [FEE_LINE]), "d")

    for call in (lambda: proxy.decisions.get(OTHER_HEAD, decision_id),
                 lambda: proxy.decisions.get_record(OTHER_HEAD, judgment_id),
                 lambda: proxy.decisions.pdf(OTHER_HEAD, decision_id)):
        with pytest.raises(RemoteError) as error:
            call()
        assert error.value.exc_type == "NotFound"
    assert proxy.decisions.list(OTHER_HEAD) == []
    assert len(proxy.decisions.list(CENTRAL)) == 1


def test_return_then_resubmit(system, rpc_proxy):
    proxy = rpc_proxy()
    judgment_id = received_judgment(proxy)
    decision_id = proxy.decisions.draft(
        OFFICER, content_for(judgment_id, [FEE_LINE]), "d")
    proxy.decisions.submit(OFFICER, decision_id)
    proxy.decisions.return_draft(HEAD, decision_id, "Ghi rõ địa chỉ người phải thi hành án")

    assert proxy.decisions.get(OFFICER, decision_id)["status"] == "returned"
    proxy.decisions.update_draft(OFFICER, decision_id,
                                 content_for(judgment_id, [FEE_LINE]))
    proxy.decisions.submit(OFFICER, decision_id)
    proxy.decisions.sign(HEAD, decision_id, as_deputy=True)
    detail = proxy.decisions.get(HEAD, decision_id)
    assert detail["status"] == "signed"
    assert [h["action"] for h in detail["history"]] == [
        "draft", "submit", "return", "edit", "submit", "sign"]


def test_mixed_modes_block_signing(system, rpc_proxy):
    proxy = rpc_proxy()
    judgment_id = received_judgment(proxy)
    on_request_line = dict(FEE_LINE, ref=None, kind="damages", mode=None,
                           description="Bồi thường thiệt hại")
    decision_id = proxy.decisions.draft(
        OFFICER, content_for(judgment_id, [FEE_LINE, on_request_line]), "d")
    proxy.decisions.submit(OFFICER, decision_id)

    with pytest.raises(RemoteError) as error:
        proxy.decisions.sign(HEAD, decision_id)

    assert error.value.exc_type == "ChecksFailed"
    assert "mode_mismatch" in error.value.value


def test_offset_fee_refund_blocks_signing(system, rpc_proxy):
    proxy = rpc_proxy()
    judgment_id = received_judgment(proxy)
    refund = {"description": "Hoàn trả tiền tạm ứng án phí", "kind": "return_money",
              "refund_of_offset": True, "amount": {"kind": "vnd", "value": "300000"}}
    decision_id = proxy.decisions.draft(
        OFFICER, content_for(judgment_id, [FEE_LINE, refund]), "d")
    proxy.decisions.submit(OFFICER, decision_id)

    with pytest.raises(RemoteError) as error:
        proxy.decisions.sign(HEAD, decision_id)

    assert "offset_split" in error.value.value


def test_regional_office_head_cannot_sign(system, rpc_proxy):
    proxy = rpc_proxy()
    judgment_id = received_judgment(proxy)
    decision_id = proxy.decisions.draft(
        OFFICER, content_for(judgment_id, [FEE_LINE]), "d")
    proxy.decisions.submit(OFFICER, decision_id)
    office_head = dict(HEAD, username="kv1", office="79-KV01")

    with pytest.raises(RemoteError) as error:
        proxy.decisions.sign(office_head, decision_id)

    assert error.value.exc_type == "Forbidden"


def test_revocation_names_the_old_decision(system, rpc_proxy, sql):
    proxy = rpc_proxy()
    judgment_id = received_judgment(proxy)
    old_id, old = issue_draft(proxy, judgment_id)
    revocation_id = proxy.decisions.revoke(
        OFFICER, old_id, "revocation", "Ra quyết định không đúng thẩm quyền", "r")
    proxy.decisions.submit(OFFICER, revocation_id)
    proxy.decisions.sign(HEAD, revocation_id)
    issued = proxy.decisions.issue(HEAD, revocation_id)

    assert issued["display"] == "02/QĐ-THADS"
    assert proxy.decisions.get(HEAD, old_id)["revoked_by"] == revocation_id
    pdf = base64.b64decode(proxy.decisions.pdf(HEAD, revocation_id)["content_base64"])
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf,
                          capture_output=True, check=True).stdout.decode()
    assert old["display"] in text
    rows = sql(system["DECISIONS_DATABASE_URL"],
               "SELECT payload FROM outbox WHERE event_type = 'decision_revoked'")
    assert rows[0].payload["by_display"] == "02/QĐ-THADS"


def test_same_request_entered_twice_is_reported(system, rpc_proxy):
    proxy = rpc_proxy()
    proxy.decisions.receive(CLERK, JUDGMENT, "j")
    request = {
        "record_type": "request", "received_on": "2026-10-14",
        "receiving_unit": "79", "mode": "in_person_written",
        "request_date": "2026-10-14",
        "requester": {"name": "Trịnh Quang Vũ", "kind": "person"},
        "judgment": {"issuing_body": JUDGMENT["issuing_body"],
                     "number": JUDGMENT["number"], "date": JUDGMENT["date"]},
        "obligation_refs": ["O1"],
    }

    first = proxy.decisions.receive(CLERK, request, "r1")
    again = proxy.decisions.receive(CLERK, request, "r2")

    assert first[0]["status"] == "created"
    assert again[0]["status"] == "duplicate"
    assert again[0]["id"] == first[0]["id"]


def test_second_draft_of_same_item_is_rejected(system, rpc_proxy):
    proxy = rpc_proxy()
    judgment_id = received_judgment(proxy)
    first = proxy.decisions.draft(
        OFFICER, content_for(judgment_id, [FEE_LINE]), "d1")

    with pytest.raises(RemoteError) as error:
        proxy.decisions.draft(OFFICER, content_for(judgment_id, [FEE_LINE]), "d2")

    assert error.value.exc_type == "InvalidInput"
    assert "already_decided" in error.value.value
    assert first in error.value.value


def test_discarded_draft_frees_its_items(system, rpc_proxy):
    proxy = rpc_proxy()
    judgment_id = received_judgment(proxy)
    first = proxy.decisions.draft(
        OFFICER, content_for(judgment_id, [FEE_LINE]), "d1")
    proxy.decisions.discard(OFFICER, first, "Lập nhầm")

    second = proxy.decisions.draft(
        OFFICER, content_for(judgment_id, [FEE_LINE]), "d2")

    assert proxy.decisions.get(OFFICER, first)["status"] == "discarded"
    assert proxy.decisions.get(OFFICER, second)["status"] == "draft"


def test_draft_pdf_previews_before_signing(system, rpc_proxy):
    proxy = rpc_proxy()
    judgment_id = received_judgment(proxy)
    decision_id = proxy.decisions.draft(
        OFFICER, content_for(judgment_id, [FEE_LINE]), "d1")

    pdf = base64.b64decode(proxy.decisions.pdf(OFFICER, decision_id)["content_base64"])
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf,
                          capture_output=True, check=True).stdout.decode()

    assert "DỰ THẢO" in text
    assert "Nguyễn Văn Chấp" in text


def test_import_for_other_unit_names_the_unit(system, rpc_proxy):
    proxy = rpc_proxy()
    with pytest.raises(RemoteError) as error:
        proxy.decisions.receive(OTHER_HEAD, JUDGMENT)

    assert error.value.exc_type == "InvalidInput"
    assert "receiving_unit" in error.value.value
    assert "other_unit" in error.value.value
