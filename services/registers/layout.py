"""Register layouts: the printed columns of each register form, loaded from YAML.

Each file ``layouts/mauNN.yaml`` describes one form of Thông tư 04/2023/TT-BTP,
Phụ lục I: its title, its ordered columns and the totals of its closing lines
(kết sổ). A column reads its value from a row dict by a dotted ``source`` path, so
the registers service only has to fill rows with the paths in ``ROW_DATA_PATHS``.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

LAYOUT_DIR = Path(__file__).resolve().parent / "layouts"

FORMATS = ("date", "money", "text")
ALIGNS = ("left", "center", "right")
TOTAL_OPS = ("count", "sum")

# Row data paths that the registers service fills. A layout may read only these.
ROW_DATA_PATHS = frozenset(
    """
    stt entry_date received_at mode_of_receipt
    judgment.number judgment.date judgment.body judgment.effective_date
    parties debtors creditors requester request.date request.content
    decision.display decision.date decision.mode decision.kind_label
    obligations total_vnd officer related_decision.display related_decision.date
    entrustment.number entrustment.date entrustment.sender entrustment.receiver
    entrustment.amount_vnd asset.description asset.location
    result notes other_documents
    """.split()
)

# Key of a row dict that marks a closing line (kết sổ) instead of a register entry.
CLOSING_KEY = "_closing"

_COLUMN_FIELDS = {"key", "heading", "group", "width_mm", "source", "align", "format"}
_LAYOUT_FIELDS = {"form", "title", "form_label", "columns", "closing_totals"}
_TOTAL_FIELDS = {"column", "op"}
_KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class LayoutError(ValueError):
    """A layout file is invalid. The message names the file and the field."""


@dataclass(frozen=True)
class Column:
    """One printed column of a register.

    ``width_mm`` is the width on the A3 print. The PDF export scales all columns
    so that together they fill the printable width.
    """

    key: str
    heading: str
    width_mm: float
    source: str | None
    align: str = "left"
    format: str = "text"
    group: str | None = None


@dataclass(frozen=True)
class ClosingTotal:
    """A column that a closing line counts (non-empty values) or sums."""

    column: str
    op: str


@dataclass(frozen=True)
class Layout:
    """The printed form of one register."""

    form: str
    title: str
    form_label: str
    columns: tuple[Column, ...]
    closing_totals: tuple[ClosingTotal, ...]
    path: Path

    def column_index(self, key: str) -> int:
        for index, column in enumerate(self.columns):
            if column.key == key:
                return index
        raise KeyError(f"layout {self.form_label} has no column {key!r}")


@dataclass(frozen=True)
class HeaderCell:
    """A header cell at (row, column), zero-based, covering rowspan x colspan cells."""

    text: str
    row: int
    column: int
    rowspan: int = 1
    colspan: int = 1


def clean_text(value: str) -> str:
    """Return text in NFC with tabs as spaces and other control characters removed.

    Line feeds are kept because cells such as ``notes`` join several lines.
    """
    text = value.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return unicodedata.normalize("NFC", _CONTROL_CHARS.sub("", text))


def is_closing(row: Mapping[str, Any]) -> bool:
    return CLOSING_KEY in row


# Loading and validation


def load_layout(form: str | int) -> Layout:
    """Load the layout of a form given as "03", "3" or 3, once per process.

    Raises LayoutError when the form is unknown or its file is invalid.
    """
    number = str(form).strip()
    if not number.isdigit():
        raise LayoutError(f"invalid form number {form!r}; expected e.g. '03'")
    return _load_form(f"{int(number):02d}")


@functools.lru_cache(maxsize=None)
def _load_form(form: str) -> Layout:
    path = LAYOUT_DIR / f"mau{form}.yaml"
    if not path.is_file():
        raise LayoutError(f"layout for form {form!r} not found: {path}")
    return load_layout_file(path)


def all_layouts() -> list[Layout]:
    """Load every layout in LAYOUT_DIR, ordered by form number."""
    paths = sorted(LAYOUT_DIR.glob("mau*.yaml"))
    return [load_layout(path.stem.removeprefix("mau")) for path in paths]


def load_layout_file(path: str | Path) -> Layout:
    """Load and validate one layout file. Raises LayoutError naming the field."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise LayoutError(f"{path.name}: failed to read layout: {error}") from error
    return _LayoutParser(path).parse(data)


