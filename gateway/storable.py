"""Reject text that PostgreSQL cannot store before it reaches a service.

PostgreSQL text cannot contain NUL, and a lone UTF-16 surrogate (which a
JSON escape such as \\ud800 produces) has no UTF-8 encoding. Either one
fails deep inside a service and would come back as a 500.
"""
from gateway.errors import HttpError

MESSAGE = ("Văn bản chứa ký tự không hợp lệ (ký tự NUL hoặc mã UTF-16 lẻ); "
           "hãy xóa ký tự đó và gửi lại.")


def unstorable(text):
    """True when TEXT contains NUL or a lone surrogate."""
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def first_unstorable(data, path="(body)"):
    """Return the path of the first unstorable string in DATA, or None.

    Dict keys are checked as well as values. With PATH "" the top-level
    keys are named alone, as query and form fields are.
    """
    if isinstance(data, str):
        return path if unstorable(data) else None
    if isinstance(data, dict):
        items = data.items()
    elif isinstance(data, list):
        items = enumerate(data)
    else:
        return None
    for key, value in items:
        if isinstance(key, int):
            where = f"{path}[{key}]"
        else:
            where = f"{path}.{key}" if path else key
        if isinstance(key, str) and unstorable(key):
            return where
        found = first_unstorable(value, where)
        if found is not None:
            return found
    return None


def safe_text(text):
    """Return TEXT with NUL and lone surrogates escaped, for an error body."""
    escaped = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return escaped.replace("\x00", "\\x00")


def check_storable(data, path="(body)"):
    """Raise HttpError 422 naming the first unstorable string in DATA."""
    found = first_unstorable(data, path)
    if found is not None:
        raise HttpError(422, "invalid_input", "Dữ liệu chưa hợp lệ.", [
            {"path": safe_text(found), "code": "invalid", "message": MESSAGE}])
