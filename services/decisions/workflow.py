"""Decision workflow: draft, submit, return, sign, and the issue steps.

Status moves draft -> submitted -> (returned -> draft ...) -> signed ->
issued. Each step checks the actor's role and unit, records a history
row and, when others must learn about it, an outbox event in the same
transaction. An issued decision is never edited: a later decision
revokes, amends or cancels it.
"""
import logging
import uuid
from types import SimpleNamespace
from datetime import date, datetime, timezone
from decimal import Decimal, InvalidOperation

from marshmallow import ValidationError
from sqlalchemy import Text, cast, func, insert, or_, select, update

from services.common import events
from services.common.actors import Forbidden, NotFound, changeable, visible
from services.common.calendar import local_date
from services.common.outbox import add_event
from services.decisions import checks
from services.decisions.drafts import (
    CORRECTING_KINDS, KIND_LABELS, flatten_errors, load_content,
)
from services.decisions.exceptions import (
    AlreadyIssued, ChecksFailed, InvalidInput, InvalidTransition,
)
from services.decisions.models import decisions, history, outbox, records
from services.decisions.document import document_for, render
from services.decisions.pdf import InvalidDecisionError
from services.decisions.words import amount_text

log = logging.getLogger(__name__)

EDITABLE = ("draft", "returned")
DRAFTING_ROLES = ("officer", "head")
SIGNING_ROLES = ("head",)
ISSUING_ROLES = ("head", "clerk")


def now():
    return datetime.now(timezone.utc)


def load_decision(session, actor, decision_id, lock=False):
    """Return the decision row, or raise NotFound if ACTOR may not see it."""
    statement = select(decisions).where(decisions.c.id == str(decision_id))
    if lock:
        statement = statement.with_for_update()
    row = session.execute(statement).first()
    if row is None:
        raise NotFound(f"decision {decision_id} not found")
    visible(actor, row.unit)
    return row


def load_record(session, actor, record_id, record_type=None):
    row = session.execute(
        select(records).where(records.c.id == str(record_id))
    ).first()
    if row is None or (record_type and row.record_type != record_type):
        raise NotFound(f"record {record_id} not found")
    visible(actor, row.unit)
    return row


def note_history(session, decision_id, actor, action, note=None):
    session.execute(insert(history).values(
        decision_id=decision_id, action=action, actor=actor.username,
        role=actor.role, note=note,
    ))


def validated_content(content):
    try:
        return load_content(content)
    except ValidationError as error:
        raise InvalidInput("Nội dung dự thảo chưa hợp lệ.",
                           flatten_errors(error.messages)) from None


def check_links(session, actor, content):
    """Make sure every record and decision the draft names is visible."""
    links = (("judgment_record_id", "judgment"), ("request_record_id", "request"),
             ("entrustment_record_id", "entrustment"))
    for field, record_type in links:
        if content.get(field):
            load_record(session, actor, content[field], record_type)
    if content.get("related_decision_id"):
        related = load_decision(session, actor, content["related_decision_id"])
        if related.revoked_by:
            raise InvalidInput(
                "Quyết định này đã bị thu hồi hoặc hủy.",
                [{"path": "related_decision_id", "code": "already_revoked",
                  "message": f"Quyết định {related.display} đã bị thu hồi "
                             f"hoặc hủy bởi quyết định {related.revoked_by}."}])
        if related.status != "issued":
            raise InvalidInput(
                "Chỉ thu hồi, sửa đổi hoặc hủy được quyết định đã ban hành.",
                [{"path": "related_decision_id", "code": "not_issued",
                  "message": f"Quyết định {related.id} chưa ban hành."}])


def check_not_duplicate(session, content, own_id=None):
    """Reject a draft for judgment items another live decision covers.

    A decision is live unless a later decision revoked or cancelled it, or
    it was discarded. The judgment's row is locked first, so two drafts
    sent at the same moment cannot both pass.
    """
    refs = line_keys(content)
    if not refs or not content.get("judgment_record_id"):
        return
    session.execute(select(records.c.id).where(
        records.c.id == content["judgment_record_id"]).with_for_update())
    others = session.execute(select(decisions).where(
        decisions.c.judgment_record_id == content["judgment_record_id"],
        decisions.c.revoked_by.is_(None),
        decisions.c.status != "discarded",
        decisions.c.decision_kind == content["decision_kind"],
    )).all()
    for other in others:
        if other.id == own_id:
            continue
        taken = refs & line_keys(other.content)
        if taken:
            label = other.display or "dự thảo chưa ban hành"
            names = sorted({key[0] for key in taken})
            raise InvalidInput("Khoản này đã có quyết định.", [{
                "path": "obligations", "code": "already_decided",
                "message": (
                    f"Khoản {', '.join(names)} của bản án đã có trong "
                    f"quyết định {label} ({other.id}). Hãy mở quyết định đó "
                    f"thay vì lập thêm một dự thảo.")}])


