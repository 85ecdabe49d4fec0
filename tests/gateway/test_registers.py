"""Registers through the gateway: rows after issuing, scope, export, pages."""
import io
import time
from urllib.parse import quote

from datetime import date

import openpyxl

from gateway.register_pages import current_months
from gateway.register_view import closing_html, decision_row_link, register_table
from services.registers.layout import load_layout
from tests.gateway.test_access import NOT_FOUND
from tests.gateway.test_main_job import api, signed_decision

ROW_WAIT_SECONDS = 10


def issue_decision(login):
    """Issue a decision of unit 79; return (head, decision, register path)."""
    head, _, decision_id = signed_decision(login)
    issued = api(head, "POST", f"/decisions/{decision_id}/issue",
                 json={"request_id": "issue-1"})
    assert issued.status_code == 200, issued.text
    decision = issued.json()
    return head, decision, f"/registers/03/79/{decision['work_year']}"


def wait_for_rows(client, path, params, timeout=ROW_WAIT_SECONDS):
    """Poll the rows endpoint until it returns a row; return the body."""
    deadline = time.monotonic() + timeout
    while True:
        response = api(client, "GET", f"{path}/rows", params=params)
        assert response.status_code == 200, response.text
        if response.json()["total"]:
            return response.json()
        assert time.monotonic() < deadline, f"no row in {path} after {timeout} s"
        time.sleep(0.2)


def test_issued_decision_reaches_register(registers_system, login):
    head, decision, path = issue_decision(login)
    started = time.monotonic()

    body = wait_for_rows(head, path, {"decision_number": "01/QĐ-THADS"})

    assert time.monotonic() - started < ROW_WAIT_SECONDS
    assert body["total"] == 1
    row = body["rows"][0]
    assert row["stt"] == 1
    assert row["decision"]["display"] == "01/QĐ-THADS"
    assert row["decision_id"] == decision["id"]
    listed = api(head, "GET", "/registers").json()
    entry = [r for r in listed if r["form"] == "03"]
    assert entry == [{"form": "03", "title": "SỔ THỤ LÝ THI HÀNH ÁN",
                      "unit": "79", "unit_name": entry[0]["unit_name"],
                      "work_year": decision["work_year"], "rows": 1}]


def test_register_filters_by_party(registers_system, login):
    head, _, path = issue_decision(login)
    wait_for_rows(head, path, {})

    folded = api(head, "GET", f"{path}/rows", params={"party": "trinh quang"})
    missing = api(head, "GET", f"{path}/rows", params={"party": "Không Có Ai"})
    paged = api(head, "GET", f"{path}/rows", params={"limit": 1, "offset": 1})

    assert folded.json()["total"] == 1
    assert missing.json()["total"] == 0
    assert missing.json()["rows"] == []
    assert paged.json()["total"] == 1
    assert paged.json()["rows"] == []


def test_other_unit_register_is_404(registers_system, login):
    head, decision, path = issue_decision(login)
    wait_for_rows(head, path, {})
    stranger = login("truong01")

    for endpoint, params in ((f"{path}/rows", {}),
                             (f"{path}/export", {"format": "xlsx"}),
                             ("/registers", {"unit": "79"})):
        response = api(stranger, "GET", endpoint, params=params)
        assert response.status_code == 404, endpoint
        assert response.json() == NOT_FOUND, endpoint
    own = api(stranger, "GET", "/registers").json()
    assert all(r["unit"] == "01" for r in own)
    statistics = api(stranger, "GET", f"/statistics/{decision['work_year']}/12")
    assert [u["unit"] for u in statistics.json()["units"]] == ["01"]


def test_central_reads_registers(registers_system, login):
    head, decision, path = issue_decision(login)
    wait_for_rows(head, path, {})
    central = login("cuc")

    rows = api(central, "GET", f"{path}/rows")
    statistics = api(central, "GET", f"/statistics/{decision['work_year']}/12")
    dashboard = central.get(f"{central.base}/trung-uong")

    assert rows.status_code == 200
    assert rows.json()["total"] == 1
    by_unit = {u["unit"]: u["counts"] for u in statistics.json()["units"]}
    assert len(by_unit) == 34
    assert by_unit["79"]["03"] == 1
    assert by_unit["79"]["01"] == 1
    assert by_unit["01"]["03"] == 0
    assert dashboard.status_code == 200
    assert "Số dòng vào sổ theo đơn vị" in dashboard.text
    assert "Mẫu 03" in dashboard.text


