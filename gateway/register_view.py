"""HTML of the registers: the layout's header, rows, closing lines,
filters, paging and the statistics table.

Cell text comes from `layout.cell_value`, the same formatting as the
XLSX and PDF exports.
"""
from urllib.parse import urlencode

from gateway.html import Markup, link, table, unit_name
from gateway.pages import vn_date
from services.common.calendar import work_year_bounds
from services.registers.layout import (
    CLOSING_KEY, cell_value, format_total, header_rows, is_closing, load_layout,
)
from services.registers.rows import FORM_OF_DECISION_KIND, FORMS

PAGE_SIZE = 50
CLOSING_TOTAL_LABEL = "Cộng"
# Dates are typed as dd/mm/yyyy in text fields: a date field shows the
# browser's own format, which is mm/dd/yyyy in an English browser.
FILTER_FIELDS = (
    ("date_from", "Vào sổ từ ngày", "date"),
    ("date_to", "đến ngày", "date"),
    ("party", "Đương sự (tên hoặc địa chỉ)", "text"),
    ("judgment_number", "Số bản án, quyết định", "text"),
    ("decision_number", "Số quyết định (7 hoặc 07/QĐ-THADS)", "text"),
)
FILTER_NAMES = tuple(name for name, _, _ in FILTER_FIELDS)


def register_url(form, unit, work_year, **args):
    """Return the register page's path, with ARGS as its query string."""
    base = f"/so/{form}/{unit}/{work_year}"
    query = {key: value for key, value in args.items() if value not in (None, "")}
    return f"{base}?{urlencode(query)}" if query else base


def register_name(form):
    """Return e.g. "Sổ thụ lý thi hành án" for form "03"."""
    return load_layout(form).title.capitalize()


def register_title(form):
    """Return the page title, e.g. "Mẫu số 03: Sổ thụ lý thi hành án"."""
    return f"{load_layout(form).form_label}: {register_name(form)}"


def work_year_text(year):
    start, end = work_year_bounds(year)
    return f"Năm công tác {year} (từ {vn_date(start)} đến {vn_date(end)})"


# the register table ------------------------------------------------------


def header_html(layout):
    """Return the <thead>: group headings over their columns when grouped."""
    lines = []
    for cells in header_rows(layout):
        headings = Markup("").join(
            Markup('<th rowspan="{}" colspan="{}">{}</th>').format(
                cell.rowspan, cell.colspan, cell.text)
            for cell in cells)
        lines.append(Markup("<tr>{}</tr>").format(headings))
    return Markup("<thead>{}</thead>").format(Markup("").join(lines))


def column_widths(layout):
    """Return a <colgroup> that keeps the printed form's column proportions."""
    total = sum(column.width_mm for column in layout.columns)
    cols = Markup("").join(
        Markup('<col style="width:{:.1f}%">').format(100 * c.width_mm / total)
        for c in layout.columns)
    return Markup("<colgroup>{}</colgroup>").format(cols)


def entry_html(layout, row):
    cells = Markup("").join(
        Markup('<td class="{}">{}</td>').format(column.align,
                                                cell_value(column, row))
        for column in layout.columns)
    return Markup("<tr>{}</tr>").format(cells)


def closing_html(layout, row):
    """Return a closing line (kết sổ): its label, then the "Cộng" totals."""
    data = row[CLOSING_KEY]
    totals = data.get("totals") or {}
    label = Markup('<tr class="closing"><td colspan="{}">{}</td></tr>').format(
        len(layout.columns), data.get("label") or "")
    if not layout.closing_totals and not totals:
        return label
    cells = []
    for index, column in enumerate(layout.columns):
        text = ""
        if index == 0:
            text = CLOSING_TOTAL_LABEL
        elif column.key in totals:
            text = format_total(totals[column.key])
        cells.append(Markup('<td class="{}">{}</td>').format(
            "right" if index else "center", text))
    return label + Markup('<tr class="closing">{}</tr>').format(
        Markup("").join(cells))


def register_table(layout, rows, filtered):
    """Return the register as a table, or a line saying it has no rows."""
    if not rows:
        message = ("Không có dòng nào khớp bộ lọc." if filtered
                   else "Sổ chưa có dòng nào.")
        empty = Markup('<tr><td colspan="{}">{}</td></tr>').format(
            len(layout.columns), message)
        body = empty
    else:
        body = Markup("").join(
            closing_html(layout, row) if is_closing(row) else entry_html(layout, row)
            for row in rows)
    return Markup('<div class="scroll"><table class="register">{}{}<tbody>{}'
                  "</tbody></table></div>").format(
        column_widths(layout), header_html(layout), body)


