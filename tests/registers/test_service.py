"""The registers service against RabbitMQ and PostgreSQL.

Events are published as the decisions service's relay publishes them. A
small stand-in "decisions" service serves `event_history` from a list:
it replaces the remote service so that the catch-up is what is tested.
"""
import base64
import io

import eventlet
import pytest
from nameko.exceptions import RemoteError
from nameko.rpc import rpc
from nameko.standalone.events import event_dispatcher
from openpyxl import load_workbook

from services.registers import commands
from services.registers.service import RegistersService
from tests.conftest import wait_until
from tests.registers.test_rows import (
    correcting, entrustment_received, issued, judgment_received,
    request_received, revoked,
)

CLERK_79 = {"username": "clerk79", "role": "clerk", "unit": "79"}
CLERK_01 = {"username": "clerk01", "role": "clerk", "unit": "01"}
CENTRAL = {"username": "cuc", "role": "central", "unit": None,
           "scope": ["all"]}

# Served by FakeDecisions.event_history; each test sets its own content.
HISTORY = []


class FakeDecisions:
    """Stand-in for the decisions service: only its event history."""

    name = "decisions"

    @rpc
    def event_history(self, after_seq=0, limit=500):
        return [item for item in HISTORY if item["seq"] > after_seq][:limit]


@pytest.fixture
def history():
    HISTORY.clear()
    yield HISTORY
    HISTORY.clear()


@pytest.fixture
def config(service_config):
    return service_config("registers", rpc_timeout=3,
                          REGISTERS_CATCHUP_SECONDS=1)


def container_starter(container_factory, service_class, config):
    """Return a function that starts SERVICE_CLASS, and the started list.

    nameko's fast_teardown fixture drops the vhost before container_factory
    kills its containers, so the fixtures below kill theirs first.
    """
    started = []

    def start():
        container = container_factory(service_class, config)
        container.start()
        started.append(container)
        return container
    return start, started


@pytest.fixture
def start_registers(config, container_factory):
    start, started = container_starter(container_factory, RegistersService,
                                       config)
    yield start
    for container in started:
        container.kill()


@pytest.fixture
def start_decisions(config, container_factory, history):
    start, started = container_starter(container_factory, FakeDecisions, config)
    yield start
    for container in started:
        container.kill()


@pytest.fixture
def registers(start_registers):
    return start_registers()


@pytest.fixture
def publish(config):
    dispatch = event_dispatcher(config)

    def send(*messages):
        for message in messages:
            dispatch("decisions", message["event_type"], message)
    return send


def db_url(config):
    return config["REGISTERS_DATABASE_URL"]


def wait_processed(sql, config, *messages):
    ids = [message["event_id"] for message in messages]

    def done():
        found = sql(db_url(config),
                    "SELECT count(*) AS n FROM processed_events "
                    "WHERE event_id::text = ANY(:ids)", ids=ids)
        return found[0].n == len(ids)
    wait_until(done, timeout=30, message=f"{len(ids)} events applied")


def entries(result):
    return [row for row in result["rows"] if "_closing" not in row]


def rows_of(proxy, form, year=2027, unit="79", actor=CLERK_79, **filters):
    return proxy.registers.rows(actor, form, unit, year, filters or None)


def stt_by_decision(sql, config, form="03"):
    found = sql(db_url(config),
                "SELECT r.stt, r.data->'decision'->>'display' AS display "
                "FROM register_rows r JOIN registers g ON g.id = r.register_id "
                "WHERE g.form = :form ORDER BY r.stt", form=form)
    return [(row.stt, row.display) for row in found]


# Rows in each register