def line_keys(content):
    """Identify each judgment item a decision orders, for whom and to whom.

    One judgment item may be split among decisions, one per debtor or
    per recipient, so the item's ref alone does not identify a line.
    """
    return {(line["ref"], line.get("debtor"), line.get("creditor"))
            for line in content.get("obligations", []) if line.get("ref")}


def deadline_of(session, content):
    """Return the legal deadline stored in the proposal, if any."""
    proposal = content.get("proposal") or {}
    deadline = proposal.get("deadline")
    return (date.fromisoformat(deadline) if deadline else None,
            proposal.get("deadline_rule"))


def create_draft(session, actor, unit, content, request_id):
    """Insert a new draft of UNIT's decision; idempotent per REQUEST_ID."""
    actor.require_role(*DRAFTING_ROLES, action="draft decisions")
    changeable(actor, unit)
    if request_id:
        done = session.execute(
            select(decisions).where(decisions.c.request_id == request_id)
        ).first()
        if done is not None:
            visible(actor, done.unit)
            return done.id

    content = validated_content(content)
    content["officer_name"] = actor.full_name or actor.username
    check_links(session, actor, content)
    check_not_duplicate(session, content)
    deadline, rule = deadline_of(session, content)
    decision_id = str(uuid.uuid4())
    session.execute(insert(decisions).values(
        id=decision_id, unit=unit, office=actor.office,
        decision_kind=content["decision_kind"], mode=content.get("mode"),
        status="draft",
        judgment_record_id=content.get("judgment_record_id"),
        request_record_id=content.get("request_record_id"),
        entrustment_record_id=content.get("entrustment_record_id"),
        related_decision_id=content.get("related_decision_id"),
        content=content, deadline=deadline, deadline_rule=rule,
        officer=actor.username, request_id=request_id,
        created_by=actor.username,
    ))
    note_history(session, decision_id, actor, "draft")
    return decision_id


def update_draft(session, actor, decision_id, content, version):
    """Replace a draft's content; a returned draft becomes a draft again."""
    actor.require_role(*DRAFTING_ROLES, action="edit drafts")
    row = load_decision(session, actor, decision_id, lock=True)
    changeable(actor, row.unit)
    require_status(row, EDITABLE, "edit")
    if version is not None and version != row.version:
        raise InvalidTransition(
            f"decision {decision_id} changed since version {version} "
            f"(now {row.version}); reload it and edit again")
    content = validated_content(content)
    content["officer_name"] = row.content.get("officer_name") or row.officer
    check_links(session, actor, content)
    check_not_duplicate(session, content, row.id)
    deadline, rule = deadline_of(session, content)
    session.execute(update(decisions).where(decisions.c.id == row.id).values(
        content=content, decision_kind=content["decision_kind"],
        mode=content.get("mode"), status="draft",
        judgment_record_id=content.get("judgment_record_id"),
        request_record_id=content.get("request_record_id"),
        entrustment_record_id=content.get("entrustment_record_id"),
        related_decision_id=content.get("related_decision_id"),
        deadline=deadline or row.deadline, deadline_rule=rule or row.deadline_rule,
        version=row.version + 1, updated_at=func.now(),
    ))
    note_history(session, row.id, actor, "edit")


def require_status(row, allowed, action):
    if row.status == "issued":
        raise AlreadyIssued(
            f"decision {row.display or row.id} is issued and cannot {action}; "
            f"issue a revocation or amendment decision instead")
    if row.status not in allowed:
        raise InvalidTransition(
            f"decision {row.id} is {row.status}; it can {action} only when "
            f"{' or '.join(allowed)}")


