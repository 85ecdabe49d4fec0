"""Server-rendered pages: intake form, workflow buttons, colouring, escaping."""
import re
from datetime import date

from gateway.pages import urgency
from tests.gateway.test_main_job import (
    JUDGMENT, api, draft_content, import_judgment,
)


def test_urgency_colours_by_deadline():
    friday = date(2026, 11, 6)

    assert urgency({"status": "draft", "deadline": "2026-11-05"}, friday) == "overdue"
    assert urgency({"status": "draft", "deadline": "2026-11-06"}, friday) == "urgent"
    assert urgency({"status": "draft", "deadline": "2026-11-09"}, friday) == "urgent"
    assert urgency({"status": "draft", "deadline": "2026-11-10"}, friday) == ""
    assert urgency({"status": "issued", "deadline": "2026-11-01"}, friday) == ""
    assert urgency({"status": "draft", "deadline": None}, friday) == ""


def form_token(html, name):
    match = re.search(rf'name="{name}" value="([^"]+)"', html)
    assert match, f"no {name} field in page"
    return match.group(1)


def test_intake_form_records_judgment(full_system, login):
    clerk = login("vanthu79")
    page = clerk.get(f"{clerk.base}/tiep-nhan").text
    form = {
        "csrf_token": form_token(page, "csrf_token"),
        "request_id": form_token(page, "request_id"),
        "receiving_unit": "79", "received_on": "2026-10-12",
        "issuing_body": JUDGMENT["issuing_body"], "number": "02/2026/DS-ST",
        "date": "2026-09-10", "effective_date": "2026-09-25",
        "kind": "Bản án dân sự sơ thẩm", "case_type": "dân sự",
        "debtor": "<b>Lê Văn Tám</b>", "address": "Quận 1", "court_fee": "300000",
    }

    response = clerk.post(f"{clerk.base}/tiep-nhan/ban-an", data=form)

    assert response.status_code == 200, response.text
    assert "Mới" in response.text
    records = api(clerk, "GET", "/records").json()
    assert records[0]["number"] == "02/2026/DS-ST"


def test_bad_upload_is_422(full_system, login):
    clerk = login("vanthu79")

    response = clerk.post(
        f"{clerk.base}/tiep-nhan/tep",
        files={"file": ("x.json", b"{khong phai json", "application/json")},
        data={"csrf_token": clerk.headers["X-CSRF-Token"]})

    assert response.status_code == 422
    assert "JSON" in response.text


def test_user_text_is_escaped(full_system, login):
    judgment_id = import_judgment(login("vanthu79"))
    officer = login("chv79")
    content = draft_content(judgment_id)
    content["debtors"][0]["name"] = "<script>alert(1)</script>"
    api(officer, "POST", "/decisions", json={"content": content})

    page = officer.get(f"{officer.base}/").text

    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_decision_page_walks_workflow(full_system, login):
    judgment_id = import_judgment(login("vanthu79"))
    officer = login("chv79")
    decision_id = api(officer, "POST", "/decisions", json={
        "content": draft_content(judgment_id)}).json()["id"]
    url = f"{officer.base}/quyet-dinh/{decision_id}"
    page = officer.get(url).text
    assert "Trình ký" in page
    assert "Xem trước PDF" in page
    assert 'href="/huong-dan#quyet-dinh"' in page

    officer.post(f"{url}/trinh", data={"csrf_token": form_token(page, "csrf_token")})
    head = login("truong79")
    page = head.get(url).text
    assert "Trả lại" in page
    assert "late_reason" in page
    head.post(f"{url}/ky", data={"csrf_token": form_token(page, "csrf_token"),
                                 "late_reason": "Chờ xác minh"})
    page = head.get(url).text
    form = {"csrf_token": form_token(page, "csrf_token"),
            "request_id": form_token(page, "request_id")}
    first = head.post(f"{url}/ban-hanh", data=form, allow_redirects=False)
    again = head.post(f"{url}/ban-hanh", data=form, allow_redirects=False)

    assert first.status_code == 303
    assert again.status_code == 303
    page = head.get(url).text
    assert "01/QĐ-THADS" in page
    assert "Đã ban hành" in page
    pdf = head.get(f"{url}/pdf")
    assert pdf.content.startswith(b"%PDF")
