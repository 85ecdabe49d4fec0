"""Request plumbing: authentication, CSRF, JSON bodies and error responses.

Every entrypoint goes through `run_api` or `run_page`, which turn a known
failure into a 4xx or 503 response with a Vietnamese message. An
unexpected exception is logged with its traceback and returned as 500
without detail.
"""
import hashlib
import json
import logging
from dataclasses import dataclass
from functools import wraps

from nameko.web.handlers import http
from werkzeug.wrappers import Response

from gateway import users as accounts
from gateway.errors import HttpError, translate
from gateway.inputs import (
    check_path, load_body, load_path, load_query,
)
from gateway.storable import check_storable

log = logging.getLogger(__name__)

SESSION_COOKIE = "thads_session"
API_ROUTES = []


@dataclass
class Route:
    method: str
    path: str
    summary: str
    request: object = None
    response: object = None
    many: bool = False
    auth: bool = True
    query: object = None
    path_schema: object = None
    files: tuple = ()

    @property
    def path_params(self):
        return [part[1:-1].split(":")[-1] for part in self.path.split("/")
                if part.startswith("<")]

    @property
    def int_params(self):
        """Names of the path parameters that werkzeug converts to int."""
        return [part[1:-1].split(":")[-1] for part in self.path.split("/")
                if part.startswith("<int:")]


@dataclass
class Context:
    """The authenticated caller of one request."""
    user: object
    actor: dict
    token: str
    csrf_token: str

    @property
    def role(self):
        return self.user.role


def json_response(status, data, headers=None):
    return Response(json.dumps(data, ensure_ascii=False, default=str),
                    status=status, headers=headers,
                    mimetype="application/json")


def error_response(error):
    body = {"error": error.code, "message": error.message}
    if error.errors:
        body["errors"] = error.errors
    return json_response(error.status, body)


def set_session_cookie(response, token):
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="Lax",
                        path="/")


def unauthenticated():
    return HttpError(401, "unauthenticated", "Phiên đăng nhập không hợp lệ "
                     "hoặc đã hết hạn; hãy đăng nhập lại.")


def csrf_rejected():
    return HttpError(403, "csrf", "Mã bảo vệ biểu mẫu (CSRF) không hợp lệ; "
                     "hãy tải lại trang và thử lại.")


def read_only():
    return HttpError(403, "forbidden", "Tài khoản chỉ được xem, không được thay đổi.")


def api_route(method, path, summary, request=None, response=None, many=False,
              auth=True, changes=None, query=None, path_schema=None, files=()):
    """Register an API entrypoint; the handler gets (ctx, body, **params).

    CHANGES (default: every non-GET) requires the X-CSRF-Token header and
    rejects read-only roles with 403. QUERY, a marshmallow schema, parses
    the query string into the `query` keyword argument. PATH_SCHEMA checks
    the path parameters (404 when invalid). FILES lists the media types of
    a file download, for the OpenAPI document.
    """
    route = Route(method, path, summary, request, response, many, auth,
                  query, path_schema, tuple(files))
    API_ROUTES.append(route)
    changes = method != "GET" if changes is None else changes

    def decorate(func):
        @http(method, path)
        @wraps(func)
        def handler(self, http_request, **params):
            return self.run_api(func, route, changes, http_request, params)
        return handler
    return decorate


def page_route(method, path, auth=True):
    """Register an HTML page; the handler gets (ctx, request, **params)."""
    def decorate(func):
        @http(method, path)
        @wraps(func)
        def handler(self, http_request, **params):
            return self.run_page(func, method, auth, http_request, params)
        return handler
    return decorate


