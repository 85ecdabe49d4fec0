"""Pages of the registers (Sổ): the list, one register, its export, and
the statistics on the central dashboard."""
from gateway import schemas
from gateway.errors import HttpError
from gateway.html import Markup, error_box, link, page, unit_name
from gateway.pages import today, vn_date
from gateway.register_view import (
    FILTER_NAMES, PAGE_SIZE, export_buttons, filter_form, iso_date, paging,
    register_table, register_title, register_url, registers_table,
    statistics_table, with_empty_registers, work_year_text,
)
from gateway.registers_api import row_filters
from gateway.inputs import load_path, load_query
from gateway.web import page_route
from services.common.actors import WIDE_SCOPE_ROLES
from services.common.calendar import reporting_periods, work_year
from services.common.units import provincial_units
from services.registers.layout import load_layout

PERIOD_MONTHS = {"M3": 3, "M6": 6, "M10": 10, "M12": 12}
DATE_FILTERS = ("date_from", "date_to")
ROW_FILTERS = schemas.RegisterRowsQuerySchema(only=FILTER_NAMES)
LIST_QUERY = schemas.RegisterListQuerySchema()
PAGE_QUERY = schemas.PageNumberSchema()


def registers_form(ctx, query):
    """Return the GET form of the registers list: work year, and the unit
    for a user who reads several units."""
    unit_field = Markup("")
    if ctx.role in WIDE_SCOPE_ROLES:
        options = Markup("").join(
            Markup('<option value="{}"{}>{}</option>').format(
                unit.code, Markup(" selected") if unit.code == query.get("unit")
                else "", unit.name)
            for unit in provincial_units())
        unit_field = Markup('<label>Đơn vị <select name="unit">'
                            '<option value="">Tất cả</option>{}</select></label>'
                            ).format(options)
    return Markup(
        '<form method="get" action="/so" class="filters">{}'
        '<label>Năm công tác <input type="number" name="work_year" '
        'min="2000" max="2100" value="{}"></label>'
        '<button type="submit">Xem</button></form>'
    ).format(unit_field, query.get("work_year") or "")


def invalid_period():
    return HttpError(422, "invalid_input", "Năm công tác hoặc kỳ thống kê không "
                     "hợp lệ; hãy chọn kỳ 3, 6, 10 hoặc 12 tháng.")


def current_months(year, day):
    """Return the shortest reporting period of YEAR that has not ended."""
    for period in reporting_periods(year):
        if day <= period.end:
            return PERIOD_MONTHS[period.code]
    return 12


def split_args(args):
    """Split query ARGS into (filter values as typed, page number)."""
    values = {name: args.get(name, "") for name in FILTER_NAMES}
    page_number = load_query(
        {"trang": args.get("trang", "")}, PAGE_QUERY).get("trang", 1)
    typed = {key: value for key, value in args.items() if key != "trang"}
    for name in DATE_FILTERS:
        if typed.get(name):
            typed[name] = iso_date(typed[name])
    return values, page_number, load_query(typed, ROW_FILTERS)


class RegisterPages:

    @page_route("GET", "/so")
    def registers_page(self, ctx, request):
        """Show the registers the user may read, with their row counts.

        Query: `work_year` and `unit` narrow the list. A unit user also sees
        the forms not started yet in the current work year, with 0 rows.
        Errors: 404 for a unit outside the user's scope, 422 for an
        invalid query.
        """
        query = load_query(request.args, LIST_QUERY)
        registers = self.registers.list_registers(
            ctx.actor, query.get("unit"), query.get("work_year"))
        year = query.get("work_year") or work_year(today())
        own = ctx.user.unit if ctx.role not in WIDE_SCOPE_ROLES else None
        if own and query.get("unit") in (None, own):
            registers = with_empty_registers(registers, own, year)
        body = registers_form(ctx, query) + registers_table(registers)
        return page(ctx, "Sổ thi hành án", body, "so")

    @page_route("GET", "/so/<form>/<unit>/<int:work_year>")
    def register_page(self, ctx, request, form, unit, work_year):
        """Show one page of a register with its two-level header.

        Query: the filters of the rows API (date_from, date_to, party,
        judgment_number, decision_number) and `trang`, the page number.
        Errors: 404 for another unit's register or an unknown form or
        unit, 422 for invalid filters.
        """
        path = load_path({"form": form, "unit": unit, "work_year": work_year},
                         schemas.RegisterPathSchema())
        values, page_number, filters = split_args(request.args)
        filters.update(limit=PAGE_SIZE, offset=(page_number - 1) * PAGE_SIZE)
        result = self.registers.rows(ctx.actor, path["form"], path["unit"],
                                     path["work_year"], row_filters(filters))
        body = self.register_body(path, values, page_number, result)
        return page(ctx, register_title(path["form"]), body, "xem-so")

    def register_body(self, path, values, page_number, result):
        form, unit, year = path["form"], path["unit"], path["work_year"]
        filtered = any(values.values())
        heading = Markup("<p>Đơn vị: {} · {}</p>").format(
            unit_name(unit), work_year_text(year))
        return Markup("{}{}{}{}{}").format(
            heading, filter_form(register_url(form, unit, year), values),
            export_buttons(form, unit, year),
            register_table(load_layout(form), result["rows"], filtered),
            paging(form, unit, year, values, page_number, result["total"]))

    @page_route("GET", "/so/<form>/<unit>/<int:work_year>/xuat")
    def register_export_page(self, ctx, request, form, unit, work_year):
        """Download a whole register as XLSX or PDF (`format` in the query).

        Errors: 404 as for the register page, 422 for a missing or unknown
        format or a register too large to export here.
        """
        path = load_path({"form": form, "unit": unit, "work_year": work_year},
                         schemas.RegisterPathSchema())
        fmt = load_query(request.args, schemas.ExportQuerySchema())["format"]
        return self.register_file(ctx, path["form"], path["unit"],
                                  path["work_year"], fmt)

    def statistics_section(self, ctx, request):
        """Return the central dashboard's rows per unit and form.

        Query: `thang` (3, 6, 10 or 12) and `nam`, the work year. A
        failing registers service shows an error box, not an error page.
        """
        year, months = self.statistics_period(request.args)
        links = Markup(" · ").join(
            link(f"/trung-uong?nam={year}&thang={m}", f"{m} tháng")
            for m in schemas.REPORTING_MONTHS)
        try:
            statistics = self.registers.statistics(ctx.actor, year, months)
        except Exception as error:
            failure = self.http_error(error, request)
            return links + error_box("Chưa lấy được thống kê: " + failure.message)
        period = statistics["period"]
        caption = Markup("<p>{} · kỳ {} (từ {} đến {})</p>").format(
            links, period["label"], vn_date(period["start"]),
            vn_date(period["end"]))
        return caption + statistics_table(statistics)

    def statistics_period(self, args):
        """Return (work year, months) from the query, or the current ones."""
        day = today()
        try:
            year = int(args.get("nam") or work_year(day))
            months = int(args.get("thang") or current_months(year, day))
        except ValueError:
            raise invalid_period() from None
        if months not in schemas.REPORTING_MONTHS or not 2000 <= year <= 2100:
            raise invalid_period()
        return year, months
