"""The main job through the API and the pages, and issuing only once."""
import json

import eventlet

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
         "birth_year": 1985,
         "address": "phường Bến Thành, Thành phố Hồ Chí Minh"},
    ],
    "obligations": [
        {"ref": "O2", "kind": "court_fee", "description": "Án phí hình sự sơ thẩm",
         "debtors": ["D1"], "amount": {"kind": "vnd", "value": "200000"}},
    ],
}


def api(client, method, path, **kwargs):
    return client.request(method, f"{client.base}/api/v1{path}", **kwargs)


def import_judgment(clerk):
    files = {"file": ("ban-an.json", json.dumps(JUDGMENT), "application/json")}
    response = clerk.post(f"{clerk.base}/tiep-nhan/tep", files=files, data={
        "csrf_token": clerk.headers["X-CSRF-Token"], "request_id": "import-1"})
    assert response.status_code == 200, response.text
    records = api(clerk, "GET", "/records").json()
    assert len(records) == 1
    return records[0]["id"]


FEE_LINE = {"ref": "O2", "kind": "court_fee",
            "description": "Án phí hình sự sơ thẩm", "debtor": "Trịnh Quang Vũ",
            "amount": {"kind": "vnd", "value": "200000"}}


def draft_content(judgment_id):
    return {"decision_kind": "ex_officio", "mode": "ex_officio",
            "judgment_record_id": judgment_id, "request_record_id": None,
            "debtors": [{"name": "Trịnh Quang Vũ",
                         "address": "phường Bến Thành, Thành phố Hồ Chí Minh"}],
            "creditors": [], "obligations": [FEE_LINE]}


def signed_decision(login):
    """Import, draft, submit and sign; return (head, judgment id, decision id)."""
    judgment_id = import_judgment(login("vanthu79"))
    officer = login("chv79")
    draft = api(officer, "POST", "/decisions", json={
        "content": draft_content(judgment_id), "request_id": "draft-1"})
    assert draft.status_code == 200, draft.text
    decision_id = draft.json()["id"]
    submitted = api(officer, "POST", f"/decisions/{decision_id}/submit", json={})
    assert submitted.status_code == 200, submitted.text
    head = login("truong79")
    signed = api(head, "POST", f"/decisions/{decision_id}/sign",
                 json={"late_reason": "Chờ xác minh địa chỉ"})
    assert signed.status_code == 200, signed.text
    return head, judgment_id, decision_id


def test_proposal_becomes_draft(full_system, login):
    judgment_id = import_judgment(login("vanthu79"))
    officer = login("chv79")

    proposals = api(officer, "GET", f"/records/{judgment_id}/proposals")
    assert proposals.status_code == 200, proposals.text
    assert proposals.json()["proposals"]
    index = proposals.json()["proposals"][0]["index"]
    draft = api(officer, "POST", f"/records/{judgment_id}/drafts",
                json={"index": index, "request_id": "draft-1"})

    assert draft.status_code == 200, draft.text
    detail = api(officer, "GET", f"/decisions/{draft.json()['id']}").json()
    assert detail["status"] == "draft"
    assert detail["judgment_record_id"] == judgment_id


def test_main_job_through_api(full_system, login):
    head, _, decision_id = signed_decision(login)

    issued = api(head, "POST", f"/decisions/{decision_id}/issue",
                 json={"request_id": "issue-1"})

    assert issued.status_code == 200, issued.text
    assert issued.json()["status"] == "issued"
    assert issued.json()["display"] == "01/QĐ-THADS"
    pdf = api(head, "GET", f"/decisions/{decision_id}/pdf")
    assert pdf.status_code == 200
    assert pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert "01-QD-THADS.pdf" in pdf.headers["Content-Disposition"]
    page = head.get(f"{head.base}/quyet-dinh/{decision_id}")
    assert "01/QĐ-THADS" in page.text
    assert "Đã ban hành" in page.text


def test_double_issue_numbers_once(full_system, login):
    head, _, decision_id = signed_decision(login)
    form = {"csrf_token": head.headers["X-CSRF-Token"], "request_id": "form-1"}

    def press_issue():
        return head.post(f"{head.base}/quyet-dinh/{decision_id}/ban-hanh",
                         data=form, allow_redirects=False).status_code

    pool = eventlet.GreenPool()
    codes = list(pool.imap(lambda _: press_issue(), range(3)))
    again = api(head, "POST", f"/decisions/{decision_id}/issue",
                json={"request_id": "other-id"})

    assert codes == [303, 303, 303]
    assert again.status_code == 200, again.text
    assert again.json()["display"] == "01/QĐ-THADS"
    status = api(head, "GET", f"/series/79/{again.json()['work_year']}/status")
    assert status.json()["allocated"] == 1
    assert status.json()["highest"] == 1


def test_invalid_intake_is_422_with_fields(full_system, login):
    clerk = login("vanthu79")

    response = api(clerk, "POST", "/records", json={
        "records": dict(JUDGMENT, received_on="ngày mai")})

    assert response.status_code == 422
    paths = [error["path"] for error in response.json()["errors"]]
    assert any("received_on" in path for path in paths)


def test_dashboard_lists_decision(full_system, login):
    _, _, decision_id = signed_decision(login)
    officer = login("chv79")

    page = officer.get(f"{officer.base}/")

    assert page.status_code == 200
    assert f"/quyet-dinh/{decision_id}" in page.text
    assert "Đã ký" in page.text
