"""Malformed, oversized and hostile request bodies and uploads: every one
must get a 4xx with the JSON or page error, never a 500."""
import json

import pytest

from tests.conftest import wait_until
from tests.gateway.test_main_job import (
    JUDGMENT, api, draft_content, import_judgment, signed_decision,
)


def upload(client, name, content, content_type="application/octet-stream"):
    files = {"file": (name, content, content_type)}
    return client.post(f"{client.base}/tiep-nhan/tep", files=files, data={
        "csrf_token": client.headers["X-CSRF-Token"]})


def alias_bomb(levels, width=10):
    """Return a YAML text of a few hundred bytes whose aliases expand to
    WIDTH ** (LEVELS + 1) strings."""
    names = [f"n{level}" for level in range(levels + 1)]
    lines = [f"{names[0]}: &{names[0]} [{', '.join(['x'] * width)}]"]
    for previous, name in zip(names, names[1:]):
        items = ", ".join([f"*{previous}"] * width)
        lines.append(f"{name}: &{name} [{items}]")
    return "\n".join(lines) + "\n"


# JSON bodies


@pytest.mark.parametrize("depth", [950, 100_000])
def test_deeply_nested_json_body_is_4xx(full_system, login, depth):
    # On top of the request handler's own stack, both depths make
    # json.loads raise RecursionError, which is not a ValueError.
    client = login("chv79")
    body = '{"content": {"a": ' + "[" * depth + "]" * depth + "}}"

    response = api(client, "POST", "/decisions", data=body,
                   headers={"Content-Type": "application/json"})

    assert 400 <= response.status_code < 500, response.text[:200]


def test_duplicate_json_keys_use_last_value(gateway_only, login, web_session):
    body = '{"username": "chv79", "username": "khong-co", "password": "thads-demo"}'

    response = web_session.post("/api/v1/login", data=body,
                                headers={"Content-Type": "application/json"})

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_credentials"


def test_api_body_over_upload_limit_is_413(full_system, login):
    # The upload form stops at 2 MB; the JSON intake endpoint takes the
    # same records and should not read an unbounded body either.
    client = login("vanthu79")
    records = [dict(JUDGMENT, number=f"{index}/2026/HS-ST", notes="x" * 3000)
               for index in range(1000)]

    response = api(client, "POST", "/records", json={"records": records})

    assert response.status_code == 413, response.text[:200]
    assert api(client, "GET", "/records").json() == []


# Uploads


def test_upload_over_two_megabytes_is_413(full_system, login):
    client = login("vanthu79")

    response = upload(client, "ban-an.json", b" " * (2 * 1024 * 1024 + 1))

    assert response.status_code == 413


def test_non_utf8_yaml_upload_is_422(full_system, login):
    client = login("vanthu79")
    text = b"record_type: judgment\nkind: B\xe3n \xe1n\n"

    response = upload(client, "ban-an.yaml", text)

    assert response.status_code == 422
    assert "UTF-8" in response.text


@pytest.mark.parametrize("text", [
    "x: !!set {a, b}\n",
    "- !!set {a: null}\n",
], ids=["set-in-map", "set-in-list"])
def test_yaml_set_upload_is_422(full_system, login, text):
    client = login("vanthu79")

    response = upload(client, "ban-an.yaml", text.encode())

    assert response.status_code == 422, response.text[:300]


def test_yaml_binary_nul_upload_is_422(full_system, login):
    # "YQBi" is base64 for b"a\x00b": the NUL check looks at strings
    # only, and the intake turns the bytes into text for PostgreSQL.
    client = login("vanthu79")
    record = dict(JUDGMENT, notes="PLACEHOLDER")
    text = json.dumps(record, ensure_ascii=False).replace(
        '"PLACEHOLDER"', "!!binary YQBi")

    response = upload(client, "ban-an.yaml", text.encode())

    assert response.status_code == 422, response.text[:300]
    assert api(client, "GET", "/records").json() == []


def test_deeply_nested_yaml_upload_is_422(full_system, login):
    client = login("vanthu79")

    response = upload(client, "ban-an.yaml", ("[" * 5000 + "]" * 5000).encode())

    assert response.status_code == 422, response.text[:300]


