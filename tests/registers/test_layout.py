"""Tests for register layouts: the YAML files, validation, cell values and header."""

import copy
import datetime as dt
import unicodedata
from decimal import Decimal

import pytest
import yaml

from services.registers import layout as layouts
from services.registers.layout import (
    Column,
    HeaderCell,
    LayoutError,
    cell_value,
    compute_closing_totals,
    header_rows,
    load_layout,
    load_layout_file,
)

FORMS = ["01", "02", "03", "04", "05", "06", "07"]

TITLES = {
    "01": "SỔ NHẬN BẢN ÁN, QUYẾT ĐỊNH",
    "02": "SỔ NHẬN YÊU CẦU THI HÀNH ÁN",
    "03": "SỔ THỤ LÝ THI HÀNH ÁN",
    "04": "SỔ RA QUYẾT ĐỊNH THU HỒI, SỬA ĐỔI, BỔ SUNG, HỦY QUYẾT ĐỊNH VỀ THI HÀNH ÁN",
    "05": "SỔ RA QUYẾT ĐỊNH ỦY THÁC THI HÀNH ÁN",
    "06": "SỔ NHẬN QUYẾT ĐỊNH ỦY THÁC THI HÀNH ÁN",
    "07": "SỔ RA QUYẾT ĐỊNH ỦY THÁC XỬ LÝ TÀI SẢN",
}


# The layout files


def test_all_layouts_returns_every_form_in_order():
    assert [layout.form for layout in layouts.all_layouts()] == FORMS


@pytest.mark.parametrize("form", FORMS)
def test_layout_title_and_label(form):
    layout = load_layout(form)
    assert layout.title == TITLES[form]
    assert layout.form_label == f"Mẫu số {form}"


@pytest.mark.parametrize("form", FORMS)
def test_layout_starts_with_stt_ends_with_notes(form):
    columns = load_layout(form).columns
    assert columns[0].key == "stt"
    assert columns[0].heading == "STT"
    assert columns[0].source == "stt"
    assert columns[-1].heading == "Ghi chú"
    assert columns[-1].source == "notes"


@pytest.mark.parametrize("form", FORMS)
def test_layout_headings_are_vietnamese_nfc(form):
    layout = load_layout(form)
    texts = [layout.title, layout.form_label]
    texts += [column.heading for column in layout.columns]
    texts += [column.group for column in layout.columns if column.group]
    for text in texts:
        assert unicodedata.normalize("NFC", text) == text, text
    for column in layout.columns[1:]:
        assert not column.heading.isascii(), f"{column.key}: {column.heading!r}"


@pytest.mark.parametrize("form", FORMS)
def test_layout_sources_are_row_data_paths(form):
    for column in load_layout(form).columns:
        assert column.source is None or column.source in layouts.ROW_DATA_PATHS


@pytest.mark.parametrize("form", FORMS)
def test_layout_file_marks_headings_as_proposed(form):
    text = load_layout(form).path.read_text(encoding="utf-8")
    assert "PROPOSED" in text
    assert "should confirm" in text


@pytest.mark.parametrize("form", FORMS)
def test_layout_closing_totals_name_columns(form):
    layout = load_layout(form)
    assert layout.closing_totals
    for total in layout.closing_totals:
        assert layout.column_index(total.column) > 0


def test_load_layout_accepts_number_forms():
    assert load_layout(3) is load_layout("03")
    assert load_layout("3").form == "03"


@pytest.mark.parametrize("form", ["99", "abc", ""])
def test_load_layout_rejects_unknown_form(form):
    with pytest.raises(LayoutError):
        load_layout(form)


# Validation of broken layouts

VALID = {
    "form": "09",
    "title": "SỔ THỬ",
    "form_label": "Mẫu số 09",
    "columns": [
        {"key": "stt", "heading": "STT", "width_mm": 12, "source": "stt"},
        {"key": "received_at", "heading": "Ngày nhận", "width_mm": 20,
         "source": "received_at", "format": "date"},
        {"key": "judgment_number", "group": "Bản án", "heading": "Số", "width_mm": 20,
         "source": "judgment.number"},
        {"key": "judgment_date", "group": "Bản án", "heading": "Ngày", "width_mm": 20,
         "source": "judgment.date", "format": "date"},
        {"key": "total_vnd", "heading": "Số tiền", "width_mm": 20,
         "source": "total_vnd", "format": "money", "align": "right"},
        {"key": "notes", "heading": "Ghi chú", "width_mm": 30, "source": "notes"},
    ],
    "closing_totals": [{"column": "total_vnd", "op": "sum"}],
}


