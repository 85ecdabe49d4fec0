"""Decision detail, workflow buttons, PDF, the central dashboard, the guide."""
import secrets
from datetime import datetime
from zoneinfo import ZoneInfo
from collections import Counter

from gateway.api import pdf_response
from gateway.guide import guide_body
from gateway.html import Markup, error_box, hidden, link, page, post_form, table
from gateway.html import unit_name
from gateway.pages import STATUS_LABELS, decisions_table, today, vn_date
from gateway.register_view import decision_row_link
from gateway.web import page_route, redirect
from services.common.calendar import work_year
from services.common.units import provincial_units

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
ACTIONS = {"draft": "Lập dự thảo", "update": "Sửa dự thảo", "submit": "Trình ký",
           "return": "Trả lại", "sign": "Ký", "issue": "Ban hành"}
SEVERITY = {"error": "Lỗi", "warning": "Cảnh báo", "info": "Lưu ý"}
DECISION_TITLES = {
    "ex_officio": "Quyết định thi hành án chủ động",
    "on_request": "Quyết định thi hành án theo yêu cầu",
    "entrust_enforcement": "Quyết định ủy thác thi hành án",
    "entrust_asset": "Quyết định ủy thác xử lý tài sản",
    "revocation": "Quyết định thu hồi quyết định về thi hành án",
    "amendment": "Quyết định sửa đổi, bổ sung quyết định về thi hành án",
    "cancellation": "Quyết định hủy quyết định về thi hành án",
}


def local_time(moment):
    """Format an ISO timestamp as Vietnamese local time, dd/mm/yyyy HH:MM."""
    try:
        parsed = datetime.fromisoformat(moment)
    except (TypeError, ValueError):
        return moment or ""
    return parsed.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M")


def checks_table(checks):
    rows = [(SEVERITY.get(c.get("severity"), c.get("severity") or ""),
             c.get("message") or c.get("code") or "") for c in checks]
    return table(("Mức", "Nội dung kiểm tra"), rows) if rows else Markup(
        "<p>Không có phát hiện.</p>")


def late_field():
    return Markup('<label>Lý do ký quá hạn (nếu có) '
                  '<input name="late_reason"></label>')


def action_forms(ctx, decision):
    """Return the workflow buttons that fit the decision's status."""
    base = f"/quyet-dinh/{decision['id']}"
    status, forms = decision["status"], []
    if status in ("draft", "returned"):
        forms.append(post_form(ctx, f"{base}/trinh", "Trình ký"))
    if status == "submitted":
        forms.append(post_form(ctx, f"{base}/tra-lai", "Trả lại", Markup(
            '<label>Ghi chú <input name="note" required></label>')))
        forms.append(post_form(ctx, f"{base}/ky", "Ký", late_field()))
    if status == "signed":
        forms.append(post_form(ctx, f"{base}/ban-hanh", "Ban hành",
                               hidden("request_id", secrets.token_hex(16))))
    if status == "issued":
        forms.append(Markup("<p>Quyết định đã ban hành; không còn thao tác "
                            "nào trên quyết định này.</p>"))
    return Markup("").join(forms)


def decision_title(decision):
    """Return e.g. "Quyết định thi hành án chủ động số 01/QĐ-THADS"."""
    kind = decision.get("decision_kind")
    name = DECISION_TITLES.get(kind) or decision.get("kind_label") or "Quyết định"
    if decision.get("display"):
        return f"{name} số {decision['display']}"
    return f"{name} (chưa có số)"


def decision_links(decision):
    links = [link(f"/quyet-dinh/{decision['id']}/pdf?xem=1", "Xem trước PDF"),
             link(f"/quyet-dinh/{decision['id']}/pdf", "Tải PDF")]
    row_link = decision_row_link(decision)
    if row_link:
        links.append(row_link)
    return Markup(" · ").join(links)


def decision_body(ctx, decision):
    head = Markup("<p>Số: {} · Ngày ban hành: {} · Trạng thái: {} · Hạn: {}"
                  " · Đơn vị: {}</p><p>{}</p>").format(
        decision.get("display") or "(chưa có số)",
        vn_date(decision.get("issued_on")) or "(chưa ban hành)",
        STATUS_LABELS.get(decision["status"], decision["status"]),
        vn_date(decision.get("deadline")), unit_name(decision.get("unit")),
        decision_links(decision))
    history = table(("Thao tác", "Người", "Ghi chú", "Lúc"), [
        (ACTIONS.get(h.get("action"), h.get("action")), h.get("actor"),
         h.get("note") or "", local_time(h.get("at")))
        for h in decision.get("history") or []])
    return Markup("{}<h2>Kiểm tra</h2>{}<h2>Thao tác</h2>{}"
                  "<h2>Lịch sử</h2>{}").format(
        head, checks_table(decision.get("checks") or []),
        action_forms(ctx, decision), history)