def transition(session, actor, decision_id, roles, allowed, new_status,
               action, note=None, **values):
    actor.require_role(*roles, action=action)
    row = load_decision(session, actor, decision_id, lock=True)
    changeable(actor, row.unit)
    if row.status == new_status:
        return row  # a repeated click changes nothing
    require_status(row, allowed, action)
    session.execute(update(decisions).where(decisions.c.id == row.id).values(
        status=new_status, version=row.version + 1, updated_at=func.now(),
        **values))
    note_history(session, row.id, actor, action, note)
    return row


def submit(session, actor, decision_id):
    row = transition(session, actor, decision_id, DRAFTING_ROLES, EDITABLE,
                     "submitted", "submit")
    return checks.run(session, row_after(session, row.id))


def discard(session, actor, decision_id, reason):
    """Set aside a draft that will not be issued; it stays in the history."""
    if not reason or not reason.strip():
        raise InvalidInput("Hãy ghi lý do hủy bỏ dự thảo.", [{
            "path": "reason", "code": "missing",
            "message": "Lý do hủy bỏ dự thảo không được để trống."}])
    transition(session, actor, decision_id, DRAFTING_ROLES,
               ("draft", "returned", "submitted"), "discarded", "discard",
               note=reason.strip())


def return_to_officer(session, actor, decision_id, note):
    if not note or not note.strip():
        raise InvalidInput("Hãy ghi lý do trả lại dự thảo.",
                           [{"path": "note", "code": "missing",
                             "message": "Lý do trả lại không được để trống."}])
    transition(session, actor, decision_id, SIGNING_ROLES, ("submitted",),
               "returned", "return", note=note.strip())


def sign(session, actor, decision_id, as_deputy=False, late_reason=None,
         signer_name=None):
    """Sign a submitted decision after the pre-signing checks pass."""
    actor.require_role(*SIGNING_ROLES, action="sign decisions")
    if actor.office:
        raise Forbidden(
            "regional office heads do not sign enforcement decisions; the "
            "provincial head or a deputy signs them")
    row = load_decision(session, actor, decision_id, lock=True)
    changeable(actor, row.unit)
    if row.status in ("signed", "issued"):
        return []
    require_status(row, ("submitted",), "be signed")
    late_reason = (late_reason or "").strip() or row.late_reason
    found = checks.run(session, row, late_reason=late_reason)
    found += renders(session, row, actor, signer_name, as_deputy)
    errors = [item for item in found if item["severity"] == "error"]
    if errors:
        raise ChecksFailed("; ".join(
            f"{item['code']}: {item['message']}" for item in errors))
    signer = {"username": actor.username,
              "name": signer_name or actor.full_name or actor.username,
              "title": "deputy" if as_deputy else "head"}
    session.execute(update(decisions).where(decisions.c.id == row.id).values(
        status="signed", signer=signer, late_reason=late_reason or None,
        version=row.version + 1, updated_at=func.now()))
    note_history(session, row.id, actor, "sign", late_reason or None)
    return found


def renders(session, row, actor, signer_name, as_deputy):
    """Render the decision as it will be issued; report content that fails.

    Issuing must not take a number for a decision whose PDF cannot be
    built, so the document is built once before signing.
    """
    signer = {"name": signer_name or actor.full_name or actor.username,
              "title": "deputy" if as_deputy else "head"}
    staged = SimpleNamespace(**{**row._mapping, "signer": signer,
                                "display": "01/QĐ-THADS"})
    try:
        render(document_for(session, staged))
    except (InvalidDecisionError, ValueError, ArithmeticError) as error:
        return [{"code": "content_invalid", "severity": "error",
                 "message": f"Không lập được văn bản quyết định: {error}. "
                            f"Hãy trả lại dự thảo để sửa."}]
    return []


def row_after(session, decision_id):
    return session.execute(
        select(decisions).where(decisions.c.id == decision_id)).one()


def prepare_issue(session, actor, decision_id, paper=None):
    """Fix the issue moment (once) before a number is requested.

    Returns the row. The moment is stored before numbering is called, so
    a retry sends numbering the same arguments and gets the same number.
    """
    actor.require_role(*ISSUING_ROLES, action="issue decisions")
    row = load_decision(session, actor, decision_id, lock=True)
    changeable(actor, row.unit)
    if row.status == "issued":
        return row
    require_status(row, ("signed",), "be issued")
    if row.issued_at is not None:
        return row
    values = {"issued_at": now()}
    if paper:
        values = {"issued_at": paper["issued_at"], "on_paper": True,
                  "paper_number": paper["number"]}
    session.execute(update(decisions).where(decisions.c.id == row.id)
                    .values(**values))
    return row_after(session, row.id)


