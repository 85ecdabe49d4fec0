"""Hostile inputs and wrong orders for the decision workflow, over RPC."""
import base64
import subprocess
import uuid
from datetime import datetime, timedelta, timezone

import eventlet
import pytest
from nameko.exceptions import RemoteError
from nameko.standalone.events import event_dispatcher

from services.common import events
from tests.conftest import wait_until

from tests.decisions.test_workflow import (  # noqa: F401  (fixture)
    CLERK, FEE_LINE, HEAD, JUDGMENT, OFFICER, OTHER_HEAD, content_for,
    issue_draft, received_judgment, system,
)

OTHER_CLERK = {"username": "vanthu01", "role": "clerk", "unit": "01"}


def remote_error(call, *args, **kwargs):
    """Call CALL and return the RemoteError it raises; fail if none."""
    with pytest.raises(RemoteError) as error:
        call(*args, **kwargs)
    return error.value


def signed(proxy, judgment_id, lines=(FEE_LINE,), request_id="draft-1"):
    decision_id = proxy.decisions.draft(
        OFFICER, content_for(judgment_id, list(lines)), request_id)
    proxy.decisions.submit(OFFICER, decision_id)
    proxy.decisions.sign(HEAD, decision_id)
    return decision_id


def fee_line(amount):
    return dict(FEE_LINE, amount=amount)


# Issuing


def test_concurrent_issue_takes_one_number(system, rpc_proxy):
    proxy = rpc_proxy()
    judgment_id = received_judgment(proxy)
    decision_id = signed(proxy, judgment_id)
    callers = [rpc_proxy() for _ in range(4)]

    threads = [eventlet.spawn(caller.decisions.issue, HEAD, decision_id)
               for caller in callers]
    results = [thread.wait() for thread in threads]

    assert {result["display"] for result in results} == {"01/QĐ-THADS"}
    status = proxy.numbering.series_status("79", "QD", 2027)
    assert status["highest"] == 1
    assert status["allocated"] == 1


@pytest.mark.parametrize("amount", [
    {"kind": "vnd", "value": "12abc"},
    {"kind": "vnd", "value": None},
    {"kind": "vnd", "value": "-200000"},
    {"kind": "gold", "unit": "chỉ"},
    {"kind": "periodic", "per_period": "2500000", "start": "tháng sau"},
], ids=["letters", "null", "negative", "gold-no-quantity", "periodic-bad-start"])
def test_unrenderable_amount_never_takes_number(system, rpc_proxy, amount):
    proxy = rpc_proxy()
    judgment_id = received_judgment(proxy)

    try:
        decision_id = signed(proxy, judgment_id, [fee_line(amount)])
        proxy.decisions.issue(HEAD, decision_id)
    except RemoteError as error:
        assert error.exc_type in ("InvalidInput", "ChecksFailed"), error
    status = proxy.numbering.series_status("79", "QD", 2027)

    assert status["allocated"] == 0
    assert status["highest"] == 0


def test_draft_rejects_unrenderable_amount(system, rpc_proxy):
    proxy = rpc_proxy()
    judgment_id = received_judgment(proxy)

    error = remote_error(proxy.decisions.draft, OFFICER, content_for(
        judgment_id, [fee_line({"kind": "vnd", "value": "12abc"})]))

    assert error.exc_type == "InvalidInput"
    assert "obligations" in error.value


def test_draft_rejects_exponent_amount(system, rpc_proxy):
    # Decimal("1E+9999999") is a valid decimal, but printing it in digits
    # and words builds a ten-million-digit integer and blocks the worker.
    # Only the draft call is made here, so the test cannot hang.
    proxy = rpc_proxy()
    judgment_id = received_judgment(proxy)

    error = remote_error(proxy.decisions.draft, OFFICER, content_for(
        judgment_id, [fee_line({"kind": "vnd", "value": "1E+9999999"})]))

    assert error.exc_type == "InvalidInput"


