"""Map failures to HTTP status codes and Vietnamese messages.

Services send errors as nameko RemoteError whose exc_type is the class
name. The gateway shows the user its own Vietnamese message for each
class, plus the Vietnamese field errors that InvalidInput carries.
"""
import json

from nameko.exceptions import RemoteError, UnknownService

# exc_type -> (HTTP status, error code, Vietnamese message)
REMOTE_ERRORS = {
    "NotFound": (404, "not_found", "Không tìm thấy hồ sơ."),
    "Forbidden": (403, "forbidden", "Bạn không có quyền thực hiện thao tác này."),
    "InvalidInput": (422, "invalid_input", "Dữ liệu chưa hợp lệ."),
    "InvalidArgument": (400, "invalid_argument", "Tham số không hợp lệ."),
    "InvalidActor": (400, "invalid_actor", "Thông tin người dùng không hợp lệ."),
    "InvalidTransition": (409, "invalid_transition",
                          "Trạng thái quyết định không cho phép thao tác này."),
    "AlreadyIssued": (409, "already_issued",
                      "Quyết định đã ban hành, không thể sửa."),
    "ChecksFailed": (409, "checks_failed",
                     "Dự thảo còn lỗi phải sửa trước khi ký."),
    "RequestConflict": (409, "request_conflict",
                        "Mã yêu cầu đã được dùng cho thao tác khác."),
    "NumberTaken": (409, "number_taken", "Số quyết định này đã được dùng."),
    "NumberBound": (409, "number_bound", "Số này đã gắn với quyết định ban hành."),
    "RegisterTooLarge": (422, "register_too_large",
                         "Sổ quá lớn để xuất qua trang web; hãy đề nghị quản "
                         "trị xuất bằng lệnh thads register export."),
    "RpcTimeout": (503, "unavailable",
                   "Dịch vụ chưa phản hồi; vui lòng thử lại sau ít phút."),
    "NumberingUnavailable": (503, "unavailable",
                             "Dịch vụ cấp số chưa phản hồi; hãy bấm ban hành lại, "
                             "hệ thống không cấp số hai lần."),
}
UNAVAILABLE = REMOTE_ERRORS["RpcTimeout"]


class HttpError(Exception):
    """An error that the gateway returns directly with STATUS and CODE."""

    def __init__(self, status, code, message, errors=None):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.errors = errors


def not_found():
    """Return the 404 error that an unknown or out-of-scope record gets."""
    status, code, message = REMOTE_ERRORS["NotFound"]
    return HttpError(status, code, message)


def invalid_input_errors(text):
    """Return the field errors carried in InvalidInput's JSON text."""
    try:
        data = json.loads(text)
    except (TypeError, ValueError):
        return None, []
    if not isinstance(data, dict):
        return None, []
    return data.get("message"), data.get("errors") or []


def translate(error):
    """Return an HttpError for ERROR, or None when it is unexpected."""
    if isinstance(error, HttpError):
        return error
    name = type(error).__name__
    if isinstance(error, RemoteError):
        name = error.exc_type
    if isinstance(error, UnknownService):
        name = "RpcTimeout"
    if name not in REMOTE_ERRORS:
        return None
    status, code, message = REMOTE_ERRORS[name]
    errors = None
    if name == "InvalidInput":
        detail, errors = invalid_input_errors(getattr(error, "value", ""))
        message = detail or message
    return HttpError(status, code, message, errors)