def forget_paper(session, decision_id):
    """Undo a paper re-entry that numbering refused, so it can be retried
    with a corrected number or issued normally."""
    session.execute(update(decisions).where(
        decisions.c.id == decision_id, decisions.c.status != "issued",
    ).values(issued_at=None, on_paper=False, paper_number=None))


def complete_issue(session, actor, decision_id, numbered):
    """Store the number, freeze the PDF and emit `decision_issued`."""
    row = load_decision(session, actor, decision_id, lock=True)
    if row.status == "issued":
        return row
    issued_on = local_date(row.issued_at)
    values = {
        "status": "issued", "number": numbered["number"],
        "work_year": numbered["work_year"], "display": numbered["display"],
        "issued_on": issued_on,
    }
    staged = SimpleNamespace(**{**row._mapping, **values})
    pdf = render(document_for(session, staged))
    values.update(pdf=pdf.bytes, pdf_sha256=pdf.sha256,
                  version=row.version + 1, updated_at=func.now())
    session.execute(update(decisions).where(decisions.c.id == row.id)
                    .values(**values))
    issued = row_after(session, row.id)
    add_event(session, outbox, events.DECISION_ISSUED,
              issued_event(session, issued))
    if issued.decision_kind in CORRECTING_KINDS:
        mark_corrected(session, issued)
    note_history(session, row.id, actor, "issue", numbered["display"])
    return issued


def mark_corrected(session, issued):
    old = session.execute(select(decisions).where(
        decisions.c.id == issued.related_decision_id)).one()
    if issued.decision_kind != "amendment":
        session.execute(update(decisions).where(decisions.c.id == old.id)
                        .values(revoked_by=issued.id))
    add_event(session, outbox, events.DECISION_REVOKED, {
        "decision_id": old.id, "unit": old.unit, "work_year": old.work_year,
        "display": old.display, "by_decision_id": issued.id,
        "by_display": issued.display, "by_kind": issued.decision_kind,
        "on": issued.issued_on.isoformat(),
        "reason": issued.content.get("reason"),
    })


def vnd_total(obligations):
    total = Decimal(0)
    for line in obligations:
        amount = line.get("amount") or {}
        if amount.get("kind") == "vnd" and amount.get("value"):
            try:
                total += Decimal(amount["value"])
            except InvalidOperation:
                continue
    return int(total)


def obligations_text(obligations):
    return "\n".join(
        f"{line['description'].strip().rstrip('.;:,')}: "
        f"{amount_text(line['amount'])}"
        if line["amount"].get("kind") not in ("none", None)
        else line["description"]
        for line in obligations
    )


def issued_event(session, row):
    content = row.content
    judgment = None
    if row.judgment_record_id:
        data = session.execute(select(records.c.data).where(
            records.c.id == row.judgment_record_id)).scalar_one()
        judgment = {"issuing_body": data.get("issuing_body"),
                    "number": data.get("number"), "date": data.get("date"),
                    "effective_date": data.get("effective_date")}
    related = None
    if row.related_decision_id:
        old = session.execute(select(decisions).where(
            decisions.c.id == row.related_decision_id)).one()
        related = {"decision_id": old.id, "display": old.display,
                   "date": old.issued_on.isoformat()}
    signer = row.signer or {}
    return {
        "decision_id": row.id, "unit": row.unit, "office": row.office,
        "kind": "QD", "decision_kind": row.decision_kind, "mode": row.mode,
        "work_year": row.work_year, "number": row.number,
        "display": row.display, "issued_on": row.issued_on.isoformat(),
        "issued_at": row.issued_at.isoformat(), "on_paper": row.on_paper,
        "judgment": judgment, "judgment_record_id": row.judgment_record_id,
        "request_record_id": row.request_record_id,
        "entrustment_record_id": row.entrustment_record_id,
        "debtors": parties(content.get("debtors")),
        "creditors": parties(content.get("creditors")),
        "obligations": obligations_text(content.get("obligations", [])),
        "total_vnd": vnd_total(content.get("obligations", [])),
        "officer": content.get("officer_name") or row.officer,
        "signer": signer.get("name"),
        "related_decision": related,
        "receiving_unit": content.get("receiving_unit"),
        "asset": content.get("asset"),
    }


