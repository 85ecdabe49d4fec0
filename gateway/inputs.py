"""Request inputs: the JSON body, the query string and the path parameters,
checked with marshmallow schemas into 4xx errors with Vietnamese messages."""
import json

from marshmallow import ValidationError

from gateway.errors import HttpError, not_found
from gateway.storable import check_storable, first_unstorable

# The largest JSON body or uploaded file the gateway reads, in bytes.
MAX_BODY_BYTES = 2 * 1024 * 1024
# The deepest nesting of objects and arrays accepted in a body or file.
# The test fixtures (intake records, decision contents) nest at most 8
# levels, and the limit keeps recursive walks far from the recursion limit.
MAX_DEPTH = 32


def nesting_too_deep(data, limit=MAX_DEPTH):
    """True when DATA nests dicts and lists more than LIMIT levels deep.

    The walk uses its own stack, so it cannot itself hit the recursion limit.
    """
    pending = [(data, 0)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth + 1 > limit:
            return True
        pending.extend((child, depth + 1) for child in children)
    return False


def too_large():
    return HttpError(413, "too_large", "Nội dung gửi lên quá lớn (tối đa 2 MB); "
                     "hãy chia dữ liệu thành nhiều lần gửi.")


def invalid_json(message="Nội dung gửi lên không phải JSON hợp lệ."):
    return HttpError(400, "invalid_json", message)


def read_body(request):
    """Return the request body as text.

    Raises HttpError 413 for a body above MAX_BODY_BYTES, before reading it
    when the Content-Length header is already larger.
    """
    if (request.content_length or 0) > MAX_BODY_BYTES:
        raise too_large()
    data = request.get_data()
    if len(data) > MAX_BODY_BYTES:
        raise too_large()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise invalid_json("Nội dung gửi lên không phải JSON hợp lệ "
                           "(mã hóa UTF-8).") from None


def load_body(request, schema):
    """Parse the JSON body with SCHEMA.

    Raises HttpError 413 above MAX_BODY_BYTES, 400 for invalid JSON or
    nesting deeper than MAX_DEPTH, and 422 for data that SCHEMA rejects.
    """
    text = read_body(request)
    depth_error = invalid_json(f"Nội dung JSON lồng nhau quá sâu (tối đa "
                               f"{MAX_DEPTH} cấp).")
    try:
        data = json.loads(text or "{}")
    except RecursionError:
        raise depth_error from None
    except ValueError:
        raise invalid_json() from None
    if nesting_too_deep(data):
        raise depth_error
    check_storable(data)
    try:
        return schema.load(data)
    except ValidationError as error:
        raise invalid_input(error)


def load_query(args, schema):
    """Parse query string ARGS with SCHEMA; raise HttpError 422 on bad input.

    An empty parameter (as an HTML form sends for an empty field) counts
    as absent.
    """
    data = {key: value for key, value in args.items() if value != ""}
    check_storable(data, "")
    try:
        return schema.load(data)
    except ValidationError as error:
        raise invalid_input(error)


def load_path(params, schema):
    """Check path PARAMS with SCHEMA; raise 404 when one names nothing.

    The body is the same as for a record of another unit, so a caller
    cannot tell an invalid path from one outside its scope.
    """
    try:
        return schema.load(params)
    except ValidationError:
        raise not_found() from None


def check_path(params):
    """Raise 404 for a path parameter that no stored record can carry."""
    if first_unstorable(params, "") is not None:
        raise not_found()


def invalid_input(error):
    """Return the 422 HttpError for a marshmallow ValidationError."""
    errors = [field_error(field, messages)
              for field, messages in error.normalized_messages().items()]
    return HttpError(422, "invalid_input", "Dữ liệu chưa hợp lệ.", errors)


def field_error(field, messages):
    """Return a {path, code, message} error in Vietnamese for one field."""
    text = str(messages)
    if "Missing data" in text:
        return {"path": field, "code": "missing",
                "message": "Thiếu trường bắt buộc."}
    if "Unknown field" in text:
        return {"path": field, "code": "unknown",
                "message": "Trường không được hỗ trợ; hãy bỏ trường này."}
    return {"path": field, "code": "invalid", "message": "Giá trị không hợp lệ."}
