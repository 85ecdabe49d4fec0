"""Sessions, CSRF and login throttling under attack."""
import eventlet
import requests

from gateway.demo import DEMO_PASSWORD

API_CHANGES = [
    ("POST", "/api/v1/records", {"records": {}}),
    ("POST", "/api/v1/records/x/drafts", {"index": 0}),
    ("POST", "/api/v1/decisions", {"content": {}}),
    ("PUT", "/api/v1/decisions/x", {"content": {}}),
    ("POST", "/api/v1/decisions/x/submit", {}),
    ("POST", "/api/v1/decisions/x/return", {"note": "Sửa"}),
    ("POST", "/api/v1/decisions/x/sign", {}),
    ("POST", "/api/v1/decisions/x/issue", {}),
    ("POST", "/api/v1/decisions/x/revoke", {"kind": "revocation", "reason": "Sai"}),
]
PAGE_CHANGES = [
    "/dang-xuat", "/tiep-nhan/tep", "/tiep-nhan/ban-an", "/ho-so/x/du-thao",
    "/quyet-dinh/x/trinh", "/quyet-dinh/x/tra-lai", "/quyet-dinh/x/ky",
    "/quyet-dinh/x/ban-hanh",
]


def login_as(base, username, password=DEMO_PASSWORD):
    return requests.post(f"{base}/api/v1/login",
                         json={"username": username, "password": password})


# CSRF


def test_every_api_change_needs_own_csrf(gateway_only, login):
    client = login("truong79")
    other = login("chv79")
    own_token = client.headers.pop("X-CSRF-Token")

    for method, path, body in API_CHANGES:
        missing = client.request(method, f"{client.base}{path}", json=body)
        foreign = client.request(method, f"{client.base}{path}", json=body,
                                 headers={"X-CSRF-Token":
                                          other.headers["X-CSRF-Token"]})
        in_query = client.request(method, f"{client.base}{path}", json=body,
                                  params={"csrf_token": own_token})
        for response in (missing, foreign, in_query):
            assert response.status_code == 403, (method, path)
            assert response.json()["error"] == "csrf", (method, path)


def test_every_page_post_needs_own_csrf(gateway_only, login):
    client = login("truong79")
    other = login("chv79")
    client.headers.pop("X-CSRF-Token")

    for path in PAGE_CHANGES:
        missing = client.post(f"{client.base}{path}", data={"note": "x"},
                              allow_redirects=False)
        foreign = client.post(f"{client.base}{path}", allow_redirects=False,
                              data={"csrf_token": other.headers["X-CSRF-Token"]})
        for response in (missing, foreign):
            assert response.status_code == 403, path
            assert "CSRF" in response.text, path
    assert client.get(f"{client.base}/api/v1/me").status_code == 200


# Sessions


def test_planted_session_cookie_is_replaced(gateway_only, web_session,
                                            web_config_port):
    planted = "ke-tan-cong-chon-san"
    web_session.cookies.set("thads_session", planted)

    response = web_session.post("/api/v1/login", json={
        "username": "chv79", "password": DEMO_PASSWORD})
    replay = requests.get(f"http://127.0.0.1:{web_config_port}/api/v1/me",
                          cookies={"thads_session": planted})

    token = response.cookies.get("thads_session")
    assert response.status_code == 200
    assert token
    assert token != planted
    assert replay.status_code == 401


def test_logout_ends_token_server_side(gateway_only, login):
    client = login("chv79")
    token = client.cookies.get("thads_session")

    client.post(f"{client.base}/api/v1/logout")
    replay = requests.get(f"{client.base}/api/v1/me",
                          cookies={"thads_session": token})

    assert replay.status_code == 401


def test_second_login_keeps_sessions_apart(gateway_only, login):
    first = login("chv79")
    second = login("chv79")

    assert first.cookies.get("thads_session") != second.cookies.get("thads_session")
    assert first.headers["X-CSRF-Token"] != second.headers["X-CSRF-Token"]


# Login


def test_username_case_is_not_another_account(gateway_only, login):
    base = login("chv79").base

    for variant in ("CHV79", "Chv79", " chv79", "chv79 ", "ｃｈｖ７９"):
        response = login_as(base, variant)
        assert response.status_code == 401, variant
        assert response.json()["error"] == "invalid_credentials", variant


def test_throttle_holds_under_parallel_guesses(gateway_only, login):
    # Five failures in 15 minutes block the username. Guesses sent at
    # once must not each get a password check before any failure is
    # counted.
    base = login("chv01").base
    pool = eventlet.GreenPool(12)

    codes = list(pool.imap(
        lambda index: login_as(base, "chv79", f"sai-{index}").status_code,
        range(12)))

    assert codes.count(401) <= 5, codes
    assert codes.count(429) >= 7, codes


def test_login_checks_password_of_unknown_user(gateway_only, login,
                                               monkeypatch):
    # A known username costs a bcrypt check. An unknown one must cost one
    # too, because a faster reply reveals which usernames exist.
    import bcrypt

    base = login("chv01").base
    real_checkpw = bcrypt.checkpw
    hashes = []

    def counting_checkpw(password, hashed):
        hashes.append(hashed)
        return real_checkpw(password, hashed)

    monkeypatch.setattr(bcrypt, "checkpw", counting_checkpw)

    unknown = login_as(base, "khong-co-ai", "mat-khau-sai")
    unknown_checks = list(hashes)
    hashes.clear()
    known = login_as(base, "chv79", "mat-khau-sai")

    assert unknown.status_code == 401
    assert known.status_code == 401
    assert len(unknown_checks) == 1
    assert len(hashes) == 1
    assert unknown_checks[0][:7] == hashes[0][:7], "bcrypt cost differs"


def test_login_messages_are_the_same(gateway_only, login):
    base = login("chv01").base

    known = login_as(base, "chv79", "sai").json()
    unknown = login_as(base, "khong-co-ai", "sai").json()

    assert known == unknown
