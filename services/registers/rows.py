"""Register rows built from decisions events, and what is added to them later.

Pure functions: no database and no broker. `effects` turns one validated
event into the rows it adds (at most one) and the notes it attaches to
rows that exist or may appear later. Row data is JSON with the dotted
paths that the layouts in layouts/*.yaml read (`judgment.number`,
`decision.display`, ...). `compose_row` merges the notes into a row when it
is read, and `insert_closing_lines` adds the closing lines (kết sổ).
`MemoryRegisters` replays an event history without a database, so a
rebuild can be compared with the stored rows.
"""
from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from services.common import events
from services.common.calendar import Period, closing_periods
from services.common.units import UnknownOffice, UnknownUnit, get_office, get_unit
from services.registers.layout import (
    CLOSING_KEY, compute_closing_totals, to_date,
)

FORMS = ("01", "02", "03", "04", "05", "06", "07")

FORM_OF_INTAKE = {
    events.JUDGMENT_RECEIVED: "01",
    events.REQUEST_RECEIVED: "02",
    events.ENTRUSTMENT_RECEIVED: "06",
}
FORM_OF_DECISION_KIND = {
    "ex_officio": "03",
    "on_request": "03",
    "revocation": "04",
    "amendment": "04",
    "cancellation": "04",
    "entrust_enforcement": "05",
    "entrust_asset": "07",
}
ENTRUSTING_FORMS = ("05", "07")
ENFORCING_KINDS = ("ex_officio", "on_request")

MODE_LABELS = {"ex_officio": "Chủ động", "on_request": "Theo yêu cầu"}
KIND_LABELS = {
    "ex_officio": "Chủ động",
    "on_request": "Theo yêu cầu",
    "entrust_enforcement": "Ủy thác thi hành án",
    "entrust_asset": "Ủy thác xử lý tài sản",
    "revocation": "Thu hồi quyết định",
    "amendment": "Sửa đổi, bổ sung quyết định",
    "cancellation": "Hủy quyết định",
}
# Printed labels of the intake codes for how a judgment (Mẫu 01) or a
# request (Mẫu 02) was received. An unknown code is printed as sent.
RECEIPT_MODE_LABELS = {
    "direct": "Trực tiếp",
    "post": "Qua dịch vụ bưu chính",
    "electronic": "Điện tử",
}
REQUEST_MODE_LABELS = {
    "in_person_written": "Nộp đơn trực tiếp",
    "oral": "Trình bày trực tiếp",
    "post": "Qua dịch vụ bưu chính",
    "electronic": "Điện tử",
}
# Verb phrases of the dated notes, by the kind of the later decision.
NOTE_VERBS = {
    "revocation": "bị thu hồi bởi",
    "amendment": "được sửa đổi, bổ sung bởi",
    "cancellation": "bị hủy bởi",
    "correction": "được đính chính bởi",
}
DEFAULT_NOTE_VERB = "được điều chỉnh bởi"
PAPER_NOTE = "Quyết định ban hành trên giấy"

# Note kind of the enforcement decision that settled a received request
# (Mẫu 02, column "Kết quả") or entrustment (Mẫu 06, decision columns).
ENFORCED_BY = "enforced_by"

DECISION = "decision"
RECORD = "record"


@dataclass(frozen=True)
class NewRow:
    """A row to add to register (form, unit, work_year)."""

    form: str
    unit: str
    work_year: int
    entry_date: date
    subject_type: str
    subject_id: str
    data: dict
    party_search: str = ""
    judgment_search: str | None = None
    decision_display: str | None = None
    decision_number: int | None = None


@dataclass(frozen=True)
class NewNote:
    """A note on the row whose subject is (subject_type, subject_id)."""

    subject_type: str
    subject_id: str
    kind: str
    noted_on: date
    text: str
    data: dict = field(default_factory=dict)

    def as_dict(self):
        return {"kind": self.kind, "noted_on": self.noted_on.isoformat(),
                "text": self.text, "data": self.data}


