"""Parse uploaded JSON and YAML intake files without trusting their shape.

A few hundred bytes of YAML can expand through aliases into millions of
nodes, and deep nesting exhausts the Python stack of the request's green
thread. Both are rejected while the file is parsed, before any record is
walked, and every failure becomes a 413 or 422 with a Vietnamese message.
"""
import json

import yaml
from yaml.events import AliasEvent, CollectionStartEvent, ScalarEvent

from gateway.errors import HttpError
from gateway.inputs import MAX_BODY_BYTES, MAX_DEPTH, nesting_too_deep
from gateway.storable import check_storable

MAX_UPLOAD_BYTES = MAX_BODY_BYTES

INVALID_FILE = "Tệp không phải JSON hoặc YAML hợp lệ (mã hóa UTF-8)."
ALIAS_MESSAGE = ("Tệp YAML dùng neo (&) hoặc tham chiếu (*), là cú pháp không "
                 "được hỗ trợ; hãy viết đầy đủ từng giá trị rồi gửi lại.")
DEPTH_MESSAGE = (f"Tệp lồng nhau quá sâu (tối đa {MAX_DEPTH} cấp); hãy kiểm "
                 "tra lại cấu trúc tệp.")
TAG_MESSAGE = ("Tệp YAML dùng kiểu dữ liệu không được hỗ trợ (như !!set, "
               "!!binary, !!omap, !!pairs); chỉ dùng bảng, danh sách, chuỗi, "
               "số, ngày và true/false/null.")

# Tags whose values the intake cannot store: sets and ordered pairs are
# not JSON, and !!binary gives bytes that bypass the NUL check on text.
REJECTED_TAGS = (
    "tag:yaml.org,2002:set", "tag:yaml.org,2002:binary",
    "tag:yaml.org,2002:omap", "tag:yaml.org,2002:pairs",
)


class UnsupportedYaml(yaml.YAMLError):
    """A YAML feature that intake files may not use, with a Vietnamese MESSAGE."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class IntakeLoader(yaml.SafeLoader):
    """SafeLoader without anchors, aliases, the tags in REJECTED_TAGS, or
    nesting deeper than MAX_DEPTH collections."""

    yaml_constructors = {
        tag: constructor
        for tag, constructor in yaml.SafeLoader.yaml_constructors.items()
        if tag not in REJECTED_TAGS
    }

    def __init__(self, stream):
        super().__init__(stream)
        self.depth = 0

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, AliasEvent):
            raise UnsupportedYaml(ALIAS_MESSAGE)
        if isinstance(event, (ScalarEvent, CollectionStartEvent)) and event.anchor:
            raise UnsupportedYaml(ALIAS_MESSAGE)
        if isinstance(event, CollectionStartEvent):
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise UnsupportedYaml(DEPTH_MESSAGE)
        try:
            return super().compose_node(parent, index)
        finally:
            if isinstance(event, CollectionStartEvent):
                self.depth -= 1

    def construct_undefined(self, node):
        raise UnsupportedYaml(TAG_MESSAGE)


# A tag without a constructor reaches the None entry.
IntakeLoader.add_constructor(None, IntakeLoader.construct_undefined)


def invalid_file(message=INVALID_FILE):
    return HttpError(422, "invalid_file", message)


def load_text(text, yaml_file):
    """Parse TEXT as YAML or JSON, or raise HttpError 422 invalid_file."""
    try:
        if yaml_file:
            loader = IntakeLoader(text)
            try:
                return loader.get_single_data()
            finally:
                loader.dispose()
        return json.loads(text)
    except UnsupportedYaml as error:
        raise invalid_file(error.message) from None
    except RecursionError:
        raise invalid_file(DEPTH_MESSAGE) from None
    except (ValueError, yaml.YAMLError):
        raise invalid_file() from None


def parse_upload(upload):
    """Parse an uploaded JSON or YAML intake file.

    Raises HttpError 413 above MAX_UPLOAD_BYTES and 422 for a file that is
    not UTF-8, not valid JSON or YAML, nested deeper than MAX_DEPTH, or
    uses a YAML feature that IntakeLoader rejects.
    """
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise HttpError(413, "too_large", "Tệp quá lớn (tối đa 2 MB).")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise invalid_file() from None
    yaml_file = (upload.filename or "").lower().endswith((".yaml", ".yml"))
    records = load_text(text, yaml_file)
    if nesting_too_deep(records):
        raise invalid_file(DEPTH_MESSAGE)
    check_storable(records, "(file)")
    return records