def test_each_register_gets_its_rows(registers, publish, sql, config, rpc_proxy):
    first, second = issued(1, kind="ex_officio"), issued(2, kind="on_request")
    messages = [
        judgment_received(), request_received(), entrustment_received(),
        first, second, correcting(first, 3),
        correcting(first, 4, kind="entrust_enforcement", receiving_unit="01"),
        issued(5, kind="entrust_asset", receiving_unit="01",
               asset={"description": "Xe ô tô 51A-123.45",
                      "location": "Thành phố Hồ Chí Minh"}),
    ]
    for message in messages:
        publish(message)
        wait_processed(sql, config, message)
    proxy = rpc_proxy()

    counts = {form: len(entries(rows_of(proxy, form)))
              for form in ("01", "02", "03", "04", "05", "06", "07")}
    mau03 = entries(rows_of(proxy, "03"))

    assert counts == {"01": 1, "02": 1, "03": 2, "04": 1, "05": 1, "06": 1,
                      "07": 1}
    assert [row["stt"] for row in mau03] == [1, 2]
    assert [row["decision"]["display"] for row in mau03] == [
        "01/QĐ-THADS", "02/QĐ-THADS"]
    assert [row["decision"]["mode"] for row in mau03] == [
        "Chủ động", "Theo yêu cầu"]
    assert mau03[0]["total_vnd"] == 12_500_000
    assert mau03[0]["judgment"]["number"] == "125/2026/DS-ST"
    mau04 = entries(rows_of(proxy, "04"))[0]
    assert mau04["related_decision"]["display"] == "01/QĐ-THADS"
    mau05 = entries(rows_of(proxy, "05"))[0]
    assert mau05["entrustment"]["number"] == "04/QĐ-THADS"
    mau07 = entries(rows_of(proxy, "07"))[0]
    assert mau07["asset"]["description"] == "Xe ô tô 51A-123.45"
    mau01 = entries(rows_of(proxy, "01"))[0]
    assert mau01["received_at"] == "2026-10-05"


def test_request_row_shows_the_settling_decision(registers, publish, sql,
                                                 config, rpc_proxy):
    request = request_received()
    decision = issued(6, kind="on_request",
                      request_record_id=request["data"]["record_id"])
    publish(decision)
    wait_processed(sql, config, decision)
    publish(request)
    wait_processed(sql, config, request)

    (row,) = entries(rows_of(rpc_proxy(), "02"))

    assert row["result"] == (
        "Quyết định thi hành án số 06/QĐ-THADS ngày 02/11/2026")
    assert row["stt"] == 1


def test_concurrent_events_get_consecutive_stt(registers, publish, sql, config):
    messages = [issued(number) for number in range(1, 121)]
    publish(*messages)
    wait_processed(sql, config, *messages)

    numbered = stt_by_decision(sql, config)

    assert [stt for stt, _ in numbered] == list(range(1, 121))
    assert sorted(display for _, display in numbered) == sorted(
        message["data"]["display"] for message in messages)


# Each event makes at most one row


def test_redelivered_event_makes_one_row(registers, publish, sql, config):
    message, later = issued(1), issued(2)
    publish(message, message, message)
    publish(later)
    wait_processed(sql, config, message, later)
    eventlet.sleep(0.5)

    assert stt_by_decision(sql, config) == [(1, "01/QĐ-THADS"),
                                           (2, "02/QĐ-THADS")]


def test_events_wait_while_service_is_down(start_registers, publish, sql,
                                          config, rpc_proxy):
    first = start_registers()
    first.stop()
    messages = [issued(number) for number in range(1, 31)]
    publish(*messages)

    start_registers()
    wait_processed(sql, config, *messages)

    numbered = stt_by_decision(sql, config)
    assert [stt for stt, _ in numbered] == list(range(1, 31))
    assert sorted(display for _, display in numbered) == sorted(
        message["data"]["display"] for message in messages)
    assert len(entries(rows_of(rpc_proxy(), "03", limit=100))) == 30


def test_catch_up_applies_history_once(start_decisions, start_registers,
                                       history, publish, sql, config):
    older = [issued(number, seq=number) for number in range(1, 6)]
    history.extend(older)
    history.append(dict(older[0], seq=6))  # the same event id, replayed
    start_decisions()

    start_registers()
    wait_processed(sql, config, *older)
    publish(older[1])  # and delivered again through the queue
    newer = issued(7, seq=7)
    history.append(newer)
    wait_processed(sql, config, newer)

    displays = [display for _, display in stt_by_decision(sql, config)]
    assert displays == [f"{n:02d}/QĐ-THADS" for n in (1, 2, 3, 4, 5, 7)]
    # The cursor moves after the batch that contains the event is applied.
    def cursor():
        rows = sql(db_url(config), "SELECT last_seq FROM cursors "
                   "WHERE source = 'decisions'")
        return rows[0].last_seq if rows else None

    assert wait_until(lambda: cursor() == 7, message="cursor at seq 7")


