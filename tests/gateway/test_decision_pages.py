"""Decision and record pages: role buttons, discard, rejected signature,
request records and proposals that already have a decision."""
import json
import re

from gateway.decision_pages import blocking_findings
from gateway.pages import simple_judgment
from tests.gateway.test_main_job import (
    JUDGMENT, api, draft_content, import_judgment,
)
from tests.gateway.test_pages import form_token

REQUEST = {
    "record_type": "request", "received_on": "2026-10-14",
    "receiving_unit": "79", "mode": "in_person_written",
    "request_date": "2026-10-13",
    "requester": {"name": "Phan Thị Minh Thư", "address": "Quận 3"},
    "judgment": {key: JUDGMENT[key] for key in ("issuing_body", "number", "date")},
    "obligation_refs": ["O2"], "scope": "Yêu cầu thi hành khoản án phí",
}


def test_blocking_findings_split_on_codes():
    text = ("deadline_passed: Đã quá thời hạn; người ký phải ghi lý do."
            "; missing_debtor: Thiếu người phải thi hành án.")

    findings = blocking_findings(text)

    assert findings == [
        ("deadline_passed", "Đã quá thời hạn; người ký phải ghi lý do."),
        ("missing_debtor", "Thiếu người phải thi hành án.")]


def test_simple_judgment_converts_form_values():
    record, errors = simple_judgment({
        "receiving_unit": "79", "received_on": "12/10/2026",
        "date": "2026-09-10", "effective_date": "", "kind": "Bản án",
        "debtor": "Lê Văn Tám", "court_fee": "1.500.000",
        "mode_of_receipt": "post"})

    assert errors == []
    assert record["received_on"] == "2026-10-12"
    assert record["date"] == "2026-09-10"
    assert "effective_date" not in record
    assert record["mode_of_receipt"] == "post"
    assert record["obligations"][0]["amount"]["value"] == "1500000"


def test_simple_judgment_reports_bad_values():
    _, errors = simple_judgment({"received_on": "31/02/2026",
                                 "court_fee": "1,5 triệu"})

    assert {e["path"] for e in errors} == {"received_on", "court_fee"}


def test_intake_form_error_keeps_values(full_system, login):
    clerk = login("vanthu79")
    page = clerk.get(f"{clerk.base}/tiep-nhan").text
    assert 'name="mode_of_receipt"' in page

    response = clerk.post(f"{clerk.base}/tiep-nhan/ban-an", data={
        "csrf_token": form_token(page, "csrf_token"),
        "request_id": form_token(page, "request_id"),
        "receiving_unit": "79", "received_on": "99/99/2026",
        "number": "05/2026/DS-ST", "debtor": "Lê Văn Tám"})

    assert response.status_code == 422
    assert 'value="05/2026/DS-ST"' in response.text
    assert 'value="99/99/2026"' in response.text
    assert "dd/mm/yyyy" in response.text


def test_upload_errors_link_format_guide(full_system, login):
    clerk = login("vanthu79")
    bad = dict(JUDGMENT, received_on="12/10/2026")

    response = clerk.post(f"{clerk.base}/tiep-nhan/tep", files={
        "file": ("ban-an.json", json.dumps(bad), "application/json")},
        data={"csrf_token": clerk.headers["X-CSRF-Token"]})

    assert response.status_code == 422
    assert 'href="/huong-dan#dinh-dang-nhap"' in response.text
    guide = clerk.get(f"{clerk.base}/huong-dan").text
    assert 'id="dinh-dang-nhap"' in guide


def new_draft(login):
    judgment_id = import_judgment(login("vanthu79"))
    officer = login("chv79")
    decision_id = api(officer, "POST", "/decisions", json={
        "content": draft_content(judgment_id)}).json()["id"]
    return officer, judgment_id, decision_id


def test_buttons_follow_role(full_system, login):
    officer, _, decision_id = new_draft(login)
    url = f"{officer.base}/quyet-dinh/{decision_id}"
    clerk = login("vanthu79")
    head = login("truong79")

    officer_page = officer.get(url).text
    clerk_page = clerk.get(url).text
    assert "Trình ký" in officer_page
    assert "Hủy bỏ dự thảo" in officer_page
    assert "Trình ký" not in clerk_page
    assert "Hủy bỏ dự thảo" not in clerk_page

    api(officer, "POST", f"/decisions/{decision_id}/submit", json={})
    officer_page = officer.get(url).text
    head_page = head.get(url).text
    assert 'action="/quyet-dinh/{}/ky"'.format(decision_id) not in officer_page
    assert "Trả lại" not in officer_page
    assert 'action="/quyet-dinh/{}/ky"'.format(decision_id) in head_page
    assert "Trả lại" in head_page
    assert "Ban hành" not in head_page


def test_decision_page_shows_content(full_system, login):
    officer, judgment_id, decision_id = new_draft(login)

    page = officer.get(f"{officer.base}/quyet-dinh/{decision_id}").text

    assert "Trịnh Quang Vũ" in page
    assert "Án phí hình sự sơ thẩm" in page
    assert "200.000 đồng" in page
    assert f'href="/ho-so/{judgment_id}"' in page


