"""The registers service: the statutory registers of Thông tư 04/2023/TT-BTP.

Rows come only from the decisions service's events: Mẫu 01, 02 and 06
from the intake events, Mẫu 03, 04, 05 and 07 from `decision_issued`, and
dated notes from `decision_revoked`. Every RPC method takes the acting
user first; a unit outside the actor's scope raises NotFound.
"""
import base64
import io
import logging
import re
from datetime import date, datetime, timezone

import eventlet
from amqp.exceptions import ChannelError
from kombu.exceptions import OperationalError
from nameko.dependency_providers import Config
from nameko.events import event_handler
from nameko.exceptions import RemoteError, UnknownService
from nameko.rpc import rpc
from sqlalchemy import func, select

from services.common import events
from services.common.actors import (
    Forbidden, InvalidActor, NotFound, actor_from, visible,
)
from services.common.calendar import local_date, reporting_periods
from services.common.db import Database
from services.common.rpc import RpcTimeout, TimedRpcProxy
from services.common.units import UnknownUnit, get_unit, provincial_units
from services.registers import catchup, export as exporters, models
from services.registers import rows as row_rules
from services.registers.layout import load_layout
from services.registers.models import register_rows, registers

log = logging.getLogger(__name__)

SERVICE = "registers"
FORMATS = ("xlsx", "pdf")
REPORTING_MONTHS = {3: "M3", 6: "M6", 10: "M10", 12: "M12"}
DEFAULT_PAGE = 100
MAX_PAGE = 1000
# Largest register that `export` builds in a worker and returns over RPC;
# a bigger one is exported with commands.export_register, which streams.
RPC_EXPORT_MAX_ROWS = 20000
RPC_EXPORT_MAX_ROWS_KEY = "REGISTERS_RPC_EXPORT_MAX_ROWS"
# Rows exported between two yields to the eventlet hub.
EXPORT_YIELD_EVERY = 50
FILTER_KEYS = ("date_from", "date_to", "party", "judgment_number",
               "decision_number", "limit", "offset")


class InvalidArgument(ValueError):
    """An argument of an RPC call is invalid; the message names it."""


class RegisterTooLarge(Exception):
    """The register has more rows than an RPC export returns."""


# Errors of the caller, which nameko then logs as warnings, not as errors.
CALLER_ERRORS = (InvalidArgument, InvalidActor, NotFound, Forbidden,
                 RegisterTooLarge)
query_rpc = rpc(expected_exceptions=CALLER_ERRORS)

# Errors that mean the decisions service or the broker cannot serve the
# history now.
UNREACHABLE = (RpcTimeout, UnknownService, RemoteError, ChannelError,
               OperationalError)


# Argument checks


def check_form(form):
    text = str(form).strip()
    if text.isdigit() and f"{int(text):02d}" in row_rules.FORMS:
        return f"{int(text):02d}"
    raise InvalidArgument(
        f"form {form!r} is not a register; use one of "
        f"{', '.join(row_rules.FORMS)}")


def check_unit(unit):
    try:
        return get_unit(str(unit)).code
    except UnknownUnit as error:
        raise InvalidArgument(str(error)) from None


def check_work_year(year):
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
        raise InvalidArgument(
            f"work_year {year!r} is invalid: send the year in which the work "
            f"year ends, e.g. 2027 for 1 October 2026 to 30 September 2027")
    return year


def check_date(value, name):
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InvalidArgument(
            f"{name} {value!r} is not a date; send YYYY-MM-DD") from None


def check_count(value, name, default, maximum):
    if value is None:
        return default
    whole = isinstance(value, int) and not isinstance(value, bool)
    if not whole or not 0 <= value <= maximum:
        raise InvalidArgument(
            f"{name} {value!r} is invalid; send a whole number from 0 to {maximum}")
    return value


def check_filters(filters):
    filters = filters or {}
    if not isinstance(filters, dict):
        raise InvalidArgument("filters must be an object")
    unknown = sorted(set(filters) - set(FILTER_KEYS))
    if unknown:
        raise InvalidArgument(
            f"unknown filter {', '.join(unknown)}; use {', '.join(FILTER_KEYS)}")
    return filters


