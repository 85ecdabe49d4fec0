"""Server-rendered Vietnamese pages: login, lists, intake, detail, guide."""
import re
import secrets
from datetime import date, datetime, timezone

from gateway.errors import HttpError, translate
from gateway.html import (
    Markup, error_box, hidden, link, page, post_form, table, unit_name,
)
from gateway.uploads import parse_upload
from gateway.web import SESSION_COOKIE, page_route, redirect, set_session_cookie
from services.common.calendar import add_working_days, local_date

STATUS_LABELS = {"draft": "Dự thảo", "submitted": "Đã trình ký",
                 "returned": "Bị trả lại", "signed": "Đã ký",
                 "issued": "Đã ban hành", "discarded": "Đã hủy bỏ"}
RECORD_TYPES = {"judgment": "Bản án, quyết định", "request": "Đơn yêu cầu",
                "entrustment": "Quyết định ủy thác"}


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
RECEIPT_MODES = (("direct", "Trực tiếp"), ("post", "Qua bưu chính"),
                 ("electronic", "Điện tử"))
DECISION_ID = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def amount_label(amount):
    """Format an intake amount; a đồng value gets dot thousands."""
    if not isinstance(amount, dict) or amount.get("kind") in (None, "none"):
        return ""
    value = amount.get("value")
    if amount.get("kind") == "vnd" and str(value or "").isdigit():
        return f"{int(value):,} đồng".replace(",", ".")
    unit = amount.get("unit") or amount.get("kind") or ""
    return f"{value if value is not None else ''} {unit}".strip()


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


FAVICON = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16">'
           '<rect width="16" height="16" rx="3" fill="#8b1a1a"/>'
           '<text x="8" y="12" font-size="10" text-anchor="middle" '
           'fill="#fff">Q</text></svg>')
PRODUCT_NAME = "Phần mềm ra quyết định thi hành án dân sự"


def login_form(message=None):
    return Markup(
        '<p class="product">' + PRODUCT_NAME + '</p>'
        '{}<form method="post" action="/dang-nhap">'
        '<label>Tên đăng nhập <input name="username" autocomplete="username"></label>'
        '<label>Mật khẩu <input type="password" name="password"></label>'
        '<button type="submit">Đăng nhập</button></form>'
    ).format(error_box(message) if message else "")


DATE_FIELDS = ("received_on", "date", "effective_date")


def form_date(text):
    """Return TEXT, given as dd/mm/yyyy or yyyy-mm-dd, as an ISO date.

    Raises ValueError for any other shape or an impossible date.
    """
    text = text.strip()
    match = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
    if match:
        day, month, year = (int(part) for part in match.groups())
        return date(year, month, day).isoformat()
    return date.fromisoformat(text).isoformat()


def form_amount(text):
    """Return a đồng amount typed as 1.500.000, 1 500 000 or 1500000 as digits.

    Raises ValueError when anything but digits and separators is left.
    """
    digits = re.sub(r"[.\s]", "", text.strip())
    if not digits.isdigit():
        raise ValueError(text)
    return str(int(digits))


