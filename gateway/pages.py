"""Server-rendered Vietnamese pages: login, lists, intake, detail, guide."""
import json
import secrets
from datetime import datetime, timezone

import yaml

from gateway.errors import HttpError
from gateway.storable import check_storable
from gateway.html import (
    Markup, error_box, hidden, link, page, post_form, table, unit_name,
)
from gateway.web import SESSION_COOKIE, page_route, redirect, set_session_cookie
from services.common.calendar import add_working_days, local_date

STATUS_LABELS = {"draft": "Dự thảo", "submitted": "Đã trình ký",
                 "returned": "Bị trả lại", "signed": "Đã ký",
                 "issued": "Đã ban hành"}
RECORD_TYPES = {"judgment": "Bản án, quyết định", "request": "Đơn yêu cầu",
                "entrustment": "Quyết định ủy thác"}
MAX_UPLOAD_BYTES = 2 * 1024 * 1024


def today():
    return local_date(datetime.now(timezone.utc))


def urgency(decision, day=None):
    """Return "overdue", "urgent" (≤ 1 working day left) or "" for a row."""
    if decision.get("status") == "issued" or not decision.get("deadline"):
        return ""
    day = day or today()
    deadline = datetime.fromisoformat(decision["deadline"]).date()
    if deadline < day:
        return "overdue"
    try:
        next_working = add_working_days(day, 1)
    except LookupError:
        # NOTE: without holiday data for the year, fall back to calendar days.
        next_working = day.fromordinal(day.toordinal() + 1)
    return "urgent" if deadline <= next_working else ""


MODES = {"ex_officio": "Chủ động", "on_request": "Theo yêu cầu"}


def proposal_items(proposal):
    """Return the obligations a proposal covers, one per line."""
    texts = [item.get("description") or item.get("kind") or ""
             for item in proposal.get("items") or []]
    return Markup("<br>").join(texts)


def vn_date(iso_day):
    """Format an ISO date as dd/mm/yyyy; empty for None."""
    if not iso_day:
        return ""
    try:
        return datetime.fromisoformat(str(iso_day)).strftime("%d/%m/%Y")
    except ValueError:
        return str(iso_day)


def decisions_table(decisions):
    rows = [(link(f"/quyet-dinh/{d['id']}", d.get("display") or "(chưa có số)"),
             d.get("kind_label") or d.get("decision_kind") or "",
             ", ".join(d.get("debtors") or []),
             STATUS_LABELS.get(d.get("status"), d.get("status")),
             vn_date(d.get("deadline")), unit_name(d.get("unit")))
            for d in decisions]
    return table(("Số", "Loại", "Người phải thi hành", "Trạng thái", "Hạn",
                  "Đơn vị"), rows, [urgency(d) for d in decisions])


def login_form(message=None):
    return Markup(
        '{}<form method="post" action="/dang-nhap">'
        '<label>Tên đăng nhập <input name="username" autocomplete="username"></label>'
        '<label>Mật khẩu <input type="password" name="password"></label>'
        '<button type="submit">Đăng nhập</button></form>'
    ).format(error_box(message) if message else "")


def simple_judgment(form):
    """Build an intake record from the simple judgment form."""
    debtor = {"ref": "D1", "kind": "person", "name": form.get("debtor", ""),
              "roles": ["debtor"], "address": form.get("address", "")}
    record = {
        "record_type": "judgment", "received_on": form.get("received_on", ""),
        "receiving_unit": form.get("receiving_unit", ""),
        "mode_of_receipt": "direct",
        "issuing_body": form.get("issuing_body", ""),
        "number": form.get("number", ""), "date": form.get("date", ""),
        "effective_date": form.get("effective_date", ""),
        "case_type": form.get("case_type", "dân sự"),
        "kind": form.get("kind", ""), "parties": [debtor], "obligations": [],
    }
    if form.get("court_fee"):
        record["obligations"].append({
            "ref": "O1", "kind": "court_fee", "description": "Án phí",
            "debtors": ["D1"],
            "amount": {"kind": "vnd", "value": form.get("court_fee")}})
    return record


def parse_upload(upload):
    """Parse an uploaded JSON or YAML intake file; raise HttpError 422."""
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise HttpError(413, "too_large", "Tệp quá lớn (tối đa 2 MB).")
    try:
        text = data.decode("utf-8")
        if (upload.filename or "").lower().endswith((".yaml", ".yml")):
            records = yaml.safe_load(text)
        else:
            records = json.loads(text)
    except (UnicodeDecodeError, ValueError, yaml.YAMLError):
        raise HttpError(422, "invalid_file",
                        "Tệp không phải JSON hoặc YAML hợp lệ (mã hóa UTF-8).")
    check_storable(records, "(file)")
    return records


