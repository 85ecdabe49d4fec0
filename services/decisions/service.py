"""The decisions service: intake, proposals, drafting and issuing.

Every RPC takes the acting user (`actor`) that the gateway authenticated
and checks the actor's role and unit itself. Every RPC that changes state
takes a request id, so a retried call does its work once.
"""
import base64
import logging
import os
from datetime import date, datetime, timezone

from nameko.events import event_handler
from nameko.exceptions import RemoteError
from nameko.rpc import rpc

from services.common import events
from services.common.actors import actor_from
from services.common.calendar import local_date, parse_moment, work_year
from services.common.db import Database
from services.common.outbox import (
    OutboxRelay, first_delivery, read_history,
)
from services.common.rpc import TimedRpcProxy
from services.decisions import proposing, receiving, workflow
from services.decisions.document import document_for, render
from services.decisions.drafts import CORRECTING_KINDS
from services.decisions.exceptions import (
    InvalidInput, NumberingUnavailable, NumberTaken,
)
from services.decisions.pdf import InvalidDecisionError
from services.decisions.models import outbox, processed_events

log = logging.getLogger(__name__)

SERVICE = "decisions"
# Test-only fault point: when set to "exit_after_number", the process
# exits right after numbering replied and before the decision commits.
FAULT = os.environ.get("THADS_DECISIONS_FAULT")