def simple_judgment(form):
    """Build an intake record from the simple judgment form.

    Returns (record, errors). Empty optional fields are left out, so the
    intake defaults apply; each error is {path, message} for one field.
    """
    values = {name: (form.get(name) or "").strip()
              for name, _ in INTAKE_FORM_FIELDS}
    errors = []
    for name in DATE_FIELDS:
        if values[name]:
            try:
                values[name] = form_date(values[name])
            except ValueError:
                errors.append({"path": name, "message": (
                    f"Ngày không hợp lệ: {values[name]}; hãy nhập theo dạng "
                    "dd/mm/yyyy, ví dụ 25/09/2026.")})
    if values["court_fee"]:
        try:
            values["court_fee"] = form_amount(values["court_fee"])
        except ValueError:
            errors.append({"path": "court_fee", "message": (
                f"Số tiền không hợp lệ: {values['court_fee']}; chỉ nhập chữ "
                "số, có thể dùng dấu chấm ngăn hàng nghìn, ví dụ 1.500.000.")})
    mode = form.get("mode_of_receipt") or "direct"
    if mode not in dict(RECEIPT_MODES):
        errors.append({"path": "mode_of_receipt",
                       "message": "Hình thức nhận không hợp lệ."})
    debtor = {"ref": "D1", "kind": "person", "name": values["debtor"],
              "roles": ["debtor"]}
    if values["address"]:
        debtor["address"] = values["address"]
    record = {"record_type": "judgment", "mode_of_receipt": mode,
              "case_type": values["case_type"] or "dân sự",
              "parties": [debtor], "obligations": []}
    for name in ("received_on", "receiving_unit", "issuing_body", "number",
                 "date", "effective_date", "kind"):
        if values[name]:
            record[name] = values[name]
    if values["court_fee"] and not errors:
        record["obligations"].append({
            "ref": "O1", "kind": "court_fee", "description": "Án phí",
            "debtors": ["D1"],
            "amount": {"kind": "vnd", "value": values["court_fee"]}})
    return record, errors


INTAKE_FORM_FIELDS = (
    ("receiving_unit", "Mã đơn vị nhận (ví dụ 79)"),
    ("received_on", "Ngày nhận (dd/mm/yyyy)"),
    ("issuing_body", "Cơ quan ban hành"), ("number", "Số bản án"),
    ("date", "Ngày bản án (dd/mm/yyyy)"),
    ("effective_date", "Ngày có hiệu lực (dd/mm/yyyy, để trống nếu chưa rõ)"),
    ("kind", "Loại bản án"), ("case_type", "Loại vụ việc"),
    ("debtor", "Người phải thi hành án"), ("address", "Địa chỉ"),
    ("court_fee", "Án phí (đồng, ví dụ 1.500.000)"),
)
FORMAT_GUIDE = "/huong-dan#dinh-dang-nhap"


def intake_errors(message, errors):
    """Return the error box: the message, each field error and a guide link."""
    items = Markup("").join(
        Markup("<li>{}{}</li>").format(
            e.get("message") or "",
            Markup(" <small>({})</small>").format(e["path"]) if e.get("path")
            else "")
        for e in errors or [] if isinstance(e, dict))
    return Markup('<div class="error"><p>{}</p><ul>{}</ul><p>Xem {}.</p>'
                  '</div>').format(message, items, link(
                      FORMAT_GUIDE, "hướng dẫn định dạng nhập liệu"))


def receipt_select(selected):
    options = Markup("").join(
        Markup('<option value="{}"{}>{}</option>').format(
            value, Markup(" selected") if value == selected else "", label)
        for value, label in RECEIPT_MODES)
    return Markup('<label>Hình thức nhận <select name="mode_of_receipt">{}'
                  '</select></label>').format(options)


def intake_body(ctx, message=None, values=None, form_error=None):
    """Return the intake page; VALUES refill the simple form after an error
    and FORM_ERROR is shown next to it."""
    values = values or {}
    upload = Markup(
        '<h2>Nhập tệp</h2><form method="post" action="/tiep-nhan/tep" '
        'enctype="multipart/form-data">{}{}'
        '<input type="file" name="file" accept=".json,.yaml,.yml">'
        '<button type="submit">Nhập tệp</button></form>'
    ).format(Markup('<input type="hidden" name="csrf_token" value="{}">').format(
        ctx.csrf_token), hidden("request_id", secrets.token_hex(16)))
    defaults = {"receiving_unit": ctx.user.unit or ""}
    inputs = Markup("").join(
        Markup('<label>{} <input name="{}" value="{}"></label>').format(
            label, name, values.get(name, defaults.get(name, "")))
        for name, label in INTAKE_FORM_FIELDS)
    inputs += receipt_select(values.get("mode_of_receipt", "direct"))
    form = post_form(ctx, "/tiep-nhan/ban-an", "Lưu bản án",
                     hidden("request_id", secrets.token_hex(16)) + inputs)
    return Markup("{}{}<h2 id=\"bieu-mau\">Biểu mẫu bản án</h2>{}{}").format(
        message if isinstance(message, Markup) else
        (error_box(message) if message else ""), upload, form_error or "", form)


