"""Export a register to XLSX and PDF, streaming rows so that memory stays bounded.

Rows are dicts read through the layout's ``source`` paths (see ``layout.py``). A row
with a ``"_closing"`` key is a closing line (kết sổ) instead of an entry::

    {"_closing": {"label": "Kết sổ Quý I năm công tác 2026",
                  "totals": {"decision_number": 12, "total_vnd": 1500000}}}

It prints as a block in red ink. The label runs across the table and a "Cộng"
line shows the totals under their columns. Below them is space for the signatures
of the person closing the register and of the head of the office, as Thông tư
04/2023/TT-BTP, Article 30(4) requires. ``layout.compute_closing_totals`` computes
the totals.

Both exporters take ``meta`` = {"unit_name": str, "work_year": int,
"printed_at": date or ISO string (optional)} and return the number of entries
written, closing lines excluded. ``progress(n_done)`` is called after every
``PROGRESS_EVERY`` entries and, unless that already reported it, with the final
count at the end.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from reportlab.lib.pagesizes import A3, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from services.registers import pdf_fonts
from services.registers.layout import (
    CLOSING_KEY,
    Column,
    Layout,
    clean_text,
    cell_value,
    format_total,
    header_rows,
    raw_value,
    to_date,
    to_whole_dong,
)

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 1000

Progress = Callable[[int], None] | None
Output = str | Path | BinaryIO

CLOSING_TOTAL_LABEL = "Cộng"
CLOSER_CAPTION = ("NGƯỜI KẾT SỔ", "(Ký, ghi rõ họ tên)")
HEAD_CAPTION = ("XÁC NHẬN CỦA THỦ TRƯỞNG CƠ QUAN", "(Ký, ghi rõ họ tên, đóng dấu)")


# Metadata and row stream


@dataclass(frozen=True)
class RegisterMeta:
    """Title-block data of a printed register."""

    unit_name: str
    work_year: int
    printed_at: dt.date | None = None

    @classmethod
    def from_mapping(cls, meta: Mapping[str, Any]) -> RegisterMeta:
        unit_name = meta.get("unit_name")
        if not isinstance(unit_name, str) or not unit_name.strip():
            raise ValueError(
                f"meta['unit_name'] must be non-empty text, got {unit_name!r}"
            )
        year = meta.get("work_year")
        if isinstance(year, bool) or not isinstance(year, int) or year < 2000:
            raise ValueError(
                f"meta['work_year'] must be a year such as 2026, got {year!r}"
            )
        printed = meta.get("printed_at")
        printed_date = to_date(printed) if printed is not None else None
        if printed is not None and printed_date is None:
            raise ValueError(f"meta['printed_at'] is not a date: {printed!r}")
        return cls(clean_text(unit_name.strip()), year, printed_date)

    def title_lines(self) -> tuple[str, str, str | None]:
        """Return the work-year line, its period and the print-date line."""
        year_line = f"NĂM CÔNG TÁC {self.work_year}"
        # A work year N runs from 1 October of N-1 to 30 September of N.
        year = self.work_year
        period = f"(Từ ngày 01/10/{year - 1} đến ngày 30/09/{year})"
        printed = None
        if self.printed_at is not None:
            printed = f"Ngày in: {self.printed_at.strftime('%d/%m/%Y')}"
        return year_line, period, printed


@dataclass(frozen=True)
class Closing:
    """A closing line (kết sổ): its label and totals by column key."""

    label: str
    totals: dict[str, Any]


def _closing_of(row: Mapping[str, Any], layout: Layout) -> Closing | None:
    if CLOSING_KEY not in row:
        return None
    data = row[CLOSING_KEY]
    label = data.get("label") if isinstance(data, Mapping) else None
    if not isinstance(label, str) or not label.strip():
        raise ValueError(f"closing line needs a non-empty 'label', got {data!r}")
    totals = dict(data.get("totals") or {})
    keys = {column.key for column in layout.columns}
    unknown = sorted(set(totals) - keys)
    if unknown:
        raise ValueError(
            f"closing line {label!r}: totals for unknown column(s) "
            f"{', '.join(unknown)}"
        )
    return Closing(clean_text(label.strip()), totals)


class _ProgressCounter:
    def __init__(self, progress: Progress):
        self.progress = progress
        self.count = 0

    def add(self) -> None:
        self.count += 1
        if self.progress is not None and self.count % PROGRESS_EVERY == 0:
            self.progress(self.count)

    def finish(self) -> int:
        if self.progress is not None and self.count % PROGRESS_EVERY != 0:
            self.progress(self.count)
        return self.count


def _column_numbers(layout: Layout) -> list[str]:
    return [f"({index})" for index in range(1, len(layout.columns) + 1)]


@contextmanager
def _binary_output(out: Output) -> Iterator[BinaryIO]:
    if isinstance(out, (str, Path)):
        with open(out, "wb") as handle:
            yield handle
    else:
        yield out


# XLSX


def export_xlsx(
    layout: Layout,
    meta: Mapping[str, Any],
    rows: Iterable[Mapping[str, Any]],
    out: Output,
    progress: Progress = None,
) -> int:
    """Write the register as an XLSX workbook and return the number of entries.

    Uses openpyxl's write-only mode, which streams rows to a temporary file, so
    memory stays constant. Money is written as integers and dates as Excel dates so
    that the sheet can be summed and sorted.
    """
    register_meta = RegisterMeta.from_mapping(meta)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=layout.form_label[:31])
    writer = _XlsxSheetWriter(layout, register_meta, sheet)
    counter = _ProgressCounter(progress)
    try:
        writer.write_top()
        for row in rows:
            closing = _closing_of(row, layout)
            if closing is not None:
                writer.write_closing(closing)
                continue
            writer.write_entry(row)
            counter.add()
        writer.finish()
    except BaseException:
        _discard_workbook(workbook)
        raise
    with _binary_output(out) as handle:
        workbook.save(handle)
    return counter.finish()


def _discard_workbook(workbook: Workbook) -> None:
    # Saving is openpyxl's only public way to close a write-only sheet and delete
    # its temporary file, so an aborted export saves to the null device.
    try:
        with open(os.devnull, "wb") as sink:
            workbook.save(sink)
    except Exception:
        logger.exception("failed to discard an aborted XLSX export")


_THIN = Side(style="thin")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_XLSX_FONT = "Times New Roman"
_RED = "C00000"
_CLOSING_FILL = PatternFill("solid", start_color="FDECEC", end_color="FDECEC")
_HEADER_FILL = PatternFill("solid", start_color="EDEDED", end_color="EDEDED")
_NUMBER_FORMATS = {"date": "DD/MM/YYYY", "money": "#,##0"}


def _excel_width(width_mm: float) -> float:
    # Excel column width is in widths of "0" in the default 11 pt font: 7 px plus
    # 5 px of padding at 96 dpi.
    pixels = width_mm / 25.4 * 96
    return round(max(pixels - 5, 7) / 7, 2)


def _xlsx_value(column: Column, row: Mapping[str, Any]) -> Any:
    value = raw_value(column, row)
    if value is None or value == "":
        return None
    if column.format == "money":
        return to_whole_dong(value, column.key)
    if column.format == "date":
        return to_date(value) or cell_value(column, row)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return cell_value(column, row)


class _XlsxSheetWriter:
    def __init__(self, layout: Layout, meta: RegisterMeta, sheet):
        self.layout = layout
        self.meta = meta
        self.sheet = sheet
        self.width = len(layout.columns)
        self.row_number = 0
        self.entry_cells = [self.entry_cell(column) for column in layout.columns]

    def entry_cell(self, column: Column) -> WriteOnlyCell:
        # One styled cell per column is reused for every row, so no styled cells
        # are built per row. This is safe because append() writes them at once.
        cell = WriteOnlyCell(self.sheet)
        cell.font = Font(name=_XLSX_FONT, size=11)
        cell.border = _BORDER
        cell.alignment = Alignment(
            horizontal=column.align, vertical="top", wrap_text=True
        )
        cell.number_format = _NUMBER_FORMATS.get(column.format, "General")
        return cell

    def cell(self, value: Any = None, **style: Any) -> WriteOnlyCell:
        cell = WriteOnlyCell(self.sheet, value=value)
        for name, setting in style.items():
            setattr(cell, name, setting)
        return cell

    def append(self, cells: Sequence[Any]) -> int:
        self.sheet.append(list(cells))
        self.row_number += 1
        return self.row_number

    def merge(self, row: int, first: int, last: int, rows: int = 1) -> None:
        # Write-only sheets have no merge_cells(), but openpyxl writes the
        # merged_cells ranges when the sheet is closed.
        if first == last and rows == 1:
            return
        start = f"{get_column_letter(first + 1)}{row}"
        end = f"{get_column_letter(last + 1)}{row + rows - 1}"
        self.sheet.merged_cells.add(f"{start}:{end}")

    def write_top(self) -> None:
        self.setup_sheet()
        self.write_title_block()
        first_header_row = self.row_number + 1
        self.write_header()
        self.sheet.print_title_rows = f"{first_header_row}:{self.row_number}"
        self.sheet.freeze_panes = f"A{self.row_number + 1}"

    def setup_sheet(self) -> None:
        for index, column in enumerate(self.layout.columns, start=1):
            dimension = self.sheet.column_dimensions[get_column_letter(index)]
            dimension.width = _excel_width(column.width_mm)
        setup = self.sheet.page_setup
        setup.orientation = "landscape"
        setup.paperSize = Worksheet.PAPERSIZE_A3
        setup.fitToWidth = 1
        setup.fitToHeight = 0
        self.sheet.sheet_properties.pageSetUpPr.fitToPage = True
        self.sheet.oddHeader.center.text = "Trang &P"

    def write_title_block(self) -> None:
        year_line, period, printed = self.meta.title_lines()
        last = self.width - 1
        half = max(last // 2, 0)
        bold = Font(name=_XLSX_FONT, size=12, bold=True)
        right = Alignment(horizontal="right")
        row = self.append(
            [self.cell(self.meta.unit_name, font=bold)]
            + [None] * (last - 1)
            + [self.cell(self.layout.form_label, font=bold, alignment=right)]
        )
        self.merge(row, 0, half)
        lines = [
            (self.layout.title, Font(name=_XLSX_FONT, size=16, bold=True)),
            (year_line, Font(name=_XLSX_FONT, size=14, bold=True)),
            (period, Font(name=_XLSX_FONT, size=12, italic=True)),
        ]
        if printed is not None:
            lines.append((printed, Font(name=_XLSX_FONT, size=11, italic=True)))
        centred = Alignment(horizontal="center")
        for text, font in lines:
            row = self.append([self.cell(text, font=font, alignment=centred)])
            self.merge(row, 0, last)
        self.append([])

    def write_header(self) -> None:
        font = Font(name=_XLSX_FONT, size=11, bold=True)
        alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        style = {"font": font, "alignment": alignment, "border": _BORDER,
                 "fill": _HEADER_FILL}
        levels = header_rows(self.layout)
        first_row = self.row_number + 1
        for level in levels:
            cells = [self.cell(**style) for _ in range(self.width)]
            for header in level:
                cells[header.column].value = header.text
            self.append(cells)
        for level in levels:
            for header in level:
                self.merge(
                    first_row + header.row,
                    header.column,
                    header.column + header.colspan - 1,
                    rows=header.rowspan,
                )
        numbers_font = Font(name=_XLSX_FONT, size=9, italic=True)
        self.append(
            [self.cell(text, font=numbers_font, alignment=alignment, border=_BORDER)
             for text in _column_numbers(self.layout)]
        )

    def write_entry(self, row: Mapping[str, Any]) -> None:
        for column, cell in zip(self.layout.columns, self.entry_cells):
            cell.value = _xlsx_value(column, row)
        self.append(self.entry_cells)

    def write_closing(self, closing: Closing) -> None:
        font = Font(name=_XLSX_FONT, size=11, bold=True, color=_RED)
        style = {"font": font, "border": _BORDER, "fill": _CLOSING_FILL,
                 "alignment": Alignment(vertical="top", wrap_text=True)}
        label_cells = [self.cell(**style) for _ in range(self.width)]
        label_cells[0].value = closing.label
        row = self.append(label_cells)
        self.merge(row, 0, self.width - 1)
        if self.layout.closing_totals or closing.totals:
            self.append(self.closing_total_cells(closing, style))
        self.write_signature_row()

    def closing_total_cells(
        self, closing: Closing, style: dict
    ) -> list[WriteOnlyCell]:
        cells = []
        for index, column in enumerate(self.layout.columns):
            cell = self.cell(**style)
            if index == 0:
                cell.value = CLOSING_TOTAL_LABEL
            elif column.key in closing.totals:
                value = closing.totals[column.key]
                cell.value = value
                cell.number_format = "#,##0" if isinstance(value, int) else "General"
                cell.alignment = Alignment(horizontal="right", vertical="top")
            cells.append(cell)
        return cells

    def write_signature_row(self) -> None:
        font = Font(name=_XLSX_FONT, size=11, bold=True, color=_RED)
        alignment = Alignment(horizontal="center", vertical="top", wrap_text=True)
        half = self.width // 2
        cells = [None] * self.width
        style = {"font": font, "alignment": alignment}
        cells[0] = self.cell("\n".join(CLOSER_CAPTION), **style)
        cells[half] = self.cell("\n".join(HEAD_CAPTION), **style)
        row = self.append(cells)
        self.merge(row, 0, half - 1)
        self.merge(row, half, self.width - 1)

    def finish(self) -> None:
        # Leave a blank row so that Excel's print area ends below the last line.
        self.append([])


# PDF


def export_pdf(
    layout: Layout,
    meta: Mapping[str, Any],
    rows: Iterable[Mapping[str, Any]],
    out: Output,
    progress: Progress = None,
) -> int:
    """Print the register as an A3 landscape PDF and return the number of entries.

    Rows are drawn straight on a ReportLab canvas page by page, and each finished
    page is written to ``out`` at once (see _StreamingDocument), so memory grows
    only by a small bookkeeping entry per page. Columns are scaled to fill the
    printable width. The header is repeated on every page and "Trang N" is centred
    in the top margin.
    """
    register_meta = RegisterMeta.from_mapping(meta)
    fonts = pdf_fonts.register_fonts()
    counter = _ProgressCounter(progress)
    with _binary_output(out) as handle:
        canvas = _StreamingCanvas(handle, _PAGE_SIZE, fonts.regular)
        canvas.setTitle(f"{layout.title} - {register_meta.unit_name}")
        canvas.setAuthor(register_meta.unit_name)
        writer = _PdfRegisterWriter(canvas, layout, register_meta, fonts)
        writer.start_page()
        for row in rows:
            closing = _closing_of(row, layout)
            if closing is not None:
                writer.write_closing(closing)
                continue
            writer.write_entry(row)
            counter.add()
        writer.end_page()
        canvas.save()
    return counter.finish()


_PAGE_SIZE = landscape(A3)
_MARGIN_LEFT = 20 * mm  # wider on the bound edge
_MARGIN_RIGHT = 12 * mm
_MARGIN_TOP = 16 * mm
_MARGIN_BOTTOM = 12 * mm
_PAGE_NUMBER_Y = _PAGE_SIZE[1] - 9 * mm

_BODY_SIZE = 10.0
_BODY_LEADING = 12.0
_HEADER_SIZE = 10.0
_HEADER_LEADING = 11.5
_NUMBERS_SIZE = 8.0
_CELL_PAD_X = 1.5 * mm
_CELL_PAD_Y = 2.5
_SIGNATURE_HEIGHT = 30 * mm
_LINE_WIDTH = 0.5

_BLACK = (0, 0, 0)
_RED_INK = (0.75, 0.0, 0.0)
_CLOSING_BACKGROUND = (1.0, 0.93, 0.93)
_HEADER_BACKGROUND = (0.93, 0.93, 0.93)

# Liberation Serif 2 vertical metrics per unit of font size: the hhea ascender
# 1825 and descender 443 of 2048 units per em.
_ASCENT = 1825 / 2048
_DESCENT = 443 / 2048


@dataclass(frozen=True)
class _TextStyle:
    font: str
    size: float
    leading: float
    color: tuple[float, float, float] = _BLACK

    def baseline(self, line_top: float) -> float:
        """Return the baseline of a line whose box starts at line_top, going down."""
        gap = (self.leading - (_ASCENT + _DESCENT) * self.size) / 2
        return line_top - gap - _ASCENT * self.size

    def width(self, text: str) -> float:
        if len(text) > _CACHED_WIDTH_MAX_CHARS:
            return pdfmetrics.stringWidth(text, self.font, self.size)
        return _cached_string_width(text, self.font, self.size)


# Words and dates repeat across a register, and ReportLab measures TTF text in pure
# Python unless the optional rl_accel package is installed. Longer strings are
# mostly unique, so they are measured without the cache.
_CACHED_WIDTH_MAX_CHARS = 24


@functools.lru_cache(maxsize=8192)
def _cached_string_width(text: str, font: str, size: float) -> float:
    return pdfmetrics.stringWidth(text, font, size)


def wrap_text(text: str, style: _TextStyle, width: float) -> list[str]:
    """Break text into lines no wider than ``width`` points, keeping line feeds.

    Words wider than a line are broken between characters.
    """
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines.extend(_wrap_paragraph(paragraph, style, width))
    return lines


def _wrap_paragraph(paragraph: str, style: _TextStyle, width: float) -> list[str]:
    if style.width(paragraph) <= width:
        return [paragraph]
    space = style.width(" ")
    lines: list[str] = []
    current: list[str] = []
    current_width = 0.0
    for word in paragraph.split():
        word_width = style.width(word)
        if word_width > width:
            pieces = _break_word(word, style, width)
            if current:
                lines.append(" ".join(current))
            lines.extend(pieces[:-1])
            current, current_width = [pieces[-1]], style.width(pieces[-1])
            continue
        needed = word_width if not current else current_width + space + word_width
        if needed <= width:
            current.append(word)
            current_width = needed
        else:
            lines.append(" ".join(current))
            current, current_width = [word], word_width
    if current:
        lines.append(" ".join(current))
    return lines or [""]


_BREAK_AFTER = "/-.,"


def _break_word(word: str, style: _TextStyle, width: float) -> list[str]:
    # Numbers such as "05/QĐ-THADS", "12/2025/HS-ST" or "11.270.108.175.000" read
    # best when broken after a slash, hyphen or dot, so a break goes after the last
    # one that fits.
    pieces: list[str] = []
    start = 0
    while True:
        end = start + 1
        while end < len(word) and style.width(word[start:end + 1]) <= width:
            end += 1
        if end >= len(word):
            pieces.append(word[start:])
            return pieces
        punctuation = max(word.rfind(mark, start, end) for mark in _BREAK_AFTER)
        if punctuation > start:
            end = punctuation + 1
        pieces.append(word[start:end])
        start = end


@dataclass
class _HeaderBox:
    lines: list[str]
    x: float
    width: float
    top: float
    height: float


class _PdfRegisterWriter:
    """Draw title block, header, entries and closing blocks, page by page."""

    def __init__(self, canvas: Canvas, layout: Layout, meta: RegisterMeta, fonts):
        self.canvas = canvas
        self.layout = layout
        self.meta = meta
        self.body = _TextStyle(fonts.regular, _BODY_SIZE, _BODY_LEADING)
        self.bold = _TextStyle(fonts.bold, _HEADER_SIZE, _HEADER_LEADING)
        self.red = _TextStyle(fonts.bold, _BODY_SIZE, _BODY_LEADING, _RED_INK)
        self.red_caption = _TextStyle(
            fonts.italic, _BODY_SIZE, _BODY_LEADING, _RED_INK
        )
        self.numbers = _TextStyle(fonts.italic, _NUMBERS_SIZE, _NUMBERS_SIZE + 2)
        self.fonts = fonts
        self.edges = self.column_edges()
        self.header_boxes, self.header_height = self.layout_header()
        self.page_number = 0
        self.needs_top_rule = False
        self.text = None
        self.y = 0.0
        self.run_top = 0.0

    # Geometry

    def column_edges(self) -> list[float]:
        usable = _PAGE_SIZE[0] - _MARGIN_LEFT - _MARGIN_RIGHT
        total = sum(column.width_mm for column in self.layout.columns)
        edges = [_MARGIN_LEFT]
        for column in self.layout.columns:
            edges.append(edges[-1] + column.width_mm * usable / total)
        return edges

    def text_width(self, first: int, last: int) -> float:
        return self.edges[last + 1] - self.edges[first] - 2 * _CELL_PAD_X

    def layout_header(self) -> tuple[list[_HeaderBox], float]:
        levels = header_rows(self.layout)
        level_lines = []
        for level in levels:
            lines_of_level = []
            for cell in level:
                width = self.text_width(cell.column, cell.column + cell.colspan - 1)
                lines_of_level.append(wrap_text(cell.text, self.bold, width))
            level_lines.append(lines_of_level)
        heights = self.header_level_heights(levels, level_lines)
        boxes = []
        for level, lines_of_level in zip(levels, level_lines):
            for cell, lines in zip(level, lines_of_level):
                top = sum(heights[: cell.row])
                height = sum(heights[cell.row: cell.row + cell.rowspan])
                x = self.edges[cell.column]
                width = self.edges[cell.column + cell.colspan] - x
                boxes.append(_HeaderBox(lines, x, width, top, height))
        numbers_height = self.numbers.leading + 2
        return boxes, sum(heights) + numbers_height

    def header_level_heights(self, levels, level_lines) -> list[float]:
        def needed(lines: list[str]) -> float:
            return len(lines) * self.bold.leading + 2 * _CELL_PAD_Y

        heights = [0.0] * len(levels)
        for level, lines_of_level in zip(levels, level_lines):
            for cell, lines in zip(level, lines_of_level):
                if cell.rowspan == 1:
                    heights[cell.row] = max(heights[cell.row], needed(lines))
        for level, lines_of_level in zip(levels, level_lines):
            for cell, lines in zip(level, lines_of_level):
                spanned = sum(heights[cell.row: cell.row + cell.rowspan])
                if cell.rowspan > 1 and needed(lines) > spanned:
                    heights[cell.row + cell.rowspan - 1] += needed(lines) - spanned
        return heights

    # Pages

    def start_page(self) -> None:
        self.page_number += 1
        self.text = self.canvas.beginText()
        self.text_state = None
        self.canvas.setLineWidth(_LINE_WIDTH)
        self.draw_line(self.body, f"Trang {self.page_number}", _PAGE_SIZE[0] / 2,
                       _PAGE_NUMBER_Y, "center")
        self.y = _PAGE_SIZE[1] - _MARGIN_TOP
        self.needs_top_rule = False
        if self.page_number == 1:
            self.draw_title_block()
        self.draw_header()
        self.run_top = self.y

    def end_page(self) -> None:
        self.flush_grid()
        self.canvas.drawText(self.text)
        self.canvas.showPage()

    def new_page(self) -> None:
        self.end_page()
        self.start_page()

    def space_left(self) -> float:
        return self.y - _MARGIN_BOTTOM

    def body_capacity(self) -> float:
        """Height available for rows on a page that starts with the header only."""
        top = _PAGE_SIZE[1] - _MARGIN_TOP - self.header_height
        return top - _MARGIN_BOTTOM

    # Text

    def set_text_style(self, style: _TextStyle) -> None:
        if self.text_state is style:
            return
        self.text.setFont(style.font, style.size, style.leading)
        self.text.setFillColorRGB(*style.color)
        self.text_state = style

    def draw_line(self, style: _TextStyle, line: str, x: float, baseline: float,
                  align: str = "left") -> None:
        if not line:
            return
        self.set_text_style(style)
        if align == "center":
            x -= style.width(line) / 2
        elif align == "right":
            x -= style.width(line)
        self.text.setTextOrigin(x, baseline)
        self.text.textOut(line)

    def draw_cell_lines(self, style: _TextStyle, lines: Sequence[str], left: float,
                        right: float, top: float, align: str) -> None:
        anchor = {"left": left + _CELL_PAD_X, "center": (left + right) / 2,
                  "right": right - _CELL_PAD_X}[align]
        line_top = top - _CELL_PAD_Y
        for line in lines:
            self.draw_line(style, line, anchor, style.baseline(line_top), align)
            line_top -= style.leading

    # Title block and header

    def draw_title_block(self) -> None:
        year_line, period, printed = self.meta.title_lines()
        left, right = _MARGIN_LEFT, _PAGE_SIZE[0] - _MARGIN_RIGHT
        unit = _TextStyle(self.fonts.bold, 12, 15)
        self.draw_line(unit, self.meta.unit_name, left, self.y - 12)
        self.draw_line(unit, self.layout.form_label, right, self.y - 12, "right")
        self.y -= 15 + 6 * mm
        centre = _PAGE_SIZE[0] / 2
        lines = [
            (_TextStyle(self.fonts.bold, 18, 22), self.layout.title),
            (_TextStyle(self.fonts.bold, 15, 20), year_line),
            (_TextStyle(self.fonts.italic, 12, 15), period),
        ]
        if printed is not None:
            lines.append((_TextStyle(self.fonts.italic, 11, 14), printed))
        for style, text in lines:
            self.draw_line(style, text, centre, style.baseline(self.y), "center")
            self.y -= style.leading
        self.y -= 5 * mm

    def draw_header(self) -> None:
        top = self.y
        canvas = self.canvas
        canvas.setFillColorRGB(*_HEADER_BACKGROUND)
        width = self.edges[-1] - self.edges[0]
        canvas.rect(self.edges[0], top - self.header_height, width, self.header_height,
                    stroke=0, fill=1)
        for box in self.header_boxes:
            canvas.rect(box.x, top - box.top - box.height, box.width, box.height)
            text_height = len(box.lines) * self.bold.leading
            text_top = top - box.top - (box.height - text_height) / 2
            self.draw_cell_lines(self.bold, box.lines, box.x, box.x + box.width,
                                 text_top + _CELL_PAD_Y, "center")
        numbers_top = top - self.header_height + self.numbers.leading + 2
        for index, label in enumerate(_column_numbers(self.layout)):
            left, right = self.edges[index], self.edges[index + 1]
            canvas.rect(left, top - self.header_height, right - left,
                        self.numbers.leading + 2)
            self.draw_line(self.numbers, label, (left + right) / 2,
                           self.numbers.baseline(numbers_top - 1), "center")
        self.y = top - self.header_height

    # Grid

    def flush_grid(self) -> None:
        """Draw the vertical rules of the entries drawn since run_top."""
        if self.y < self.run_top:
            self.canvas.lines([(x, self.run_top, x, self.y) for x in self.edges])
        self.run_top = self.y

    # Entries

    def write_entry(self, row: Mapping[str, Any]) -> None:
        cells = []
        for index, column in enumerate(self.layout.columns):
            text = cell_value(column, row)
            width = self.text_width(index, index)
            cells.append(wrap_text(text, self.body, width) if text else [])
        self.place_cells(cells)

    def lines_fitting(self, space: float) -> int:
        return int((space - 2 * _CELL_PAD_Y) // self.body.leading)

    def place_cells(self, cells: list[list[str]]) -> None:
        """Draw one entry. An entry taller than a page continues on the next page."""
        total = max((len(lines) for lines in cells), default=0) or 1
        start = 0
        while start < total:
            remaining = total - start
            fits_here = self.lines_fitting(self.space_left())
            fits_on_page = self.lines_fitting(self.body_capacity())
            if remaining <= fits_here:
                self.draw_entry_slice(cells, start, total)
                return
            if (start == 0 and remaining <= fits_on_page) or fits_here < 1:
                self.new_page()
                continue
            self.draw_entry_slice(cells, start, start + fits_here)
            start += fits_here
            self.new_page()

    def draw_entry_slice(self, cells: list[list[str]], start: int, stop: int) -> None:
        top = self.y
        if self.needs_top_rule:
            self.canvas.line(self.edges[0], top, self.edges[-1], top)
            self.needs_top_rule = False
        height = (stop - start) * self.body.leading + 2 * _CELL_PAD_Y
        for index, column in enumerate(self.layout.columns):
            lines = cells[index][start:stop]
            if lines:
                self.draw_cell_lines(self.body, lines, self.edges[index],
                                     self.edges[index + 1], top, column.align)
        self.y = top - height
        self.canvas.line(self.edges[0], self.y, self.edges[-1], self.y)

    # Closing block

    def write_closing(self, closing: Closing) -> None:
        full_width = self.text_width(0, len(self.layout.columns) - 1)
        label_lines = wrap_text(closing.label, self.red, full_width)
        label_height = len(label_lines) * self.red.leading + 2 * _CELL_PAD_Y
        totals = self.closing_total_lines(closing)
        totals_height = 0.0
        if totals is not None:
            depth = max(len(lines) for lines in totals)
            totals_height = depth * self.red.leading + 2 * _CELL_PAD_Y
        needed = label_height + totals_height + _SIGNATURE_HEIGHT
        if needed > self.space_left():
            self.new_page()
        self.flush_grid()
        self.draw_closing_label(label_lines, label_height)
        if totals is not None:
            self.draw_closing_totals(totals, totals_height)
        self.draw_signatures()
        self.run_top = self.y
        self.needs_top_rule = True

    def closing_total_lines(self, closing: Closing) -> list[list[str]] | None:
        if not self.layout.closing_totals and not closing.totals:
            return None
        cells = []
        for index, column in enumerate(self.layout.columns):
            if index == 0:
                text = CLOSING_TOTAL_LABEL
            else:
                value = closing.totals.get(column.key)
                text = "" if value is None else format_total(value)
            cells.append(wrap_text(text, self.red, self.text_width(index, index)))
        return cells

    def fill_band(self, height: float) -> None:
        self.canvas.setFillColorRGB(*_CLOSING_BACKGROUND)
        width = self.edges[-1] - self.edges[0]
        bottom = self.y - height
        self.canvas.rect(self.edges[0], bottom, width, height, stroke=0, fill=1)
        self.canvas.rect(self.edges[0], bottom, width, height, stroke=1, fill=0)

    def draw_closing_label(self, lines: list[str], height: float) -> None:
        self.fill_band(height)
        self.draw_cell_lines(self.red, lines, self.edges[0], self.edges[-1], self.y,
                             "left")
        self.y -= height

    def draw_closing_totals(self, cells: list[list[str]], height: float) -> None:
        self.fill_band(height)
        self.canvas.lines([(x, self.y, x, self.y - height) for x in self.edges])
        for index, lines in enumerate(cells):
            align = "left" if index == 0 else "right"
            self.draw_cell_lines(self.red, lines, self.edges[index],
                                 self.edges[index + 1], self.y, align)
        self.y -= height

    def draw_signatures(self) -> None:
        left, right = self.edges[0], self.edges[-1]
        quarter = (right - left) / 4
        line_top = self.y - 2 * mm
        for centre, (title, hint) in ((left + quarter, CLOSER_CAPTION),
                                      (right - quarter, HEAD_CAPTION)):
            baseline = self.red.baseline(line_top)
            self.draw_line(self.red, title, centre, baseline, "center")
            self.draw_line(self.red_caption, hint, centre,
                           self.red.baseline(line_top - self.red.leading), "center")
        self.y -= _SIGNATURE_HEIGHT


# Streaming PDF output


class _StreamingDocument(pdfdoc.PDFDocument):
    """A ReportLab PDFDocument that writes each page to the output when it ends.

    ReportLab keeps every page object and content stream until save(), so memory
    would grow with the register. Here a finished page dictionary and its content
    stream are written at once and only their object numbers and file offsets are
    kept. Fonts, the page tree, the catalog, the cross-reference table and the
    trailer follow at save(). Encryption is not supported.

    NOTE: those entries still grow with the pages, by about 0.5 KB per page in a
    tracemalloc run. Peak RSS of benchmarks/register_export.py rose by 6.5 MiB
    from 10,000 to 100,000 Mẫu 03 rows (6,251 pages).

    NOTE: this overrides PDFDocument.addPage and replaces PDFDocument.format, which
    are internals of ReportLab 5.1.0. Check this class when upgrading ReportLab.
    """

    def __init__(self, out: BinaryIO, **kwargs: Any):
        super().__init__(**kwargs)
        self._out = out
        self._position = 0
        major, minor = self._pdfVersion
        # The comment of four bytes above 127 marks the file as binary.
        self._write(f"%PDF-{major}.{minor}\n".encode() + b"%\xe2\xe3\xcf\xd3\n")

    def _write(self, data: bytes) -> int:
        offset = self._position
        self._out.write(data)
        self._position += len(data)
        return offset

    def _write_object(self, name: str) -> None:
        obj = self.idToObject[name]
        data = pdfdoc.PDFIndirectObject(name, obj).format(self)
        self.idToOffset[name] = self._write(data)
        # Drop the object but keep its name: Reference() rejects unknown names.
        self.idToObject[name] = None

    def addPage(self, page: pdfdoc.PDFPage) -> None:
        name = self.thisPageName()
        super().addPage(page)
        # Formatting the page dictionary registers its content stream as a new
        # object, which is then written too.
        self._write_object(name)
        # ReportLab adds ASCII85 on top of zlib by default (rl_config.useA85), which
        # costs time and makes streams a quarter larger. Binary zlib data is valid.
        page.Contents.filters = [pdfdoc.PDFZCompress]
        self._write_object(getattr(page.Contents, pdfdoc.__InternalName__))
        self.Pages.pages[-1] = pdfdoc.PDFObjectReference(name)

    def SaveToFile(self, filename: Any, canvas: Canvas) -> None:
        if not isinstance(self.encrypt, pdfdoc.NoEncryption):
            raise ValueError("encrypted output is not supported when streaming pages")
        for font in self.delayedFonts:
            font.addObjects(self)
        self.info.invariant = self.invariant
        self.info.digest(self.signature)
        self.Reference(self.Catalog)
        self.Reference(self.info)
        self.Outlines.prepare(self, canvas)
        if self.Outlines.ready < 0:
            self.Catalog.Outlines = None
        self._write_remaining_objects()

    def _write_remaining_objects(self) -> None:
        ids = []
        number = 1
        # Formatting an object may register new ones, so the loop re-checks the map.
        while number in self.numberToId:
            name = self.numberToId[number]
            if name not in self.idToOffset:
                self._write_object(name)
            ids.append(name)
            number += 1
        xref = pdfdoc.PDFCrossReferenceTable()
        xref.addsection(0, ids)
        xref_offset = self._write(xref.format(self))
        trailer = pdfdoc.PDFTrailer(
            startxref=xref_offset,
            Size=len(ids) + 1,
            Root=self.Reference(self.Catalog),
            Info=self.Reference(self.info),
            ID=self.ID(),
        )
        self._write(trailer.format(self))


class _StreamingCanvas(Canvas):
    """A Canvas whose document streams pages to ``out`` (see _StreamingDocument)."""

    def __init__(self, out: BinaryIO, pagesize: tuple[float, float], font: str):
        # An embedded initial font keeps ReportLab from adding Helvetica.
        super().__init__(
            out, pagesize=pagesize, pageCompression=1, initialFontName=font
        )
        self._doc = _StreamingDocument(out, compression=1)
        # The preamble may name the initial font, which must be in the new document.
        self._make_preamble()
