"""Rendering of enforcement decisions to PDF, checked through poppler's tools."""

import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest

from services.decisions import fonts
from services.decisions.pdf import InvalidDecisionError, render_decision
from services.decisions.templates import (
    KINDS,
    REGIMES,
    TemplateError,
    decision_template,
    fill,
)

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
ISSUE_DATES = {"law26_2008": "2026-01-05", "law106_2025": "2026-10-05"}

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils is not installed"
)


def sample_decision(regime: str = "law106_2025", kind: str = "on_request") -> dict:
    return {
        "regime": regime,
        "kind": kind,
        "unit": {
            "code": "79",
            "name": "Thi hành án dân sự Thành phố Hồ Chí Minh",
            "supervisor": "Cục Quản lý thi hành án dân sự",
            "place": "Thành phố Hồ Chí Minh",
            "symbol": "QĐ-THADS",
        },
        "number_display": "05/QĐ-THADS",
        "issued_on": ISSUE_DATES[regime],
        "judgment": {
            "body": "Tòa án nhân dân Thành phố Hồ Chí Minh",
            "number": "41/2018/QĐST-HNGĐ",
            "date": "2018-04-17",
        },
        "request": {"date": "2025-12-29", "requester": "Trương Thị Hồng Nhung"},
        "debtors": [{
            "name": "Lê Phan Bảo Ngọc",
            "address": "12 Nguyễn Trãi, phường Bến Thành, Thành phố Hồ Chí Minh",
            "id_number": "079185001234",
            "birth_year": 1985,
            "representative": None,
        }],
        "creditors": [{
            "name": "Trương Thị Hồng Nhung",
            "address": "45 Lê Lợi, phường Sài Gòn, Thành phố Hồ Chí Minh",
            "id_number": None,
            "birth_year": None,
            "representative": None,
        }],
        "obligations": [
            {
                "description": "Trả tiền nợ gốc và lãi",
                "debtor": "Lê Phan Bảo Ngọc",
                "creditor": "Trương Thị Hồng Nhung",
                "amount": {"kind": "vnd", "value": "192751000"},
                "note": None,
            },
            {
                "description": "Cấp dưỡng nuôi con",
                "debtor": "Lê Phan Bảo Ngọc",
                "creditor": "Trương Thị Hồng Nhung",
                "amount": {
                    "kind": "periodic",
                    "per_period": "5000000",
                    "period": "month",
                    "start": "2018-04-17",
                    "end": None,
                    "end_text": "đến khi con trưởng thành",
                    "steps": [{"from": "2030-09-16", "per_period": "2500000"}],
                },
                "note": None,
            },
            {
                "description": "Án phí dân sự sơ thẩm",
                "debtor": "Lê Phan Bảo Ngọc",
                "creditor": None,
                "amount": {"kind": "vnd", "value": "9637550"},
                "note": None,
            },
            {
                "description": "Trả vàng",
                "debtor": "Lê Phan Bảo Ngọc",
                "creditor": "Nguyễn Thị Ngọc Ánh",
                "amount": {
                    "kind": "gold",
                    "quantity": "22.72",
                    "unit": "lượng",
                    "purity": "9999",
                },
                "note": "Nguyễn Thị Ngọc Ánh là người có quyền lợi liên quan",
            },
        ],
        "officer": {"name": "Nguyễn Thị Ngọc Ánh"},
        "signer": {"name": "Phạm Văn Hùng", "title": "deputy"},
        "related_decision": {"display": "03/QĐ-THADS", "date": ISSUE_DATES[regime]},
        "entrustee": {"name": "Thi hành án dân sự tỉnh Đồng Nai"},
        "reason": "Người phải thi hành án có tài sản tại tỉnh Đồng Nai",
        "extra_recipients": ["Cục Quản lý thi hành án dân sự"],
    }


def pdf_text(pdf: bytes, tmp_path: Path, name: str = "decision") -> str:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"],
        capture_output=True, text=True, check=True,
    )
    return result.stdout


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def rendered() -> bytes:
    return render_decision(sample_decision())


@pytest.fixture(scope="module")
def text(rendered, tmp_path_factory) -> str:
    return pdf_text(rendered, tmp_path_factory.mktemp("pdf"))


def test_header_lines(text):
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "Số: 05/QĐ-THADS" in text
    assert "Thành phố Hồ Chí Minh, ngày 05 tháng 10 năm 2026" in text
    assert "TRƯỞNG THI HÀNH ÁN DÂN SỰ THÀNH PHỐ HỒ CHÍ MINH" in text