def results_body(results):
    rows = [(link(f"/ho-so/{r['id']}", r["id"][:8]),
             RECORD_TYPES.get(r.get("record_type"), r.get("record_type")),
             "Mới" if r.get("status") == "created" else "Trùng, đã có",
             "; ".join(str(w) for w in r.get("warnings") or []))
            for r in results]
    return table(("Hồ sơ", "Loại", "Kết quả", "Cảnh báo"), rows)


def rejected_input(error):
    """Return the HttpError of a 4xx input failure; re-raise anything else."""
    failure = translate(error)
    if failure is None or failure.status not in (413, 422):
        raise error
    return failure


def decision_link(decision):
    label = decision.get("display") or "Dự thảo (chưa có số)"
    status = STATUS_LABELS.get(decision.get("status"), decision.get("status"))
    return Markup("{} – {}").format(
        link(f"/quyet-dinh/{decision['id']}", label), status)


def live(decision):
    return decision.get("status") != "discarded" and not decision.get("revoked_by")


def decision_refs(decision):
    content = decision.get("content") or {}
    refs = set((content.get("proposal") or {}).get("obligation_refs") or [])
    refs.update(line.get("ref") for line in content.get("obligations") or []
                if isinstance(line, dict) and line.get("ref"))
    return refs


def covering_decisions(proposal, decisions):
    """Return the live decisions of the proposal's kind that order any of
    its judgment items."""
    refs = {item.get("ref") for item in proposal.get("items") or []
            if isinstance(item, dict) and item.get("ref")}
    return [d for d in decisions if live(d) and refs & decision_refs(d)
            and d.get("decision_kind") == proposal.get("mode")]


def decisions_section(decisions):
    if not decisions:
        return Markup("<h2>Quyết định của bản án</h2>"
                      "<p>Chưa có quyết định nào.</p>")
    rows = [(decision_link(d), d.get("kind_label") or d.get("decision_kind") or "",
             vn_date(d.get("deadline"))) for d in decisions]
    return Markup("<h2>Quyết định của bản án</h2>{}").format(
        table(("Quyết định", "Loại", "Hạn"), rows))


def already_decided_box(errors, record_id):
    """Return the already_decided messages, each with a link to the decision."""
    items = []
    for error in errors:
        message = error.get("message") or ""
        found = DECISION_ID.search(message)
        target = link(f"/quyet-dinh/{found.group(0)}", "Mở quyết định đã có") \
            if found else Markup("")
        items.append(Markup("<li>{} {}</li>").format(message, target))
    return Markup('<div class="error"><ul>{}</ul></div><p>{}</p>').format(
        Markup("").join(items), link(f"/ho-so/{record_id}", "Quay lại bản án"))


def detail_row(label, value):
    return (label, value if value not in (None, "") else "—")


def judgment_reference(data):
    reference = data.get("judgment") or {}
    text = "{} số {} ngày {}".format(
        reference.get("issuing_body") or "", reference.get("number") or "",
        vn_date(reference.get("date"))).strip()
    if data.get("judgment_record_id"):
        return link(f"/ho-so/{data['judgment_record_id']}", text)
    return Markup("{} <em>(chưa tìm thấy bản án đã nhận)</em>").format(text)


