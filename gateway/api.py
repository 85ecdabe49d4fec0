"""The JSON API under /api/v1.

Every call passes the caller's actor to the services, which check the
role and unit again; a record of another unit comes back as 404.
"""
import base64
import unicodedata
from urllib.parse import quote

from werkzeug.wrappers import Response

from gateway import schemas
from gateway import users as accounts
from gateway.errors import HttpError
from gateway.openapi import build_document
from gateway.web import (
    API_ROUTES, api_route, json_response, set_session_cookie,
)
from services.common.actors import actor_from

V1 = "/api/v1"


def throttled():
    return HttpError(429, "too_many_attempts", "Đăng nhập sai quá nhiều lần; "
                     "hãy thử lại sau 15 phút hoặc liên hệ quản trị.")


def bad_login():
    return HttpError(401, "invalid_credentials",
                     "Tên đăng nhập hoặc mật khẩu không đúng.")


def content_disposition(filename, kind="attachment"):
    """Return a Content-Disposition header value safe for any file name.

    HTTP headers carry Latin-1 only, so the Vietnamese name goes in the
    RFC 6266 filename* parameter and an ASCII fallback in filename.
    """
    plain = unicodedata.normalize("NFKD", filename.replace("Đ", "D").replace(
        "đ", "d")).encode("ascii", "ignore").decode()
    return f"{kind}; filename=\"{plain}\"; filename*=UTF-8''{quote(filename)}"


def pdf_response(document, kind="attachment"):
    data = base64.b64decode(document["content_base64"])
    return Response(data, mimetype="application/pdf", headers={
        "Content-Disposition": content_disposition(document["filename"], kind)})


