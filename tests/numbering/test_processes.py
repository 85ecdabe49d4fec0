"""Numbering under several processes and a hard crash."""
import multiprocessing

import eventlet
import pytest
from nameko.exceptions import RpcTimeout, UnknownService
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from services.numbering import series as ops
from services.numbering.ledger import verify
from tests.conftest import wait_until

ISSUED_AT = "2026-10-05T09:00:00+07:00"


def allocate_in_process(url, prefix, count, queue):
    """Allocate COUNT numbers straight through the database layer."""
    engine = create_engine(url, pool_size=1)
    got = []
    for i in range(count):
        arguments = {"op": "allocate", "unit": "79", "kind": "QD",
                     "issued_at": ISSUED_AT}
        with Session(engine) as session, session.begin():
            got.append(ops.allocate(session, "79", "QD", 2027,
                                    f"{prefix}-{i}", arguments))
    engine.dispose()
    queue.put(got)


def test_two_processes_on_one_database_never_share_a_number(make_database):
    url = make_database("numbering")
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    workers = [
        context.Process(target=allocate_in_process, args=(url, name, 300, queue))
        for name in ("p1", "p2")
    ]
    for worker in workers:
        worker.start()
    results = [queue.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(30)

    everything = sorted(results[0] + results[1])
    assert everything == list(range(1, 601))
    assert set(results[0]).isdisjoint(results[1])


def wait_for_answer(proxy_factory):
    def answers():
        try:
            proxy_factory(timeout=2).numbering.series_status("79", "QD", 2027)
            return True
        except (RpcTimeout, UnknownService):
            return False
    wait_until(answers, timeout=60, message="numbering answers")


@pytest.fixture
def numbering_config(service_config):
    return service_config("numbering")


def test_kill_active_process_during_burst(
        numbering_config, spawn_services, rpc_proxy, sql):
    active = spawn_services(numbering_config, "numbering")
    wait_for_answer(rpc_proxy)
    standby = spawn_services(numbering_config, "numbering")
    eventlet.sleep(3)  # let the standby register as a consumer

    acknowledged = {}

    def caller(index):
        proxy = rpc_proxy(timeout=8)
        for call in range(40):
            request_id = f"c{index}-{call}"
            while True:
                try:
                    reply = proxy.numbering.allocate(
                        "79", "QD", ISSUED_AT, request_id)
                    break
                except RpcTimeout:
                    continue  # retry with the same request id
            acknowledged[request_id] = reply["number"]

    pool = eventlet.GreenPool(10)
    for index in range(10):
        pool.spawn(caller, index)
    eventlet.sleep(1.0)
    done_before_kill = len(acknowledged)
    active.kill()
    eventlet.sleep(2.0)
    restarted = spawn_services(numbering_config, "numbering")
    pool.waitall()

    assert 0 < done_before_kill < 400
    assert len(acknowledged) == 400
    assert sorted(acknowledged.values()) == list(range(1, 401))

    url = numbering_config["NUMBERING_DATABASE_URL"]
    ledger_rows = sql(url, "SELECT request_id, number FROM ledger")
    in_ledger = {row.request_id: row.number for row in ledger_rows}
    assert in_ledger == acknowledged

    engine = create_engine(url)
    with Session(engine) as session:
        assert verify(session) is None
    engine.dispose()
    standby.terminate()
    restarted.terminate()