@dataclass(frozen=True)
class Effects:
    rows: tuple[NewRow, ...] = ()
    notes: tuple[NewNote, ...] = ()


def effects(event_type, data):
    """Return the rows and notes that an event adds.

    DATA is the payload loaded by services.common.events.load_envelope,
    with dates as date objects. Event types that no register records, and
    decisions of an unknown kind, give empty Effects.
    """
    if event_type in FORM_OF_INTAKE:
        return Effects(rows=(intake_row(event_type, data),))
    if event_type == events.DECISION_ISSUED:
        return decision_effects(data)
    if event_type == events.DECISION_REVOKED:
        return Effects(notes=(change_note(data),))
    return Effects()


# Text helpers


def iso(value):
    return value.isoformat() if value is not None else None


def dmy(value):
    return value.strftime("%d/%m/%Y")


def fold(text):
    """Return TEXT lower-cased and without diacritics, for searching.

    "Nguyễn Văn Đức" and "nguyen van duc" fold to the same text.
    """
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", plain).casefold()


def party_line(party):
    """Return "Name, address" of a party, or only the name."""
    if not party:
        return None
    parts = [party.get("name"), party.get("address")]
    return ", ".join(part.strip() for part in parts if part and part.strip())


def party_lines(parties):
    lines = [party_line(party) for party in parties or ()]
    return "\n".join(line for line in lines if line) or None


def unit_name(code):
    """Return the name of a unit or regional office code, else CODE itself."""
    if not code:
        return None
    try:
        return get_unit(code).name
    except UnknownUnit:
        pass
    try:
        return get_office(code).name
    except UnknownOffice:
        return code


def partial_date(text):
    """Return a judgment date as printed: "2009-04" as "04/2009".

    A full date stays in ISO form, which the exporters print as dd/mm/yyyy
    and store as a date in XLSX. A year alone stays as it is.
    """
    if not text or len(text) != 7:
        return text
    year, month = text.split("-")
    return f"{month}/{year}"


def judgment_fields(judgment):
    judgment = judgment or {}
    return {
        "number": judgment.get("number"),
        "date": partial_date(judgment.get("date")),
        "body": judgment.get("issuing_body"),
        "effective_date": partial_date(judgment.get("effective_date")),
    }


def mode_label(labels, code):
    return labels.get(code, code) if code else None


def search_fields(data):
    """Return the folded search columns of a row's DATA."""
    texts = [data.get(key) for key in ("parties", "debtors", "creditors",
                                       "requester")]
    return {
        "party_search": fold("\n".join(text for text in texts if text)),
        "judgment_search": fold((data.get("judgment") or {}).get("number")) or None,
    }


# Intake: Mẫu 01, 02 and 06


def intake_row(event_type, data):
    form = FORM_OF_INTAKE[event_type]
    received = data["received_on"]
    row = {
        "record_id": data["record_id"],
        "office": data.get("office"),
        "entry_date": iso(received),
        "received_at": iso(received),
        "judgment": judgment_fields(data["judgment"]),
        "debtors": party_lines(data["debtors"]),
        "creditors": party_lines(data["creditors"]),
        "notes": None,
    }
    row.update(INTAKE_FIELDS[form](data))
    display = None
    if form == "06":
        display = row["entrustment"]["number"]
    return NewRow(
        form=form, unit=data["unit"], work_year=data["work_year"],
        entry_date=received, subject_type=RECORD, subject_id=data["record_id"],
        data=row, decision_display=display, **search_fields(row),
    )


def judgment_intake_fields(data):
    parties = data["parties"] or [*data["debtors"], *data["creditors"]]
    return {
        "mode_of_receipt": mode_label(RECEIPT_MODE_LABELS,
                                      data.get("mode_of_receipt")),
        "parties": party_lines(parties),
        "case_type": data.get("case_type"),
        "other_documents": data.get("other_documents"),
    }