def test_names_keep_diacritics(text):
    for name in ("Lê Phan Bảo Ngọc", "Trương Thị Hồng Nhung", "Nguyễn Thị Ngọc Ánh"):
        assert name in flat(text)


def test_amounts_in_digits_and_words(text):
    body = flat(text)
    assert "192.751.000 đồng" in body
    assert "(Một trăm chín mươi hai triệu bảy trăm năm mươi mốt nghìn đồng)" in body
    assert "9.637.550 đồng" in body
    assert "(Chín triệu sáu trăm ba mươi bảy nghìn năm trăm năm mươi đồng)" in body
    assert "5.000.000 đồng/tháng (Năm triệu đồng) từ ngày 17/4/2018" in body
    assert "từ ngày 16/9/2030 còn 2.500.000 đồng/tháng" in body
    assert "22,72 lượng vàng 9999" in body


def test_bases_and_articles(text):
    body = flat(text)
    assert "Căn cứ Luật Thi hành án dân sự số 106/2025/QH15;" in body
    request_basis = (
        "Căn cứ đơn yêu cầu thi hành án ngày 29/12/2025 của Trương Thị Hồng Nhung."
    )
    assert request_basis in body
    assert "QUYẾT ĐỊNH:" in body
    for label in ("Điều 1.", "Điều 2.", "Điều 3."):
        assert label in body
    assert "kể từ ngày nhận được hoặc được thông báo hợp lệ quyết định này" in body
    assert "Chấp hành viên Nguyễn Thị Ngọc Ánh" in body


def test_signature_and_recipients(text):
    assert "KT. TRƯỞNG" in text
    assert "PHÓ TRƯỞNG" in text
    assert "Phạm Văn Hùng" in text
    assert "Nơi nhận:" in text
    assert "- Như Điều 3;" in text
    assert "- Cục Quản lý thi hành án dân sự;" in text
    assert "- Lưu: VT, HSTHA." in text


def test_fonts_embedded_under_own_names(rendered, tmp_path):
    path = tmp_path / "fonts.pdf"
    path.write_bytes(rendered)
    result = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    )
    assert "THADSSerif" in result.stdout
    assert "LiberationSerif" not in result.stdout


def test_same_input_same_bytes(rendered):
    assert render_decision(sample_decision()) == rendered


def test_nfd_input_renders_like_nfc(rendered):
    decomposed = sample_decision()
    decomposed["debtors"][0]["name"] = unicodedata.normalize("NFD", "Lê Phan Bảo Ngọc")
    assert render_decision(decomposed) == rendered


def test_markup_in_names_prints_literally(tmp_path):
    doc = sample_decision()
    doc["debtors"][0]["name"] = "<b>x</b> & <font>"
    doc["obligations"][0]["debtor"] = "<b>x</b> & <font>"
    doc["reason"] = "Tên có ký tự <i>đặc biệt</i> & Co"
    text = flat(pdf_text(render_decision(doc), tmp_path))
    assert "Người phải thi hành án: <b>x</b> & <font>;" in text
    assert "(<b>x</b> & <font> thi hành cho" in text


def test_draft_shows_mark_and_blank_number(tmp_path):
    doc = sample_decision()
    doc["number_display"] = None
    doc["issued_on"] = None
    text = pdf_text(render_decision(doc), tmp_path)
    assert "DỰ THẢO" in text
    assert "/QĐ-THADS" in text
    assert "05/QĐ-THADS" not in text
    assert re.search(r"ngày\s{3,}tháng\s{3,}năm", text)


def test_date_padding_in_place_date_line(tmp_path):
    doc = sample_decision("law26_2008", "ex_officio")
    text = pdf_text(render_decision(doc), tmp_path)
    assert "Thành phố Hồ Chí Minh, ngày 05 tháng 01 năm 2026" in text
    doc["issued_on"] = "2026-06-30"
    text = pdf_text(render_decision(doc), tmp_path)
    assert "ngày 30 tháng 6 năm 2026" in text


@pytest.mark.parametrize("regime", REGIMES)
@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_and_regime_renders(kind, regime, tmp_path):
    pdf = render_decision(sample_decision(regime, kind))
    assert pdf.startswith(b"%PDF-")
    text = flat(pdf_text(pdf, tmp_path))
    _labels, template = decision_template(regime, kind)
    assert template["subject"] in text
    assert "Lê Phan Bảo Ngọc" in text
    assert "- Lưu: VT, HSTHA." in text


def test_old_regime_cites_law_26(tmp_path):
    doc = sample_decision("law26_2008", "ex_officio")
    text = flat(pdf_text(render_decision(doc), tmp_path))
    law_basis = (
        "Căn cứ Điều 23, Điều 35 và Điều 36 Luật Thi hành án dân sự số 26/2008/QH12"
    )
    assert law_basis in text
    assert "Căn cứ Điều 6 Nghị định số 62/2015/NĐ-CP" in text
    assert "đơn yêu cầu" not in text


