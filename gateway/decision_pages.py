"""Decision detail, workflow buttons, PDF, the central dashboard, the guide."""
import re
import secrets
from datetime import datetime
from zoneinfo import ZoneInfo
from collections import Counter

from gateway.api import pdf_response
from gateway.errors import HttpError
from gateway.guide import guide_body
from gateway.html import Markup, error_box, hidden, link, page, post_form, table
from gateway.html import unit_name
from gateway.pages import (
    STATUS_LABELS, amount_label, decisions_table, today, urgency, vn_date,
)
from gateway.register_view import decision_row_link
from gateway.web import page_route, redirect
from services.common.calendar import work_year
from services.common.units import provincial_units

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
ACTIONS = {"draft": "Lập dự thảo", "update": "Sửa dự thảo", "submit": "Trình ký",
           "return": "Trả lại", "sign": "Ký", "issue": "Ban hành",
           "discard": "Hủy bỏ dự thảo"}
DRAFTING_ROLES = ("officer", "head")
SIGNING_ROLES = ("head",)
ISSUING_ROLES = ("head", "clerk")
# ChecksFailed text is "code: message; code: message"; a message may itself
# contain "; ", so split only where a lowercase code and a colon follow.
FINDING_SEPARATOR = re.compile(r";\s+(?=[a-z][a-z0-9_]*:\s)")
FINDING = re.compile(r"^([a-z][a-z0-9_]*):\s*(.*)$", re.S)
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
        "<p>Không có lỗi hay cảnh báo nào.</p>")


def deadline_passed(decision, day=None):
    deadline = decision.get("deadline")
    if not deadline:
        return False
    return datetime.fromisoformat(deadline).date() < (day or today())


def late_field(required):
    """Return the late-reason input, required once the deadline has passed."""
    if required:
        return Markup('<label>Lý do ký quá hạn (bắt buộc vì đã quá hạn ra '
                      'quyết định) <input name="late_reason" required></label>')
    return Markup('<label>Lý do ký quá hạn (chỉ ghi khi đã quá hạn) '
                  '<input name="late_reason"></label>')


def action_forms(ctx, decision):
    """Return the workflow buttons that the user's role and the decision's
    status allow; the services check both again."""
    base = f"/quyet-dinh/{decision['id']}"
    status, role, forms = decision["status"], ctx.role, []
    if status in ("draft", "returned") and role in DRAFTING_ROLES:
        forms.append(post_form(ctx, f"{base}/trinh", "Trình ký"))
    if status == "submitted" and role in SIGNING_ROLES:
        forms.append(post_form(ctx, f"{base}/tra-lai", "Trả lại", Markup(
            '<label>Ghi chú <input name="note" required></label>')))
        forms.append(post_form(ctx, f"{base}/ky", "Ký",
                               late_field(deadline_passed(decision))))
    if status in ("draft", "returned", "submitted") and role in DRAFTING_ROLES:
        forms.append(post_form(ctx, f"{base}/huy-bo", "Hủy bỏ dự thảo", Markup(
            '<label>Lý do hủy bỏ (bắt buộc) '
            '<input name="reason" required maxlength="2000"></label>')))
    if status == "signed" and role in ISSUING_ROLES:
        forms.append(post_form(ctx, f"{base}/ban-hanh", "Ban hành",
                               hidden("request_id", secrets.token_hex(16))))
    if status == "issued":
        forms.append(Markup("<p>Quyết định đã ban hành; không còn thao tác "
                            "nào trên quyết định này.</p>"))
    elif status == "discarded":
        forms.append(Markup("<p>Dự thảo đã bị hủy bỏ; không còn thao tác "
                            "nào trên dự thảo này.</p>"))
    elif not forms:
        forms.append(Markup("<p>Tài khoản của bạn không có thao tác nào ở "
                            "trạng thái này.</p>"))
    return Markup("").join(forms)


def blocking_findings(text):
    """Split the ChecksFailed text into [(code, message)]."""
    findings = []
    for part in FINDING_SEPARATOR.split(text or ""):
        match = FINDING.match(part.strip())
        if match:
            findings.append((match.group(1), match.group(2).strip()))
        elif part.strip():
            findings.append(("", part.strip()))
    return findings


def rejected_signature_box(text):
    """Return the error box for a rejected signature, one finding a line."""
    items = Markup("").join(Markup("<li>{}</li>").format(message or code)
                            for code, message in blocking_findings(text))
    return Markup('<div class="error"><p>Chưa ký được: dự thảo còn lỗi phải '
                  'xử lý trước khi ký.</p><ul>{}</ul></div>').format(items)


