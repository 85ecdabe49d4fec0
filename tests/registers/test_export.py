"""Tests for register export to XLSX (openpyxl) and PDF (checked with poppler)."""

import datetime as dt
import io
import re
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook
from reportlab.lib.units import mm

from services.registers import export, pdf_fonts
from services.registers.export import export_pdf, export_xlsx, wrap_text
from services.registers.layout import header_rows, load_layout

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
META = {"unit_name": "Thi hành án dân sự tỉnh Nghệ An", "work_year": 2026,
        "printed_at": "2026-12-04"}
CLOSING_LABEL = "Kết sổ Quý I năm công tác 2026"
MARKUP = "<b>x</b> &"


def entry(number: int) -> dict:
    day = dt.date(2025, 10, 1) + dt.timedelta(days=number)
    return {
        "stt": number,
        "entry_date": day,
        "decision": {"display": f"{number}/QĐ-THADS", "date": day.isoformat(),
                     "mode": "Chủ động" if number % 2 else "Theo yêu cầu"},
        "judgment": {"number": f"{number}/2025/DS-ST", "date": "2025-09-01",
                     "body": "Tòa án nhân dân khu vực 1 - Nghệ An"},
        "debtors": f"Nguyễn Văn Ấn, hồ sơ {number:03d}, xã Hưng Đông",
        "creditors": "Trần Thị Bình, phường Vinh Phú, tỉnh Nghệ An",
        "obligations": "Án phí dân sự sơ thẩm 300.000 đồng; "
                       "bồi thường 15.000.000 đồng",
        "total_vnd": 15_300_000 + number,
        "officer": "Lê Văn Cường",
        "notes": MARKUP if number == 3 else "",
    }


def closing(count: int, total: int) -> dict:
    totals = {"decision_number": count, "total_vnd": total}
    return {"_closing": {"label": CLOSING_LABEL, "totals": totals}}


def register(entries: int, closing_after: int | None = None):
    for number in range(1, entries + 1):
        yield entry(number)
        if number == closing_after:
            total = sum(15_300_000 + n for n in range(1, number + 1))
            yield closing(number, total)


# XLSX


@pytest.fixture(scope="module")
def workbook_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("xlsx") / "mau03.xlsx"
    rows = register(30, closing_after=10)
    written = export_xlsx(load_layout("03"), META, rows, path)
    assert written == 30
    return path


@pytest.fixture(scope="module")
def sheet(workbook_path):
    return load_workbook(workbook_path).active


def find_row(sheet, text: str) -> int:
    for row in sheet.iter_rows(min_col=1, max_col=1):
        if row[0].value == text:
            return row[0].row
    raise AssertionError(f"{text!r} not found in column A")


def header_row_number(sheet) -> int:
    return find_row(sheet, "STT")


def test_xlsx_title_block(sheet):
    assert sheet.title == "Mẫu số 03"
    column_a = [sheet.cell(row, 1).value for row in range(1, 6)]
    assert column_a == [
        "Thi hành án dân sự tỉnh Nghệ An",
        "SỔ THỤ LÝ THI HÀNH ÁN",
        "NĂM CÔNG TÁC 2026",
        "(Từ ngày 01/10/2025 đến ngày 30/09/2026)",
        "Ngày in: 04/12/2026",
    ]
    assert sheet.cell(1, 14).value == "Mẫu số 03"


def test_xlsx_two_level_header_with_merges(sheet):
    layout = load_layout("03")
    first = header_row_number(sheet)
    merged = {str(cell_range) for cell_range in sheet.merged_cells.ranges}
    for level in header_rows(layout):
        for cell in level:
            row = first + cell.row
            assert sheet.cell(row, cell.column + 1).value == cell.text
    assert "C7:D7" in merged  # "Quyết định thi hành án" over "Số" and "Ngày"
    assert "F7:H7" in merged  # "Bản án, quyết định"
    assert "A7:A8" in merged  # "STT" spans both header rows
    numbers = [sheet.cell(first + 2, column).value for column in range(1, 15)]
    assert numbers == [f"({n})" for n in range(1, 15)]


