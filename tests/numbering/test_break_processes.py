"""Numbering processes: unmigrated databases, restarts, takeover, kill -9."""
import os
import subprocess
import sys
import time
import uuid

import eventlet
import pytest
from kombu import Connection, Queue
from nameko.exceptions import RemoteError, RpcTimeout, UnknownService
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from services.numbering.ledger import verify
from tests.conftest import ROOT, RUN_ID, SERVER, admin_engine, drop_database
from tests.conftest import wait_until

ISSUED_AT = "2026-10-05T09:00:00+07:00"


@pytest.fixture
def empty_database():
    """Create a database with no tables and drop it after the test."""
    engine = admin_engine()
    name = f"thads_t{RUN_ID}_numbering_empty_{uuid.uuid4().hex[:8]}"
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield f"{SERVER}/{name}"
    drop_database(engine, name)
    engine.dispose()


def wait_for_answer(proxy_factory, timeout=60):
    def answers():
        try:
            proxy_factory(timeout=2).numbering.series_status("79", "QD", 2027)
            return True
        except (RpcTimeout, UnknownService):
            return False
    wait_until(answers, timeout=timeout, message="numbering answers")


def read_log(process):
    process.log.flush()
    with open(process.log.name, encoding="utf-8", errors="replace") as log:
        return log.read()


# Defects: each test below fails on the current service code.

def test_unmigrated_database_stops_process(
        rabbit_config, empty_database, spawn_services, rpc_proxy):
    # An unmigrated instance that became the single active consumer would
    # fail every request while a healthy standby waits.
    config = dict(rabbit_config, NUMBERING_DATABASE_URL=empty_database)
    process = spawn_services(config, "numbering")

    served_error = None
    deadline = time.monotonic() + 30
    while process.proc.poll() is None and time.monotonic() < deadline:
        try:
            rpc_proxy(timeout=2).numbering.series_status("79", "QD", 2027)
        except (RpcTimeout, UnknownService):
            continue
        except RemoteError as error:
            served_error = f"{error.exc_type}: {error.value[:200]}"
            break

    assert served_error is None
    assert process.proc.poll() not in (None, 0)
    assert "thads migrate" in read_log(process)


def test_ledger_verify_unmigrated_database(empty_database):
    env = dict(os.environ, NUMBERING_DATABASE_URL=empty_database)
    result = subprocess.run(
        [sys.executable, "-m", "services.cli", "ledger", "verify"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )

    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "thads migrate" in result.stdout + result.stderr


def test_stock_rpc_queue_left_over_is_reported(
        service_config, spawn_services):
    # A broker that ran a stock nameko @rpc numbering keeps an
    # rpc-numbering queue without the single-active-consumer flag, and
    # RabbitMQ rejects the declaration that has it.
    config = service_config("numbering")
    with Connection(config["AMQP_URI"]) as connection:
        Queue("rpc-numbering", durable=True)(connection.default_channel).declare()
    process = spawn_services(config, "numbering")

    # The current service retries the declaration every second for ever,
    # logging "Connection to broker lost", and consumes no events either.
    wait_until(lambda: process.proc.poll() is not None, timeout=20,
               message="numbering exits on the inequivalent queue")

    output = read_log(process)
    assert process.proc.returncode != 0
    assert "rpc-numbering" in output
    assert "x-single-active-consumer" in output


# Behaviour that held when this file was written.

def test_queue_keeps_single_consumer_across_restarts(
        service_config, spawn_services, rpc_proxy, rabbit_config,
        rabbit_manager):
    config = service_config("numbering")
    first = spawn_services(config, "numbering")
    wait_for_answer(rpc_proxy)
    first.terminate()
    second = spawn_services(config, "numbering")
    wait_for_answer(rpc_proxy)

    queue = rabbit_manager.get_queue(rabbit_config["vhost"], "rpc-numbering")
    second.terminate()

    assert queue["arguments"]["x-single-active-consumer"] is True
    assert queue["durable"] is True


def test_standby_takes_over_after_sigterm(
        service_config, spawn_services, rpc_proxy):
    config = service_config("numbering")
    active = spawn_services(config, "numbering")
    wait_for_answer(rpc_proxy)
    standby = spawn_services(config, "numbering")
    eventlet.sleep(3)  # let the standby register as a consumer
    proxy = rpc_proxy(timeout=10)
    before = proxy.numbering.allocate("79", "QD", ISSUED_AT, "before")

    active.terminate()
    after = proxy.numbering.allocate("79", "QD", ISSUED_AT, "after")
    standby.terminate()

    assert active.proc.returncode is not None
    assert before["number"] == 1
    assert after["number"] == 2


def test_kill_active_process_during_claims(
        service_config, spawn_services, rpc_proxy, sql):
    config = service_config("numbering")
    active = spawn_services(config, "numbering")
    wait_for_answer(rpc_proxy)
    standby = spawn_services(config, "numbering")
    eventlet.sleep(3)

    acknowledged = {}

    def claimant(index):
        proxy = rpc_proxy(timeout=8)
        for call in range(20):
            number = index * 100 + call + 1
            request_id = f"paper-{number}"
            while True:
                try:
                    proxy.numbering.claim(
                        "79", "QD", 2027, number, request_id, "giấy")
                    break
                except RpcTimeout:
                    continue  # retry with the same request id
            acknowledged[request_id] = number

    pool = eventlet.GreenPool(10)
    for index in range(10):
        pool.spawn(claimant, index)
    eventlet.sleep(1.0)
    done_before_kill = len(acknowledged)
    active.kill()
    pool.waitall()

    url = config["NUMBERING_DATABASE_URL"]
    in_ledger = {row.request_id: row.number
                 for row in sql(url, "SELECT request_id, number FROM ledger")}
    engine = create_engine(url)
    with Session(engine) as session:
        broken = verify(session)
    engine.dispose()
    standby.terminate()

    assert 0 < done_before_kill < 200
    assert len(acknowledged) == 200
    assert in_ledger == acknowledged
    assert broken is None