class DecisionsService:
    name = SERVICE

    db = Database(SERVICE)
    relay = OutboxRelay(SERVICE, outbox)
    numbering = TimedRpcProxy("numbering")

    # intake --------------------------------------------------------------

    @rpc
    def receive(self, actor, records_data, request_id=None):
        """Record judgments, requests and entrustments received.

        RECORDS_DATA is one record or a list in the intake format. Returns
        one {id, record_type, status: created|duplicate, warnings} per
        record. Raises InvalidInput naming each bad field.
        """
        actor = actor_from(actor)
        with self.db.transaction() as session:
            results = receiving.receive(session, actor, records_data, request_id)
        self.relay.poke()
        return results

    @rpc
    def get_record(self, actor, record_id):
        """Return one received record with its data; NotFound otherwise."""
        actor = actor_from(actor)
        with self.db.transaction() as session:
            row = workflow.load_record(session, actor, record_id)
            return record_view(row)

    @rpc
    def list_records(self, actor, filters=None):
        """List received records visible to the actor, newest first."""
        actor = actor_from(actor)
        with self.db.transaction() as session:
            return [record_view(row, full=False) for row in
                    proposing.list_records(session, actor, filters or {})]

    # decision support ----------------------------------------------------

    @rpc
    def proposals(self, actor, judgment_record_id, decision_date=None):
        """Propose the decisions a judgment needs on DECISION_DATE.

        Returns {proposals, awaiting_request, nothing_to_enforce, flags}.
        """
        actor = actor_from(actor)
        day = as_day(decision_date)
        with self.db.transaction() as session:
            return proposing.proposals_for(session, actor, judgment_record_id, day)

    @rpc
    def draft_from_proposal(self, actor, judgment_record_id, index,
                            decision_date=None, request_id=None):
        """Create a draft from proposal INDEX of a judgment; return its id."""
        actor = actor_from(actor)
        day = as_day(decision_date)
        with self.db.transaction() as session:
            content, unit = proposing.draft_content(
                session, actor, judgment_record_id, index, day)
            return workflow.create_draft(session, actor, unit, content, request_id)

    # drafting and workflow -----------------------------------------------

    @rpc
    def draft(self, actor, content, request_id=None, unit=None):
        """Create a draft from explicit CONTENT; return its id."""
        actor = actor_from(actor)
        with self.db.transaction() as session:
            return workflow.create_draft(
                session, actor, unit or actor.unit, content, request_id)

    @rpc
    def update_draft(self, actor, decision_id, content, version=None):
        """Replace a draft's content. Raises AlreadyIssued once issued."""
        actor = actor_from(actor)
        with self.db.transaction() as session:
            workflow.update_draft(session, actor, decision_id, content, version)
        return self.get(actor.as_dict(), decision_id)

    @rpc
    def submit(self, actor, decision_id, request_id=None):
        """Submit a draft for signature; return the check findings."""
        actor = actor_from(actor)
        with self.db.transaction() as session:
            return workflow.submit(session, actor, decision_id)

    @rpc
    def return_draft(self, actor, decision_id, note, request_id=None):
        """Return a submitted draft to the officer with NOTE."""
        actor = actor_from(actor)
        with self.db.transaction() as session:
            workflow.return_to_officer(session, actor, decision_id, note)

    @rpc
    def discard(self, actor, decision_id, reason, request_id=None):
        """Set aside a draft that will not be issued, with REASON.

        Raises AlreadyIssued for an issued decision, which only a new
        revocation decision can undo.
        """
        actor = actor_from(actor)
        with self.db.transaction() as session:
            workflow.discard(session, actor, decision_id, reason)

    @rpc
    def sign(self, actor, decision_id, as_deputy=False, late_reason=None,
             request_id=None):
        """Sign a submitted decision. Raises ChecksFailed listing errors."""
        actor = actor_from(actor)
        with self.db.transaction() as session:
            return workflow.sign(session, actor, decision_id, as_deputy,
                                 late_reason)

    @rpc
    def issue(self, actor, decision_id, request_id=None, paper=None):
        """Number, date and freeze a signed decision; return it.

        The decision id is the numbering request id, so retrying after any
        failure returns the same number. PAPER = {"number", "issued_at"}
        re-enters a decision already issued on paper: its number is claimed.
        """
        actor = actor_from(actor)
        paper = check_paper(paper)
        with self.db.transaction() as session:
            row = workflow.prepare_issue(session, actor, decision_id, paper)
            if paper:
                proposing.require_paper_allowed(session, row)
        if row.status == "issued":
            return self.get(actor.as_dict(), decision_id)

        try:
            numbered = self.number(row)
        except NumberingUnavailable:
            raise
        except Exception:
            if row.on_paper:
                with self.db.transaction() as session:
                    workflow.forget_paper(session, row.id)
            raise
        if FAULT == "exit_after_number":
            os._exit(3)
        with self.db.transaction() as session:
            workflow.complete_issue(session, actor, decision_id, numbered)
        self.relay.poke()
        log.info("issued decision %s as %s for unit %s",
                 decision_id, numbered["display"], row.unit)
        return self.get(actor.as_dict(), decision_id)

    def number(self, row):
        try:
            if row.on_paper:
                return self.numbering.claim(
                    row.unit, "QD", work_year(row.issued_at), row.paper_number,
                    row.id, "quyết định đã ban hành trên giấy")
            return self.numbering.allocate(
                row.unit, "QD", row.issued_at.isoformat(), row.id)
        except RemoteError as error:
            if error.exc_type == "NumberTaken":
                raise NumberTaken(error.value) from None
            if error.exc_type == "InvalidArgument":
                raise InvalidInput("Số quyết định giấy không hợp lệ.", [{
                    "path": "paper", "code": "invalid_paper_number",
                    "message": error.value}]) from None
            raise
        except Exception as error:
            if type(error).__name__ in ("RpcTimeout", "UnknownService"):
                log.error("numbering unavailable for decision %s: %s",
                          row.id, error)
                raise NumberingUnavailable(
                    "numbering did not reply in time; retry the issue, it will not "
                    "allocate a second number") from None
            raise

    @rpc
    def revoke(self, actor, decision_id, kind, reason, request_id=None):
        """Draft a revocation, amendment or cancellation of an issued
        decision; it is signed and issued like any decision."""
        actor = actor_from(actor)
        if kind not in CORRECTING_KINDS:
            raise InvalidInput("Loại quyết định không hợp lệ.", [{
                "path": "kind", "code": "invalid_kind",
                "message": f"Chọn một trong {', '.join(CORRECTING_KINDS)}."}])
        with self.db.transaction() as session:
            old = workflow.load_decision(session, actor, decision_id)
            content = {
                "decision_kind": kind, "related_decision_id": old.id,
                "judgment_record_id": old.judgment_record_id,
                "debtors": old.content.get("debtors", []),
                "creditors": old.content.get("creditors", []),
                "reason": reason,
            }
            return workflow.create_draft(session, actor, old.unit, content,
                                         request_id)

    # reading -------------------------------------------------------------

    @rpc
    def get(self, actor, decision_id):
        """Return a decision with its content, checks and history."""
        actor = actor_from(actor)
        with self.db.transaction() as session:
            row = workflow.load_decision(session, actor, decision_id)
            return workflow.detail(session, row)

    @rpc
    def list(self, actor, filters=None):
        """List decisions visible to the actor with optional filters."""
        actor = actor_from(actor)
        with self.db.transaction() as session:
            return workflow.search(session, actor, filters or {})

    @rpc
    def pdf(self, actor, decision_id):
        """Return {filename, content_base64}: the frozen PDF of an issued
        decision, or a preview marked DỰ THẢO for a draft."""
        actor = actor_from(actor)
        with self.db.transaction() as session:
            row = workflow.load_decision(session, actor, decision_id)
            try:
                data = row.pdf if row.status == "issued" else render(
                    document_for(session, row)).bytes
            except (InvalidDecisionError, ValueError, ArithmeticError) as error:
                raise InvalidInput("Không lập được bản xem trước.", [{
                    "path": "content", "code": "content_invalid",
                    "message": f"Nội dung dự thảo chưa đủ để lập văn bản: "
                               f"{error}. Hãy sửa dự thảo."}]) from None
        name = (row.display or f"du-thao-{row.id[:8]}").replace("/", "-")
        return {"filename": f"{name}.pdf",
                "content_base64": base64.b64encode(data).decode("ascii")}

    @rpc
    def event_history(self, after_seq=0, limit=500):
        """Return published events after AFTER_SEQ, for consumers that
        catch up or rebuild."""
        # A negative position means "from the start".
        if isinstance(after_seq, int) and after_seq < 0:
            after_seq = 0
        after_seq = workflow.whole_number({"after_seq": after_seq}, "after_seq", 0)
        limit = workflow.whole_number({"limit": limit}, "limit", 500)
        with self.db.transaction() as session:
            return read_history(session, outbox, SERVICE, after_seq,
                                min(limit, 2000))

    # paper fallback ------------------------------------------------------

    @event_handler("notifications", events.PAPER_FALLBACK_AUTHORIZED,
                   requeue_on_error=True)
    def on_fallback_authorized(self, message):
        """Open a window in which the unit may issue on paper."""
        _, data = events.load_envelope(message)
        with self.db.transaction() as session:
            if first_delivery(session, processed_events, message):
                proposing.open_fallback(session, data)

    @event_handler("notifications", events.PAPER_FALLBACK_ENDED,
                   requeue_on_error=True)
    def on_fallback_ended(self, message):
        """Close the unit's paper window."""
        _, data = events.load_envelope(message)
        with self.db.transaction() as session:
            if first_delivery(session, processed_events, message):
                proposing.close_fallback(session, data)


