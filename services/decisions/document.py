"""Build the PDF input of a decision from its row and render it."""
import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import select

from services.common.calendar import local_date
from services.common.units import get_unit
from services.decisions.models import decisions, records
from services.decisions.pdf import NEW_REGIME_START, render_decision


MISSING = "……"
MISSING_DATE = None


def regime_on(day):
    return "law106_2025" if day >= NEW_REGIME_START else "law26_2008"


@dataclass(frozen=True)
class RenderedPdf:
    bytes: bytes
    sha256: str


def render(doc):
    pdf = render_decision(doc)
    return RenderedPdf(pdf, hashlib.sha256(pdf).hexdigest())


def document_for(session, row, today=None):
    """Return the `render_decision` input for decision ROW.

    A draft is dated today (Vietnam time) for its preview; an issued
    decision carries its issue date and number.
    """
    content = row.content
    unit = get_unit(row.unit)
    day = row.issued_on or today or local_date(datetime.now(timezone.utc))
    doc = {
        "regime": regime_on(day),
        "kind": row.decision_kind,
        "unit": {"code": unit.code, "name": unit.name,
                 "supervisor": unit.supervisor, "place": unit.place,
                 "symbol": unit.symbol},
        "number_display": row.display,
        "issued_on": row.issued_on.isoformat() if row.issued_on else None,
        "judgment": judgment_of(session, row),
        "request": request_of(session, row),
        "debtors": content.get("debtors", []),
        "creditors": content.get("creditors", []),
        "obligations": [
            {"description": line["description"].strip().rstrip(".;:,").strip(),
             "debtor": line.get("debtor"),
             "creditor": line.get("creditor"), "amount": line["amount"],
             "note": line.get("note")}
            for line in content.get("obligations", [])
        ],
        "officer": officer_of(row),
        "signer": signer_of(row),
        "related_decision": related_of(session, row),
        "reason": content.get("reason"),
        "extra_recipients": content.get("extra_recipients", []),
    }
    if row.decision_kind in ("entrust_enforcement", "entrust_asset"):
        doc["entrustee"] = {"name": entrustee_name(content.get("receiving_unit"))}
    return doc


def entrustee_name(code_or_name):
    """Return the receiving unit's name for a unit code, or the text given."""
    try:
        return get_unit(code_or_name).name
    except LookupError:
        return code_or_name or ""


def officer_of(row):
    """Return the assigned officer by full name, falling back to the login."""
    name = (row.content or {}).get("officer_name") or row.officer
    return {"name": name} if name else None


def signer_of(row):
    signer = row.signer or {}
    return {"name": signer.get("name") or "", "title": signer.get("title", "head")}


def judgment_of(session, row):
    if not row.judgment_record_id:
        return None
    data = session.execute(select(records.c.data).where(
        records.c.id == row.judgment_record_id)).scalar_one()
    # A judgment entered without its number or full date still previews;
    # the pre-signing checks stop such a decision from being signed.
    full_date = data.get("date") if len(str(data.get("date") or "")) == 10 else None
    return {"body": data.get("issuing_body") or MISSING,
            "number": data.get("number") or MISSING,
            "date": full_date or MISSING_DATE}


def request_of(session, row):
    if not row.request_record_id:
        return None
    data = session.execute(select(records.c.data).where(
        records.c.id == row.request_record_id)).scalar_one()
    requester = data.get("requester") or {}
    return {"date": data.get("request_date") or data.get("received_on"),
            "requester": requester.get("name")}


def related_of(session, row):
    if not row.related_decision_id:
        return None
    old = session.execute(select(decisions).where(
        decisions.c.id == row.related_decision_id)).one()
    return {"display": old.display,
            "date": old.issued_on.isoformat() if old.issued_on else None}