def today_in_vietnam():
    return local_date(datetime.now(timezone.utc))


# Queries


def escape_like(text):
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def contains(column, text):
    return column.like(f"%{escape_like(row_rules.fold(text))}%", escape="\\")


def filter_conditions(filters):
    """Return the conditions on register_rows that FILTERS set, maybe none."""
    columns = register_rows.c
    conditions = []
    if filters.get("date_from"):
        first = check_date(filters["date_from"], "date_from")
        conditions.append(columns.entry_date >= first)
    if filters.get("date_to"):
        last = check_date(filters["date_to"], "date_to")
        conditions.append(columns.entry_date <= last)
    if filters.get("party"):
        conditions.append(contains(columns.party_search, str(filters["party"])))
    if filters.get("judgment_number"):
        conditions.append(contains(columns.judgment_search,
                                   str(filters["judgment_number"])))
    if filters.get("decision_number"):
        conditions.append(decision_condition(str(filters["decision_number"])))
    return conditions


def decision_condition(text):
    """Match "7" or "07" by number, anything else by the printed number."""
    text = text.strip()
    if re.fullmatch(r"[0-9]{1,9}", text):
        return register_rows.c.decision_number == int(text)
    return register_rows.c.decision_display == text


def register_page(session, register, form, filters):
    limit = check_count(filters.get("limit"), "limit", DEFAULT_PAGE, MAX_PAGE)
    offset = check_count(filters.get("offset"), "offset", 0, 10**9)
    conditions = filter_conditions(filters)
    total = models.count_rows(session, register.id, conditions)
    page = list(models.stored_rows(session, register.id, form, conditions,
                                   limit=limit, offset=offset))
    if conditions:
        return total, page
    closings = models.closing_lines(session, register, load_layout(form),
                                    today_in_vietnam())
    at_end = offset + len(page) >= total
    return total, list(row_rules.insert_closing_lines(page, closings, at_end))


def register_summary(row):
    return {"form": row.form, "title": load_layout(row.form).title,
            "unit": row.unit, "unit_name": get_unit(row.unit).name,
            "work_year": row.work_year, "rows": row.last_stt}


def visible_units(actor):
    return [unit.code for unit in provincial_units() if actor.sees_unit(unit.code)]


def unit_counts(session, units, work_year, end):
    """Return {unit: {form: rows entered up to END}} for WORK_YEAR."""
    query = (
        select(registers.c.unit, registers.c.form, func.count(register_rows.c.id))
        .join(register_rows, register_rows.c.register_id == registers.c.id)
        .where(registers.c.work_year == work_year,
               registers.c.unit.in_(units), register_rows.c.entry_date <= end)
        .group_by(registers.c.unit, registers.c.form)
    )
    counts = {unit: dict.fromkeys(row_rules.FORMS, 0) for unit in units}
    for unit, form, count in session.execute(query):
        counts[unit][form] = count
    return counts


def export_meta(unit, work_year):
    return {"unit_name": get_unit(unit).name, "work_year": work_year,
            "printed_at": today_in_vietnam()}


def cooperative(items):
    """Yield ITEMS, giving other greenlets a turn every few items."""
    for index, item in enumerate(items, start=1):
        if index % EXPORT_YIELD_EVERY == 0:
            eventlet.sleep(0)
        yield item