INTAKE_FORM_FIELDS = (
    ("receiving_unit", "Mã đơn vị nhận (ví dụ 79)"),
    ("received_on", "Ngày nhận (YYYY-MM-DD)"),
    ("issuing_body", "Cơ quan ban hành"), ("number", "Số bản án"),
    ("date", "Ngày bản án (YYYY-MM-DD)"),
    ("effective_date", "Ngày có hiệu lực (YYYY-MM-DD)"),
    ("kind", "Loại bản án"), ("case_type", "Loại vụ việc"),
    ("debtor", "Người phải thi hành án"), ("address", "Địa chỉ"),
    ("court_fee", "Án phí (đồng)"),
)


def intake_body(ctx, message=None):
    upload = Markup(
        '<h2>Nhập tệp</h2><form method="post" action="/tiep-nhan/tep" '
        'enctype="multipart/form-data">{}{}'
        '<input type="file" name="file" accept=".json,.yaml,.yml">'
        '<button type="submit">Nhập tệp</button></form>'
    ).format(Markup('<input type="hidden" name="csrf_token" value="{}">').format(
        ctx.csrf_token), hidden("request_id", secrets.token_hex(16)))
    inputs = Markup("").join(
        Markup('<label>{} <input name="{}" value="{}"></label>').format(
            label, name, ctx.user.unit if name == "receiving_unit" else "")
        for name, label in INTAKE_FORM_FIELDS)
    form = post_form(ctx, "/tiep-nhan/ban-an", "Lưu bản án",
                     hidden("request_id", secrets.token_hex(16)) + inputs)
    return Markup("{}{}<h2>Biểu mẫu bản án</h2>{}").format(
        error_box(message) if message else "", upload, form)


def results_body(results):
    rows = [(link(f"/ho-so/{r['id']}", r["id"][:8]),
             RECORD_TYPES.get(r.get("record_type"), r.get("record_type")),
             "Mới" if r.get("status") == "created" else "Trùng, đã có",
             "; ".join(str(w) for w in r.get("warnings") or []))
            for r in results]
    return table(("Hồ sơ", "Loại", "Kết quả", "Cảnh báo"), rows)


def field_errors(error):
    items = Markup("").join(
        Markup("<li>{}: {}</li>").format(e.get("path"), e.get("message"))
        for e in error.errors or [])
    return Markup("{}<ul>{}</ul>").format(error.message, items)


