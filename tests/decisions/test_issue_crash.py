"""A crash between numbering and the decision's commit loses nothing."""
import eventlet
from nameko.exceptions import RpcTimeout, UnknownService

from services.numbering.service import NumberingService
from tests.conftest import wait_until
from tests.decisions.test_workflow import (
    CLERK, FEE_LINE, HEAD, JUDGMENT, OFFICER, content_for,
)


def answering(proxy_factory):
    def check():
        try:
            proxy_factory(timeout=2).decisions.list(CLERK)
            return True
        except (RpcTimeout, UnknownService):
            return False
    wait_until(check, timeout=60, message="decisions answers")


def test_crash_after_number_retry_gets_same_number(
        container_factory, service_config, spawn_services, rpc_proxy,
        monkeypatch):
    config = service_config("numbering", "decisions")
    container_factory(NumberingService, config).start()
    monkeypatch.setenv("THADS_DECISIONS_FAULT", "exit_after_number")
    crashing = spawn_services(config, "decisions")
    answering(rpc_proxy)

    proxy = rpc_proxy(timeout=10)
    judgment_id = proxy.decisions.receive(CLERK, JUDGMENT, "i")[0]["id"]
    decision_id = proxy.decisions.draft(
        OFFICER, content_for(judgment_id, [FEE_LINE]), "d")
    proxy.decisions.submit(OFFICER, decision_id)
    proxy.decisions.sign(HEAD, decision_id)

    try:
        proxy.decisions.issue(HEAD, decision_id)
    except RpcTimeout:
        pass
    wait_until(lambda: crashing.proc.poll() is not None, timeout=30,
               message="decisions process exited after numbering")
    assert proxy.numbering.series_status("79", "QD", 2027)["allocated"] == 1

    monkeypatch.delenv("THADS_DECISIONS_FAULT")
    spawn_services(config, "decisions")
    answering(rpc_proxy)
    issued = rpc_proxy(timeout=20).decisions.issue(HEAD, decision_id)

    assert issued["display"] == "01/QĐ-THADS"
    report = wait_until(
        lambda: (lambda r: r if r["bound"] == 1 else None)(
            proxy.numbering.gap_report("79", "QD", 2027)),
        message="number bound after the retry")
    assert report["highest"] == 1
    assert report["gaps"] == []
    eventlet.sleep(0)