def test_deeply_nested_json_upload_is_422(full_system, login):
    client = login("vanthu79")

    response = upload(client, "ban-an.json",
                      ("[" * 100_000 + "]" * 100_000).encode())

    assert response.status_code == 422, response.text[:300]


def test_yaml_alias_bomb_is_rejected_as_file(full_system, login):
    # 300 bytes that expand to a million strings. With three more levels
    # the same file blocks the gateway's only OS thread for hours, so the
    # expansion has to be rejected before the records are walked.
    client = login("vanthu79")
    text = alias_bomb(5)
    assert len(text) < 400

    response = upload(client, "ban-an.yaml", text.encode())

    assert response.status_code in (413, 422), response.text[:300]
    # Field errors such as "records[0].record_type" show that the file
    # was expanded and sent on as records.
    assert "records[" not in response.text
    assert api(client, "GET", "/records").json() == []


@pytest.mark.parametrize("body, content_type", [
    (b"--xyz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.json\""
     b"\r\n\r\n{}", "multipart/form-data; boundary=xyz"),
    (b"garbage", "multipart/form-data"),
    (b"--xyz--\r\n", "multipart/form-data; boundary=xyz"),
    (b"\xff\xfe\x00", "multipart/form-data; boundary=\"\""),
], ids=["unterminated", "no-boundary", "empty", "empty-boundary"])
def test_malformed_multipart_is_4xx(full_system, login, body, content_type):
    client = login("vanthu79")

    response = client.post(f"{client.base}/tiep-nhan/tep", data=body,
                           headers={"Content-Type": content_type})

    assert 400 <= response.status_code < 500, response.text[:300]


# Decisions through the API


def test_draft_pdf_preview_is_served(full_system, login):
    judgment_id = import_judgment(login("vanthu79"))
    officer = login("chv79")
    draft = api(officer, "POST", "/decisions", json={
        "content": draft_content(judgment_id)})
    decision_id = draft.json()["id"]

    response = api(officer, "GET", f"/decisions/{decision_id}/pdf")

    assert response.status_code == 200, response.text[:300]
    assert response.content.startswith(b"%PDF")


@pytest.mark.parametrize("request_id", ["lan-1", "x" * 120],
                         ids=["short", "longer-than-key"])
def test_request_id_reused_for_other_decision(full_system, login, request_id):
    head, judgment_id, first_id = signed_decision(login)
    officer = login("chv79")
    content = draft_content(judgment_id)
    content["obligations"] = [dict(line, ref=None) for line in content["obligations"]]
    second_id = api(officer, "POST", "/decisions", json={
        "content": content, "request_id": "draft-2"}).json()["id"]
    api(officer, "POST", f"/decisions/{second_id}/submit", json={})
    api(head, "POST", f"/decisions/{second_id}/sign",
        json={"late_reason": "Chờ xác minh"})
    first_request = request_id
    second_request = request_id if len(request_id) < 100 else request_id + "2"

    first = api(head, "POST", f"/decisions/{first_id}/issue",
                json={"request_id": first_request})
    second = api(head, "POST", f"/decisions/{second_id}/issue",
                 json={"request_id": second_request})

    assert first.status_code == 200
    assert first.json()["id"] == first_id
    if second.status_code == 200:
        assert second.json()["id"] == second_id
    else:
        assert second.status_code == 409
        assert second.json()["error"] == "request_conflict"


# Registers through the API


@pytest.mark.parametrize("number", ["²", "1²", "٣"],
                         ids=["superscript", "digit-superscript", "arabic-indic"])
def test_register_decision_number_unicode_digits(registers_system, login, number):
    # str.isdigit() accepts "²", which int() then rejects; the filter is
    # only evaluated when the register has rows.
    client = login("vanthu79")
    import_judgment(client)
    wait_until(lambda: api(client, "GET", "/registers/01/79/2027/rows")
               .json().get("total"), message="the Mẫu 01 row")

    response = api(client, "GET", "/registers/01/79/2027/rows",
                   params={"decision_number": number})

    assert response.status_code in (200, 422), response.text[:300]