def test_draft_preview_renders(system, rpc_proxy):
    # The API promises a DỰ THẢO preview until the decision is issued,
    # so the preview must not need a signer.
    proxy = rpc_proxy()
    judgment_id = received_judgment(proxy)
    decision_id = proxy.decisions.draft(
        OFFICER, content_for(judgment_id, [FEE_LINE]), "d")

    document = proxy.decisions.pdf(OFFICER, decision_id)

    assert base64.b64decode(document["content_base64"]).startswith(b"%PDF")


def test_signed_bad_amount_preview_is_invalid_input(system, rpc_proxy):
    proxy = rpc_proxy()
    judgment_id = received_judgment(proxy)

    try:
        decision_id = signed(proxy, judgment_id,
                             [fee_line({"kind": "gold", "unit": "chỉ"})])
    except RemoteError as error:
        assert error.exc_type in ("InvalidInput", "ChecksFailed"), error
        return
    error = remote_error(proxy.decisions.pdf, OFFICER, decision_id)

    assert error.exc_type == "InvalidInput"


def test_markup_in_names_prints_literally(system, rpc_proxy):
    proxy = rpc_proxy()
    name = "Công ty <b>TNHH</b> A & B \"Sao\" <br/>"
    judgment = dict(JUDGMENT, parties=[dict(JUDGMENT["parties"][0], name=name)])
    judgment_id = proxy.decisions.receive(CLERK, judgment, "m")[0]["id"]
    content = content_for(judgment_id, [dict(FEE_LINE, debtor=name)])
    content["debtors"] = [{"name": name, "address": "<i>phường</i> & xã"}]
    decision_id = proxy.decisions.draft(OFFICER, content, "d")
    proxy.decisions.submit(OFFICER, decision_id)
    proxy.decisions.sign(HEAD, decision_id)

    proxy.decisions.issue(HEAD, decision_id)
    pdf = base64.b64decode(proxy.decisions.pdf(HEAD, decision_id)["content_base64"])
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf,
                          capture_output=True, check=True).stdout.decode()

    assert "<b>TNHH</b> A & B" in " ".join(text.split())


def test_amounts_of_every_kind_render(system, rpc_proxy):
    proxy = rpc_proxy()
    judgment_id = received_judgment(proxy)
    lines = [
        fee_line({"kind": "vnd", "value": "200000"}),
        dict(FEE_LINE, ref=None, description="Trả vàng",
             amount={"kind": "gold", "quantity": "1.5", "unit": "chỉ",
                     "purity": "9999"}),
        dict(FEE_LINE, ref=None, description="Trả ngoại tệ",
             amount={"kind": "foreign_currency", "value": "1250.50",
                     "currency": "USD"}),
        dict(FEE_LINE, ref=None, description="Cấp dưỡng nuôi con",
             amount={"kind": "periodic", "per_period": "2500000",
                     "period": "month", "start": "2026-10-01",
                     "end": "2030-09-16"}),
    ]
    for line in lines[1:]:
        line["mode"] = "ex_officio"
    decision_id = signed(proxy, judgment_id, lines)

    issued = proxy.decisions.issue(HEAD, decision_id)
    pdf = base64.b64decode(proxy.decisions.pdf(HEAD, decision_id)["content_base64"])

    assert issued["status"] == "issued"
    assert pdf.startswith(b"%PDF")


# Paper re-entry


def paper(number, issued_at):
    return {"number": number, "issued_at": issued_at}


def test_paper_retry_after_taken_number(system, rpc_proxy):
    # A mistyped paper number must not pin the decision: after
    # NumberTaken the clerk retries with the right number.
    proxy = rpc_proxy()
    judgment_id = received_judgment(proxy)
    first = signed(proxy, judgment_id, request_id="p1")
    second = signed(proxy, judgment_id, [dict(FEE_LINE, ref=None)], "p2")
    moment = "2025-09-15T09:00:00+07:00"
    proxy.decisions.issue(HEAD, first, paper=paper(5, moment))

    conflict = remote_error(proxy.decisions.issue, HEAD, second,
                         paper=paper(5, moment))
    retried = proxy.decisions.issue(HEAD, second, paper=paper(6, moment))

    assert conflict.exc_type == "NumberTaken"
    assert retried["number"] == 6
    assert retried["status"] == "issued"