class _LayoutParser:
    def __init__(self, path: Path):
        self.path = path

    def fail(self, field: str, problem: str) -> LayoutError:
        return LayoutError(f"{self.path.name}: {field}: {problem}")

    def parse(self, data: Any) -> Layout:
        if not isinstance(data, dict):
            raise self.fail("(top level)", "expected a mapping")
        self.reject_unknown(data, _LAYOUT_FIELDS, "(top level)")
        form = self.text(data, "form", "form")
        if not re.fullmatch(r"\d{2}", form):
            raise self.fail("form", f"invalid value {form!r}; expected two digits")
        expected_stem = f"mau{form}"
        if self.path.stem != expected_stem:
            raise self.fail("form", f"{form!r} does not match the file name")
        columns = self.columns(data.get("columns"))
        totals = self.closing_totals(data.get("closing_totals", []), columns)
        return Layout(
            form=form,
            title=self.text(data, "title", "title"),
            form_label=self.text(data, "form_label", "form_label"),
            columns=columns,
            closing_totals=totals,
            path=self.path,
        )

    def reject_unknown(self, mapping: dict, allowed: set[str], where: str) -> None:
        unknown = sorted(set(mapping) - allowed)
        if unknown:
            raise self.fail(where, f"unknown field(s) {', '.join(unknown)}")

    def text(self, mapping: dict, name: str, field: str) -> str:
        value = mapping.get(name)
        if value is None:
            raise self.fail(field, "missing")
        if not isinstance(value, str) or not value.strip():
            raise self.fail(field, f"expected non-empty text, got {value!r}")
        return clean_text(value.strip())

    def optional_choice(
        self, mapping: dict, name: str, field: str, choices: tuple, default: str
    ) -> str:
        value = mapping.get(name, default)
        if value not in choices:
            expected = ", ".join(choices)
            raise self.fail(
                field, f"unknown value {value!r}; expected one of {expected}"
            )
        return value

    def columns(self, items: Any) -> tuple[Column, ...]:
        if not isinstance(items, list) or not items:
            raise self.fail("columns", "expected a non-empty list")
        columns = tuple(self.column(item, index) for index, item in enumerate(items))
        self.check_keys(columns)
        self.check_ends(columns)
        self.check_groups(columns)
        return columns

    def column(self, item: Any, index: int) -> Column:
        where = f"columns[{index}]"
        if not isinstance(item, dict):
            raise self.fail(where, "expected a mapping")
        self.reject_unknown(item, _COLUMN_FIELDS, where)
        key = self.text(item, "key", f"{where}.key")
        if not _KEY_PATTERN.match(key):
            raise self.fail(f"{where}.key", f"invalid key {key!r}; use snake_case")
        where = f"{where} ({key})"
        group = None
        if item.get("group") is not None:
            group = self.text(item, "group", f"{where}.group")
        return Column(
            key=key,
            heading=self.text(item, "heading", f"{where}.heading"),
            width_mm=self.width(item.get("width_mm"), f"{where}.width_mm"),
            source=self.source(item, f"{where}.source"),
            align=self.optional_choice(
                item, "align", f"{where}.align", ALIGNS, "left"
            ),
            format=self.optional_choice(
                item, "format", f"{where}.format", FORMATS, "text"
            ),
            group=group,
        )

    def width(self, value: Any, field: str) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(field, f"expected a number of millimetres, got {value!r}")
        if not 3 <= value <= 400:
            raise self.fail(field, f"{value} mm is out of range 3..400")
        return float(value)

    def source(self, item: dict, field: str) -> str | None:
        # An explicit null source prints an empty cell, e.g. for signatures.
        if "source" not in item:
            raise self.fail(field, "missing (write 'source: null' for a blank column)")
        value = item["source"]
        if value is None:
            return None
        if value not in ROW_DATA_PATHS:
            raise self.fail(field, f"unknown row data path {value!r}")
        return value

    def check_keys(self, columns: tuple[Column, ...]) -> None:
        seen: dict[str, int] = {}
        for index, column in enumerate(columns):
            if column.key in seen:
                first = seen[column.key]
                raise self.fail(
                    f"columns[{index}].key",
                    f"duplicate key {column.key!r} (first used in columns[{first}])",
                )
            seen[column.key] = index

    def check_ends(self, columns: tuple[Column, ...]) -> None:
        first, last = columns[0], columns[-1]
        if first.key != "stt" or first.source != "stt":
            raise self.fail(
                "columns[0]", "the first column must have key 'stt' and source 'stt'"
            )
        if last.heading != "Ghi chú" or last.group is not None:
            last_field = f"columns[{len(columns) - 1}].heading"
            raise self.fail(
                last_field, "the last column must be 'Ghi chú', outside any group"
            )

    def check_groups(self, columns: tuple[Column, ...]) -> None:
        closed: set[str] = set()
        previous = None
        for index, column in enumerate(columns):
            if column.group != previous and previous is not None:
                closed.add(previous)
            if column.group is not None and column.group in closed:
                raise self.fail(
                    f"columns[{index}] ({column.key}).group",
                    f"group {column.group!r} must cover adjacent columns only",
                )
            previous = column.group

    def closing_totals(
        self, items: Any, columns: tuple[Column, ...]
    ) -> tuple[ClosingTotal, ...]:
        if not isinstance(items, list):
            raise self.fail("closing_totals", "expected a list")
        by_key = {column.key: column for column in columns}
        totals = []
        for index, item in enumerate(items):
            where = f"closing_totals[{index}]"
            if not isinstance(item, dict):
                raise self.fail(where, "expected a mapping")
            self.reject_unknown(item, _TOTAL_FIELDS, where)
            key = self.text(item, "column", f"{where}.column")
            column = by_key.get(key)
            if column is None:
                raise self.fail(f"{where}.column", f"unknown column {key!r}")
            if column is columns[0]:
                raise self.fail(
                    f"{where}.column",
                    "invalid: the first column contains the 'Cộng' label of closing "
                    "lines, so it cannot have a total",
                )
            op = item.get("op")
            if op not in TOTAL_OPS:
                raise self.fail(
                    f"{where}.op", f"unknown op {op!r}; expected count or sum"
                )
            if op == "sum" and column.format != "money":
                raise self.fail(
                    f"{where}.op", f"sum needs a money column, but {key!r} is not"
                )
            totals.append(ClosingTotal(column=key, op=op))
        return tuple(totals)


