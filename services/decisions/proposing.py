"""Decision support over stored records, and the paper-fallback windows.

`proposals_for` runs the rules of `proposals.propose` on a stored
judgment and the requests received for it; `draft_content` turns one
proposal into the content of a draft.
"""
import dataclasses
from datetime import date, datetime, timezone
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from services.common.actors import NotFound
from services.common.calendar import local_date
from services.decisions import proposals as rules
from services.decisions.exceptions import InvalidInput
from services.decisions.models import fallback_windows, records

# Decisions issued on paper before this day predate mandatory issuing in
# the software and may be re-entered with their paper numbers.
SOFTWARE_START = date(2025, 10, 1)


def plain(value):
    """Return VALUE as JSON-ready data (dataclasses, dates, decimals)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = dataclasses.asdict(value)
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [plain(item) for item in value]
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def list_records(session, actor, filters):
    statement = select(records).order_by(records.c.created_at.desc())
    if actor.role in ("central", "helpdesk"):
        if "all" not in actor.scope:
            statement = statement.where(records.c.unit.in_(actor.scope))
    else:
        statement = statement.where(records.c.unit == actor.unit)
    for field in ("record_type", "work_year", "unit"):
        if filters.get(field) is not None:
            statement = statement.where(records.c[field] == filters[field])
    if filters.get("text"):
        pattern = f"%{filters['text']}%"
        statement = statement.where(records.c.data.astext.ilike(pattern))
    limit = min(int(filters.get("limit") or 100), 500)
    return session.execute(statement.limit(limit)).all()


def judgment_and_requests(session, actor, judgment_record_id):
    from services.decisions.workflow import load_record

    judgment = load_record(session, actor, judgment_record_id, "judgment")
    requests = session.execute(select(records).where(
        records.c.record_type == "request",
        records.c.unit == judgment.unit,
        records.c.data["judgment_record_id"].astext == judgment.id,
    ).order_by(records.c.received_on)).all()
    return judgment, requests


def request_data(row):
    return {**row.data, "id": row.id}


def proposals_for(session, actor, judgment_record_id, day):
    judgment, requests = judgment_and_requests(session, actor, judgment_record_id)
    result = plain(rules.propose(
        judgment.data, day, [request_data(r) for r in requests]))
    result["judgment_record_id"] = judgment.id
    result["decision_date"] = day.isoformat()
    for index, proposal in enumerate(result.get("proposals", [])):
        proposal["index"] = index
    return result


def party_by_ref(judgment_data):
    return {p.get("ref"): p for p in judgment_data.get("parties") or []}


def draft_party(party):
    birth = party.get("birth_year") or str(party.get("birth_date") or "")[:4]
    representative = party.get("representative") or None
    if isinstance(representative, dict):
        representative = ", ".join(
            str(v) for v in (representative.get("name"),
                             representative.get("relation")) if v)
    return {"ref": party.get("ref"), "name": party["name"],
            "address": party.get("address"), "id_number": party.get("id_number"),
            "birth_year": int(birth) if str(birth).isdigit() else None,
            "representative": representative}


def draft_content(session, actor, judgment_record_id, index, day):
    """Return (content, unit) of a draft made from proposal INDEX."""
    result = proposals_for(session, actor, judgment_record_id, day)
    found = result.get("proposals", [])
    if not isinstance(index, int) or not 0 <= index < len(found):
        raise NotFound(f"proposal {index} not found for judgment "
                       f"{judgment_record_id}; it has {len(found)} proposals")
    proposal = found[index]
    judgment, _ = judgment_and_requests(session, actor, judgment_record_id)
    parties = party_by_ref(judgment.data)
    obligations = {o.get("ref"): o for o in judgment.data.get("obligations") or []}
    lines = [obligation_line(item, obligations, parties, proposal)
             for item in proposal_items(proposal)]
    content = {
        "decision_kind": proposal["mode"], "mode": proposal["mode"],
        "judgment_record_id": judgment.id,
        "request_record_id": first(proposal.get("request_ids")),
        "debtors": [draft_party(parties[r]) for r in proposal.get("debtors", [])
                    if r in parties],
        "creditors": [draft_party(parties[r]) for r in
                      proposal.get("creditors", []) if r in parties],
        "obligations": lines,
        "proposal": {
            "index": index, "rule": proposal.get("rule"),
            "deadline": proposal.get("deadline"),
            "deadline_rule": proposal.get("deadline_rule"),
            "obligation_refs": [item["ref"] for item in proposal_items(proposal)],
            "decision_date": day.isoformat(),
        },
    }
    return content, judgment.unit


def first(items):
    return items[0] if items else None


def proposal_items(proposal):
    """Return [{ref, amount}] whatever shape the proposal's lines take."""
    items = proposal.get("items") or proposal.get("obligations") or []
    found = []
    for item in items:
        if isinstance(item, str):
            found.append({"ref": item, "amount": None})
        else:
            found.append({"ref": item.get("ref") or item.get("obligation_ref"),
                          "amount": item.get("amount"),
                          "debtor": item.get("debtors") or item.get("debtor"),
                          "creditor": (item.get("creditors")
                                       or item.get("creditor"))})
    return found


def names_of(refs, parties):
    if isinstance(refs, str):
        refs = [refs]
    return ", ".join(parties[r]["name"] for r in refs or [] if r in parties) or None


def obligation_line(item, obligations, parties, proposal):
    source = obligations.get(item["ref"], {})
    return {
        "ref": item["ref"], "kind": source.get("kind"),
        "mode": proposal["mode"],
        "description": source.get("description") or source.get("kind") or item["ref"],
        "debtor": names_of(item.get("debtor") or source.get("debtors"), parties),
        "creditor": names_of(item.get("creditor") or source.get("creditors"),
                             parties),
        "amount": item.get("amount") or source.get("amount") or {"kind": "none"},
        "note": source.get("condition"),
    }


def require_paper_allowed(session, row):
    """Allow a paper number only before go-live or inside a fallback window."""
    moment = row.issued_at
    if moment > datetime.now(timezone.utc):
        raise InvalidInput("Ngày ban hành trên giấy ở tương lai.", [{
            "path": "paper.issued_at", "code": "future_date",
            "message": "Quyết định giấy phải đã được ban hành; hãy ghi đúng "
                       "ngày giờ trên bản giấy."}])
    if local_date(moment) < SOFTWARE_START:
        return
    windows = session.execute(select(fallback_windows).where(
        fallback_windows.c.unit == row.unit,
        fallback_windows.c.started_at <= moment,
    )).all()
    if any(w.ended_at is None or moment <= w.ended_at for w in windows):
        return
    raise InvalidInput("Không được ban hành quyết định trên giấy lúc này.", [{
        "path": "paper.issued_at", "code": "no_fallback_window",
        "message": (
            "Chỉ được nhập quyết định giấy đã ban hành trước ngày 01/10/2025, "
            "hoặc trong thời gian được phép ban hành trên giấy do phần mềm "
            "gặp sự cố quá 4 giờ.")}])


def open_fallback(session, data):
    session.execute(pg_insert(fallback_windows).values(
        fault_id=data["fault_id"], unit=data["unit"], started_at=data["at"],
    ).on_conflict_do_nothing())


def close_fallback(session, data):
    session.execute(update(fallback_windows).where(
        fallback_windows.c.fault_id == data["fault_id"],
        fallback_windows.c.ended_at.is_(None),
    ).values(ended_at=data["at"]))
