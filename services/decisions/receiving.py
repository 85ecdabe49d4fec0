"""Recording what a unit receives: judgments, requests, entrustments.

Each record is entered once. A judgment is identified by its issuing
body, number and date, so importing the same judgment again reports the
earlier record instead of storing a copy.
"""
import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import insert, select

from services.common import events
from services.common.calendar import work_year
from services.common.outbox import add_event
from services.common.units import UnknownOffice, UnknownUnit, get_office, get_unit
from services.decisions import intake
from services.decisions.exceptions import InvalidInput
from services.decisions.models import outbox, records

EVENT_OF = {
    "judgment": events.JUDGMENT_RECEIVED,
    "request": events.REQUEST_RECEIVED,
    "entrustment": events.ENTRUSTMENT_RECEIVED,
}
RECEIVING_ROLES = ("clerk", "officer", "head")


def parse(data):
    """Validate intake DATA; raise InvalidInput with every field error."""
    try:
        return intake.load_records(data)
    except intake.IntakeError as error:
        raise InvalidInput("Dữ liệu nhập chưa hợp lệ.", error.errors) from None


def receiving_unit(code, index):
    """Return (provincial unit, regional office or None) for CODE."""
    try:
        return get_unit(code).code, None
    except UnknownUnit:
        pass
    try:
        office = get_office(code)
    except UnknownOffice:
        raise InvalidInput("Đơn vị nhận không tồn tại.", [{
            "path": f"records[{index}].receiving_unit", "code": "unknown_unit",
            "message": f"Không có đơn vị mã {code!r}; hãy dùng mã tỉnh "
                       f"(ví dụ 79) hoặc mã phòng khu vực (ví dụ 79-KV01)."}])
    return office.unit_code, office.code


def receive(session, actor, data, request_id=None):
    """Store every record in DATA; return one result per record."""
    actor.require_role(*RECEIVING_ROLES, action="record received documents")
    loaded = parse(data)
    results = []
    for index, record in enumerate(loaded):
        rid = f"{request_id}:{index}" if request_id else None
        results.append(store(session, actor, record, index, rid))
    return results


def store(session, actor, record, index, request_id):
    unit, office = receiving_unit(record["receiving_unit"], index)
    if not actor.may_change(unit):
        raise InvalidInput("Hồ sơ thuộc đơn vị khác.", [{
            "path": f"records[{index}].receiving_unit", "code": "other_unit",
            "message": (
                f"Hồ sơ ghi đơn vị nhận {record['receiving_unit']}; tài khoản "
                f"này chỉ nhập hồ sơ cho đơn vị {actor.unit or 'nào'}. Hãy sửa "
                f"đơn vị nhận hoặc để đơn vị đó nhập.")}])
    if request_id:
        done = session.execute(
            select(records).where(records.c.request_id == request_id)).first()
        if done is not None:
            return result(done, "created")
    key = dedupe_key(record)
    earlier = session.execute(select(records).where(
        records.c.unit == unit, records.c.record_type == record["record_type"],
        records.c.dedupe_key == key)).first()
    if earlier is not None:
        return result(earlier, "duplicate")
    if record["record_type"] == "request":
        record = link_judgment(session, unit, record)
    return insert_record(session, actor, record, unit, office, key, request_id)


def dedupe_key(record):
    """Identify a record so that entering it again is reported.

    A judgment is its issuing body, number and date; a request adds the
    requester, the request date and the items requested; an entrustment
    is the sending unit's decision number and date.
    """
    kind = record["record_type"]
    if kind == "judgment":
        return joined(intake.judgment_key(record))
    if kind == "request":
        reference = joined(intake.judgment_key(
            {"record_type": "judgment", **(record.get("judgment") or {})}))
        requester = (record.get("requester") or {}).get("name", "")
        return joined((reference, requester.casefold(),
                       record.get("request_date") or record.get("received_on"),
                       ",".join(sorted(record.get("obligation_refs") or []))))
    return joined((record.get("sending_unit", "").casefold(),
                   record.get("decision_number"), record.get("decision_date")))


def joined(parts):
    return "|".join(str(part) for part in parts)


def link_judgment(session, unit, record):
    reference = record.get("judgment") or {}
    key = joined(intake.judgment_key({"record_type": "judgment", **reference}))
    found = session.execute(select(records.c.id).where(
        records.c.unit == unit, records.c.record_type == "judgment",
        records.c.dedupe_key == key)).scalar()
    return {**record, "judgment_record_id": found}