def test_paper_retry_after_wrong_date(system, rpc_proxy):
    # A paper date that numbering rejects (work year before 2000) must
    # leave the decision free for a corrected date.
    proxy = rpc_proxy()
    judgment_id = received_judgment(proxy)
    decision_id = signed(proxy, judgment_id)

    remote_error(proxy.decisions.issue, HEAD, decision_id,
                 paper=paper(3, "1925-09-15T09:00:00+07:00"))
    retried = proxy.decisions.issue(
        HEAD, decision_id, paper=paper(3, "2025-09-15T09:00:00+07:00"))

    assert retried["number"] == 3
    assert retried["issued_on"] == "2025-09-15"


def test_paper_on_go_live_day_vietnam_time(system, rpc_proxy):
    # 06:00 on 1 October 2025 in Vietnam is still 30 September in UTC,
    # but the go-live rule is about the Vietnamese date.
    proxy = rpc_proxy()
    judgment_id = received_judgment(proxy)
    decision_id = signed(proxy, judgment_id)

    error = remote_error(proxy.decisions.issue, HEAD, decision_id,
                         paper=paper(2, "2025-10-01T06:00:00+07:00"))

    assert error.exc_type == "InvalidInput"
    assert "no_fallback_window" in error.value


def test_paper_day_before_go_live_passes(system, rpc_proxy):
    proxy = rpc_proxy()
    judgment_id = received_judgment(proxy)
    decision_id = signed(proxy, judgment_id)

    issued = proxy.decisions.issue(
        HEAD, decision_id, paper=paper(2, "2025-09-30T23:30:00+07:00"))

    assert issued["display"] == "02/QĐ-THADS"
    assert issued["issued_on"] == "2025-09-30"
    assert issued["work_year"] == 2025


def test_paper_after_go_live_without_window(system, rpc_proxy):
    proxy = rpc_proxy()
    judgment_id = received_judgment(proxy)
    decision_id = signed(proxy, judgment_id)

    error = remote_error(proxy.decisions.issue, HEAD, decision_id,
                         paper=paper(2, "2026-11-02T09:00:00+07:00"))
    later = proxy.decisions.issue(HEAD, decision_id)

    assert error.exc_type == "InvalidInput"
    assert later["display"] == "01/QĐ-THADS"


@pytest.mark.parametrize("bad", [
    {"number": 0, "issued_at": "2025-09-15T09:00:00+07:00"},
    {"number": "5", "issued_at": "2025-09-15T09:00:00+07:00"},
    {"number": 5, "issued_at": "2025-09-15T09:00:00"},
    {"number": 5},
    ["5"],
], ids=["zero", "string", "naive", "no-date", "list"])
def test_paper_arguments_are_checked(system, rpc_proxy, bad):
    proxy = rpc_proxy()
    judgment_id = received_judgment(proxy)
    decision_id = signed(proxy, judgment_id)

    error = remote_error(proxy.decisions.issue, HEAD, decision_id, paper=bad)

    assert error.exc_type == "InvalidInput"
    assert proxy.decisions.get(HEAD, decision_id)["status"] == "signed"


# Wrong orders and roles


def test_steps_out_of_order_are_rejected(system, rpc_proxy):
    proxy = rpc_proxy()
    judgment_id = received_judgment(proxy)
    decision_id = proxy.decisions.draft(
        OFFICER, content_for(judgment_id, [FEE_LINE]), "d")

    signing = remote_error(proxy.decisions.sign, HEAD, decision_id)
    issuing = remote_error(proxy.decisions.issue, HEAD, decision_id)
    returning = remote_error(proxy.decisions.return_draft, HEAD, decision_id,
                             "Sửa lại")

    assert signing.exc_type == "InvalidTransition"
    assert issuing.exc_type == "InvalidTransition"
    assert returning.exc_type == "InvalidTransition"
    assert proxy.decisions.get(HEAD, decision_id)["status"] == "draft"