def test_catch_up_retries_until_decisions_replies(
        start_decisions, start_registers, history, sql, config):
    message = issued(1, seq=1)
    history.append(message)
    start_registers()
    eventlet.sleep(2)
    assert stt_by_decision(sql, config) == []

    start_decisions()

    wait_processed(sql, config, message)
    assert stt_by_decision(sql, config) == [(1, "01/QĐ-THADS")]


# Later changes become notes


def test_revocation_adds_note_and_changes_nothing_else(
        registers, publish, sql, config, rpc_proxy):
    target = issued(5)
    publish(target)
    wait_processed(sql, config, target)
    proxy = rpc_proxy()
    (before,) = entries(rows_of(proxy, "03"))
    by = correcting(target, 7)
    publish(by, revoked(target, by))
    wait_until(lambda: entries(rows_of(proxy, "04")), message="Mẫu 04 row")
    wait_until(lambda: entries(rows_of(proxy, "03"))[0]["notes"],
               message="note on the revoked decision")

    (after,) = entries(rows_of(proxy, "03"))

    assert after["notes"] == ("Ngày 12/11/2026: bị thu hồi bởi Quyết định số "
                              "07/QĐ-THADS ngày 12/11/2026")
    assert {key: value for key, value in after.items() if key != "notes"} == {
        key: value for key, value in before.items() if key != "notes"}
    stored = sql(db_url(config), "SELECT data->>'notes' AS notes "
                 "FROM register_rows WHERE event_id = :id",
                 id=target["event_id"])
    assert stored[0].notes is None


def test_revocation_before_its_decision(registers, publish, sql, config,
                                        rpc_proxy):
    target = issued(5)
    by = correcting(target, 7, kind="cancellation")
    note = revoked(target, by)
    publish(note)
    wait_processed(sql, config, note)
    publish(target)
    wait_processed(sql, config, target)

    (row,) = entries(rows_of(rpc_proxy(), "03"))

    assert row["stt"] == 1
    assert row["notes"] == ("Ngày 12/11/2026: bị hủy bởi Quyết định số "
                            "07/QĐ-THADS ngày 12/11/2026")


# Closing lines


def test_closing_lines_per_quarter(registers, publish, sql, config, rpc_proxy):
    days = ["2025-10-15", "2025-11-20", "2026-01-12", "2026-08-03"]
    messages = [issued(n, issued_on=day) for n, day in enumerate(days, 1)]
    for message in messages:
        publish(message)
        wait_processed(sql, config, message)
    proxy = rpc_proxy()

    result = rows_of(proxy, "03", year=2026)
    lines = [row["_closing"]["label"] if "_closing" in row else row["stt"]
             for row in result["rows"]]
    totals = {row["_closing"]["period"]: row["_closing"]["totals"]
              for row in result["rows"] if "_closing" in row}

    assert lines == [
        1, 2, "Kết sổ Quý I năm công tác 2026",
        3, "Kết sổ Quý II năm công tác 2026",
        "Kết sổ 6 tháng đầu năm công tác 2026",
        "Kết sổ Quý III năm công tác 2026",
        4, "Kết sổ Quý IV năm công tác 2026",
        "Kết sổ 6 tháng cuối năm công tác 2026",
        "Kết sổ năm công tác 2026",
    ]
    assert result["total"] == 4
    assert totals["Q1"] == {"decision_number": 2, "total_vnd": 25_000_000}
    assert totals["Q3"] == {"decision_number": 0, "total_vnd": 0}
    assert totals["Y"] == {"decision_number": 4, "total_vnd": 50_000_000}
    page = rows_of(proxy, "03", year=2026, limit=2, offset=2)
    assert [row.get("stt") for row in page["rows"]][:2] == [None, 3]


