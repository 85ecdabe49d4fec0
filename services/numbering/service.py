"""The numbering service: the single authority for decision numbers.

Its RPC queue has a single active consumer, so one instance answers and
the others stand by; the database lock on each series keeps numbers
unique even if two instances did answer at once.
"""
import logging
import re

from datetime import timezone

from marshmallow import ValidationError
from nameko.events import event_handler
from sqlalchemy.exc import DataError

from services.common import events
from services.common.calendar import parse_moment, work_year
from services.common.db import Database
from services.common.outbox import first_delivery
from services.common.rpc import single_active_rpc
from services.common.units import UnknownUnit, get_unit, symbol_for
from services.numbering import series as ops
from services.numbering.exceptions import InvalidArgument
from services.numbering.models import processed_events

log = logging.getLogger(__name__)

SERVICE = "numbering"
DOCUMENT_KINDS = ("QD",)
REQUEST_ID = re.compile(r"[A-Za-z0-9._:@/-]{1,128}")
# Six digits cover the largest unit's year: about 150,000 decisions.
MAX_NUMBER = 999_999
MAX_REASON = 1000


def display(number, unit, kind):
    """Format NUMBER as printed: at least two digits, then the symbol."""
    return f"{number:02d}/{symbol_for(unit, kind)}"


def check_unit(unit):
    try:
        found = get_unit(str(unit))
    except UnknownUnit as error:
        raise InvalidArgument(str(error)) from None
    return found.code


def check_kind(kind):
    if kind not in DOCUMENT_KINDS:
        raise InvalidArgument(
            f"document kind {kind!r} has no number series; "
            f"use one of {', '.join(DOCUMENT_KINDS)}"
        )
    return kind


def check_request_id(request_id):
    if not isinstance(request_id, str) or not REQUEST_ID.fullmatch(request_id):
        raise InvalidArgument(
            f"request_id {request_id!r} is invalid: send 1 to 128 letters, "
            f"digits or . _ : @ / -, the same for every retry of one request"
        )
    return request_id


def check_number(number):
    if (isinstance(number, bool) or not isinstance(number, int)
            or not 1 <= number <= MAX_NUMBER):
        raise InvalidArgument(
            f"number {number!r} is invalid: send a whole number from 1 "
            f"to {MAX_NUMBER}"
        )
    return number


def check_work_year(year):
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
        raise InvalidArgument(
            f"work_year {year!r} is invalid: send the year in which the work "
            f"year ends, e.g. 2027 for 1 October 2026 to 30 September 2027"
        )
    return year


def check_reason(reason):
    if not isinstance(reason, str) or not reason.strip():
        raise InvalidArgument("reason is missing: say why, in a few words")
    reason = reason.strip()
    try:
        reason.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidArgument("reason contains characters that are not "
                              "valid Unicode text; retype it") from None
    # Control characters other than tab and line feed are refused; the unit
    # separator among them delimits the ledger's hashed text.
    control = [c for c in reason if ord(c) < 32 and c not in "\t\n"]
    if control or len(reason) > MAX_REASON:
        raise InvalidArgument(
            f"reason is invalid: send at most {MAX_REASON} characters of text "
            f"without control characters")
    return reason


def check_moment(issued_at):
    try:
        moment = parse_moment(issued_at)
        check_work_year(work_year(moment))
        return moment
    except InvalidArgument as error:
        raise InvalidArgument(f"issued_at {issued_at!r}: {error}") from None
    except (TypeError, ValueError, OverflowError) as error:
        raise InvalidArgument(f"issued_at: {error}") from None


