"""The registers (sổ, Mẫu 01–07) and their statistics in the JSON API.

The registers service checks the caller's scope: a register of another
unit gives the same 404 as one that does not exist, and a central user
reads every unit.
"""
import base64

from werkzeug.wrappers import Response

from gateway import schemas
from gateway.api import V1, content_disposition
from gateway.web import api_route
from services.registers.layout import load_layout

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA_TYPES = {"xlsx": XLSX, "pdf": "application/pdf"}
REGISTER = f"{V1}/registers/<form>/<unit>/<int:work_year>"


def row_filters(query):
    """Return the registers service's filters for a parsed rows QUERY."""
    filters = {}
    for key, value in query.items():
        filters[key] = value.isoformat() if key.startswith("date_") else value
    return filters


def export_filename(form, unit, work_year, fmt):
    """Return e.g. "Sổ thụ lý thi hành án - Mẫu 03 - 79 - 2027.xlsx"."""
    title = load_layout(form).title.capitalize()
    return f"{title} - Mẫu {form} - {unit} - {work_year}.{fmt}"


def file_response(document, filename, fmt):
    """Return the exported register as a download named FILENAME."""
    data = base64.b64decode(document["content_base64"])
    return Response(data, mimetype=MEDIA_TYPES[fmt], headers={
        "Content-Disposition": content_disposition(filename)})


class RegisterApi:

    def register_file(self, ctx, form, unit, work_year, fmt):
        """Export one whole register as XLSX or PDF and return the download.

        Raises NotFound (404) outside the caller's scope and
        RegisterTooLarge (422) for a register too big to export over RPC.
        """
        document = self.registers.export(ctx.actor, form, unit, work_year, fmt)
        return file_response(document,
                             export_filename(form, unit, work_year, fmt), fmt)

    @api_route("GET", f"{V1}/registers", "Danh sách sổ",
               response=schemas.RegisterSummarySchema(), many=True,
               query=schemas.RegisterListQuerySchema())
    def api_registers(self, ctx, body, query):
        """List the registers the caller may read, with their row counts.

        Returns [{form, title, unit, unit_name, work_year, rows}], newest
        work year first. Errors: 404 when `unit` is outside the caller's
        scope, 422 for an invalid query.
        """
        return self.registers.list_registers(
            ctx.actor, query.get("unit"), query.get("work_year"))

    @api_route("GET", f"{REGISTER}/rows", "Các dòng của một sổ",
               response=schemas.RegisterRowsSchema(),
               path_schema=schemas.RegisterPathSchema(),
               query=schemas.RegisterRowsQuerySchema())
    def api_register_rows(self, ctx, body, form, unit, work_year, query):
        """Return one page of a register's rows in STT order.

        Returns {form, unit, work_year, total, rows}. Without date, party or
        number filters the closing lines (kết sổ) are among the rows.
        Errors: 404 for another unit's register or an unknown form or
        unit, 422 for invalid filters.
        """
        return self.registers.rows(ctx.actor, form, unit, work_year,
                                   row_filters(query))

    @api_route("GET", f"{REGISTER}/export", "Xuất sổ ra Excel hoặc PDF",
               path_schema=schemas.RegisterPathSchema(),
               query=schemas.ExportQuerySchema(), files=tuple(MEDIA_TYPES.values()))
    def api_register_export(self, ctx, body, form, unit, work_year, query):
        """Download a whole register, closing lines included.

        Returns the XLSX or PDF file as an attachment with a Vietnamese
        file name. Errors: 404 as for the rows, 422 for a missing or
        unknown `format` or for a register too large to export here.
        """
        return self.register_file(ctx, form, unit, work_year, query["format"])

    @api_route("GET", f"{V1}/statistics/<int:work_year>/<int:months>",
               "Thống kê số dòng vào sổ theo đơn vị",
               response=schemas.StatisticsSchema(),
               path_schema=schemas.StatisticsPathSchema())
    def api_statistics(self, ctx, body, work_year, months):
        """Count each unit's register rows for a reporting period.

        MONTHS is 3, 6, 10 or 12, counted from 1 October. Returns {work_year,
        months, period, units: [{unit, unit_name, counts}]}: every unit
        for a central user, the own unit for others. Errors: 404 for
        another period length or a work year outside 2000–2100.
        """
        return self.registers.statistics(ctx.actor, work_year, months)