# Queries, scope and exports


def test_filters_narrow_rows(registers, publish, sql, config, rpc_proxy):
    other = {"name": "Lý Thị Mai", "address": "Phường Thủ Đức"}
    messages = [issued(1, issued_on="2026-10-10"),
                issued(2, issued_on="2026-11-10", debtors=[other]),
                issued(3, issued_on="2026-12-01")]
    publish(*messages)
    wait_processed(sql, config, *messages)
    proxy = rpc_proxy()

    def numbers(**filters):
        found = entries(rows_of(proxy, "03", **filters))
        return sorted(row["decision"]["number"] for row in found)

    assert numbers() == [1, 2, 3]
    assert numbers(party="ly thi mai") == [2]
    assert numbers(party="Lý Thị") == [2]
    assert numbers(decision_number="3") == [3]
    assert numbers(decision_number="01/QĐ-THADS") == [1]
    assert numbers(judgment_number="125/2026") == [1, 2, 3]
    assert numbers(date_from="2026-11-01", date_to="2026-11-30") == [2]
    page = entries(rows_of(proxy, "03", limit=1, offset=1))
    assert [row["stt"] for row in page] == [2]
    with pytest.raises(RemoteError) as error:
        rows_of(proxy, "03", date_from="01/11/2026")
    assert error.value.exc_type == "InvalidArgument"


def test_scope_limits_units(registers, publish, sql, config, rpc_proxy):
    messages = [issued(1, unit="79"), issued(2, unit="79"), issued(1, unit="48")]
    publish(*messages)
    wait_processed(sql, config, *messages)
    proxy = rpc_proxy()

    with pytest.raises(RemoteError) as error:
        rows_of(proxy, "03", unit="79", actor=CLERK_01)
    assert error.value.exc_type == "NotFound"
    with pytest.raises(RemoteError) as error:
        proxy.registers.list_registers(CLERK_01, "79")
    assert error.value.exc_type == "NotFound"
    assert proxy.registers.list_registers(CLERK_01) == []
    own = proxy.registers.list_registers(CLERK_79)
    assert [(r["form"], r["unit"], r["rows"]) for r in own] == [("03", "79", 2)]
    everything = proxy.registers.list_registers(CENTRAL)
    assert sorted(r["unit"] for r in everything) == ["48", "79"]
    assert len(entries(rows_of(proxy, "03", unit="48", actor=CENTRAL))) == 1


def test_statistics_per_unit(registers, publish, sql, config, rpc_proxy):
    messages = [issued(1, unit="79", issued_on="2026-10-10"),
                issued(2, unit="79", issued_on="2027-02-10"),
                issued(1, unit="48", issued_on="2026-12-20"),
                judgment_received(unit="79")]
    publish(*messages)
    wait_processed(sql, config, *messages)
    proxy = rpc_proxy()

    three = proxy.registers.statistics(CENTRAL, 2027, 3)
    six = proxy.registers.statistics(CENTRAL, 2027, 6)
    own = proxy.registers.statistics(CLERK_01, 2027, 12)

    by_unit = {item["unit"]: item["counts"] for item in three["units"]}
    assert three["period"]["end"] == "2026-12-31"
    assert len(three["units"]) == 34
    assert by_unit["79"]["03"] == 1
    assert by_unit["79"]["01"] == 1
    assert by_unit["48"]["03"] == 1
    six_79 = next(i["counts"] for i in six["units"] if i["unit"] == "79")
    assert six_79["03"] == 2
    assert [item["unit"] for item in own["units"]] == ["01"]
    assert own["units"][0]["counts"]["03"] == 0
    with pytest.raises(RemoteError) as error:
        proxy.registers.statistics(CENTRAL, 2027, 5)
    assert error.value.exc_type == "InvalidArgument"