class NumberingService:
    name = SERVICE

    db = Database(SERVICE)

    @single_active_rpc
    def allocate(self, unit, kind, issued_at, request_id):
        """Allocate the next number of the series that ISSUED_AT falls in.

        Returns {"number", "work_year", "display"}. The same request id
        returns the same result for ever. Raises InvalidArgument for a bad
        argument and RequestConflict when the request id was used with
        other arguments.
        """
        unit, kind = check_unit(unit), check_kind(kind)
        moment = check_moment(issued_at)
        request_id = check_request_id(request_id)
        year = work_year(moment)
        # The instant is stored in UTC, so a retry that writes the same
        # instant with another offset is the same request.
        arguments = {"op": "allocate", "unit": unit, "kind": kind,
                     "issued_at": moment.astimezone(timezone.utc).isoformat()}

        with self.db.transaction() as session:
            number = ops.allocate(session, unit, kind, year, request_id, arguments)
        return {"number": number, "work_year": year,
                "display": display(number, unit, kind)}

    @single_active_rpc
    def claim(self, unit, kind, work_year, number, request_id, reason):
        """Record NUMBER as already issued on paper; allocate will skip it.

        Returns {"number", "work_year", "display"}. Raises NumberTaken,
        naming the request that holds the number, when it is taken.
        """
        unit, kind = check_unit(unit), check_kind(kind)
        year, number = check_work_year(work_year), check_number(number)
        request_id, reason = check_request_id(request_id), check_reason(reason)
        arguments = {"op": "claim", "unit": unit, "kind": kind,
                     "work_year": year, "number": number}

        with self.db.transaction() as session:
            ops.claim(session, unit, kind, year, number, request_id,
                      arguments, reason)
        log.info("claimed %s/%s/%s number %s for %s",
                 unit, kind, year, number, request_id)
        return {"number": number, "work_year": year,
                "display": display(number, unit, kind)}

    @single_active_rpc
    def void(self, unit, kind, work_year, number, reason, request_id=None):
        """Record NUMBER as never to be used; it is never handed out.

        Voiding a voided number again changes nothing. Raises NumberBound
        when an issued decision carries the number.
        """
        unit, kind = check_unit(unit), check_kind(kind)
        year, number = check_work_year(work_year), check_number(number)
        reason = check_reason(reason)
        if request_id is not None:
            check_request_id(request_id)
        arguments = {"op": "void", "unit": unit, "kind": kind,
                     "work_year": year, "number": number}

        with self.db.transaction() as session:
            state = ops.void(session, unit, kind, year, number,
                             request_id, arguments, reason)
        log.info("voided %s/%s/%s number %s", unit, kind, year, number)
        return {"number": number, "work_year": year, "status": state}

    @single_active_rpc
    def series_status(self, unit, kind, work_year):
        """Return the highest number, counts, claimed and voided numbers."""
        unit, kind = check_unit(unit), check_kind(kind)
        year = check_work_year(work_year)
        with self.db.transaction() as session:
            return ops.status(session, unit, kind, year)

    @single_active_rpc
    def gap_report(self, unit, kind, work_year):
        """Return the series status plus every number below the highest
        that is neither carried by an issued decision nor voided."""
        unit, kind = check_unit(unit), check_kind(kind)
        year = check_work_year(work_year)
        with self.db.transaction() as session:
            return ops.gaps(session, unit, kind, year)

    @event_handler("decisions", events.DECISION_ISSUED, requeue_on_error=True)
    def bind_issued_number(self, message):
        """Bind the number of an issued decision to that decision.

        A malformed event is logged and dropped: requeueing it would only
        deliver it again for ever and hold back the events behind it.
        Database outages raise, so the event is requeued and retried.
        """
        try:
            _, data = events.load_envelope(message)
        except (ValidationError, events.UnknownEventType, TypeError) as error:
            log.error("dropped malformed decision_issued event %s: %s",
                      event_id_of(message), error)
            return
        try:
            with self.db.transaction() as session:
                if not first_delivery(session, processed_events, message):
                    return
                outcome = ops.bind(session, data["unit"], data["kind"],
                                   data["work_year"], data["number"],
                                   data["decision_id"])
        except DataError as error:
            log.error("dropped decision_issued event %s the database cannot "
                      "store: %s", event_id_of(message), error)
            return
        if outcome not in ("bound", "already"):
            log.error("decision %s carries %s/%s/%s number %s: %s",
                      data["decision_id"], data["unit"], data["kind"],
                      data["work_year"], data["number"], outcome)


def event_id_of(message):
    return message.get("event_id") if isinstance(message, dict) else None