# filters, paging, export -------------------------------------------------


def filter_input(name, label, kind, value):
    if kind == "date":
        return Markup('<label>{} <input name="{}" value="{}" size="10" '
                      'placeholder="dd/mm/yyyy"></label>').format(label, name, value)
    return Markup('<label>{} <input name="{}" value="{}"></label>').format(
        label, name, value)


def iso_date(text):
    """Turn a typed dd/mm/yyyy into YYYY-MM-DD.

    Other text is returned unchanged, for the schema to accept (YYYY-MM-DD)
    or reject.
    """
    parts = text.strip().split("/")
    if len(parts) == 3 and all(part.isdigit() for part in parts):
        day, month, year = parts
        return f"{year.zfill(4)}-{month.zfill(2)}-{day.zfill(2)}"
    return text


def filter_form(action, values):
    """Return the GET form of the filters, filled with VALUES as typed."""
    inputs = Markup("").join(filter_input(name, label, kind, values.get(name, ""))
                             for name, label, kind in FILTER_FIELDS)
    return Markup('<form method="get" action="{}" class="filters">{}'
                  '<button type="submit">Lọc</button> {}</form>').format(
        action, inputs, link(action, "Bỏ lọc"))


def paging(form, unit, work_year, values, page_number, total):
    """Return "Trang i/n · total dòng" with links to the pages around it."""
    pages = max(1, -(-total // PAGE_SIZE))
    parts = [Markup("Trang {}/{} · {} dòng").format(page_number, pages, total)]
    if page_number > 1:
        parts.insert(0, link(register_url(form, unit, work_year, **values,
                                          trang=page_number - 1), "« Trang trước"))
    if page_number < pages:
        parts.append(link(register_url(form, unit, work_year, **values,
                                       trang=page_number + 1), "Trang sau »"))
    return Markup('<p class="paging">{}</p>').format(Markup(" · ").join(parts))


def export_buttons(form, unit, work_year):
    base = f"/so/{form}/{unit}/{work_year}/xuat"
    return Markup('<p class="actions"><a class="button" href="{}">Xuất Excel</a> '
                  '<a class="button" href="{}">Xuất PDF</a></p>').format(
        f"{base}?format=xlsx", f"{base}?format=pdf")


# links from other pages ----------------------------------------------------


def decision_row_link(decision):
    """Return a link to an issued decision's row in its register, or ""."""
    form = FORM_OF_DECISION_KIND.get(decision.get("decision_kind"))
    if decision.get("status") != "issued" or not form or not decision.get("display"):
        return Markup("")
    url = register_url(form, decision["unit"], decision["work_year"],
                       decision_number=decision["display"])
    text = f"Xem trong {register_name(form)} ({load_layout(form).form_label})"
    return link(url, text)


def registers_table(registers):
    rows = [(load_layout(r["form"]).form_label,
             link(register_url(r["form"], r["unit"], r["work_year"]),
                  register_name(r["form"])),
             unit_name(r["unit"]), r["work_year"], r["rows"])
            for r in registers]
    if not rows:
        return Markup("<p>Chưa có sổ nào có dòng trong phạm vi đã chọn.</p>")
    return table(("Mẫu", "Tên sổ", "Đơn vị", "Năm công tác", "Số dòng"), rows)


def with_empty_registers(registers, unit, work_year):
    """Add a zero-row entry for each form that UNIT has no register of yet."""
    present = {(r["form"], r["unit"], r["work_year"]) for r in registers}
    missing = [{"form": form, "unit": unit, "work_year": work_year, "rows": 0}
               for form in FORMS if (form, unit, work_year) not in present]
    return sorted([*registers, *missing],
                  key=lambda r: (-r["work_year"], r["unit"], r["form"]))


def statistics_table(statistics):
    """Return the rows per unit and form, leaving out units with no rows."""
    units = [u for u in statistics["units"] if any(u["counts"].values())]
    year = statistics["work_year"]
    rows = [(link(f"/so?unit={u['unit']}&work_year={year}", u["unit_name"]),
             *(u["counts"].get(form, 0) for form in FORMS),
             sum(u["counts"].values())) for u in units]
    totals = [sum(u["counts"].get(form, 0) for u in units) for form in FORMS]
    rows.append((Markup("<strong>Cộng</strong>"), *totals, sum(totals)))
    headers = ("Đơn vị", *(f"Mẫu {form}" for form in FORMS), "Tổng")
    skipped = len(statistics["units"]) - len(units)
    note = Markup("")
    if skipped:
        note = Markup("<p>{} đơn vị khác chưa có dòng nào trong kỳ.</p>").format(
            skipped)
    return table(headers, rows) + note