def test_discard_from_page(full_system, login):
    officer, _, decision_id = new_draft(login)
    url = f"{officer.base}/quyet-dinh/{decision_id}"
    page = officer.get(url).text

    empty = officer.post(f"{url}/huy-bo", data={
        "csrf_token": form_token(page, "csrf_token"), "reason": " "})
    done = officer.post(f"{url}/huy-bo", data={
        "csrf_token": form_token(page, "csrf_token"), "reason": "Lập nhầm"})

    assert empty.status_code == 422
    assert done.status_code == 200
    assert "Đã hủy bỏ" in done.text
    assert "Trình ký" not in done.text
    assert "Lập nhầm" in done.text


def test_discard_through_api(full_system, login):
    officer, _, decision_id = new_draft(login)
    clerk = login("vanthu79")

    rejected = api(clerk, "POST", f"/decisions/{decision_id}/discard",
                  json={"reason": "Không cần"})
    done = api(officer, "POST", f"/decisions/{decision_id}/discard",
               json={"reason": "Không cần"})

    assert rejected.status_code == 403
    assert done.status_code == 200, done.text
    assert done.json() == {"status": "discarded"}
    detail = api(officer, "GET", f"/decisions/{decision_id}").json()
    assert detail["status"] == "discarded"
    document = api(officer, "GET", "/openapi.json").json()
    assert "/api/v1/decisions/{decision_id}/discard" in document["paths"]


def test_rejected_signature_lists_findings(full_system, login):
    judgment_id = import_judgment(login("vanthu79"))
    officer = login("chv79")
    proposals = api(officer, "GET", f"/records/{judgment_id}/proposals").json()
    decision_id = api(officer, "POST", f"/records/{judgment_id}/drafts", json={
        "index": proposals["proposals"][0]["index"]}).json()["id"]
    api(officer, "POST", f"/decisions/{decision_id}/submit", json={})
    head = login("truong79")
    url = f"{head.base}/quyet-dinh/{decision_id}"
    page = head.get(url).text
    assert "bắt buộc vì đã quá hạn" in page
    assert re.search(r'name="late_reason" required', page)

    rejected = head.post(f"{url}/ky", data={
        "csrf_token": form_token(page, "csrf_token")})

    assert rejected.status_code == 409
    assert "Chưa ký được" in rejected.text
    assert "Người ký phải ghi rõ lý do" in rejected.text
    assert "deadline_passed:" not in rejected.text
    assert f'action="/quyet-dinh/{decision_id}/ky"' in rejected.text


def test_request_page_shows_details(full_system, login):
    clerk = login("vanthu79")
    judgment_id = import_judgment(clerk)
    received = api(clerk, "POST", "/records", json={
        "records": [REQUEST], "request_id": "request-1"})
    assert received.status_code == 200, received.text
    request_id = received.json()[0]["id"]

    page = clerk.get(f"{clerk.base}/ho-so/{request_id}").text
    listing = clerk.get(f"{clerk.base}/ho-so").text

    assert "Phan Thị Minh Thư" in page
    assert "13/10/2026" in page
    assert f'href="/ho-so/{judgment_id}"' in page
    assert "O2" in page
    assert "Yêu cầu thi hành khoản án phí" in page
    assert "Đơn của Phan Thị Minh Thư ngày 13/10/2026" in listing
    assert listing.index(request_id) < listing.index(judgment_id)


def test_second_draft_links_existing_decision(full_system, login):
    judgment_id = import_judgment(login("vanthu79"))
    officer = login("chv79")
    record_url = f"{officer.base}/ho-so/{judgment_id}"
    page = officer.get(record_url).text
    form = {"csrf_token": form_token(page, "csrf_token"),
            "index": form_token(page, "index"),
            "request_id": form_token(page, "request_id")}

    first = officer.post(f"{record_url}/du-thao", data=form,
                         allow_redirects=False)
    assert first.status_code == 303
    decision_id = first.headers["Location"].rsplit("/", 1)[-1]
    form["request_id"] = "another-request"
    second = officer.post(f"{record_url}/du-thao", data=form)

    assert second.status_code == 409
    assert f'href="/quyet-dinh/{decision_id}"' in second.text
    page = officer.get(record_url).text
    assert f'href="/quyet-dinh/{decision_id}"' in page
    assert "Lập dự thảo" not in page


def test_favicon_guide_and_login_name(gateway_only, web_session):
    icon = web_session.get("/favicon.ico")
    guide = web_session.get("/huong-dan").text
    login_page = web_session.get("/dang-nhap").text

    assert icon.status_code == 200
    assert icon.headers["Content-Type"].startswith("image/svg+xml")
    assert guide.count('id="bao-loi"') == 1
    assert "hoặc trạng thái" not in guide
    assert "Phần mềm ra quyết định thi hành án dân sự" in login_page