def request_intake_fields(data):
    return {
        "mode_of_receipt": mode_label(REQUEST_MODE_LABELS, data.get("mode")),
        "requester": party_line(data.get("requester")),
        "request": {"date": iso(data.get("request_date")),
                    "content": data.get("content")},
        "result": None,
    }


def entrustment_intake_fields(data):
    return {
        "entrustment": {
            "number": data.get("decision_number"),
            "date": iso(data.get("decision_date")),
            "sender": unit_name(data["sending_unit"]),
            "amount_vnd": data.get("amount_vnd"),
        },
        "obligations": data.get("assets"),
        "decision": {"display": None, "date": None},
    }


INTAKE_FIELDS = {
    "01": judgment_intake_fields,
    "02": request_intake_fields,
    "06": entrustment_intake_fields,
}


# Decisions: Mẫu 03, 04, 05 and 07


def decision_effects(data):
    form = FORM_OF_DECISION_KIND.get(data["decision_kind"])
    if form is None:
        return Effects()
    row = decision_row(form, data)
    return Effects(rows=(row,), notes=tuple(enforcement_notes(data)))


def decision_row(form, data):
    kind = data["decision_kind"]
    issued = data["issued_on"]
    related = related_fields(data.get("related_decision"))
    row = {
        "decision_id": data["decision_id"],
        "office": data.get("office"),
        "entry_date": iso(issued),
        "decision": {
            "display": data["display"],
            "number": data["number"],
            "date": iso(issued),
            "mode": MODE_LABELS.get(data.get("mode") or kind),
            "kind_label": KIND_LABELS.get(kind, kind),
        },
        "judgment": judgment_fields(data.get("judgment")),
        "debtors": party_lines(data["debtors"]),
        "creditors": party_lines(data["creditors"]),
        "obligations": data.get("obligations"),
        "total_vnd": data.get("total_vnd"),
        "officer": data.get("officer"),
        "related_decision": related,
        "notes": PAPER_NOTE if data.get("on_paper") else None,
    }
    if form in ENTRUSTING_FORMS:
        row.update(entrusting_fields(form, data, row, related))
    return NewRow(
        form=form, unit=data["unit"], work_year=data["work_year"],
        entry_date=issued, subject_type=DECISION,
        subject_id=data["decision_id"], data=row,
        decision_display=data["display"], decision_number=data["number"],
        **search_fields(row),
    )


def related_fields(related):
    if not related:
        return None
    return {"decision_id": related.get("decision_id"),
            "display": related.get("display"), "date": related.get("date")}


def entrusting_fields(form, data, row, related):
    """Return the fields of an entrusting decision's row (Mẫu 05 and 07).

    Its own number goes to the entrustment columns; the decision columns
    show the enforcement decision it refers to, when it names one.
    """
    fields = {
        "entrustment": {
            "number": data["display"],
            "date": row["entry_date"],
            "receiver": unit_name(data.get("receiving_unit")),
            "amount_vnd": data.get("total_vnd") if form == "05" else None,
        },
        "decision": {
            "display": related["display"] if related else None,
            "date": related["date"] if related else None,
            "kind_label": row["decision"]["kind_label"],
        },
    }
    if form == "07":
        asset = data.get("asset") or {}
        fields["asset"] = {
            "description": asset.get("description") or data.get("obligations"),
            "location": asset.get("location") or asset.get("address"),
        }
        fields["result"] = None
    return fields


def enforcement_notes(data):
    """Yield notes that link an enforcement decision to the records it settles."""
    if data["decision_kind"] not in ENFORCING_KINDS:
        return
    issued = data["issued_on"]
    text = f"Quyết định thi hành án số {data['display']} ngày {dmy(issued)}"
    payload = {"decision_id": data["decision_id"], "display": data["display"],
               "date": iso(issued)}
    for key in ("request_record_id", "entrustment_record_id"):
        if data.get(key):
            yield NewNote(RECORD, data[key], ENFORCED_BY, issued, text, payload)