def insert_record(session, actor, record, unit, office, key, request_id):
    received_on = as_date(record["received_on"])
    record_id = str(uuid.uuid4())
    stored = jsonable(record)
    warnings = stored.pop("warnings", [])
    session.execute(insert(records).values(
        id=record_id, record_type=record["record_type"], unit=unit,
        office=office, work_year=work_year(received_on),
        received_on=received_on, dedupe_key=key, request_id=request_id,
        data=stored, warnings=warnings, created_by=actor.username,
    ))
    data = event_data(record_id, unit, office, received_on, stored)
    if record["record_type"] == "request":
        data.update(requested_parties(session, stored))
    add_event(session, outbox, EVENT_OF[record["record_type"]], data)
    row = session.execute(select(records).where(records.c.id == record_id)).one()
    return result(row, "created")


def jsonable(value):
    """Return VALUE with dates and decimals turned into strings."""
    if isinstance(value, dict):
        return {key: jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(item) for item in value]
    if isinstance(value, (date, Decimal)):
        return value.isoformat() if isinstance(value, date) else str(value)
    return value


def as_date(value):
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def result(row, status):
    return {"id": row.id, "record_type": row.record_type, "status": status,
            "unit": row.unit, "warnings": row.warnings,
            "received_on": row.received_on.isoformat()}


def names(data, refs, role_codes):
    parties = data.get("parties") or []
    chosen = [p for p in parties if p.get("ref") in refs] if refs else [
        p for p in parties if set(p.get("roles") or []) & role_codes]
    return [{"name": p["name"], "address": p.get("address"),
             "id_number": p.get("id_number")} for p in chosen]


def requested_parties(session, request):
    """Name the debtors and creditors of the obligations a request covers."""
    judgment_id = request.get("judgment_record_id")
    if not judgment_id:
        return {}
    judgment = session.execute(select(records.c.data).where(
        records.c.id == judgment_id)).scalar_one()
    wanted = set(request.get("obligation_refs") or [])
    chosen = [o for o in judgment.get("obligations") or []
              if not wanted or o.get("ref") in wanted]
    debtors = {ref for o in chosen for ref in o.get("debtors") or []}
    creditors = {ref for o in chosen for ref in o.get("creditors") or []}
    return {"debtors": names(judgment, debtors, set()),
            "creditors": names(judgment, creditors, set())}


def obligation_refs(data, field):
    refs = set()
    for item in data.get("obligations") or []:
        refs.update(item.get(field) or [])
    return refs


def party_list(items):
    return [{"name": p["name"], "address": p.get("address"),
             "id_number": p.get("id_number")} for p in items or []
            if isinstance(p, dict) and p.get("name")]


def event_data(record_id, unit, office, received_on, data):
    kind = data["record_type"]
    common = {"record_id": record_id, "unit": unit, "office": office,
              "work_year": work_year(received_on),
              "received_on": received_on.isoformat()}
    if kind == "judgment":
        return {**common,
                "judgment": {key: data.get(key) for key in
                             ("issuing_body", "number", "date", "effective_date")},
                "debtors": names(data, obligation_refs(data, "debtors"),
                                 {"debtor", "defendant", "accused"}),
                "creditors": names(data, obligation_refs(data, "creditors"),
                                   {"creditor", "plaintiff", "victim"}),
                "parties": party_list(data.get("parties")),
                "mode_of_receipt": data.get("mode_of_receipt"),
                "case_type": data.get("case_type"),
                "other_documents": data.get("notes")}
    reference = data.get("judgment") or {}
    judgment = {key: reference.get(key) for key in ("issuing_body", "number", "date")}
    if kind == "request":
        requester = data.get("requester") or {}
        return {**common, "judgment": judgment, "mode": data.get("mode"),
                "request_date": data.get("request_date"),
                "requester": {"name": requester.get("name", ""),
                              "address": requester.get("address")},
                "content": data.get("scope")}
    return {**common, "judgment": judgment,
            "sending_unit": data.get("sending_unit") or "",
            "decision_number": data.get("decision_number"),
            "decision_date": data.get("decision_date"),
            "debtors": party_list(data.get("debtors")),
            "creditors": party_list(data.get("creditors")),
            "assets": data.get("assets")}