def write_layout(tmp_path, data, name="mau09.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def broken(mutate):
    data = copy.deepcopy(VALID)
    mutate(data)
    return data


def test_valid_test_layout_loads(tmp_path):
    layout = load_layout_file(write_layout(tmp_path, VALID))
    assert [column.key for column in layout.columns][:2] == ["stt", "received_at"]
    assert layout.columns[4].align == "right"
    assert layout.columns[0].format == "text"


BROKEN_CASES = {
    "duplicate key": (
        lambda d: d["columns"][2].update(key="received_at"),
        ["columns[2].key", "duplicate key 'received_at'", "columns[1]"],
    ),
    "unknown format": (
        lambda d: d["columns"][1].update(format="dat"),
        ["columns[1] (received_at).format", "'dat'", "date, money, text"],
    ),
    "missing heading": (
        lambda d: d["columns"][1].pop("heading"),
        ["columns[1] (received_at).heading", "missing"],
    ),
    "empty heading": (
        lambda d: d["columns"][1].update(heading="  "),
        ["columns[1] (received_at).heading"],
    ),
    "unknown align": (
        lambda d: d["columns"][1].update(align="middle"),
        ["columns[1] (received_at).align", "'middle'"],
    ),
    "missing source": (
        lambda d: d["columns"][1].pop("source"),
        ["columns[1] (received_at).source", "missing"],
    ),
    "unknown source": (
        lambda d: d["columns"][1].update(source="judgement.date"),
        ["columns[1] (received_at).source", "'judgement.date'"],
    ),
    "bad width": (
        lambda d: d["columns"][1].update(width_mm="20mm"),
        ["columns[1] (received_at).width_mm"],
    ),
    "unknown field": (
        lambda d: d["columns"][1].update(widht_mm=3),
        ["columns[1]", "widht_mm"],
    ),
    "bad key": (
        lambda d: d["columns"][1].update(key="Received At"),
        ["columns[1].key", "'Received At'"],
    ),
    "first column not stt": (
        lambda d: d["columns"].pop(0),
        ["columns[0]", "'stt'"],
    ),
    "last column not notes": (
        lambda d: d["columns"].pop(),
        ["columns[4].heading", "Ghi chú"],
    ),
    "split group": (
        lambda d: (
            d["columns"][3].pop("group"),
            d["columns"][4].update(group="Bản án"),
        ),
        ["columns[4] (total_vnd).group", "'Bản án'"],
    ),
    "form mismatch": (
        lambda d: d.update(form="08"),
        ["form", "'08'", "file name"],
    ),
    "missing title": (
        lambda d: d.pop("title"),
        ["title", "missing"],
    ),
    "no columns": (
        lambda d: d.update(columns=[]),
        ["columns", "non-empty list"],
    ),
    "total of unknown column": (
        lambda d: d["closing_totals"].append({"column": "nope", "op": "count"}),
        ["closing_totals[1].column", "'nope'"],
    ),
    "sum of text column": (
        lambda d: d["closing_totals"].append(
            {"column": "judgment_number", "op": "sum"}
        ),
        ["closing_totals[1].op", "'judgment_number'"],
    ),
    "unknown total op": (
        lambda d: d["closing_totals"].append(
            {"column": "judgment_number", "op": "avg"}
        ),
        ["closing_totals[1].op", "'avg'"],
    ),
    "total in first column": (
        lambda d: d["closing_totals"].append({"column": "stt", "op": "count"}),
        ["closing_totals[1].column"],
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN_CASES))
def test_broken_layout_error_names_field(tmp_path, case):
    mutate, fragments = BROKEN_CASES[case]
    path = write_layout(tmp_path, broken(mutate))
    with pytest.raises(LayoutError) as error:
        load_layout_file(path)
    message = str(error.value)
    assert message.startswith("mau09.yaml: "), message
    for fragment in fragments:
        assert fragment in message, message


def test_invalid_yaml_error_names_file(tmp_path):
    path = tmp_path / "mau09.yaml"
    path.write_text("form: [unclosed\n", encoding="utf-8")
    with pytest.raises(LayoutError, match="mau09.yaml"):
        load_layout_file(path)


def test_top_level_list_rejected(tmp_path):
    path = tmp_path / "mau09.yaml"
    path.write_text("- 1\n", encoding="utf-8")
    with pytest.raises(LayoutError, match="expected a mapping"):
        load_layout_file(path)


# Cell values


def column(source, fmt="text", key="test"):
    return Column(key=key, heading="Thử", width_mm=20, source=source, format=fmt)


def test_cell_value_follows_dotted_path():
    row = {"judgment": {"number": "12/2025/DS-ST", "body": "Tòa án"}}
    assert cell_value(column("judgment.number"), row) == "12/2025/DS-ST"


@pytest.mark.parametrize(
    "row",
    [{}, {"judgment": None}, {"judgment": "text"}, {"judgment": {}},
     {"judgment": {"number": None}}, {"judgment": {"number": ""}}],
)
def test_cell_value_missing_path_is_empty(row):
    assert cell_value(column("judgment.number"), row) == ""


def test_cell_value_null_source_is_empty():
    assert cell_value(column(None), {"notes": "x"}) == ""


@pytest.mark.parametrize(
    "value, expected",
    [
        (dt.date(2026, 1, 5), "05/01/2026"),
        (dt.datetime(2025, 10, 1, 14, 30), "01/10/2025"),
        ("2026-03-09", "09/03/2026"),
        ("2026-03-09T08:00:00+07:00", "09/03/2026"),
        ("09/03/2026", "09/03/2026"),
    ],
)
def test_cell_value_formats_dates(value, expected):
    assert cell_value(column("judgment.date", "date"), {"judgment": {"date": value}}) \
        == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        (1234567, "1.234.567"),
        (0, "0"),
        (999, "999"),
        (1000, "1.000"),
        (-5000, "-5.000"),
        ("1500000", "1.500.000"),
        (Decimal("12000.00"), "12.000"),
        (2_000_000.0, "2.000.000"),
    ],
)
def test_cell_value_formats_money(value, expected):
    assert cell_value(column("total_vnd", "money"), {"total_vnd": value}) == expected


