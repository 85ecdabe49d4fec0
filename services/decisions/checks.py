"""Checks run before a decision is signed.

They catch the errors inspections of enforcement offices find most
often: ex officio and on-request items mixed in one decision, an item of
the judgment left out, a fee offset against the court-fee advance turned
into a payment plus a refund, a missed legal deadline without a written
reason, and a decision not issued by the provincial unit.
"""
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation

from sqlalchemy import select

from services.common.calendar import local_date
from services.common.units import UnknownUnit, get_unit
from services.decisions.models import records

# Obligation kinds the head enforces without a request.
EX_OFFICIO_KINDS = {
    "court_fee", "fine", "confiscation", "confiscation_destroy",
    "illicit_gain_recovery", "state_receipt", "return_money",
    "return_property", "provisional_measure", "bankruptcy",
}
MODE_LABELS = {"ex_officio": "chủ động", "on_request": "theo yêu cầu"}


def issue(code, severity, message):
    return {"code": code, "severity": severity, "message": message}


def run(session, row, late_reason=None, today=None):
    """Return the list of findings for decision ROW, errors first."""
    today = today or local_date(datetime.now(timezone.utc))
    judgment = judgment_obligations(session, row)
    found = judgment_incomplete(session, row)
    found += mode_mismatches(row, judgment)
    found += left_out(row)
    found += offset_splits(row, judgment)
    found += deadline(row, today, late_reason or row.late_reason)
    found += provincial(row)
    return sorted(found, key=lambda item: item["severity"] != "error")


def judgment_incomplete(session, row):
    """A decision must cite the judgment's number and full date."""
    if not row.judgment_record_id:
        return []
    data = session.execute(select(records.c.data).where(
        records.c.id == row.judgment_record_id)).scalar_one()
    missing = [label for field, label in (("number", "số"), ("date", "ngày"))
               if not data.get(field) or (field == "date"
                                          and len(str(data[field])) != 10)]
    if not missing:
        return []
    return [issue("judgment_incomplete", "error", (
        f"Bản án, quyết định được thi hành chưa có {' và '.join(missing)} đầy đủ. "
        f"Hãy bổ sung từ bản án gốc trước khi ký."))]


def judgment_obligations(session, row):
    if not row.judgment_record_id:
        return {}
    data = session.execute(select(records.c.data).where(
        records.c.id == row.judgment_record_id)).scalar_one()
    return {item.get("ref"): item for item in data.get("obligations", [])}


def line_mode(line, judgment):
    if line.get("mode"):
        return line["mode"]
    kind = line.get("kind") or judgment.get(line.get("ref"), {}).get("kind")
    if kind is None:
        return None
    return "ex_officio" if kind in EX_OFFICIO_KINDS else "on_request"


def mode_mismatches(row, judgment):
    if row.decision_kind not in MODE_LABELS:
        return []
    found = []
    for index, line in enumerate(row.content.get("obligations", [])):
        mode = line_mode(line, judgment)
        if mode and mode != row.decision_kind:
            found.append(issue("mode_mismatch", "error", (
                f"Khoản {index + 1} ({line['description']}) thuộc diện thi hành "
                f"{MODE_LABELS[mode]}, nhưng quyết định là quyết định thi hành "
                f"{MODE_LABELS[row.decision_kind]}. Hãy tách khoản này sang "
                f"quyết định đúng loại.")))
    return found


def left_out(row):
    proposal = row.content.get("proposal") or {}
    wanted = set(proposal.get("obligation_refs") or [])
    present = {line.get("ref") for line in row.content.get("obligations", [])}
    missing = sorted(ref for ref in wanted - present if ref)
    if not missing:
        return []
    return [issue("obligation_left_out", "error", (
        f"Dự thảo bỏ sót khoản {', '.join(missing)} của bản án mà đề xuất "
        f"đã nêu. Hãy bổ sung hoặc lập quyết định riêng cho khoản đó."))]


def vnd(amount):
    if not amount or amount.get("kind") != "vnd":
        return None
    try:
        return Decimal(str(amount.get("value")))
    except (InvalidOperation, TypeError):
        return None


def offset_remainder(item):
    """Return what is left of a judgment obligation after offsets."""
    total = vnd(item.get("amount"))
    if total is None:
        return None
    offsets = [vnd(s.get("amount")) or 0 for s in item.get("settled") or []
               if s.get("how") == "offset_advance"]
    return total - sum(offsets) if offsets else None


def offset_splits(row, judgment):
    found = []
    for index, line in enumerate(row.content.get("obligations", [])):
        if line.get("refund_of_offset"):
            found.append(issue("offset_split", "error", (
                f"Khoản {index + 1} hoàn trả tiền tạm ứng đã được khấu trừ vào "
                f"án phí. Tiền tạm ứng đã khấu trừ thì không thu rồi hoàn lại; "
                f"hãy bỏ khoản này.")))
            continue
        item = judgment.get(line.get("ref"))
        remainder = offset_remainder(item) if item else None
        amount = vnd(line.get("amount"))
        if remainder is not None and amount is not None and amount > remainder:
            found.append(issue("offset_split", "error", (
                f"Khoản {index + 1} thu {amount:,.0f} đồng, nhưng bản án đã "
                f"khấu trừ tạm ứng, chỉ còn phải thu {remainder:,.0f} đồng. "
                f"Hãy sửa số tiền, không lập khoản thu đủ rồi hoàn tạm ứng."
            ).replace(",", ".")))
    return found


def deadline(row, today, late_reason):
    if row.deadline is None or row.status == "issued" or today <= row.deadline:
        return []
    late = f"Đã quá thời hạn ra quyết định ({row.deadline:%d/%m/%Y})."
    if late_reason:
        return [issue("deadline_passed", "warning",
                      f"{late} Lý do đã ghi: {late_reason}")]
    return [issue("deadline_passed", "error",
                  f"{late} Người ký phải ghi rõ lý do chậm ra quyết định.")]


def provincial(row):
    try:
        get_unit(row.unit)
    except UnknownUnit:
        return [issue("not_provincial", "error", (
            f"Đơn vị {row.unit} không phải Thi hành án dân sự tỉnh, thành phố; "
            f"chỉ cơ quan cấp tỉnh được ra quyết định thi hành án."))]
    return []