def test_xlsx_entries_round_trip(sheet):
    first = header_row_number(sheet) + 3
    values = sheet.iter_rows(min_row=first, max_row=first + 9, values_only=True)
    for number, row in enumerate(values, start=1):
        source = entry(number)
        assert row[0] == number
        assert row[1] == dt.datetime.combine(source["entry_date"], dt.time())
        assert row[2] == f"{number}/QĐ-THADS"
        assert row[3] == dt.datetime.fromisoformat(source["decision"]["date"])
        assert row[4] == source["decision"]["mode"]
        assert row[5] == f"{number}/2025/DS-ST"
        assert row[7] == "Tòa án nhân dân khu vực 1 - Nghệ An"
        assert row[8] == source["debtors"]
        assert row[11] == 15_300_000 + number
        assert row[12] == "Lê Văn Cường"
        assert row[13] == (MARKUP if number == 3 else None)


def test_xlsx_number_formats(sheet):
    first = header_row_number(sheet) + 3
    assert sheet.cell(first, 2).number_format == "DD/MM/YYYY"
    assert sheet.cell(first, 12).number_format == "#,##0"
    assert sheet.cell(first, 9).alignment.wrap_text


def test_xlsx_closing_block(sheet):
    label_row = find_row(sheet, CLOSING_LABEL)
    assert sheet.cell(label_row - 1, 1).value == 10
    merged = {str(cell_range) for cell_range in sheet.merged_cells.ranges}
    assert f"A{label_row}:N{label_row}" in merged
    label = sheet.cell(label_row, 1)
    assert label.font.bold
    assert label.font.color.rgb.endswith("C00000")
    totals_row = label_row + 1
    assert sheet.cell(totals_row, 1).value == "Cộng"
    assert sheet.cell(totals_row, 3).value == 10
    expected_total = sum(15_300_000 + n for n in range(1, 11))
    assert sheet.cell(totals_row, 12).value == expected_total
    signatures = sheet.cell(totals_row + 1, 1).value
    assert signatures.startswith("NGƯỜI KẾT SỔ")
    assert sheet.cell(totals_row + 2, 1).value == 11


def test_xlsx_print_setup(sheet):
    assert sheet.page_setup.orientation == "landscape"
    assert int(sheet.page_setup.paperSize) == 8  # A3
    assert sheet.print_title_rows == "$7:$9"
    assert "&P" in sheet.oddHeader.center.text


def test_xlsx_writes_to_binary_file_and_reports_progress(monkeypatch):
    monkeypatch.setattr(export, "PROGRESS_EVERY", 10)
    calls = []
    buffer = io.BytesIO()
    written = export_xlsx(load_layout("03"), META, register(25), buffer, calls.append)
    assert written == 25
    assert calls == [10, 20, 25]
    sheet = load_workbook(io.BytesIO(buffer.getvalue()), read_only=True).active
    assert sum(1 for _ in sheet.iter_rows()) > 25


@pytest.mark.parametrize("form", ["01", "02", "04", "05", "06", "07"])
def test_xlsx_exports_every_form(form, tmp_path):
    layout = load_layout(form)
    path = tmp_path / f"mau{form}.xlsx"
    assert export_xlsx(layout, META, [{"stt": 1, "notes": "Ghi chú thử"}], path) == 1
    sheet = load_workbook(path).active
    first = header_row_number(sheet)
    assert sheet.cell(first + 3, len(layout.columns)).value == "Ghi chú thử"


@pytest.mark.parametrize(
    "meta, fragment",
    [
        ({"work_year": 2026}, "unit_name"),
        ({"unit_name": "X", "work_year": "2026"}, "work_year"),
        ({"unit_name": "X", "work_year": 2026, "printed_at": "hôm nay"}, "printed_at"),
    ],
)
def test_export_rejects_invalid_meta(meta, fragment):
    with pytest.raises(ValueError, match=fragment):
        export_xlsx(load_layout("03"), meta, [], io.BytesIO())


def test_export_rejects_closing_with_unknown_total():
    rows = [entry(1), {"_closing": {"label": "Kết sổ", "totals": {"tien": 1}}}]
    with pytest.raises(ValueError, match="tien"):
        export_xlsx(load_layout("03"), META, rows, io.BytesIO())
    with pytest.raises(ValueError, match="tien"):
        export_pdf(load_layout("03"), META, rows, io.BytesIO())


