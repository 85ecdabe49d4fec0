"""Unit isolation: another unit gets 404 with no detail; central only reads."""
from tests.gateway.test_main_job import (
    api, draft_content, import_judgment, signed_decision,
)

NOT_FOUND = {"error": "not_found", "message": "Không tìm thấy hồ sơ."}


def id_endpoints(judgment_id, decision_id):
    """Every API endpoint that takes an id, as (method, path, body)."""
    d = f"/decisions/{decision_id}"
    return [
        ("GET", f"/records/{judgment_id}", None),
        ("GET", f"/records/{judgment_id}/proposals", None),
        ("POST", f"/records/{judgment_id}/drafts", {"index": 0}),
        ("GET", d, None),
        ("PUT", d, {"content": {}}),
        ("POST", f"{d}/submit", {}),
        ("POST", f"{d}/return", {"note": "Sửa lại"}),
        ("POST", f"{d}/sign", {}),
        ("POST", f"{d}/issue", {"request_id": "x"}),
        ("POST", f"{d}/revoke", {"kind": "revocation", "reason": "Sai"}),
        ("GET", f"{d}/pdf", None),
        ("GET", "/series/79/2027/status", None),
        ("GET", "/series/79/2027/gaps", None),
    ]


def page_endpoints(judgment_id, decision_id):
    d = f"/quyet-dinh/{decision_id}"
    return [
        ("GET", f"/ho-so/{judgment_id}", {}),
        ("POST", f"/ho-so/{judgment_id}/du-thao", {"index": "0"}),
        ("GET", d, {}), ("GET", f"{d}/pdf", {}),
        ("POST", f"{d}/trinh", {}), ("POST", f"{d}/tra-lai", {"note": "x"}),
        ("POST", f"{d}/ky", {}), ("POST", f"{d}/ban-hanh", {"request_id": "y"}),
    ]


def test_other_unit_gets_bare_404(full_system, login):
    _, judgment_id, decision_id = signed_decision(login)
    stranger = login("truong01")

    for method, path, body in id_endpoints(judgment_id, decision_id):
        response = api(stranger, method, path, json=body)
        assert response.status_code == 404, (method, path, response.text)
        assert response.json() == NOT_FOUND, (method, path)


def test_other_unit_pages_are_404(full_system, login):
    _, judgment_id, decision_id = signed_decision(login)
    stranger = login("truong01")
    token = stranger.headers["X-CSRF-Token"]

    for method, path, form in page_endpoints(judgment_id, decision_id):
        response = stranger.request(method, f"{stranger.base}{path}",
                                    data=dict(form, csrf_token=token),
                                    allow_redirects=False)
        assert response.status_code == 404, (method, path)
        assert decision_id not in response.text, (method, path)
        assert "Không tìm thấy" in response.text, (method, path)


def test_foreign_id_looks_unknown(full_system, login):
    _, judgment_id, decision_id = signed_decision(login)
    stranger = login("chv01")
    token = stranger.headers["X-CSRF-Token"]
    real = page_endpoints(judgment_id, decision_id)
    unknown = page_endpoints("khong-co-ho-so", "khong-co-quyet-dinh")

    for (method, path, form), (_, fake_path, _) in zip(real, unknown):
        seen = stranger.request(method, f"{stranger.base}{path}",
                                data=dict(form, csrf_token=token),
                                allow_redirects=False)
        fake = stranger.request(method, f"{stranger.base}{fake_path}",
                                data=dict(form, csrf_token=token),
                                allow_redirects=False)
        assert seen.status_code == fake.status_code, (method, path)
        assert seen.text == fake.text, (method, path)


def test_unknown_id_is_same_404(full_system, login):
    officer = login("chv79")

    response = api(officer, "GET", "/decisions/khong-co")

    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_central_reads_every_unit(full_system, login):
    _, judgment_id, decision_id = signed_decision(login)
    central = login("cuc")

    for path in (f"/records/{judgment_id}", f"/decisions/{decision_id}",
                 f"/decisions/{decision_id}/pdf", "/series/79/2027/gaps"):
        assert api(central, "GET", path).status_code == 200, path
    listed = api(central, "GET", "/decisions").json()
    assert [d["id"] for d in listed] == [decision_id]
    page = central.get(f"{central.base}/trung-uong")
    assert page.status_code == 200
    assert "Thành phố Hồ Chí Minh" in page.text


def test_central_changes_are_403(full_system, login):
    _, judgment_id, decision_id = signed_decision(login)
    central = login("cuc")

    for method, path, body in id_endpoints(judgment_id, decision_id):
        if method == "GET":
            continue
        response = api(central, method, path, json=body)
        assert response.status_code == 403, (method, path)
        assert response.json()["error"] == "forbidden", (method, path)
    detail = api(central, "GET", f"/decisions/{decision_id}").json()
    assert detail["status"] == "signed"


def test_head_returns_draft_with_note(full_system, login):
    judgment_id = import_judgment(login("vanthu79"))
    officer = login("chv79")
    content = draft_content(judgment_id)
    decision_id = api(officer, "POST", "/decisions", json={
        "content": content}).json()["id"]
    api(officer, "POST", f"/decisions/{decision_id}/submit", json={})
    head = login("truong79")

    response = api(head, "POST", f"/decisions/{decision_id}/return",
                   json={"note": "Bổ sung địa chỉ"})

    assert response.status_code == 200, response.text
    detail = api(head, "GET", f"/decisions/{decision_id}").json()
    assert detail["status"] in ("returned", "draft")
    assert any(h["note"] == "Bổ sung địa chỉ" for h in detail["history"])