def test_signed_decision_cannot_go_back(system, rpc_proxy):
    proxy = rpc_proxy()
    judgment_id = received_judgment(proxy)
    decision_id = signed(proxy, judgment_id)

    returning = remote_error(proxy.decisions.return_draft, HEAD, decision_id,
                             "Sửa lại")
    submitting = remote_error(proxy.decisions.submit, OFFICER, decision_id)
    editing = remote_error(proxy.decisions.update_draft, OFFICER, decision_id,
                           content_for(judgment_id, [FEE_LINE]))

    assert returning.exc_type == "InvalidTransition"
    assert submitting.exc_type == "InvalidTransition"
    assert editing.exc_type == "InvalidTransition"


def test_officer_cannot_sign_as_deputy(system, rpc_proxy):
    proxy = rpc_proxy()
    judgment_id = received_judgment(proxy)
    decision_id = proxy.decisions.draft(
        OFFICER, content_for(judgment_id, [FEE_LINE]), "d")
    proxy.decisions.submit(OFFICER, decision_id)

    error = remote_error(proxy.decisions.sign, OFFICER, decision_id,
                         as_deputy=True)

    assert error.exc_type == "Forbidden"
    assert proxy.decisions.get(HEAD, decision_id)["status"] == "submitted"


def test_stale_version_update_is_rejected(system, rpc_proxy):
    proxy = rpc_proxy()
    judgment_id = received_judgment(proxy)
    decision_id = proxy.decisions.draft(
        OFFICER, content_for(judgment_id, [FEE_LINE]), "d")
    version = proxy.decisions.get(OFFICER, decision_id)["version"]
    callers = [rpc_proxy() for _ in range(3)]
    edited = content_for(judgment_id, [dict(FEE_LINE, note="Sửa")])

    threads = [eventlet.spawn(caller.decisions.update_draft, OFFICER,
                              decision_id, edited, version)
               for caller in callers]
    outcomes = []
    for thread in threads:
        try:
            outcomes.append(thread.wait()["version"])
        except RemoteError as error:
            outcomes.append(error.exc_type)

    assert sorted(map(str, outcomes)) == sorted(
        [str(version + 1), "InvalidTransition", "InvalidTransition"])


def test_parallel_drafts_of_one_item_make_one(system, rpc_proxy):
    # A judgment item may sit in one live decision of a kind only. Drafts
    # sent at the same moment must not all pass that check. The first
    # round may pass while the connections are still opening, so six
    # rounds run, each on the item for another debtor.
    proxy = rpc_proxy()
    judgment_id = received_judgment(proxy)
    callers = [rpc_proxy() for _ in range(10)]

    created = []
    for round_number in range(6):
        line = dict(FEE_LINE, debtor=f"Người phải thi hành {round_number}")
        content = content_for(judgment_id, [line])
        threads = [eventlet.spawn(caller.decisions.draft, OFFICER, content,
                                  f"song-song-{round_number}-{index}")
                   for index, caller in enumerate(callers)]
        ids = []
        for thread in threads:
            try:
                ids.append(thread.wait())
            except RemoteError as error:
                assert error.exc_type == "InvalidInput", error
        created.append(len(ids))

    assert created == [1] * 6


# Links to other units' records


def test_draft_on_other_unit_judgment_is_not_found(system, rpc_proxy):
    proxy = rpc_proxy()
    other = dict(JUDGMENT, receiving_unit="01")
    foreign_id = proxy.decisions.receive(OTHER_CLERK, other, "o")[0]["id"]

    error = remote_error(proxy.decisions.draft, OFFICER,
                         content_for(foreign_id, [FEE_LINE]))
    as_other_unit = remote_error(proxy.decisions.draft, OFFICER,
                                 content_for(foreign_id, [FEE_LINE]),
                                 None, "01")

    assert error.exc_type == "NotFound"
    assert as_other_unit.exc_type == "NotFound"
    assert proxy.decisions.list(OTHER_HEAD) == []