def test_export_returns_xlsx_and_pdf(registers, publish, sql, config, rpc_proxy):
    messages = [issued(1, issued_on="2025-11-03"), issued(2, issued_on="2026-02-03")]
    publish(*messages)
    wait_processed(sql, config, *messages)
    proxy = rpc_proxy()

    xlsx = proxy.registers.export(CLERK_79, "03", "79", 2026, "xlsx")
    pdf = proxy.registers.export(CLERK_79, "03", "79", 2026, "pdf")

    assert xlsx["filename"] == "mau03_79_2026.xlsx"
    sheet = load_workbook(io.BytesIO(base64.b64decode(xlsx["content_base64"]))).active
    cells = [cell for row in sheet.iter_rows(values_only=True) for cell in row]
    assert "01/QĐ-THADS" in cells
    assert "02/QĐ-THADS" in cells
    assert "Kết sổ Quý I năm công tác 2026" in cells
    assert base64.b64decode(pdf["content_base64"]).startswith(b"%PDF")
    with pytest.raises(RemoteError) as error:
        proxy.registers.export(CLERK_01, "03", "79", 2026, "pdf")
    assert error.value.exc_type == "NotFound"


def test_rpc_export_rejects_large_register(service_config, container_factory,
                                           publish, sql, rpc_proxy):
    config = service_config("registers", REGISTERS_RPC_EXPORT_MAX_ROWS=2)
    container = container_factory(RegistersService, config)
    container.start()
    messages = [issued(number) for number in (1, 2, 3)]
    publish(*messages)
    wait_processed(sql, config, *messages)

    with pytest.raises(RemoteError) as error:
        rpc_proxy().registers.export(CLERK_79, "03", "79", 2027, "xlsx")

    assert error.value.exc_type == "RegisterTooLarge"
    container.kill()


# Rebuild from the event history


def publish_with_history(publish, history, messages, sql, config):
    """Publish MESSAGES one by one and keep them as the history.

    Waiting for each event keeps the STT order equal to the seq order.
    """
    for seq, message in enumerate(messages, start=1):
        message["seq"] = seq
        history.append(message)
        publish(message)
        wait_processed(sql, config, message)


def test_rebuild_check_finds_no_difference_then_one(
        start_decisions, registers, history, publish, sql, config, rpc_proxy):
    target = issued(5)
    by = correcting(target, 7)
    messages = [issued(1), target, revoked(target, by), by, issued(9)]
    publish_with_history(publish, history, messages, sql, config)
    start_decisions()
    proxy = rpc_proxy()

    clean = proxy.registers.rebuild_check(CLERK_79, "03", "79", 2027)
    sql(db_url(config), "UPDATE register_rows SET data = jsonb_set(data, "
        "'{officer}', '\"Người khác\"') WHERE event_id = :id",
        id=target["event_id"])
    tampered = proxy.registers.rebuild_check(CLERK_79, "03", "79", 2027)

    assert clean["differences"] == []
    assert (clean["rows"], clean["stored"]) == (3, 3)
    (difference,) = tampered["differences"]
    assert difference["event_id"] == target["event_id"]
    assert difference["field"] == "officer"
    assert difference["stored"] == "Người khác"


def test_commands_export_and_rebuild(start_decisions, registers, history,
                                     publish, sql, config, monkeypatch,
                                     tmp_path, capsys):
    messages = [issued(n, issued_on="2026-10-20") for n in range(1, 4)]
    publish_with_history(publish, history, messages, sql, config)
    start_decisions()
    monkeypatch.setenv("AMQP_URI", config["AMQP_URI"])
    monkeypatch.setenv("REGISTERS_DATABASE_URL", db_url(config))
    monkeypatch.setenv("RPC_TIMEOUT", "5")
    out = tmp_path / "mau03.xlsx"

    written = commands.export_register("03", "79", 2027, "xlsx", str(out))
    differences = commands.rebuild(form="03")
    sql(db_url(config), "DELETE FROM register_rows WHERE stt = 3")
    after_delete = commands.rebuild()
    output = capsys.readouterr()

    assert written == 3
    assert out.exists()
    assert not (tmp_path / "mau03.xlsx.part").exists()
    assert "exported 3 of 3 rows" in output.err
    assert differences == 0
    assert after_delete == 1
    assert "STT 3" in output.out
    assert "missing from the stored register" in output.out