@pytest.mark.parametrize("value", [12.5, Decimal("0.5"), "12,5", True, "abc"])
def test_cell_value_rejects_bad_money(value):
    with pytest.raises(ValueError, match="'total_vnd'"):
        cell_value(column("total_vnd", "money", key="total_vnd"), {"total_vnd": value})


def test_cell_value_normalises_to_nfc():
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Hương")
    value = cell_value(column("debtors"), {"debtors": decomposed})
    assert value == "Nguyễn Thị Hương"
    assert unicodedata.is_normalized("NFC", value)


def test_cell_value_keeps_line_feeds_drops_control_chars():
    notes = "05/12/2025: hoãn\r\n10/01/2026:\ttiếp tục\x00\x0b"
    assert cell_value(column("notes"), {"notes": notes}) \
        == "05/12/2025: hoãn\n10/01/2026: tiếp tục"


def test_cell_value_joins_lists_and_prints_numbers():
    assert cell_value(column("notes"), {"notes": ["a", None, "b"]}) == "a\nb"
    assert cell_value(column("stt"), {"stt": 7}) == "7"


def test_cell_value_keeps_markup_literal():
    assert cell_value(column("notes"), {"notes": "<b>x</b> &"}) == "<b>x</b> &"


# Header rows


def test_header_rows_two_levels_for_mau03():
    top, bottom = header_rows(load_layout("03"))
    assert top[0] == HeaderCell("STT", 0, 0, rowspan=2)
    assert HeaderCell("Quyết định thi hành án", 0, 2, colspan=2) in top
    assert HeaderCell("Bản án, quyết định", 0, 5, colspan=3) in top
    assert [cell.text for cell in bottom] == ["Số", "Ngày", "Số", "Ngày",
                                              "Cơ quan ban hành"]
    assert [cell.column for cell in bottom] == [2, 3, 5, 6, 7]
    assert top[-1] == HeaderCell("Ghi chú", 0, 13, rowspan=2)


@pytest.mark.parametrize("form", FORMS)
def test_header_rows_cover_each_cell_once(form):
    layout = load_layout(form)
    rows = header_rows(layout)
    covered = []
    for row in rows:
        for cell in row:
            for r in range(cell.row, cell.row + cell.rowspan):
                for c in range(cell.column, cell.column + cell.colspan):
                    covered.append((r, c))
    expected = [(r, c) for r in range(len(rows)) for c in range(len(layout.columns))]
    assert sorted(covered) == expected


def test_header_rows_single_level_without_groups(tmp_path):
    data = copy.deepcopy(VALID)
    for item in data["columns"]:
        item.pop("group", None)
    rows = header_rows(load_layout_file(write_layout(tmp_path, data)))
    assert len(rows) == 1
    assert [cell.text for cell in rows[0]][:2] == ["STT", "Ngày nhận"]
    assert all(cell.rowspan == 1 and cell.colspan == 1 for cell in rows[0])


# Closing totals


def test_compute_closing_totals_counts_and_sums():
    layout = load_layout("03")
    rows = [
        {"stt": 1, "decision": {"display": "1/QĐ-THADS"}, "total_vnd": 1_000_000},
        {"stt": 2, "decision": {"display": "2/QĐ-THADS"}, "total_vnd": "250000"},
        {"_closing": {"label": "Kết sổ", "totals": {"total_vnd": 5}}},
        {"stt": 3, "decision": {"display": ""}},
    ]
    assert compute_closing_totals(layout, rows) == {
        "decision_number": 2, "total_vnd": 1_250_000,
    }