def test_edit_cannot_link_other_unit_judgment(system, rpc_proxy):
    proxy = rpc_proxy()
    judgment_id = received_judgment(proxy)
    other = dict(JUDGMENT, receiving_unit="01")
    foreign_id = proxy.decisions.receive(OTHER_CLERK, other, "o")[0]["id"]
    decision_id = proxy.decisions.draft(
        OFFICER, content_for(judgment_id, [FEE_LINE]), "d")

    error = remote_error(proxy.decisions.update_draft, OFFICER, decision_id,
                         content_for(foreign_id, [FEE_LINE]))

    assert error.exc_type == "NotFound"
    detail = proxy.decisions.get(OFFICER, decision_id)
    assert detail["judgment_record_id"] == judgment_id


def test_revoke_other_unit_decision_is_not_found(system, rpc_proxy):
    proxy = rpc_proxy()
    judgment_id = received_judgment(proxy)
    decision_id, _ = issue_draft(proxy, judgment_id)
    other_officer = {"username": "chv01", "role": "officer", "unit": "01"}

    error = remote_error(proxy.decisions.revoke, other_officer, decision_id,
                         "revocation", "Sai thẩm quyền")

    assert error.exc_type == "NotFound"


# Revocations


def issue_correction(proxy, old_id, kind="revocation", request_id="r"):
    correction = proxy.decisions.revoke(OFFICER, old_id, kind,
                                        "Ra quyết định không đúng", request_id)
    proxy.decisions.submit(OFFICER, correction)
    proxy.decisions.sign(HEAD, correction)
    return correction, proxy.decisions.issue(HEAD, correction)


def test_revoke_unissued_decision_is_rejected(system, rpc_proxy):
    proxy = rpc_proxy()
    judgment_id = received_judgment(proxy)
    decision_id = signed(proxy, judgment_id)

    for kind in ("revocation", "amendment", "cancellation"):
        error = remote_error(proxy.decisions.revoke, OFFICER, decision_id,
                             kind, "Sai")
        assert error.exc_type == "InvalidInput", kind
        assert "not_issued" in error.value, kind


def test_revoked_decision_cannot_be_revoked_again(system, rpc_proxy):
    proxy = rpc_proxy()
    judgment_id = received_judgment(proxy)
    old_id, _ = issue_draft(proxy, judgment_id)
    first, _ = issue_correction(proxy, old_id)

    error = remote_error(proxy.decisions.revoke, OFFICER, old_id,
                         "revocation", "Thu hồi lần nữa", "r2")

    assert error.exc_type == "InvalidInput"
    assert proxy.decisions.get(HEAD, old_id)["revoked_by"] == first


@pytest.mark.parametrize("kind", ["entrust_enforcement", "entrust_asset"])
def test_revoke_takes_only_correcting_kinds(system, rpc_proxy, kind):
    proxy = rpc_proxy()
    judgment_id = received_judgment(proxy)
    old_id, _ = issue_draft(proxy, judgment_id)

    error = remote_error(proxy.decisions.revoke, OFFICER, old_id, kind, "Sai")

    assert error.exc_type == "InvalidInput"


def test_amendment_keeps_decision_in_force(system, rpc_proxy):
    proxy = rpc_proxy()
    judgment_id = received_judgment(proxy)
    old_id, _ = issue_draft(proxy, judgment_id)

    _, amendment = issue_correction(proxy, old_id, kind="amendment")

    assert amendment["status"] == "issued"
    assert proxy.decisions.get(HEAD, old_id)["revoked_by"] is None


# Reading with odd arguments


@pytest.mark.parametrize("limit", [-1, -1000])
def test_event_history_negative_limit(system, rpc_proxy, limit):
    proxy = rpc_proxy()
    received_judgment(proxy)

    try:
        result = proxy.decisions.event_history(0, limit)
    except RemoteError as error:
        assert error.exc_type in ("InvalidInput", "InvalidArgument"), error
        return
    assert result == []


def test_event_history_huge_limit_is_capped(system, rpc_proxy):
    proxy = rpc_proxy()
    received_judgment(proxy)

    result = proxy.decisions.event_history(-5, 10**12)

    assert [event["event_type"] for event in result] == ["judgment_received"]