def request_details(record):
    """Return the table describing a request record."""
    data = record.get("data") or {}
    requester = data.get("requester") or {}
    who = requester.get("name") or ""
    if requester.get("address"):
        who = f"{who} – {requester['address']}"
    rows = [
        detail_row("Người yêu cầu", who),
        detail_row("Ngày làm đơn", vn_date(data.get("request_date"))),
        detail_row("Ngày nhận", vn_date(record.get("received_on"))),
        detail_row("Bản án, quyết định", judgment_reference(data)),
        detail_row("Khoản yêu cầu thi hành",
                   ", ".join(data.get("obligation_refs") or [])),
        detail_row("Nội dung yêu cầu", data.get("scope")),
        detail_row("Đơn vị nhận", unit_name(record.get("unit"))),
    ]
    return table(("Mục", "Nội dung"), rows)


def entrustment_details(record):
    """Return the table describing an entrustment record."""
    data = record.get("data") or {}
    names = ", ".join(p.get("name") or "" for p in data.get("debtors") or []
                      if isinstance(p, dict))
    rows = [
        detail_row("Đơn vị ủy thác", data.get("sending_unit")),
        detail_row("Số quyết định ủy thác", data.get("decision_number")),
        detail_row("Ngày quyết định ủy thác", vn_date(data.get("decision_date"))),
        detail_row("Ngày nhận", vn_date(record.get("received_on"))),
        detail_row("Bản án, quyết định", judgment_reference(data)),
        detail_row("Người phải thi hành án", names),
        detail_row("Đơn vị nhận", unit_name(record.get("unit"))),
    ]
    return table(("Mục", "Nội dung"), rows)


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
        try:
            results = self.decisions.receive(ctx.actor, parse_upload(upload),
                                             request.form.get("request_id"))
        except Exception as error:
            failure = rejected_input(error)
            return page(ctx, "Tiếp nhận", intake_body(ctx, intake_errors(
                failure.message, failure.errors)), "tiep-nhan",
                status=failure.status)
        return page(ctx, "Kết quả nhập", results_body(results), "tiep-nhan")

    @page_route("POST", "/tiep-nhan/ban-an")
    def intake_form(self, ctx, request):
        """Receive one judgment from the simple form and show the result.

        Errors: 422 with the field errors.
        """
        record, errors = simple_judgment(request.form)
        try:
            if errors:
                raise HttpError(422, "invalid_input", "Dữ liệu chưa hợp lệ.",
                                errors)
            results = self.decisions.receive(ctx.actor, record,
                                             request.form.get("request_id"))
        except Exception as error:
            failure = rejected_input(error)
            values = request.form.to_dict()
            values.pop("csrf_token", None)
            return page(ctx, "Tiếp nhận", intake_body(
                ctx, values=values,
                form_error=intake_errors(failure.message, failure.errors)),
                "tiep-nhan", status=failure.status)
        return page(ctx, "Kết quả nhập", results_body(results), "tiep-nhan")

    @page_route("GET", "/favicon.ico", auth=False)
    def favicon(self, ctx, request):
        """Send the small SVG icon that browsers request for the tab."""
        from werkzeug.wrappers import Response
        return Response(FAVICON, mimetype="image/svg+xml",
                        headers={"Cache-Control": "max-age=86400"})

    @page_route("GET", "/ho-so")
    def records_page(self, ctx, request):
        """List the received records the user may read, newest received first."""
        records = sorted(self.decisions.list_records(ctx.actor, {}),
                         key=lambda r: r.get("received_on") or "", reverse=True)
        rows = [(link(f"/ho-so/{r['id']}", self.record_label(ctx, r)),
                 RECORD_TYPES.get(r.get("record_type"), r.get("record_type")),
                 r.get("issuing_body") or "",
                 vn_date(r.get("received_on")), unit_name(r.get("unit")))
                for r in records]
        return page(ctx, "Hồ sơ đã nhận", table(
            ("Hồ sơ", "Loại", "Cơ quan ban hành", "Ngày nhận", "Đơn vị"), rows),
            "tiep-nhan")

    def record_label(self, ctx, record):
        """Return a readable name: a judgment's number, a request's requester
        and date, an entrustment's sending unit and decision number."""
        if record.get("record_type") == "judgment":
            return record.get("number") or f"Bản án nhận ngày {vn_date(record.get('received_on'))}"
        # NOTE: the list view carries no record data, so each request or
        # entrustment costs one more get_record call.
        data = self.decisions.get_record(ctx.actor, record["id"]).get("data") or {}
        if record.get("record_type") == "request":
            name = (data.get("requester") or {}).get("name") or "(không rõ người yêu cầu)"
            return f"Đơn của {name} ngày {vn_date(data.get('request_date') or record.get('received_on'))}"
        return (f"Ủy thác của {data.get('sending_unit') or '(không rõ đơn vị)'}"
                f" số {data.get('decision_number') or '?'}"
                f" ngày {vn_date(data.get('decision_date'))}")

    @page_route("GET", "/ho-so/<record_id>")
    def record_page(self, ctx, request, record_id):
        """Show a received record: a judgment with its proposals and
        decisions, a request or an entrustment with its details.

        Errors: 404 when unknown or out of scope.
        """
        record = self.decisions.get_record(ctx.actor, record_id)
        kind = record.get("record_type")
        if kind == "request":
            return page(ctx, "Đơn yêu cầu thi hành án", request_details(record),
                        "tiep-nhan")
        if kind == "entrustment":
            return page(ctx, "Quyết định ủy thác", entrustment_details(record),
                        "tiep-nhan")
        info = Markup("<p>{} số {} ngày {}; nhận ngày {}</p>").format(
            record.get("issuing_body") or "", record.get("number") or "",
            vn_date(record.get("date")), vn_date(record.get("received_on")))
        decisions = self.judgment_decisions(ctx, record_id)
        proposals = self.proposals_table(ctx, record_id, request, decisions)
        return page(ctx, "Bản án", info + proposals + decisions_section(decisions),
                    "ban-an")

    def judgment_decisions(self, ctx, record_id):
        """Return the judgment's decisions with content, oldest first."""
        found = self.decisions.list(ctx.actor, {"judgment_record_id": record_id,
                                                "limit": 500})
        return [self.decisions.get(ctx.actor, d["id"]) for d in reversed(found)]

    def proposals_table(self, ctx, record_id, request, decisions=()):
        """Return the proposals with a draft button each, or the decision
        that already covers the proposal, or the error.

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
            covering = covering_decisions(proposal, decisions)
            if covering:
                action = Markup("<br>").join(decision_link(d) for d in covering)
            else:
                action = post_form(
                    ctx, f"/ho-so/{record_id}/du-thao", "Lập dự thảo",
                    hidden("index", proposal["index"])
                    + hidden("request_id", secrets.token_hex(16)))
            rows.append((proposal_items(proposal),
                         MODES.get(proposal.get("mode"), proposal.get("mode") or ""),
                         vn_date(proposal.get("deadline")), action))
        return Markup("<h2>Đề xuất</h2>{}").format(
            table(("Nội dung thi hành", "Hình thức", "Hạn ra quyết định",
                   "Quyết định"), rows))

    @page_route("POST", "/ho-so/<record_id>/du-thao")
    def draft_submit(self, ctx, request, record_id):
        """Create a draft from a proposal and open it.

        Errors: 404 for the record, 422 for an invalid proposal index, 409
        with a link when a live decision already covers the items.
        """
        try:
            index = int(request.form.get("index", ""))
        except ValueError:
            raise HttpError(422, "invalid_input", "Đề xuất không hợp lệ.")
        try:
            decision_id = self.decisions.draft_from_proposal(
                ctx.actor, record_id, index, None, request.form.get("request_id"))
        except Exception as error:
            failure = translate(error)
            decided = [e for e in (failure.errors or []) if isinstance(e, dict)
                       and e.get("code") == "already_decided"] if failure else []
            if not decided:
                raise
            return page(ctx, "Đã có quyết định", already_decided_box(
                decided, record_id), "ban-an", status=409)
        return redirect(f"/quyet-dinh/{decision_id}")