def parties(items):
    return [{"name": p["name"], "address": p.get("address"),
             "id_number": p.get("id_number")} for p in items or []]


def summary(row):
    """Return the list view of a decision, without content or PDF."""
    content = row.content or {}
    return {
        "id": row.id, "unit": row.unit, "office": row.office,
        "decision_kind": row.decision_kind,
        "kind_label": KIND_LABELS.get(row.decision_kind),
        "mode": row.mode, "status": row.status,
        "display": row.display, "number": row.number,
        "work_year": row.work_year,
        "issued_on": row.issued_on.isoformat() if row.issued_on else None,
        "deadline": row.deadline.isoformat() if row.deadline else None,
        "debtors": [p["name"] for p in content.get("debtors", [])],
        "judgment_record_id": row.judgment_record_id,
        "officer": row.officer, "revoked_by": row.revoked_by,
        "version": row.version,
        "created_at": row.created_at.isoformat(),
    }


def detail(session, row):
    result = summary(row)
    result.update(
        content=row.content, deadline_rule=row.deadline_rule,
        late_reason=row.late_reason, signer=row.signer,
        issued_at=row.issued_at.isoformat() if row.issued_at else None,
        on_paper=row.on_paper, pdf_sha256=row.pdf_sha256,
        related_decision_id=row.related_decision_id,
        checks=checks.run(session, row) if row.status != "issued" else [],
        history=[
            {"action": h.action, "actor": h.actor, "role": h.role,
             "note": h.note, "at": h.at.isoformat()}
            for h in session.execute(select(history).where(
                history.c.decision_id == row.id).order_by(history.c.id))
        ],
    )
    return result


def search(session, actor, filters):
    """List decisions visible to ACTOR, newest first, with FILTERS."""
    statement = select(decisions).order_by(decisions.c.created_at.desc())
    if actor.role in ("central", "helpdesk") and "all" in actor.scope:
        if filters.get("unit"):
            statement = statement.where(decisions.c.unit == filters["unit"])
    elif actor.role in ("central", "helpdesk"):
        units = [u for u in actor.scope
                 if not filters.get("unit") or u == filters["unit"]]
        statement = statement.where(decisions.c.unit.in_(units))
    else:
        statement = statement.where(decisions.c.unit == actor.unit)
    if filters.get("work_year") is not None:
        filters = {**filters, "work_year": whole_number(filters, "work_year", None)}
    for field in ("status", "decision_kind", "work_year", "judgment_record_id"):
        if filters.get(field) is not None:
            statement = statement.where(decisions.c[field] == filters[field])
    if filters.get("text"):
        pattern = f"%{escape_like(str(filters['text']))}%"
        statement = statement.where(or_(
            decisions.c.display.ilike(pattern, escape="\\"),
            party_names("debtors").ilike(pattern, escape="\\"),
            party_names("creditors").ilike(pattern, escape="\\"),
        ))
    if filters.get("overdue"):
        statement = statement.where(
            decisions.c.status != "issued",
            decisions.c.deadline < local_date(now()))
    limit = min(whole_number(filters, "limit", 100), 500)
    offset = whole_number(filters, "offset", 0)
    rows = session.execute(statement.limit(limit).offset(offset)).all()
    return [summary(row) for row in rows]


def party_names(field):
    """Return the names of a decision's debtors or creditors as one text,
    so that a search never matches the JSON keys around them."""
    return cast(func.jsonb_path_query_array(
        decisions.c.content, f"$.{field}[*].name"), Text)


def whole_number(filters, field, default):
    """Return FILTERS[FIELD] as a whole number of 0 or more."""
    value = filters.get(field)
    if value is None or value == "":
        return default
    if isinstance(value, bool) or not str(value).isascii() \
            or not str(value).isdigit():
        raise InvalidInput("Bộ lọc không hợp lệ.", [{
            "path": field, "code": "invalid_number",
            "message": f"{field} phải là số nguyên không âm, không phải {value!r}."}])
    return int(value)


def escape_like(text):
    return (text.replace("\\", "\\\\").replace("%", "\\%")
            .replace("_", "\\_"))