@pytest.mark.parametrize("filters", [
    {"limit": -1}, {"offset": -1}, {"limit": "nhiều"}, {"work_year": "năm"},
], ids=["negative-limit", "negative-offset", "text-limit", "text-year"])
def test_list_odd_filters_are_invalid_input(system, rpc_proxy, filters):
    proxy = rpc_proxy()
    received_judgment(proxy)

    try:
        proxy.decisions.list(HEAD, filters)
    except RemoteError as error:
        assert error.exc_type == "InvalidInput", error


def test_list_text_filter_is_literal(system, rpc_proxy):
    proxy = rpc_proxy()
    judgment_id = received_judgment(proxy)
    proxy.decisions.draft(OFFICER, content_for(judgment_id, [FEE_LINE]), "d")

    assert proxy.decisions.list(HEAD, {"text": "Vũ"})
    assert proxy.decisions.list(HEAD, {"text": "%"}) == []
    assert proxy.decisions.list(HEAD, {"text": "_"}) == []


# Paper fallback windows


def fallback_event(event_type, unit, fault_id, at):
    return {
        "event_id": str(uuid.uuid4()), "event_type": event_type,
        "schema_version": events.SCHEMA_VERSION,
        "occurred_at": "2026-11-01T08:00:00+07:00", "source": "notifications",
        "seq": None, "data": {"unit": unit, "fault_id": fault_id, "at": at},
    }


def send_fallback(config, sql, event_type, unit, fault_id, at):
    message = fallback_event(event_type, unit, fault_id, at)
    event_dispatcher(config)("notifications", event_type, message)
    wait_until(lambda: sql(config["DECISIONS_DATABASE_URL"],
                           "SELECT 1 FROM processed_events WHERE event_id = :id",
                           id=message["event_id"]),
               message=f"{event_type} applied")


def test_paper_inside_and_after_window(system, rpc_proxy, sql):
    proxy = rpc_proxy()
    judgment_id = received_judgment(proxy)
    inside = signed(proxy, judgment_id, request_id="p1")
    after = signed(proxy, judgment_id, [dict(FEE_LINE, ref=None)], "p2")
    other_unit = signed(proxy, judgment_id,
                        [dict(FEE_LINE, ref=None, debtor="Người khác")], "p3")
    send_fallback(system, sql, events.PAPER_FALLBACK_AUTHORIZED, "01", "su-co-01",
                  "2026-11-01T08:00:00+07:00")
    other = remote_error(proxy.decisions.issue, HEAD, other_unit,
                         paper=paper(1, "2026-11-01T10:00:00+07:00"))
    send_fallback(system, sql, events.PAPER_FALLBACK_AUTHORIZED, "79", "su-co-79",
                  "2026-11-01T08:00:00+07:00")
    send_fallback(system, sql, events.PAPER_FALLBACK_ENDED, "79", "su-co-79",
                  "2026-11-01T20:00:00+07:00")

    issued = proxy.decisions.issue(
        HEAD, inside, paper=paper(1, "2026-11-01T10:00:00+07:00"))
    late = remote_error(proxy.decisions.issue, HEAD, after,
                        paper=paper(2, "2026-11-01T21:00:00+07:00"))

    assert other.exc_type == "InvalidInput"
    assert issued["display"] == "01/QĐ-THADS"
    assert issued["issued_on"] == "2026-11-01"
    assert late.exc_type == "InvalidInput"
    assert "no_fallback_window" in late.value


def test_paper_dated_in_future_is_rejected(system, rpc_proxy, sql):
    # An open window has no end yet, but a decision issued on paper has
    # already been issued: its date cannot lie after today.
    proxy = rpc_proxy()
    judgment_id = received_judgment(proxy)
    decision_id = signed(proxy, judgment_id)
    send_fallback(system, sql, events.PAPER_FALLBACK_AUTHORIZED, "79", "su-co",
                  "2026-11-01T08:00:00+07:00")
    tomorrow = datetime.now(timezone.utc) + timedelta(days=1)

    error = remote_error(proxy.decisions.issue, HEAD, decision_id,
                         paper=paper(1, tomorrow.isoformat()))

    assert error.exc_type == "InvalidInput"
