"""Walk the main job in Chromium and save screenshots; run as a script.

Playwright's sync API does not run under eventlet's monkey patching, so
the pytest test starts this file in a child process.
Usage: browser_walk.py BASE_URL JUDGMENT_FILE OUTPUT_DIR
"""
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
        "--disable-background-networking"]


def log_in(page, base, username):
    page.goto(f"{base}/dang-nhap")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "thads-demo")
    page.click("button:has-text('Đăng nhập')")


def log_out(page):
    page.click("header button:has-text('Đăng xuất')")


def draft_through_api(page, base, judgment_url):
    """Create the draft through the API when drafting from a proposal failed."""
    print("FALLBACK: drafting from a proposal failed; drafted through the API")
    judgment_id = judgment_url.rstrip("/").rsplit("/", 1)[-1]
    csrf = page.request.get(f"{base}/api/v1/me").json()["csrf_token"]
    content = {
        "decision_kind": "ex_officio", "mode": "ex_officio",
        "judgment_record_id": judgment_id, "request_record_id": None,
        "debtors": [{"name": "Trịnh Quang Vũ",
                     "address": "phường Bến Thành, Thành phố Hồ Chí Minh"}],
        "creditors": [],
        "obligations": [{"ref": "O2", "kind": "court_fee",
                         "description": "Án phí hình sự sơ thẩm",
                         "debtor": "Trịnh Quang Vũ",
                         "amount": {"kind": "vnd", "value": "200000"}}]}
    reply = page.request.post(f"{base}/api/v1/decisions", data={"content": content},
                              headers={"X-CSRF-Token": csrf})
    page.goto(f"{base}/quyet-dinh/{reply.json()['id']}")


def walk(base, judgment_file, out):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800},
                                locale="vi-VN")
        log_in(page, base, "vanthu79")
        page.goto(f"{base}/tiep-nhan")
        page.screenshot(path=out / "1-tiep-nhan.png", full_page=True)
        page.set_input_files("input[type=file]", judgment_file)
        page.click("button:has-text('Nhập tệp')")
        page.screenshot(path=out / "2-ket-qua-nhap.png", full_page=True)
        log_out(page)

        log_in(page, base, "chv79")
        page.goto(f"{base}/ho-so")
        page.click("table a")
        page.screenshot(path=out / "3-ban-an.png", full_page=True)
        judgment_url = page.url
        if page.locator("button:has-text('Lập dự thảo')").count():
            page.click("button:has-text('Lập dự thảo')")
        if "/quyet-dinh/" not in page.url:
            page.screenshot(path=out / "4-loi-lap-du-thao.png", full_page=True)
            draft_through_api(page, base, judgment_url)
        page.screenshot(path=out / "4-du-thao.png", full_page=True)
        page.click("button:has-text('Trình ký')")
        decision_url = page.url
        log_out(page)

        log_in(page, base, "truong79")
        page.goto(decision_url)
        page.fill("input[name=late_reason]", "Chờ xác minh địa chỉ")
        page.click("button:has-text('Ký')")
        # A double click submits the issue form twice; the gateway issues once.
        page.dblclick("button:has-text('Ban hành')")
        page.wait_for_timeout(3000)
        page.goto(decision_url)
        page.screenshot(path=out / "5-da-ban-hanh.png", full_page=True)
        page.goto(f"{base}/")
        page.screenshot(path=out / "6-danh-sach.png", full_page=True)
        page.goto(f"{base}/huong-dan#quyet-dinh")
        page.screenshot(path=out / "7-huong-dan.png", full_page=True)
        register_text = open_register(page, decision_url, out)
        page.click("header a:has-text('Sổ') >> nth=0")
        page.screenshot(path=out / "10-danh-sach-so.png", full_page=True)
        text = page.goto(decision_url).text()
        log_out(page)

        log_in(page, base, "cuc")
        page.screenshot(path=out / "11-trung-uong.png", full_page=True)
        page.click("table a:has-text('Hồ Chí Minh')")
        page.screenshot(path=out / "12-so-cua-don-vi.png", full_page=True)
        browser.close()
        return f"{text}\nREGISTER: {register_text}"


def open_register(page, decision_url, out, timeout_ms=15000):
    """Follow the decision's link to Sổ thụ lý until its row is listed.

    The registers service adds the row from the issue event, so the page
    is reloaded until the row arrives. Returns the register table's text.
    """
    page.goto(decision_url)
    page.click("a:has-text('Xem trong Sổ thụ lý')")
    waited = 0
    while not page.locator("table.register td:has-text('01/QĐ-THADS')").count():
        if waited >= timeout_ms:
            break
        page.wait_for_timeout(500)
        waited += 500
        page.reload()
    page.click("header a:has-text('Sổ thụ lý')")
    page.screenshot(path=out / "8-so-thu-ly.png", full_page=True)
    text = " ".join(page.locator("table.register").inner_text().split())
    page.fill("input[name=date_from]", "01/10/2026")
    page.fill("input[name=party]", "trinh quang vu")
    page.click("button:has-text('Lọc')")
    page.screenshot(path=out / "9-so-thu-ly-loc.png", full_page=True)
    return text


if __name__ == "__main__":
    output = Path(sys.argv[3])
    output.mkdir(parents=True, exist_ok=True)
    print(walk(sys.argv[1], sys.argv[2], output))
