"""Request inputs: the JSON body, the query string and the path parameters,
checked with marshmallow schemas into 4xx errors with Vietnamese messages."""
import json

from marshmallow import ValidationError

from gateway.errors import HttpError, not_found
from gateway.storable import check_storable, first_unstorable


def load_body(request, schema):
    """Parse the JSON body with SCHEMA; raise HttpError 422 on bad input."""
    try:
        data = json.loads(request.get_data(as_text=True) or "{}")
    except ValueError:
        raise HttpError(400, "invalid_json",
                        "Nội dung gửi lên không phải JSON hợp lệ.")
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