def test_xlsx_failure_removes_temporary_file():
    from openpyxl.worksheet._writer import ALL_TEMP_FILES

    before = set(ALL_TEMP_FILES)
    rows = [entry(1), dict(entry(2), total_vnd=1.5)]
    with pytest.raises(ValueError, match="total_vnd"):
        export_xlsx(load_layout("03"), META, rows, io.BytesIO())
    assert set(ALL_TEMP_FILES) == before


# PDF


def pdf_text(path: Path, page: int) -> str:
    pages = ["-f", str(page), "-l", str(page)]
    command = ["pdftotext", "-layout", *pages, str(path), "-"]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def pdf_pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True,
                          check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


@pytest.fixture(scope="module")
def pdf_path():
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / "register-mau03.pdf"
    written = export_pdf(load_layout("03"), META, register(60, closing_after=20), path)
    assert written == 60
    return path


HEADINGS = ["STT", "Ngày thụ", "Quyết định thi hành án", "Bản án, quyết định",
            "Cơ quan ban hành", "Người phải thi hành án", "Người được thi hành án",
            "Khoản phải thi hành", "Ghi chú"]


def test_pdf_is_a3_landscape(pdf_path):
    info = subprocess.run(["pdfinfo", str(pdf_path)], capture_output=True, text=True,
                          check=True).stdout
    assert "1190.55 x 841.89 pts (A3)" in info
    assert pdf_pages(pdf_path) >= 3


def test_pdf_embeds_only_liberation_serif(pdf_path):
    fonts = subprocess.run(["pdffonts", str(pdf_path)], capture_output=True,
                           text=True, check=True).stdout.splitlines()[2:]
    assert fonts
    for line in fonts:
        assert "LiberationSerif" in line
        assert " yes yes yes " in line  # embedded, subset, with a Unicode map


def test_pdf_page_one_has_title_headings_and_rows(pdf_path):
    text = pdf_text(pdf_path, 1)
    expected_texts = [
        "SỔ THỤ LÝ THI HÀNH ÁN", "NĂM CÔNG TÁC 2026",
        "Thi hành án dân sự tỉnh Nghệ An", "Mẫu số 03", "Ngày in: 04/12/2026",
        *HEADINGS, "Nguyễn Văn Ấn, hồ sơ 001", "15.300.001", "02/10/2025", "Trang 1",
    ]
    for expected in expected_texts:
        assert expected in text, expected


def test_pdf_page_two_repeats_header(pdf_path):
    text = pdf_text(pdf_path, 2)
    for expected in HEADINGS + ["Trang 2"]:
        assert expected in text, expected
    assert "SỔ THỤ LÝ THI HÀNH ÁN" not in text
    numbers = [int(n) for n in re.findall(r"Nguyễn Văn Ấn, hồ sơ (\d{3})", text)]
    assert numbers
    first_page = re.findall(r"Nguyễn Văn Ấn, hồ sơ (\d{3})", pdf_text(pdf_path, 1))
    assert min(numbers) == int(max(first_page)) + 1


def test_pdf_every_entry_printed_once(pdf_path):
    pages = pdf_pages(pdf_path)
    text = "".join(pdf_text(pdf_path, page) for page in range(1, pages + 1))
    numbers = re.findall(r"Nguyễn Văn Ấn, hồ sơ (\d{3})", text)
    assert [int(n) for n in numbers] == list(range(1, 61))


def test_pdf_page_numbers_centred_in_top_margin(pdf_path):
    command = ["pdftotext", "-bbox", str(pdf_path), "-"]
    html = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    pages = html.split("<page ")[1:]
    assert len(pages) == pdf_pages(pdf_path)
    for number, page in enumerate(pages, start=1):
        match = re.search(
            r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">'
            r'Trang</word>\s*<word [^>]*>(\d+)</word>',
            page,
        )
        assert match, f"no page number on page {number}"
        x_min, y_min, x_max, page_label = match.groups()
        assert int(page_label) == number
        assert float(y_min) < 16 * 72 / 25.4  # inside the 16 mm top margin
        assert abs((float(x_min) + float(x_max)) / 2 - 1190.55 / 2) < 20