# Cell values


def raw_value(column: Column, row: Mapping[str, Any]) -> Any:
    """Return the value at the column's dotted source path, or None when absent."""
    if column.source is None:
        return None
    value: Any = row
    for part in column.source.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def cell_value(column: Column, row: Mapping[str, Any]) -> str:
    """Return the printable text of a column for one row, formatted per the layout.

    Raises ValueError when a money value is not a whole number of đồng.
    """
    value = raw_value(column, row)
    if value is None or value == "":
        return ""
    if column.format == "date":
        return format_date(value)
    if column.format == "money":
        return format_money(to_whole_dong(value, column.key))
    if isinstance(value, (list, tuple)):
        return clean_text("\n".join(str(item) for item in value if item is not None))
    return clean_text(str(value))


def to_date(value: Any) -> dt.date | None:
    """Return a date for a date, a datetime or an ISO 8601 string; otherwise None."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def format_date(value: Any) -> str:
    """Format a date as dd/mm/yyyy. Text that is not an ISO date is kept as is."""
    parsed = to_date(value)
    if parsed is None:
        return clean_text(str(value))
    return parsed.strftime("%d/%m/%Y")


def to_whole_dong(value: Any, key: str = "?") -> int:
    """Return a money value as an int of đồng.

    Raises ValueError for fractions, booleans and text that is not an integer.
    """
    if isinstance(value, bool):
        raise ValueError(f"column {key!r}: invalid money value {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value.strip())
    if isinstance(value, (float, Decimal)) and value == int(value):
        return int(value)
    raise ValueError(
        f"column {key!r}: money value {value!r} is not a whole number of đồng"
    )


def format_money(amount: int) -> str:
    """Format đồng with dots between thousands: 1234567 -> "1.234.567"."""
    return f"{amount:,}".replace(",", ".")


def format_total(value: Any) -> str:
    """Format a closing-line total: integers get thousands dots, text is kept."""
    if isinstance(value, int) and not isinstance(value, bool):
        return format_money(value)
    return clean_text(str(value))


def compute_closing_totals(
    layout: Layout, rows: Iterable[Mapping[str, Any]]
) -> dict[str, int]:
    """Compute the layout's closing totals over register entries.

    Closing lines among the rows are skipped. ``count`` counts rows whose value is
    not empty and ``sum`` adds money values, treating empty ones as zero.
    """
    totals = {total.column: 0 for total in layout.closing_totals}
    columns = [(layout.columns[layout.column_index(t.column)], t.op)
               for t in layout.closing_totals]
    for row in rows:
        if is_closing(row):
            continue
        for column, op in columns:
            value = raw_value(column, row)
            if value is None or value == "":
                continue
            if op == "count":
                totals[column.key] += 1
            else:
                totals[column.key] += to_whole_dong(value, column.key)
    return totals


# Header


def header_rows(layout: Layout) -> list[list[HeaderCell]]:
    """Return the header as rows of cells with spans.

    With groups there are two rows: row 0 has group cells spanning their columns and
    ungrouped columns spanning both rows, row 1 has the grouped columns. A layout
    without groups has one row.
    """
    columns = layout.columns
    if all(column.group is None for column in columns):
        return [[HeaderCell(c.heading, 0, i) for i, c in enumerate(columns)]]
    top: list[HeaderCell] = []
    bottom: list[HeaderCell] = []
    index = 0
    while index < len(columns):
        group = columns[index].group
        if group is None:
            top.append(HeaderCell(columns[index].heading, 0, index, rowspan=2))
            index += 1
            continue
        start = index
        while index < len(columns) and columns[index].group == group:
            bottom.append(HeaderCell(columns[index].heading, 1, index))
            index += 1
        top.append(HeaderCell(group, 0, start, colspan=index - start))
    return [top, bottom]
