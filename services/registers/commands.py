"""Command-line helpers of the registers, for the `thads` command.

`export_register` writes a register of any size to a file, streaming the
rows from the database. `rebuild` replays the decisions event history into
fresh registers in memory and prints every difference from the stored
rows. Both read the registers database and the broker named by the
environment (services.common.config) and report progress on stderr.
"""
import logging
import os
import sys

from nameko.standalone.rpc import ClusterRpcProxy
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.common import config
from services.common.db import make_engine
from services.registers import catchup, export as exporters, models
from services.registers import rows as row_rules
from services.registers.layout import load_layout
from services.registers.models import registers
from services.registers.service import (
    FORMATS, InvalidArgument, check_form, check_unit, check_work_year,
    export_meta, today_in_vietnam,
)

log = logging.getLogger(__name__)

# Rows fetched per round trip by the export's server-side cursor.
EXPORT_BATCH = 1000


def say(message):
    print(message, file=sys.stderr, flush=True)


def open_session():
    engine = make_engine(config.database_url("registers"), 1)
    return engine, Session(engine)


def export_register(form, unit, work_year, fmt, out_path):
    """Write register (FORM, UNIT, WORK_YEAR) to OUT_PATH as XLSX or PDF.

    The file appears only when the export succeeded: it is written next
    to OUT_PATH first and then renamed. Returns the number of rows.
    Raises InvalidArgument for a bad argument.
    """
    form, unit = check_form(form), check_unit(unit)
    year = check_work_year(work_year)
    if fmt not in FORMATS:
        raise InvalidArgument(f"format {fmt!r} is invalid; use xlsx or pdf")
    partial = f"{out_path}.part"
    engine, session = open_session()
    try:
        with session, session.begin():
            count = write_register(session, form, unit, year, fmt, partial)
        os.replace(partial, out_path)
    finally:
        engine.dispose()
        if os.path.exists(partial):
            os.remove(partial)
    say(f"wrote {out_path}: Mẫu {form}, unit {unit}, work year {year}, "
        f"{count} rows")
    return count


def write_register(session, form, unit, year, fmt, out_path):
    layout = load_layout(form)
    register = models.find_register(session, form, unit, year)
    entries, total = [], 0
    if register is not None:
        total = register.last_stt
        closings = models.closing_lines(session, register, layout,
                                        today_in_vietnam())
        stored = models.stored_rows(session, register.id, form,
                                    yield_per=EXPORT_BATCH)
        entries = row_rules.insert_closing_lines(stored, closings)
    writer = exporters.export_xlsx if fmt == "xlsx" else exporters.export_pdf
    return writer(layout, export_meta(unit, year), entries, out_path,
                  lambda done: say(f"exported {done} of {total} rows"))


def rebuild(form=None, unit=None, work_year=None):
    """Compare the stored registers with registers rebuilt from the history.

    FORM, UNIT and WORK_YEAR narrow the registers compared. Prints every
    difference on stdout and progress on stderr, and returns the number
    of differences, of which none are expected. Raises nameko's RpcTimeout
    when the decisions service does not reply within RPC_TIMEOUT seconds.
    """
    include = register_filter(form, unit, work_year)
    settings = config.service_config()
    say("reading the decisions event history ...")
    with ClusterRpcProxy(settings, timeout=settings["RPC_TIMEOUT"]) as cluster:
        memory, read, invalid = catchup.replay_history(
            cluster.decisions.event_history, include,
            progress=lambda done: say(f"replayed {done} events"))
    if invalid:
        say(f"skipped {len(invalid)} invalid events: {', '.join(invalid)}")
    engine, session = open_session()
    try:
        with session:
            total = compare_all(session, memory, include)
    finally:
        engine.dispose()
    say(f"rebuild check done: {read} events, {total} differences")
    return total


def register_filter(form, unit, work_year):
    """Return a predicate on (form, unit, work_year) from the optional filters."""
    form = check_form(form) if form is not None else None
    unit = check_unit(unit) if unit is not None else None
    year = check_work_year(work_year) if work_year is not None else None

    def include(key):
        return ((form is None or key[0] == form)
                and (unit is None or key[1] == unit)
                and (year is None or key[2] == year))

    return include


def compare_all(session, memory, include):
    stored_keys = [
        (row.form, row.unit, row.work_year)
        for row in session.execute(select(registers))
    ]
    keys = sorted({*memory.keys(), *filter(include, stored_keys)})
    total = 0
    for index, key in enumerate(keys, start=1):
        differences = compare_register(session, memory, key)
        total += len(differences)
        say(f"[{index}/{len(keys)}] Mẫu {key[0]}, unit {key[1]}, work year "
            f"{key[2]}: {len(differences)} differences")
    return total


def compare_register(session, memory, key):
    form, unit, year = key
    register = models.find_register(session, form, unit, year)
    stored = {} if register is None else models.rows_by_event(
        session, register.id, form)
    differences = row_rules.compare_rows(memory.composed(key), stored)
    for difference in differences:
        print(describe(key, difference), flush=True)
    return differences


def describe(key, difference):
    """Return one line naming the register, row, event and what differs."""
    where = (f"Mẫu {key[0]} unit {key[1]} work year {key[2]} "
             f"STT {difference['stt']} event {difference['event_id']}")
    if difference["problem"] == "missing":
        return f"{where}: missing from the stored register"
    if difference["problem"] == "unexpected":
        return f"{where}: stored, but no event in the history makes it"
    return (f"{where}: field {difference['field']} is "
            f"{difference['stored']!r}, the history gives "
            f"{difference['expected']!r}")