def test_long_obligation_list_flows_to_later_pages(tmp_path):
    doc = sample_decision()
    doc["obligations"] = [
        {
            "description": f"Khoản thứ {index}",
            "debtor": "Lê Phan Bảo Ngọc",
            "creditor": "Trương Thị Hồng Nhung",
            "amount": {"kind": "vnd", "value": str(1_000_000 + index)},
            "note": None,
        }
        for index in range(1, 81)
    ]
    text = pdf_text(render_decision(doc), tmp_path)
    pages = text.split("\f")
    assert len([page for page in pages if page.strip()]) >= 3
    assert pages[1].strip().startswith("2")
    assert "80. Khoản thứ 80: 1.000.080 đồng" in flat(text)
    assert "Phạm Văn Hùng" in pages[-2] + pages[-1]


def test_regime_must_match_issue_date():
    doc = sample_decision("law26_2008")
    doc["issued_on"] = "2026-07-01"
    with pytest.raises(InvalidDecisionError, match="use law106_2025"):
        render_decision(doc)


def test_on_request_needs_request():
    doc = sample_decision()
    doc["request"] = None
    with pytest.raises(InvalidDecisionError, match="needs request"):
        render_decision(doc)


def test_missing_judgment_number_is_named():
    doc = sample_decision()
    doc["judgment"]["number"] = ""
    with pytest.raises(InvalidDecisionError, match="judgment.number"):
        render_decision(doc)


def test_unknown_signer_title_is_rejected():
    doc = sample_decision()
    doc["signer"]["title"] = "chief"
    with pytest.raises(InvalidDecisionError, match="signer.title"):
        render_decision(doc)


def test_invalid_amount_names_obligation():
    doc = sample_decision()
    doc["obligations"][2]["amount"] = {"kind": "vnd", "value": "12.5"}
    with pytest.raises(InvalidDecisionError, match=r"obligations\[2\]"):
        render_decision(doc)


def test_head_signs_without_kt(tmp_path):
    doc = sample_decision()
    doc["signer"]["title"] = "head"
    text = pdf_text(render_decision(doc), tmp_path)
    assert "KT. TRƯỞNG" not in text
    assert "PHÓ TRƯỞNG" not in text


def test_fill_escapes_template_and_values():
    markup = fill("A & {name}", {"name": "<b>x</b>"})
    assert markup == "A &amp; &lt;b&gt;x&lt;/b&gt;"


@pytest.mark.parametrize(
    "template", ["{name.__class__}", "{name!r}", "{name:>10}", "{0}"]
)
def test_fill_rejects_expressions(template):
    with pytest.raises(TemplateError):
        fill(template, {"name": "x", "0": "y"})


def test_fill_rejects_unknown_placeholder():
    with pytest.raises(TemplateError, match="unknown placeholder"):
        fill("{missing}", {})


def test_font_dir_without_files_fails(tmp_path, monkeypatch):
    monkeypatch.setenv(fonts.FONT_DIR_ENV, str(tmp_path))
    with pytest.raises(fonts.FontError, match="fonts-liberation2"):
        fonts._load_face("Probe", "LiberationSerif-Regular.ttf", "regular")


LIBERATION_1_DIR = Path("/usr/share/fonts/truetype/liberation")


@pytest.mark.skipif(
    not (LIBERATION_1_DIR / "LiberationSerif-Regular.ttf").exists(),
    reason="Liberation 1.x (fonts-liberation) is not installed",
)
def test_liberation_1_is_rejected(monkeypatch):
    monkeypatch.setenv(fonts.FONT_DIR_ENV, str(LIBERATION_1_DIR))
    with pytest.raises(fonts.FontError, match="Ơ") as error:
        fonts._load_face("Probe", "LiberationSerif-Regular.ttf", "regular")
    assert "fonts-liberation2" in str(error.value)


@pytest.mark.skipif(
    shutil.which("pdftoppm") is None, reason="pdftoppm is not installed"
)
def test_first_page_png_artifact(rendered, tmp_path):
    ARTIFACTS.mkdir(exist_ok=True)
    path = tmp_path / "decision.pdf"
    path.write_bytes(rendered)
    prefix = ARTIFACTS / "decision"
    subprocess.run(
        ["pdftoppm", "-r", "80", "-png", "-f", "1", "-l", "1", str(path), str(prefix)],
        check=True,
    )
    assert (ARTIFACTS / "decision-1.png").stat().st_size > 10_000