class RegistersService:
    name = SERVICE

    db = Database(SERVICE)
    decisions = TimedRpcProxy("decisions")
    config = Config()

    # events ----------------------------------------------------------------

    @event_handler("decisions", events.JUDGMENT_RECEIVED, requeue_on_error=True)
    def on_judgment_received(self, message):
        """Add a Mẫu 01 row for a received judgment."""
        self.apply(message)

    @event_handler("decisions", events.REQUEST_RECEIVED, requeue_on_error=True)
    def on_request_received(self, message):
        """Add a Mẫu 02 row for a received enforcement request."""
        self.apply(message)

    @event_handler("decisions", events.ENTRUSTMENT_RECEIVED,
                   requeue_on_error=True)
    def on_entrustment_received(self, message):
        """Add a Mẫu 06 row for a received entrustment decision."""
        self.apply(message)

    @event_handler("decisions", events.DECISION_ISSUED, requeue_on_error=True)
    def on_decision_issued(self, message):
        """Add a Mẫu 03, 04, 05 or 07 row for an issued decision."""
        self.apply(message)

    @event_handler("decisions", events.DECISION_REVOKED, requeue_on_error=True)
    def on_decision_revoked(self, message):
        """Note a revocation, amendment or cancellation on the decision's row."""
        self.apply(message)

    def apply(self, message):
        with self.db.transaction() as session:
            catchup.apply_message(session, message)

    @catchup.catchup_timer(interval=catchup.CATCHUP_SECONDS, eager=True)
    def catch_up(self):
        """Apply what the decisions event history has and this service lacks.

        Runs when the service starts and then every CATCHUP_SECONDS. When
        the decisions service does not reply, it logs a warning and tries
        again at the next run.
        """
        try:
            catchup.catch_up(self.db, self.decisions.event_history)
        except UNREACHABLE as error:
            log.warning("catch-up from decisions failed, next try in %s s: %s",
                        self.catch_up_interval(), error)

    def catch_up_interval(self):
        return self.config.get(catchup.CATCHUP_SECONDS_KEY,
                               catchup.CATCHUP_SECONDS)

    # queries ---------------------------------------------------------------

    @query_rpc
    def list_registers(self, actor, unit=None, work_year=None):
        """Return the registers the actor may read, with their row counts.

        Each item is {form, title, unit, unit_name, work_year, rows}. UNIT
        and WORK_YEAR narrow the list. Raises NotFound for a unit outside
        the actor's scope.
        """
        actor = actor_from(actor)
        units = visible_units(actor)
        if unit is not None:
            unit = check_unit(unit)
            visible(actor, unit)
            units = [unit]
        query = select(registers).where(registers.c.unit.in_(units))
        if work_year is not None:
            query = query.where(
                registers.c.work_year == check_work_year(work_year))
        query = query.order_by(registers.c.work_year.desc(), registers.c.unit,
                               registers.c.form)
        with self.db.transaction() as session:
            return [register_summary(row) for row in session.execute(query)]

    @query_rpc
    def rows(self, actor, form, unit, work_year, filters=None):
        """Return one page of a register's rows, in STT order.

        FILTERS may hold date_from and date_to (entry date, YYYY-MM-DD),
        party (part of a name or address, with or without diacritics),
        judgment_number (part of it), decision_number ("7" or
        "07/QĐ-THADS"), limit (default 100, at most 1000) and offset.
        Without date, party or number filters, the closing line of each
        ended period is placed after its last row. Returns {form, unit,
        work_year, total, rows}; total counts matching rows, not closing
        lines. Raises InvalidArgument or NotFound.
        """
        actor = actor_from(actor)
        form, unit = check_form(form), check_unit(unit)
        year = check_work_year(work_year)
        visible(actor, unit)
        filters = check_filters(filters)
        result = {"form": form, "unit": unit, "work_year": year,
                  "total": 0, "rows": []}
        with self.db.transaction() as session:
            register = models.find_register(session, form, unit, year)
            if register is not None:
                result["total"], result["rows"] = register_page(
                    session, register, form, filters)
        return result

    @query_rpc
    def statistics(self, actor, work_year, months):
        """Count each unit's register rows for a cumulative reporting period.

        MONTHS is 3, 6, 10 or 12: the period from 1 October to the end of
        December, March, July or September. Returns {work_year, months,
        period: {code, label, start, end}, units: [{unit, unit_name,
        counts: {form: rows}}]} over the units the actor may read: all
        units in a central user's scope, the own unit for others.
        """
        actor = actor_from(actor)
        year = check_work_year(work_year)
        if months not in REPORTING_MONTHS:
            raise InvalidArgument(
                f"months {months!r} is not a reporting period; use 3, 6, 10 or 12")
        period = next(p for p in reporting_periods(year)
                      if p.code == REPORTING_MONTHS[months])
        units = visible_units(actor)
        with self.db.transaction() as session:
            counts = unit_counts(session, units, year, period.end)
        return {
            "work_year": year, "months": months,
            "period": {"code": period.code, "label": period.label,
                       "start": period.start.isoformat(),
                       "end": period.end.isoformat()},
            "units": [{"unit": unit, "unit_name": get_unit(unit).name,
                       "counts": counts[unit]} for unit in units],
        }

    @query_rpc
    def export(self, actor, form, unit, work_year, fmt):
        """Export a whole register, closing lines included, as XLSX or PDF.

        Returns {filename, content_base64}. Raises RegisterTooLarge above
        REGISTERS_RPC_EXPORT_MAX_ROWS rows (default 20000): export those
        with the command-line helper, which streams to a file.
        """
        actor = actor_from(actor)
        form, unit = check_form(form), check_unit(unit)
        year = check_work_year(work_year)
        visible(actor, unit)
        if fmt not in FORMATS:
            raise InvalidArgument(f"fmt {fmt!r} is invalid; use xlsx or pdf")
        output = io.BytesIO()
        with self.db.transaction() as session:
            self.write_export(session, form, unit, year, fmt, output)
        log.info("exported form %s of unit %s, work year %s as %s (%d bytes)",
                 form, unit, year, fmt, output.tell())
        return {"filename": f"mau{form}_{unit}_{year}.{fmt}",
                "content_base64": base64.b64encode(output.getvalue()).decode()}

    def write_export(self, session, form, unit, year, fmt, output):
        layout = load_layout(form)
        register = models.find_register(session, form, unit, year)
        entries = []
        if register is not None:
            self.check_export_size(register)
            closings = models.closing_lines(session, register, layout,
                                            today_in_vietnam())
            stored = models.stored_rows(session, register.id, form)
            entries = row_rules.insert_closing_lines(stored, closings)
        writer = exporters.export_xlsx if fmt == "xlsx" else exporters.export_pdf
        writer(layout, export_meta(unit, year), cooperative(entries), output)

    def check_export_size(self, register):
        limit = int(self.config.get(RPC_EXPORT_MAX_ROWS_KEY, RPC_EXPORT_MAX_ROWS))
        if register.last_stt > limit:
            raise RegisterTooLarge(
                f"register Mẫu {register.form} of unit {register.unit}, work "
                f"year {register.work_year} has {register.last_stt} rows, more "
                f"than the {limit} an RPC export returns; export it with the "
                f"command-line register export, which writes a file")

    @query_rpc
    def rebuild_check(self, actor, form, unit, work_year):
        """Replay the decisions event history into a fresh copy of one
        register and compare it with the stored rows.

        Returns {form, unit, work_year, events, invalid_events, rows,
        stored, differences}; see rows.compare_rows for the differences,
        of which none are expected. Raises RpcTimeout when the decisions
        service does not reply.
        """
        actor = actor_from(actor)
        form, unit = check_form(form), check_unit(unit)
        year = check_work_year(work_year)
        visible(actor, unit)
        key = (form, unit, year)
        memory, read, invalid = catchup.replay_history(
            self.decisions.event_history, include=lambda found: found == key)
        expected = memory.composed(key)
        with self.db.transaction() as session:
            register = models.find_register(session, form, unit, year)
            stored = ({} if register is None
                      else models.rows_by_event(session, register.id, form))
        differences = row_rules.compare_rows(expected, stored)
        log.info("rebuild check of form %s unit %s work year %s: %d events, "
                 "%d differences", form, unit, year, read, len(differences))
        return {"form": form, "unit": unit, "work_year": year, "events": read,
                "invalid_events": invalid, "rows": len(expected),
                "stored": len(stored), "differences": differences}