class ApiEndpoints:

    def login_user(self, username, password):
        """Return (user, token, csrf) for valid credentials; raise HttpError."""
        with self.db.transaction() as session:
            try:
                user = accounts.authenticate(session, username, password)
            except accounts.LoginThrottled:
                user = "throttled"
            if user is not None and user != "throttled":
                token, csrf = accounts.open_session(session, user.username)
        if user == "throttled":
            raise throttled()
        if user is None:
            raise bad_login()
        return user, token, csrf

    @api_route("POST", f"{V1}/login", "Đăng nhập", schemas.LoginSchema(),
               schemas.LoginResultSchema(), auth=False)
    def api_login(self, ctx, body):
        """Open a session for valid credentials and set its cookie.

        Returns {user, csrf_token}. Errors: 401 invalid_credentials, 429 after
        five failures in 15 minutes, 422 for a missing field.
        """
        user, token, csrf = self.login_user(body["username"], body["password"])
        response = json_response(200, {"user": accounts.actor_of(user),
                                       "csrf_token": csrf})
        set_session_cookie(response, token)
        return response

    @api_route("POST", f"{V1}/logout", "Đăng xuất", changes=False)
    def api_logout(self, ctx, body):
        """End the caller's session and delete its cookie. Returns {status}.

        Errors: 401 without a live session.
        """
        with self.db.transaction() as session:
            accounts.close_session(session, ctx.token)
        response = json_response(200, {"status": "ok"})
        response.delete_cookie("thads_session", path="/")
        return response

    @api_route("GET", f"{V1}/me", "Người dùng hiện tại",
               response=schemas.LoginResultSchema())
    def api_me(self, ctx, body):
        """Return the caller as {user, csrf_token}. Errors: 401 without a session."""
        return {"user": ctx.actor, "csrf_token": ctx.csrf_token}

    @api_route("GET", f"{V1}/openapi.json", "Tài liệu OpenAPI", auth=False)
    def api_openapi(self, ctx, body):
        """Return this API's OpenAPI 3.0 document, which needs no session."""
        return build_document(API_ROUTES, schemas.ErrorSchema())

    # intake --------------------------------------------------------------

    @api_route("POST", f"{V1}/records", "Tiếp nhận bản án, yêu cầu, ủy thác",
               schemas.ReceiveSchema(), schemas.ReceiveResultSchema(), many=True)
    def api_receive(self, ctx, body):
        """Receive judgments, requests or entrustments in the intake format.

        Returns one {id, record_type, status, warnings} per record. Errors:
        422 with field errors, 403 for a read-only role.
        """
        return self.decisions.receive(ctx.actor, body["records"], body["request_id"])

    @api_route("GET", f"{V1}/records", "Danh sách hồ sơ đã nhận",
               response=schemas.RecordSchema(), many=True)
    def api_records(self, ctx, body):
        """List the received records the caller may read."""
        return self.decisions.list_records(ctx.actor, {})

    @api_route("GET", f"{V1}/records/<record_id>", "Chi tiết hồ sơ",
               response=schemas.RecordSchema())
    def api_record(self, ctx, body, record_id):
        """Return one received record. Errors: 404 when unknown or out of scope."""
        return self.decisions.get_record(ctx.actor, record_id)

    @api_route("GET", f"{V1}/records/<record_id>/proposals",
               "Đề xuất quyết định cho bản án", response=schemas.ProposalsSchema())
    def api_proposals(self, ctx, body, record_id):
        """Return the decisions proposed for a judgment.

        Errors: 404 when the record is unknown or out of scope.
        """
        return self.decisions.proposals(ctx.actor, record_id)

    @api_route("POST", f"{V1}/records/<record_id>/drafts",
               "Lập dự thảo từ đề xuất", schemas.DraftFromProposalSchema(),
               schemas.IdSchema())
    def api_draft_from_proposal(self, ctx, body, record_id):
        """Create a draft decision from proposal `index`. Returns {id}.

        Errors: 404 for the record, 422 for an invalid index or date.
        """
        day = body["decision_date"]
        decision_id = self.decisions.draft_from_proposal(
            ctx.actor, record_id, body["index"],
            day.isoformat() if day else None, body["request_id"])
        return {"id": decision_id}

    # decisions -----------------------------------------------------------

    @api_route("POST", f"{V1}/decisions", "Lập dự thảo với nội dung cho trước",
               schemas.DraftSchema(), schemas.IdSchema())
    def api_draft(self, ctx, body):
        """Create a draft decision from explicit content. Returns {id}.

        Errors: 422 for invalid content, 403 for a read-only role.
        """
        return {"id": self.decisions.draft(ctx.actor, body["content"],
                                           body["request_id"])}

    @api_route("GET", f"{V1}/decisions", "Danh sách quyết định",
               response=schemas.DecisionSchema(), many=True)
    def api_decisions(self, ctx, body):
        """List the decisions the caller may read."""
        return self.decisions.list(ctx.actor, {})

    @api_route("GET", f"{V1}/decisions/<decision_id>", "Chi tiết quyết định",
               response=schemas.DecisionSchema())
    def api_decision(self, ctx, body, decision_id):
        """Return a decision with content, checks and history.

        Errors: 404 when unknown or out of scope.
        """
        return self.decisions.get(ctx.actor, decision_id)

    @api_route("PUT", f"{V1}/decisions/<decision_id>", "Sửa dự thảo",
               schemas.UpdateDraftSchema(), schemas.DecisionSchema())
    def api_update(self, ctx, body, decision_id):
        """Replace a draft's content and return the decision.

        Errors: 404, 409 when issued or the version is stale, 422 for content.
        """
        return self.decisions.update_draft(ctx.actor, decision_id,
                                           body["content"], body["version"])

    @api_route("POST", f"{V1}/decisions/<decision_id>/submit", "Trình ký",
               schemas.StepSchema())
    def api_submit(self, ctx, body, decision_id):
        """Submit a draft for signature. Returns {checks}.

        Errors: 404, 409 when the status does not allow it or checks fail.
        """
        return {"checks": self.decisions.submit(ctx.actor, decision_id,
                                                body["request_id"])}

    @api_route("POST", f"{V1}/decisions/<decision_id>/return",
               "Trả lại dự thảo", schemas.ReturnSchema())
    def api_return(self, ctx, body, decision_id):
        """Return a submitted draft to its officer with a note.

        Returns {status}. Errors: 403 for a role other than head, 404, 409.
        """
        self.decisions.return_draft(ctx.actor, decision_id, body["note"],
                                    body["request_id"])
        return {"status": "returned"}

    @api_route("POST", f"{V1}/decisions/<decision_id>/discard",
               "Hủy bỏ dự thảo", schemas.DiscardSchema())
    def api_discard(self, ctx, body, decision_id):
        """Discard a draft, returned or submitted decision with a reason.

        Returns {status}. Errors: 403 for a role other than officer or head,
        404, 409 when signed or issued, 422 for an empty reason.
        """
        self.decisions.discard(ctx.actor, decision_id, body["reason"],
                               body["request_id"])
        return {"status": "discarded"}

    @api_route("POST", f"{V1}/decisions/<decision_id>/sign", "Ký quyết định",
               schemas.SignSchema())
    def api_sign(self, ctx, body, decision_id):
        """Sign a submitted decision. Returns {status, result}.

        Errors: 403 for a role other than head, 404, 409.
        """
        result = self.decisions.sign(ctx.actor, decision_id, body["as_deputy"],
                                     body["late_reason"], body["request_id"])
        return {"status": "signed", "result": result}

    @api_route("POST", f"{V1}/decisions/<decision_id>/issue",
               "Ban hành (cấp số); lặp lại cùng request_id chỉ ban hành một lần",
               schemas.StepSchema(), schemas.DecisionSchema())
    def api_issue(self, ctx, body, decision_id):
        """Issue a signed decision: take its number and freeze its PDF.

        Returns the decision. A repeated request id returns the first result.
        Errors: 404, 409, 503 when numbering does not reply in time.
        """
        return self.issue_once(ctx, decision_id, body["request_id"])

    def issue_once(self, ctx, decision_id, request_id):
        return self.once(
            ctx, request_id or f"issue:{decision_id}", f"issue:{decision_id}",
            lambda: self.decisions.issue(ctx.actor, decision_id, request_id))

    @api_route("POST", f"{V1}/decisions/<decision_id>/revoke",
               "Lập dự thảo thu hồi, sửa đổi, hủy", schemas.RevokeSchema(),
               schemas.IdSchema())
    def api_revoke(self, ctx, body, decision_id):
        """Draft a revocation, amendment or cancellation. Returns {id}.

        Errors: 404 for the decision, 422 for an unknown kind or content.
        """
        return {"id": self.decisions.revoke(ctx.actor, decision_id, body["kind"],
                                            body["reason"], body["request_id"])}

    @api_route("GET", f"{V1}/decisions/<decision_id>/pdf", "Tải PDF")
    def api_pdf(self, ctx, body, decision_id):
        """Download the decision's PDF: frozen once issued, a preview before.

        Errors: 404 when unknown or out of scope.
        """
        return pdf_response(self.decisions.pdf(ctx.actor, decision_id))

    # numbering -----------------------------------------------------------

    @api_route("GET", f"{V1}/series/<unit>/<int:work_year>/status",
               "Tình trạng sổ số quyết định")
    def api_series_status(self, ctx, body, unit, work_year):
        """Return the numbering series status of a unit and work year.

        Errors: 404 for a unit outside the caller's scope.
        """
        self.require_unit(ctx, unit)
        return self.numbering.series_status(unit, "QD", work_year)

    @api_route("GET", f"{V1}/series/<unit>/<int:work_year>/gaps",
               "Báo cáo số bị bỏ trống")
    def api_gap_report(self, ctx, body, unit, work_year):
        """Return the numbers skipped in a unit's series for a work year.

        Errors: 404 for a unit outside the caller's scope.
        """
        self.require_unit(ctx, unit)
        return self.numbering.gap_report(unit, "QD", work_year)

    def require_unit(self, ctx, unit):
        """Raise 404 unless the caller may read UNIT's data."""
        if not actor_from(ctx.actor).sees_unit(unit):
            raise HttpError(404, "not_found", "Không tìm thấy hồ sơ.")