def test_pdf_closing_block(pdf_path):
    pages = pdf_pages(pdf_path)
    texts = [pdf_text(pdf_path, page) for page in range(1, pages + 1)]
    page = next(t for t in texts if CLOSING_LABEL in t)
    total = sum(15_300_000 + n for n in range(1, 21))
    assert re.search(r"Cộng\s+20\s", page)
    assert f"{total:,}".replace(",", ".") in page
    assert "NGƯỜI KẾT SỔ" in page
    assert "XÁC NHẬN CỦA THỦ TRƯỞNG CƠ QUAN" in page
    lines = page.splitlines()
    label_line = next(i for i, line in enumerate(lines) if CLOSING_LABEL in line)
    before = "\n".join(lines[:label_line])
    assert "hồ sơ 020" in before
    assert "hồ sơ 021" not in before


def test_pdf_prints_markup_literally(pdf_path):
    assert MARKUP in pdf_text(pdf_path, 1)


def test_pdf_page_one_png(pdf_path):
    prefix = ARTIFACTS / "register-mau03-page"
    command = ["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1"]
    subprocess.run([*command, str(pdf_path), str(prefix)], check=True)
    images = list(ARTIFACTS.glob("register-mau03-page-*1.png"))
    assert images
    assert images[0].stat().st_size > 10_000


def test_pdf_splits_row_taller_than_page(tmp_path):
    notes = "\n".join(f"Dòng ghi chú số {n}" for n in range(1, 121))
    rows = [dict(entry(1), notes=notes), entry(2)]
    path = tmp_path / "tall.pdf"
    assert export_pdf(load_layout("03"), META, rows, path) == 2
    pages = pdf_pages(path)
    assert pages >= 2
    text = "".join(pdf_text(path, page) for page in range(1, pages + 1))
    found = [int(n) for n in re.findall(r"Dòng ghi chú số (\d+)", text)]
    assert found == list(range(1, 121))
    assert "hồ sơ 002" in text


def test_pdf_empty_register_has_header(tmp_path):
    path = tmp_path / "empty.pdf"
    assert export_pdf(load_layout("07"), META, [], path) == 0
    assert pdf_pages(path) == 1
    text = pdf_text(path, 1)
    assert "SỔ RA QUYẾT ĐỊNH ỦY THÁC XỬ LÝ TÀI SẢN" in text
    assert "Tài sản ủy thác xử lý" in text


def test_pdf_writes_pages_before_rows_end():
    # Pages must reach the output while rows are still being produced, which is
    # what keeps memory bounded for long registers.
    buffer = io.BytesIO()
    sizes = []

    def rows():
        for number in range(1, 201):
            sizes.append(buffer.tell())
            yield entry(number)

    export_pdf(load_layout("03"), META, rows(), buffer)
    assert sizes[0] < 100
    assert sizes[100] > 20_000
    assert buffer.getvalue().startswith(b"%PDF-1.")
    assert buffer.getvalue().rstrip().endswith(b"%%EOF")


def test_pdf_reports_progress(monkeypatch, tmp_path):
    monkeypatch.setattr(export, "PROGRESS_EVERY", 7)
    calls = []
    export_pdf(load_layout("03"), META, register(15, closing_after=5),
               tmp_path / "p.pdf", calls.append)
    assert calls == [7, 14, 15]


# Line wrapping


@pytest.fixture(scope="module")
def bold_style():
    fonts = pdf_fonts.register_fonts()
    return export._TextStyle(fonts.bold, 10, 12)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("11.270.108.175.000", ["11.270.108.", "175.000"]),
        ("32/QĐ-THADS", ["32/QĐ-", "THADS"]),
        ("a\n\nb", ["a", "", "b"]),
        ("", [""]),
    ],
)
def test_wrap_text_breaks_after_punctuation(bold_style, text, expected):
    assert wrap_text(text, bold_style, 19 * mm) == expected


def test_wrap_text_lines_fit_and_keep_words(bold_style):
    text = "Nguyễn Văn Ấn, thôn 3, xã Hưng Đông, tỉnh Nghệ An " * 5 + "X" * 80
    lines = wrap_text(text, bold_style, 40 * mm)
    assert len(lines) > 5
    for line in lines:
        assert bold_style.width(line) <= 40 * mm, line
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