def decision_title(decision):
    """Return e.g. "Quyết định thi hành án chủ động số 01/QĐ-THADS"."""
    kind = decision.get("decision_kind")
    name = DECISION_TITLES.get(kind) or decision.get("kind_label") or "Quyết định"
    if decision.get("display"):
        return f"{name} số {decision['display']}"
    return f"{name} (chưa có số)"


def decision_links(decision):
    base = f"/quyet-dinh/{decision['id']}/pdf"
    view = "Xem PDF" if decision.get("status") == "issued" else "Xem trước PDF"
    links = [link(f"{base}?xem=1", view), link(base, "Tải PDF")]
    judgment_id = (decision.get("content") or {}).get("judgment_record_id") \
        or decision.get("judgment_record_id")
    if judgment_id:
        links.append(link(f"/ho-so/{judgment_id}", "Bản án"))
    row_link = decision_row_link(decision)
    if row_link:
        links.append(row_link)
    return Markup(" · ").join(links)


def party_names(parties):
    return Markup("<br>").join(
        Markup("{}{}").format(p.get("name") or "",
                              f" – {p['address']}" if p.get("address") else "")
        for p in parties or [] if isinstance(p, dict)) or "—"


def content_section(decision):
    """Return the debtors, creditors and obligation lines of the decision."""
    content = decision.get("content") or {}
    lines = [(line.get("description") or line.get("kind") or "",
              line.get("debtor") or "", line.get("creditor") or "",
              amount_label(line.get("amount")))
             for line in content.get("obligations") or []
             if isinstance(line, dict)]
    parties = Markup("<p>Người phải thi hành án: {}</p>"
                     "<p>Người được thi hành án: {}</p>").format(
        party_names(content.get("debtors")), party_names(content.get("creditors")))
    obligations = table(("Khoản phải thi hành", "Người phải thi hành",
                         "Người được thi hành", "Số tiền"), lines) if lines \
        else Markup("<p>Không có khoản thi hành nào.</p>")
    reason = Markup("<p>Lý do: {}</p>").format(content["reason"]) \
        if content.get("reason") else Markup("")
    return Markup("<h2>Nội dung</h2>{}{}{}").format(parties, obligations, reason)


def deadline_label(decision):
    """Return the deadline, coloured like the home list's rows."""
    css = urgency(decision)
    return Markup('<span class="{}">{}</span>').format(
        f"deadline {css}".strip(), vn_date(decision.get("deadline")) or "—")


def decision_body(ctx, decision, notice=Markup("")):
    head = Markup("{}<p>Số: {} · Ngày ban hành: {} · Trạng thái: {} · Hạn: {}"
                  " · Đơn vị: {}</p><p>{}</p>").format(
        notice, decision.get("display") or "(chưa có số)",
        vn_date(decision.get("issued_on")) or "(chưa ban hành)",
        STATUS_LABELS.get(decision["status"], decision["status"]),
        deadline_label(decision), unit_name(decision.get("unit")),
        decision_links(decision))
    history = table(("Thao tác", "Người", "Ghi chú", "Lúc"), [
        (ACTIONS.get(h.get("action"), h.get("action")), h.get("actor"),
         h.get("note") or "", local_time(h.get("at")))
        for h in decision.get("history") or []])
    return Markup("{}{}<h2>Kiểm tra</h2>{}<h2>Thao tác</h2>{}"
                  "<h2>Lịch sử</h2>{}").format(
        head, content_section(decision), checks_table(decision.get("checks") or []),
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
        try:
            self.decisions.sign(ctx.actor, decision_id, False,
                                request.form.get("late_reason") or None)
        except Exception as error:
            if getattr(error, "exc_type", None) != "ChecksFailed":
                raise
            decision = self.decisions.get(ctx.actor, decision_id)
            notice = rejected_signature_box(getattr(error, "value", ""))
            return page(ctx, decision_title(decision),
                        decision_body(ctx, decision, notice), "quyet-dinh",
                        status=409)
        return redirect(f"/quyet-dinh/{decision_id}")

    @page_route("POST", "/quyet-dinh/<decision_id>/huy-bo")
    def discard_form(self, ctx, request, decision_id):
        """Discard a draft that will not be issued, with a reason, and reload.

        Errors: 403 for a role other than officer or head, 404, 409 when
        issued or signed, 422 without a reason.
        """
        reason = (request.form.get("reason") or "").strip()
        if not reason:
            raise HttpError(422, "invalid_input",
                            "Hãy ghi lý do hủy bỏ dự thảo.")
        self.decisions.discard(ctx.actor, decision_id, reason)
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