class Plumbing:
    """Methods shared by the API and the pages; mixed into the service."""

    def current_context(self, request):
        token = request.cookies.get(SESSION_COOKIE)
        with self.db.transaction() as session:
            found = accounts.resume_session(session, token)
        if found is None:
            return None
        user, row = found
        return Context(user, accounts.actor_of(user), token, row.csrf_token)

    def run_api(self, func, route, changes, request, params):
        try:
            check_path(params)
            ctx = None
            if route.auth:
                ctx = self.current_context(request)
                if ctx is None:
                    raise unauthenticated()
                if changes:
                    self.check_change(ctx, request.headers.get("X-CSRF-Token"))
            if route.path_schema is not None:
                params = load_path(params, route.path_schema)
            if route.query is not None:
                params["query"] = load_query(request.args, route.query)
            body = None
            if route.request is not None:
                body = load_body(request, route.request)
            result = func(self, ctx, body, **params)
            if changes and ctx is not None:
                log.info("%s %s by %s", request.method, request.path,
                         ctx.user.username)
            if isinstance(result, Response):
                return result
            return json_response(200, result)
        except Exception as error:
            return error_response(self.http_error(error, request))

    def check_change(self, ctx, supplied):
        if not accounts.csrf_valid(ctx, supplied):
            raise csrf_rejected()
        if ctx.role in ("central",):
            raise read_only()

    def run_page(self, func, method, auth, request, params):
        try:
            check_path(params)
            ctx = None
            if auth:
                ctx = self.current_context(request)
                if ctx is None:
                    return redirect("/dang-nhap")
                if method == "POST":
                    self.check_change(ctx, request.form.get("csrf_token"))
            if method == "POST":
                check_storable(request.form.to_dict(), "")
            response = func(self, ctx, request, **params)
            if ctx is not None and method == "POST":
                log.info("POST %s by %s", request.path, ctx.user.username)
            return response
        except Exception as error:
            return self.error_page(self.http_error(error, request), request)

    def http_error(self, error, request):
        """Return the HttpError to send for ERROR, and log unexpected ones."""
        known = translate(error)
        if known is not None:
            if known.status >= 500:
                log.error("%s %s: %s", request.method, request.path, error)
            return known
        log.exception("%s %s failed", request.method, request.path)
        return HttpError(500, "internal", "Lỗi hệ thống; đã ghi nhật ký. "
                         "Hãy thử lại hoặc bấm Báo lỗi.")


def request_key(username, request_id):
    """Return the request_log key of one user's REQUEST_ID.

    The key is a SHA-256 hex digest (64 characters), so request ids of any
    length fit the 100-character column and ids that differ only after
    the 100th character stay apart.
    """
    text = f"{username}\0{request_id}"
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def request_conflict():
    return HttpError(409, "request_conflict", "Mã yêu cầu (request_id) này đã "
                     "được dùng cho một thao tác khác; hãy tải lại trang rồi "
                     "gửi lại với mã mới.")


def redirect(location, status=303):
    return Response("", status=status, headers={"Location": location})


class RequestOnce:
    """Mixin that returns the stored result when a request id repeats."""

    def once(self, ctx, request_id, endpoint, call):
        """Run CALL once for REQUEST_ID; a repeat gets the first result.

        A failed call deletes its request_log row, so the user may retry.
        Raises HttpError 409 request_conflict when the user already sent
        REQUEST_ID to another ENDPOINT, such as the issuing of another
        decision.
        """
        if not request_id:
            return call()
        key = request_key(ctx.user.username, request_id)
        with self.db.transaction() as session:
            first = accounts.claim_request(session, key, ctx.user.username, endpoint)
            stored = None if first else accounts.stored_result(session, key)
        if stored is not None and (stored.endpoint != endpoint
                                   or stored.username != ctx.user.username):
            raise request_conflict()
        if not first:
            return self.wait_for_result(key)
        try:
            result = call()
        except Exception:
            with self.db.transaction() as session:
                accounts.forget_request(session, key)
            raise
        with self.db.transaction() as session:
            accounts.store_result(session, key, json.dumps(result, default=str))
        return result

    def wait_for_result(self, key, timeout=30.0, interval=0.2):
        import eventlet

        waited = 0.0
        while waited < timeout:
            with self.db.transaction() as session:
                row = accounts.stored_result(session, key)
            if row is None:
                raise HttpError(409, "request_failed", "Lần gửi trước của yêu cầu "
                                "này không thành công; hãy tải lại trang và thử lại.")
            if row.body is not None:
                return json.loads(row.body)
            eventlet.sleep(interval)
            waited += interval
        raise HttpError(409, "in_progress", "Yêu cầu này đang được xử lý; "
                        "hãy tải lại trang sau ít giây.")