def test_export_downloads_open(registers_system, login):
    head, _, path = issue_decision(login)
    wait_for_rows(head, path, {})

    xlsx = api(head, "GET", f"{path}/export", params={"format": "xlsx"})
    pdf = api(head, "GET", f"{path}/export", params={"format": "pdf"})

    assert xlsx.status_code == 200, xlsx.text
    assert xlsx.headers["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    disposition = xlsx.headers["Content-Disposition"]
    assert 'filename="So thu ly thi hanh an - Mau 03 - 79 - ' in disposition
    assert "filename*=UTF-8''" + quote("Sổ thụ lý thi hành án") in disposition
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    texts = {str(cell.value) for row in sheet.iter_rows() for cell in row
             if cell.value is not None}
    assert "01/QĐ-THADS" in texts
    assert any("Trịnh Quang Vũ" in text for text in texts)
    assert pdf.status_code == 200, pdf.text
    assert pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert ".pdf" in pdf.headers["Content-Disposition"]


def test_export_needs_known_format(registers_system, login):
    head, _, path = issue_decision(login)

    missing = api(head, "GET", f"{path}/export")
    unknown = api(head, "GET", f"{path}/export", params={"format": "csv"})

    assert missing.status_code == 422
    assert missing.json()["errors"][0]["path"] == "format"
    assert unknown.status_code == 422


def test_register_page_shows_row(registers_system, login):
    head, decision, path = issue_decision(login)
    wait_for_rows(head, path, {})
    url = f"{head.base}/so/03/79/{decision['work_year']}"

    page = head.get(url)
    filtered = head.get(url, params={"party": "Không Có Ai"})
    typed_date = head.get(url, params={"date_from": "1/10/2026",
                                       "party": "trinh quang vu"})
    late_date = head.get(url, params={"date_from": "30/09/2027"})
    bad_date = head.get(url, params={"date_from": "32/13/2026"})

    assert page.status_code == 200
    text = page.text
    assert "<title>Mẫu số 03: Sổ thụ lý thi hành án – THADS</title>" in text
    assert '<th rowspan="1" colspan="2">Quyết định thi hành án</th>' in text
    assert '<th rowspan="1" colspan="3">Bản án, quyết định</th>' in text
    assert '<th rowspan="2" colspan="1">STT</th>' in text
    assert "Người phải thi hành án (tên, địa chỉ)" in text
    assert "01/QĐ-THADS" in text
    assert "Trịnh Quang Vũ" in text
    assert "200.000" in text
    assert "Xuất Excel" in text
    assert "Xuất PDF" in text
    assert 'href="/huong-dan#xem-so"' in text
    assert "Trang 1/1 · 1 dòng" in text
    assert "Không có dòng nào khớp bộ lọc." in filtered.text
    assert "Trịnh Quang Vũ" in typed_date.text
    assert 'value="1/10/2026"' in typed_date.text
    assert "Không có dòng nào khớp bộ lọc." in late_date.text
    assert bad_date.status_code == 422


def test_register_page_export_and_list(registers_system, login):
    head, decision, path = issue_decision(login)
    wait_for_rows(head, path, {})
    year = decision["work_year"]

    listing = head.get(f"{head.base}/so")
    download = head.get(f"{head.base}/so/03/79/{year}/xuat",
                        params={"format": "pdf"})

    assert listing.status_code == 200
    assert f'href="/so/03/79/{year}"' in listing.text
    assert f'href="/so/07/79/{year}"' in listing.text
    assert 'href="/huong-dan#so"' in listing.text
    assert download.status_code == 200
    assert download.content.startswith(b"%PDF")


def test_other_unit_register_page_is_404(registers_system, login):
    head, decision, path = issue_decision(login)
    stranger = login("chv01")

    page = stranger.get(f"{stranger.base}/so/03/79/{decision['work_year']}")

    assert page.status_code == 404
    assert "Không tìm thấy" in page.text
    assert "Trịnh Quang Vũ" not in page.text


def test_decision_page_links_register_row(registers_system, login):
    head, decision, _ = issue_decision(login)

    page = head.get(f"{head.base}/quyet-dinh/{decision['id']}").text

    assert ("<title>Quyết định thi hành án chủ động số 01/QĐ-THADS – THADS"
            "</title>") in page
    assert "Ngày ban hành: " in page
    year = decision["work_year"]
    link = f"/so/03/79/{year}?decision_number=01%2FQ%C4%90-THADS"
    assert f'href="{link}"' in page
    assert "Xem trong Sổ thụ lý thi hành án (Mẫu số 03)" in page


def test_invalid_register_path_is_404(gateway_only, login):
    client = login("chv79")

    for path in ("/registers/08/79/2027/rows", "/registers/03/99/2027/rows",
                 "/registers/03/79/1999/rows", "/statistics/2027/5"):
        response = api(client, "GET", path)
        assert response.status_code == 404, path
        assert response.json() == NOT_FOUND, path


def test_invalid_row_filters_are_422(gateway_only, login):
    client = login("chv79")
    path = "/registers/03/79/2027/rows"

    for params, field in (({"date_from": "hôm qua"}, "date_from"),
                          ({"limit": "1001"}, "limit"),
                          ({"party": "a\x00b"}, "party"),
                          ({"date_from": "2027-01-02", "date_to": "2027-01-01"},
                           "date_from"),
                          ({"sort": "stt"}, "sort")):
        response = api(client, "GET", path, params=params)
        assert response.status_code == 422, params
        assert response.json()["errors"][0]["path"] == field, params


def test_registers_down_is_503(gateway_only, login):
    client = login("chv79")

    response = api(client, "GET", "/registers/03/79/2027/rows")
    page = client.get(f"{client.base}/so/03/79/2027")

    assert response.status_code == 503
    assert response.json()["error"] == "unavailable"
    assert page.status_code == 503


def test_openapi_describes_registers(gateway_only, web_session):
    document = web_session.get("/api/v1/openapi.json").json()

    rows = document["paths"]["/api/v1/registers/{form}/{unit}/{work_year}/rows"]
    params = {p["name"]: p for p in rows["get"]["parameters"]}
    assert params["form"]["schema"]["enum"][2] == "03"
    assert params["work_year"]["schema"]["type"] == "integer"
    assert params["date_from"]["in"] == "query"
    assert params["date_from"]["schema"]["format"] == "date"
    assert params["limit"]["schema"]["maximum"] == 1000
    export = document["paths"][
        "/api/v1/registers/{form}/{unit}/{work_year}/export"]["get"]
    assert "application/pdf" in export["responses"]["200"]["content"]
    statistics = document["paths"]["/api/v1/statistics/{work_year}/{months}"]
    months = statistics["get"]["parameters"][1]["schema"]
    assert months["enum"] == [3, 6, 10, 12]
    assert "Statistics" in document["components"]["schemas"]


CLOSING = {"_closing": {"label": "Kết sổ Quý I năm công tác 2027", "period": "Q1",
                        "totals": {"decision_number": 2, "total_vnd": 1500000}}}
ENTRY = {"stt": 1, "entry_date": "2026-12-04",
         "decision": {"display": "01/QĐ-THADS", "date": "2026-12-04"},
         "debtors": ["Trịnh Quang Vũ", "<b>Lê Văn Tám</b>"], "total_vnd": 200000}


def test_closing_line_renders_totals():
    html = str(closing_html(load_layout("03"), CLOSING))

    assert html.count('<tr class="closing">') == 2
    assert 'colspan="14">Kết sổ Quý I năm công tác 2027<' in html
    assert '<td class="center">Cộng</td>' in html
    assert '<td class="right">1.500.000</td>' in html
    assert '<td class="right">2</td>' in html


def test_register_table_formats_cells():
    html = str(register_table(load_layout("03"), [ENTRY, CLOSING], False))

    assert '<td class="center">04/12/2026</td>' in html
    assert "Trịnh Quang Vũ\n&lt;b&gt;Lê Văn Tám&lt;/b&gt;" in html
    assert '<td class="right">200.000</td>' in html
    assert html.index("01/QĐ-THADS") < html.index("Kết sổ Quý I")


def test_empty_register_says_so():
    layout = load_layout("01")

    assert "Sổ chưa có dòng nào." in str(register_table(layout, [], False))
    assert "Không có dòng nào khớp bộ lọc." in str(
        register_table(layout, [], True))


def test_row_link_only_when_issued():
    decision = {"decision_kind": "revocation", "status": "issued", "unit": "79",
                "work_year": 2027, "display": "02/QĐ-THADS"}

    assert "/so/04/79/2027?decision_number=02%2FQ%C4%90-THADS" in str(
        decision_row_link(decision))
    assert str(decision_row_link(dict(decision, status="signed"))) == ""


def test_statistics_period_defaults_to_open_one():
    assert current_months(2027, date(2026, 12, 4)) == 3
    assert current_months(2027, date(2027, 1, 1)) == 6
    assert current_months(2027, date(2027, 9, 30)) == 12
    assert current_months(2026, date(2026, 12, 4)) == 12


def test_unstorable_text_is_rejected(gateway_only, login):
    client = login("chv79")
    token = client.headers["X-CSRF-Token"]

    body = api(client, "POST", "/login", json={"username": "chv\x00",
                                               "password": "x"})
    lone = api(client, "POST", "/login",
               data='{"username": "\\ud800", "password": "x"}',
               headers={"Content-Type": "application/json"})
    path = api(client, "GET", "/decisions/abc%00def")
    form = client.post(f"{client.base}/quyet-dinh/x/tra-lai",
                       data={"csrf_token": token, "note": "a\x00b"})

    assert body.status_code == 422
    assert body.json()["errors"][0]["path"] == "(body).username"
    assert lone.status_code == 422
    assert lone.json()["errors"][0]["path"] == "(body).username"
    assert path.status_code == 404
    assert path.json() == NOT_FOUND
    assert form.status_code == 422
    assert "ký tự không hợp lệ" in form.text


def test_guide_has_register_sections(gateway_only, web_session):
    text = web_session.get("/huong-dan").text

    assert 'id="so"' in text
    assert 'id="xem-so"' in text
    assert "Xuất Excel" in text