def unit_counts(decisions):
    counts = Counter((d.get("unit"), d.get("status")) for d in decisions)
    units = sorted({d.get("unit") for d in decisions})
    return table(("Đơn vị", *STATUS_LABELS.values()), [
        (unit_name(u), *(counts[(u, s)] for s in STATUS_LABELS)) for u in units])


class DecisionPages:

    @page_route("GET", "/quyet-dinh/<decision_id>")
    def decision_page(self, ctx, request, decision_id):
        """Show a decision: number, issue date, checks, buttons, history.

        Errors: 404 when unknown or out of scope.
        """
        decision = self.decisions.get(ctx.actor, decision_id)
        return page(ctx, decision_title(decision), decision_body(ctx, decision),
                    "quyet-dinh")

    @page_route("GET", "/quyet-dinh/<decision_id>/pdf")
    def decision_pdf(self, ctx, request, decision_id):
        """Send the decision's PDF, shown in the browser when `xem` is set.

        Errors: 404 when unknown or out of scope.
        """
        kind = "inline" if request.args.get("xem") else "attachment"
        return pdf_response(self.decisions.pdf(ctx.actor, decision_id), kind)

    @page_route("POST", "/quyet-dinh/<decision_id>/trinh")
    def submit_form(self, ctx, request, decision_id):
        """Submit the draft for signature and reload the decision page.

        Errors: 404, 409 when the status does not allow it.
        """
        self.decisions.submit(ctx.actor, decision_id)
        return redirect(f"/quyet-dinh/{decision_id}")

    @page_route("POST", "/quyet-dinh/<decision_id>/tra-lai")
    def return_form(self, ctx, request, decision_id):
        """Return the draft with the head's note and reload the page.

        Errors: 403 for a role other than head, 404, 409.
        """
        self.decisions.return_draft(ctx.actor, decision_id,
                                    request.form.get("note", ""))
        return redirect(f"/quyet-dinh/{decision_id}")

    @page_route("POST", "/quyet-dinh/<decision_id>/ky")
    def sign_form(self, ctx, request, decision_id):
        """Sign the decision, with a reason when late, and reload the page.

        Errors: 403 for a role other than head, 404, 409.
        """
        self.decisions.sign(ctx.actor, decision_id, False,
                            request.form.get("late_reason") or None)
        return redirect(f"/quyet-dinh/{decision_id}")

    @page_route("POST", "/quyet-dinh/<decision_id>/ban-hanh")
    def issue_form(self, ctx, request, decision_id):
        """Issue the decision once per form request id, then reload the page.

        Errors: 404, 409, 503 when numbering does not reply in time.
        """
        self.issue_once(ctx, decision_id, request.form.get("request_id"))
        return redirect(f"/quyet-dinh/{decision_id}")

    @page_route("GET", "/trung-uong")
    def central_page(self, ctx, request):
        """Show the central dashboard: decisions, register rows per unit
        for a reporting period, overdue decisions and number gaps.

        Errors: 422 for an invalid `nam` or `thang` in the query.
        """
        decisions = self.decisions.list(ctx.actor, {"limit": 500})
        overdue = self.decisions.list(ctx.actor, {"overdue": True, "limit": 500})
        body = Markup("<h2>Số quyết định theo đơn vị</h2>{}"
                      "<h2>Số dòng vào sổ theo đơn vị</h2>{}"
                      "<h2>Quyết định quá hạn</h2>{}<h2>Số bị bỏ trống</h2>{}").format(
            unit_counts(decisions), self.statistics_section(ctx, request),
            decisions_table(overdue) if overdue else Markup(
                "<p>Không có quyết định quá hạn.</p>"),
            self.gap_table(ctx, {d.get("unit") for d in decisions}))
        return page(ctx, "Tổng hợp toàn quốc", body, "trung-uong")

    def gap_table(self, ctx, units):
        year = work_year(today())
        rows = []
        for unit in sorted(u for u in units if u):
            report = self.numbering.gap_report(unit, "QD", year)
            gaps = ", ".join(str(gap["number"]) for gap in report.get("gaps", []))
            rows.append((unit_name(unit), year, gaps or "Không"))
        return table(("Đơn vị", "Năm công tác", "Số bị bỏ trống"), rows)

    @page_route("GET", "/huong-dan", auth=False)
    def guide_page(self, ctx, request):
        """Show the user guide, one anchored section per page, without login."""
        return page(self.current_context(request), "Hướng dẫn sử dụng",
                    guide_body())