def as_day(value):
    if value is None:
        return local_date(datetime.now(timezone.utc))
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput("Ngày quyết định không hợp lệ.", [{
            "path": "decision_date", "code": "invalid_date",
            "message": f"{value!r} không phải ngày dạng YYYY-MM-DD."}]) from None


def check_paper(paper):
    if paper is None:
        return None
    errors = []
    number = paper.get("number") if isinstance(paper, dict) else None
    if not isinstance(number, int) or number < 1:
        errors.append({"path": "paper.number", "code": "invalid",
                       "message": "Số quyết định trên giấy phải là số nguyên từ 1."})
    try:
        moment = parse_moment(paper.get("issued_at")) if isinstance(paper, dict) else None
    except (TypeError, ValueError):
        moment = None
    if moment is not None and not 2000 <= work_year(moment) <= 2100:
        moment = None
    if moment is None:
        errors.append({"path": "paper.issued_at", "code": "invalid",
                       "message": "Hãy ghi ngày giờ ban hành trên giấy, có múi "
                                  "giờ, ví dụ 2026-10-05T09:00:00+07:00."})
    if errors:
        raise InvalidInput("Thông tin quyết định giấy chưa hợp lệ.", errors)
    return {"number": number, "issued_at": moment}


def record_view(row, full=True):
    view = {"id": row.id, "record_type": row.record_type, "unit": row.unit,
            "office": row.office, "work_year": row.work_year,
            "received_on": row.received_on.isoformat(),
            "warnings": row.warnings,
            "number": row.data.get("number"),
            "issuing_body": row.data.get("issuing_body"),
            "date": row.data.get("date")}
    if full:
        view["data"] = row.data
    return view