def change_note(data):
    """Return the dated note that a revocation, amendment or cancellation adds.

    E.g. "Ngày 12/11/2026: bị thu hồi bởi Quyết định số 07/QĐ-THADS ngày
    12/11/2026".
    """
    on = data["on"]
    verb = NOTE_VERBS.get(data["by_kind"], DEFAULT_NOTE_VERB)
    text = (f"Ngày {dmy(on)}: {verb} Quyết định số {data['by_display']} "
            f"ngày {dmy(on)}")
    payload = {"by_decision_id": data["by_decision_id"],
               "by_display": data["by_display"], "reason": data.get("reason")}
    return NewNote(DECISION, data["decision_id"], data["by_kind"], on, text,
                   payload)


# Reading: notes composed into rows


def compose_row(form, stt, data, notes):
    """Return the row as printed: DATA with its STT and NOTES merged in.

    NOTES are note dicts (see NewNote.as_dict), oldest first. Dated notes
    are appended to "Ghi chú"; the decision that settled a request or an
    entrustment fills Mẫu 02's result or Mẫu 06's decision columns.
    DATA itself is not changed.
    """
    row = dict(data)
    row["stt"] = stt
    notes = notes or ()
    dated = [note["text"] for note in notes if note["kind"] != ENFORCED_BY]
    lines = [line for line in [data.get("notes"), *dated] if line]
    row["notes"] = "\n".join(lines) or None
    settled = [note for note in notes if note["kind"] == ENFORCED_BY]
    if settled and form == "02":
        row["result"] = "\n".join(note["text"] for note in settled)
    if settled and form == "06":
        row["decision"] = settling_decision(settled)
    return row


def settling_decision(notes):
    displays = [note["data"]["display"] for note in notes]
    dates = [note["data"]["date"] for note in notes]
    if len(notes) == 1:
        return {"display": displays[0], "date": dates[0]}
    return {"display": "\n".join(displays),
            "date": "\n".join(dmy(to_date(value)) for value in dates)}


# Closing lines (kết sổ)


@dataclass(frozen=True)
class Closing:
    """A closing line: its period, totals and the STT of the row it precedes.

    before_stt None places the line after the last row of the register.
    """

    period: Period
    totals: dict
    before_stt: int | None

    def line(self):
        return {CLOSING_KEY: {"label": closing_label(self.period),
                              "period": self.period.code,
                              "totals": self.totals}}


def closing_label(period):
    """Return e.g. "Kết sổ Quý I năm công tác 2027"."""
    if period.code == "Y":
        return f"Kết sổ năm công tác {period.year}"
    # "6 tháng đầu năm" ends in "năm", which "năm công tác" already contains.
    name = period.label.removesuffix(" năm")
    return f"Kết sổ {name} năm công tác {period.year}"


def ended_periods(work_year, today):
    """Return the closing periods of WORK_YEAR that ended before TODAY.

    They are ordered by end date, so a quarter comes before the half year
    that ends on the same day, and Q4 and H2 before the year.
    """
    periods = [period for period in closing_periods(work_year)
               if period.end < today]
    return sorted(periods, key=lambda period: period.end)


def closings_for(layout, rows, work_year, today):
    """Compute the closing lines of ROWS, a whole register in STT order.

    A period counts the rows whose entry date falls in it, and its line
    goes before the first row entered after the period ended.
    """
    dated = [(to_date(row["entry_date"]), row) for row in rows]
    closings = []
    for period in ended_periods(work_year, today):
        inside = [row for day, row in dated if period.start <= day <= period.end]
        later = [row["stt"] for day, row in dated if day > period.end]
        closings.append(Closing(period, compute_closing_totals(layout, inside),
                                min(later) if later else None))
    return closings


def insert_closing_lines(rows, closings, at_end=True):
    """Yield ROWS with each closing line before the row it precedes.

    Lines placed after the last row are yielded at the end when AT_END is
    true, i.e. when ROWS reach the register's last row.
    """
    before = defaultdict(list)
    tail = []
    for closing in closings:
        if closing.before_stt is None:
            tail.append(closing)
        else:
            before[closing.before_stt].append(closing)
    for row in rows:
        for closing in before.get(row["stt"], ()):
            yield closing.line()
        yield row
    if at_end:
        for closing in tail:
            yield closing.line()


