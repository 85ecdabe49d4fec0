"""Login, throttling, session expiry, CSRF and read-only roles."""
import time

from gateway.demo import DEMO_PASSWORD


def test_health_returns_ok(gateway_only, web_session):
    response = web_session.get("/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_login_sets_safe_cookie(gateway_only, web_session):
    response = web_session.post("/api/v1/login", json={
        "username": "chv79", "password": DEMO_PASSWORD})

    assert response.status_code == 200
    body = response.json()
    assert body["user"]["unit"] == "79"
    assert body["user"]["role"] == "officer"
    assert body["csrf_token"]
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_wrong_password_is_rejected(gateway_only, web_session):
    response = web_session.post("/api/v1/login", json={
        "username": "chv79", "password": "sai"})

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_credentials"
    assert "mật khẩu" in response.json()["message"]


def test_login_missing_field_is_422(gateway_only, web_session):
    response = web_session.post("/api/v1/login", json={"username": "chv79"})

    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == "password"
    assert response.json()["errors"][0]["code"] == "missing"


def test_login_throttled_after_five_failures(gateway_only, web_session):
    for _ in range(5):
        failed = web_session.post("/api/v1/login", json={
            "username": "chv79", "password": "sai"})
        assert failed.status_code == 401

    blocked = web_session.post("/api/v1/login", json={
        "username": "chv79", "password": DEMO_PASSWORD})
    other_user = web_session.post("/api/v1/login", json={
        "username": "chv01", "password": DEMO_PASSWORD})

    assert blocked.status_code == 429
    assert blocked.json()["error"] == "too_many_attempts"
    assert "15 phút" in blocked.json()["message"]
    assert other_user.status_code == 200


def test_session_expires_when_idle(gateway_only, login, monkeypatch):
    monkeypatch.setenv("SESSION_IDLE_SECONDS", "1")
    client = login("chv79")
    assert client.get(f"{client.base}/api/v1/me").status_code == 200

    time.sleep(1.5)
    response = client.get(f"{client.base}/api/v1/me")

    assert response.status_code == 401
    assert response.json()["error"] == "unauthenticated"


def test_activity_extends_session(gateway_only, login, monkeypatch):
    monkeypatch.setenv("SESSION_IDLE_SECONDS", "2")
    client = login("chv79")
    for _ in range(3):
        time.sleep(1)
        assert client.get(f"{client.base}/api/v1/me").status_code == 200


def test_api_change_without_csrf_is_403(gateway_only, login):
    client = login("vanthu79")
    token = client.headers.pop("X-CSRF-Token")

    missing = client.post(f"{client.base}/api/v1/records", json={"records": {}})
    client.headers["X-CSRF-Token"] = token + "x"
    wrong = client.post(f"{client.base}/api/v1/records", json={"records": {}})

    assert missing.status_code == 403
    assert missing.json()["error"] == "csrf"
    assert wrong.status_code == 403
    assert wrong.json()["error"] == "csrf"


def test_form_post_without_csrf_is_403(gateway_only, login):
    client = login("chv79")

    response = client.post(f"{client.base}/dang-xuat", data={},
                           allow_redirects=False)

    assert response.status_code == 403
    assert "CSRF" in response.text
    assert client.get(f"{client.base}/api/v1/me").status_code == 200


def test_form_logout_with_csrf_ends_session(gateway_only, login):
    client = login("chv79")
    token = client.headers["X-CSRF-Token"]

    response = client.post(f"{client.base}/dang-xuat", data={"csrf_token": token},
                           allow_redirects=False)

    assert response.status_code == 303
    assert client.get(f"{client.base}/api/v1/me").status_code == 401


def test_unauthenticated_api_is_401(gateway_only, web_session):
    response = web_session.get("/api/v1/decisions")

    assert response.status_code == 401
    assert response.json()["error"] == "unauthenticated"


def test_unauthenticated_page_redirects(gateway_only, web_session):
    response = web_session.get("/", allow_redirects=False)

    assert response.status_code == 303
    assert response.headers["Location"] == "/dang-nhap"


def test_form_login_opens_session(gateway_only, web_session):
    response = web_session.post("/dang-nhap", data={
        "username": "truong01", "password": DEMO_PASSWORD}, allow_redirects=False)

    assert response.status_code == 303
    me = web_session.get("/api/v1/me")
    assert me.status_code == 200
    assert me.json()["user"]["full_name"] == "Vũ Thị Hương"


def test_central_change_is_403(gateway_only, login):
    client = login("cuc")

    response = client.post(f"{client.base}/api/v1/decisions/x/sign", json={})

    assert response.status_code == 403
    assert response.json()["error"] == "forbidden"


def test_openapi_lists_schemas(gateway_only, web_session):
    document = web_session.get("/api/v1/openapi.json").json()

    assert document["openapi"].startswith("3.")
    issue = document["paths"]["/api/v1/decisions/{decision_id}/issue"]["post"]
    assert issue["parameters"][0]["name"] == "decision_id"
    login = document["components"]["schemas"]["Login"]
    assert login["required"] == ["username", "password"]
    assert login["properties"]["username"]["maxLength"] == 64
    status = document["components"]["schemas"]["Decision"]["properties"]["status"]
    assert "issued" in status["enum"]


def test_guide_has_section_anchors(gateway_only, web_session):
    response = web_session.get("/huong-dan")

    assert response.status_code == 200
    assert 'id="quyet-dinh"' in response.text
    assert "Hướng dẫn sử dụng" in response.text


def test_login_page_has_top_bar(gateway_only, web_session):
    text = web_session.get("/dang-nhap").text

    assert 'href="/huong-dan"' in text
    assert 'id="bao-loi"' in text


def test_pages_send_security_headers(gateway_only, web_session):
    headers = web_session.get("/dang-nhap").headers

    assert "script-src 'none'" in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_non_object_body_is_422(gateway_only, web_session):
    response = web_session.post("/api/v1/login", json=["chv79"])

    assert response.status_code == 422
    assert response.json()["error"] == "invalid_input"


def test_broken_json_is_400(gateway_only, web_session):
    response = web_session.post("/api/v1/login", data="{không",
                                headers={"Content-Type": "application/json"})

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_json"