class PageEndpoints:

    def error_page(self, error, request):
        if error.status == 401:
            return redirect("/dang-nhap")
        ctx = None
        try:
            ctx = self.current_context(request)
        except Exception:
            ctx = None
        return page(ctx, "Không thực hiện được", error_box(field_errors(error)),
                    status=error.status)

    @page_route("GET", "/health", auth=False)
    def health(self, ctx, request):
        """Return {"status": "ok"} while the gateway serves requests."""
        from gateway.web import json_response
        return json_response(200, {"status": "ok"})

    @page_route("GET", "/dang-nhap", auth=False)
    def login_page(self, ctx, request):
        """Show the login form."""
        return page(None, "Đăng nhập", login_form(), "dang-nhap")

    @page_route("POST", "/dang-nhap", auth=False)
    def login_submit(self, ctx, request):
        """Log in from the form and redirect to the home page.

        Errors: the form again with the message, status 401 or 429.
        """
        try:
            user, token, csrf = self.login_user(
                request.form.get("username", ""), request.form.get("password", ""))
        except HttpError as error:
            return page(None, "Đăng nhập", login_form(error.message), "dang-nhap",
                        status=error.status)
        response = redirect("/")
        set_session_cookie(response, token)
        return response

    @page_route("POST", "/dang-xuat")
    def logout_submit(self, ctx, request):
        """End the session and redirect to the login page. Errors: 403 CSRF."""
        from gateway import users as accounts
        with self.db.transaction() as session:
            accounts.close_session(session, ctx.token)
        response = redirect("/dang-nhap")
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    @page_route("GET", "/")
    def dashboard(self, ctx, request):
        """Show the decisions list, or redirect a central user to /trung-uong."""
        if ctx.role == "central":
            return redirect("/trung-uong")
        decisions = self.decisions.list(ctx.actor, {})
        links = Markup("<p>{} · {}</p>").format(
            link("/tiep-nhan", "Tiếp nhận"), link("/ho-so", "Hồ sơ đã nhận"))
        return page(ctx, "Danh sách quyết định",
                    links + decisions_table(decisions), "trang-chu")

    @page_route("GET", "/tiep-nhan")
    def intake_page(self, ctx, request):
        """Show the file import and the simple judgment form."""
        return page(ctx, "Tiếp nhận", intake_body(ctx), "tiep-nhan")

    @page_route("POST", "/tiep-nhan/tep")
    def intake_upload(self, ctx, request):
        """Receive an uploaded JSON or YAML intake file and show the results.

        Errors: 413 above 2 MB, 422 for no file, an unreadable file or
        invalid records.
        """
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            return page(ctx, "Tiếp nhận", intake_body(ctx, "Hãy chọn tệp để nhập."),
                        "tiep-nhan", status=422)
        results = self.decisions.receive(ctx.actor, parse_upload(upload),
                                         request.form.get("request_id"))
        return page(ctx, "Kết quả nhập", results_body(results), "tiep-nhan")

    @page_route("POST", "/tiep-nhan/ban-an")
    def intake_form(self, ctx, request):
        """Receive one judgment from the simple form and show the result.

        Errors: 422 with the field errors.
        """
        results = self.decisions.receive(ctx.actor, simple_judgment(request.form),
                                         request.form.get("request_id"))
        return page(ctx, "Kết quả nhập", results_body(results), "tiep-nhan")

    @page_route("GET", "/ho-so")
    def records_page(self, ctx, request):
        """List the received records the user may read."""
        records = self.decisions.list_records(ctx.actor, {})
        rows = [(link(f"/ho-so/{r['id']}", r.get("number") or r["id"][:8]),
                 RECORD_TYPES.get(r.get("record_type"), r.get("record_type")),
                 r.get("issuing_body") or "",
                 vn_date(r.get("received_on")), unit_name(r.get("unit")))
                for r in records]
        return page(ctx, "Hồ sơ đã nhận", table(
            ("Số", "Loại", "Cơ quan ban hành", "Ngày nhận", "Đơn vị"), rows),
            "tiep-nhan")

    @page_route("GET", "/ho-so/<record_id>")
    def record_page(self, ctx, request, record_id):
        """Show a received record and, for a judgment, its proposals.

        Errors: 404 when unknown or out of scope.
        """
        record = self.decisions.get_record(ctx.actor, record_id)
        info = Markup("<p>{} số {} ngày {}; nhận ngày {}</p>").format(
            record.get("issuing_body") or "", record.get("number") or "",
            vn_date(record.get("date")), vn_date(record.get("received_on")))
        if record.get("record_type") != "judgment":
            return page(ctx, "Hồ sơ", info, "ban-an")
        proposals = self.proposals_table(ctx, record_id, request)
        return page(ctx, "Bản án", info + proposals, "ban-an")

    def proposals_table(self, ctx, record_id, request):
        """Return the proposals with a draft button each, or the error.

        A failing proposal engine must not hide the judgment itself.
        """
        try:
            result = self.decisions.proposals(ctx.actor, record_id)
        except Exception as error:
            failure = self.http_error(error, request)
            return Markup("<h2>Đề xuất</h2>{}").format(error_box(
                "Chưa lập được đề xuất: " + failure.message))
        rows = []
        for proposal in result.get("proposals", []):
            button = post_form(
                ctx, f"/ho-so/{record_id}/du-thao", "Lập dự thảo",
                hidden("index", proposal["index"])
                + hidden("request_id", secrets.token_hex(16)))
            rows.append((proposal_items(proposal),
                         MODES.get(proposal.get("mode"), proposal.get("mode") or ""),
                         vn_date(proposal.get("deadline")), button))
        return Markup("<h2>Đề xuất</h2>{}").format(
            table(("Nội dung thi hành", "Hình thức", "Hạn ra quyết định", ""), rows))

    @page_route("POST", "/ho-so/<record_id>/du-thao")
    def draft_submit(self, ctx, request, record_id):
        """Create a draft from a proposal and open it.

        Errors: 404 for the record, 422 for an invalid proposal index.
        """
        try:
            index = int(request.form.get("index", ""))
        except ValueError:
            raise HttpError(422, "invalid_input", "Đề xuất không hợp lệ.")
        decision_id = self.decisions.draft_from_proposal(
            ctx.actor, record_id, index, None, request.form.get("request_id"))
        return redirect(f"/quyet-dinh/{decision_id}")