def with_closing_lines(layout, rows, work_year, today):
    """Return a whole register's ROWS with its closing lines inserted."""
    rows = list(rows)
    closings = closings_for(layout, rows, work_year, today)
    return list(insert_closing_lines(rows, closings))


# Replay without a database


class MemoryRegisters:
    """Registers rebuilt in memory from an event history.

    INCLUDE, when given, is a predicate on (form, unit, work_year) that
    selects the registers to keep. Notes are kept for every subject.
    Events are applied once per event id, as the database does.
    """

    def __init__(self, include=None):
        self.include = include
        self.seen = set()
        self.subjects = set()
        self.last_stt = defaultdict(int)
        self.rows = defaultdict(list)
        self.notes = defaultdict(list)

    def apply(self, message):
        """Apply one envelope; return False when its id was applied before.

        Raises marshmallow.ValidationError or UnknownEventType for an
        invalid envelope.
        """
        envelope, data = events.load_envelope(message)
        event_id = str(envelope["event_id"])
        if event_id in self.seen:
            return False
        self.seen.add(event_id)
        found = effects(envelope["event_type"], data)
        for row in found.rows:
            self.add_row(event_id, row)
        for note in found.notes:
            self.notes[(note.subject_type, note.subject_id)].append(note)
        return True

    def add_row(self, event_id, row):
        key = (row.form, row.unit, row.work_year)
        if self.include is not None and not self.include(key):
            return
        subject = (key, row.subject_type, row.subject_id)
        if row.subject_id and subject in self.subjects:
            return  # one row per subject, as the database keeps it
        self.subjects.add(subject)
        self.last_stt[key] += 1
        self.rows[key].append((event_id, self.last_stt[key], row))

    def keys(self):
        return sorted(self.rows)

    def composed(self, key):
        """Return {event_id: composed row} of register KEY."""
        form = key[0]
        result = {}
        for event_id, stt, row in self.rows.get(key, ()):
            notes = self.notes.get((row.subject_type, row.subject_id), ())
            ordered = sorted(notes, key=lambda note: note.noted_on)
            result[event_id] = compose_row(
                form, stt, row.data, [note.as_dict() for note in ordered])
        return result


def compare_rows(expected, stored):
    """List the differences between two {event_id: composed row} maps.

    Each difference is {"event_id", "stt", "problem", ...}: problem
    "missing" (expected, not stored), "unexpected" (stored, not expected)
    or "different" with "field", "expected" and "stored" values, and
    "stt_sequence" when the stored STTs are not exactly 1..N. A row's STT
    itself is not compared: STT follows the order in which events were
    applied, and events applied concurrently may take either order.
    The list is ordered by STT.
    """
    differences = []
    stored_stts = sorted(row["stt"] for row in stored.values())
    if stored_stts != list(range(1, len(stored_stts) + 1)):
        differences.append({"event_id": "", "problem": "stt_sequence",
                            "stt": 0, "stored": stored_stts})
    for event_id in expected.keys() - stored.keys():
        differences.append({"event_id": event_id, "problem": "missing",
                            "stt": expected[event_id]["stt"]})
    for event_id in stored.keys() - expected.keys():
        differences.append({"event_id": event_id, "problem": "unexpected",
                            "stt": stored[event_id]["stt"]})
    for event_id in expected.keys() & stored.keys():
        differences.extend(row_differences(
            event_id, expected[event_id], stored[event_id]))
    return sorted(differences, key=lambda item: (item["stt"], item["event_id"]))


def row_differences(event_id, expected, stored):
    for name in sorted((expected.keys() | stored.keys()) - {"stt"}):
        if expected.get(name) != stored.get(name):
            yield {"event_id": event_id, "problem": "different",
                   "stt": stored.get("stt"), "field": name,
                   "expected": expected.get(name), "stored": stored.get(name)}
