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
from gateway.web import page_route, redirect
from services.common.calendar import work_year
from services.common.units import provincial_units

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
ACTIONS = {"draft": "Lập dự thảo", "update": "Sửa dự thảo", "submit": "Trình ký",
           "return": "Trả lại", "sign": "Ký", "issue": "Ban hành"}
SEVERITY = {"error": "Lỗi", "warning": "Cảnh báo", "info": "Lưu ý"}


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
    return Markup("").join(forms)


def decision_body(ctx, decision):
    head = Markup("<p>Số: {} · Trạng thái: {} · Hạn: {} · Đơn vị: {}</p>"
                  "<p>{} · {}</p>").format(
        decision.get("display") or "(chưa có số)",
        STATUS_LABELS.get(decision["status"], decision["status"]),
        vn_date(decision.get("deadline")), unit_name(decision.get("unit")),
        link(f"/quyet-dinh/{decision['id']}/pdf?xem=1", "Xem trước PDF"),
        link(f"/quyet-dinh/{decision['id']}/pdf", "Tải PDF"))
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
        decision = self.decisions.get(ctx.actor, decision_id)
        title = decision.get("kind_label") or "Quyết định"
        return page(ctx, title, decision_body(ctx, decision), "quyet-dinh")

    @page_route("GET", "/quyet-dinh/<decision_id>/pdf")
    def decision_pdf(self, ctx, request, decision_id):
        kind = "inline" if request.args.get("xem") else "attachment"
        return pdf_response(self.decisions.pdf(ctx.actor, decision_id), kind)

    @page_route("POST", "/quyet-dinh/<decision_id>/trinh")
    def submit_form(self, ctx, request, decision_id):
        self.decisions.submit(ctx.actor, decision_id)
        return redirect(f"/quyet-dinh/{decision_id}")

    @page_route("POST", "/quyet-dinh/<decision_id>/tra-lai")
    def return_form(self, ctx, request, decision_id):
        self.decisions.return_draft(ctx.actor, decision_id,
                                    request.form.get("note", ""))
        return redirect(f"/quyet-dinh/{decision_id}")

    @page_route("POST", "/quyet-dinh/<decision_id>/ky")
    def sign_form(self, ctx, request, decision_id):
        self.decisions.sign(ctx.actor, decision_id, False,
                            request.form.get("late_reason") or None)
        return redirect(f"/quyet-dinh/{decision_id}")

    @page_route("POST", "/quyet-dinh/<decision_id>/ban-hanh")
    def issue_form(self, ctx, request, decision_id):
        self.issue_once(ctx, decision_id, request.form.get("request_id"))
        return redirect(f"/quyet-dinh/{decision_id}")

    @page_route("GET", "/trung-uong")
    def central_page(self, ctx, request):
        decisions = self.decisions.list(ctx.actor, {"limit": 500})
        overdue = self.decisions.list(ctx.actor, {"overdue": True, "limit": 500})
        body = Markup("<h2>Số quyết định theo đơn vị</h2>{}"
                      "<h2>Quyết định quá hạn</h2>{}<h2>Số bị bỏ trống</h2>{}").format(
            unit_counts(decisions), decisions_table(overdue),
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
        return page(self.current_context(request), "Hướng dẫn sử dụng",
                    guide_body())
