"""Decision support: which enforcement decisions (QĐTHA) to issue for a judgment.

`propose` reads a judgment record and the enforcement requests received for it
(as `intake.load_records` returns them, or stored as JSON) and proposes the
decisions to issue.
Each proposal names the mode (ex officio or on request), debtors, creditors, the
obligation lines with the amount still to collect, the legal basis, the grouping
rule applied and the deadline for issuing it.

The legal regime is chosen by the decision date:

- until 30 June 2026: Law 26/2008 (amended 2014) and Decree 62/2015 (amended by
  Decree 33/2020), Art. 6 (ex officio) and Art. 7 (on request);
- from 1 July 2026: Law 106/2025 and Decree 152/2026, Art. 8 (ex officio) and
  Art. 11 (on request).

The function never guesses: an obligation that needs a person's decision gets a
flag. A blocking flag keeps the obligation out of every proposal; a non-blocking
flag accompanies a proposal that follows the judgment's wording.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import Decimal

from services.decisions.intake import coerce_record, judgment_key
from services.decisions.obligations import (
    EX_OFFICIO,
    EX_OFFICIO_POINTS,
    MONEY_KINDS,
    ON_REQUEST,
    POINT_ORDER,
    Instalment,
    Share,
    enforcement_mode,
    enforcement_year_end,
    format_amount,
    format_number,
    instalments_between,
    is_return,
    issue_deadline,
    outstanding,
    settlements_for,
    split_shares,
    unassigned_settlements,
)

OLD_REGIME = "law26_nd62"
NEW_REGIME = "law106_nd152"
NEW_REGIME_START = dt.date(2026, 7, 1)

LAWS = {
    OLD_REGIME: (
        "Luật Thi hành án dân sự số 26/2008/QH12, được sửa đổi, bổ sung năm 2014"
    ),
    NEW_REGIME: "Luật Thi hành án dân sự số 106/2025/QH15",
}
# Article on issuing decisions: Art. 36 of Law 26/2008; Art. 33 of Law 106/2025,
# which Decree 152/2026 Art. 8(2) cites for ex officio items.
# NOTE: that clause 1 of Art. 33 covers on-request decisions is inferred from
# the old Art. 36(1); the text of Law 106/2025 itself was not available.
LAW_ARTICLES = {OLD_REGIME: "36", NEW_REGIME: "33"}
DECREES = {
    OLD_REGIME: "Nghị định số 62/2015/NĐ-CP, được sửa đổi, bổ sung năm 2020",
    NEW_REGIME: "Nghị định số 152/2026/NĐ-CP",
}
PERIODIC_BASIS = {
    OLD_REGIME: "khoản 6 Điều 1 Thông tư liên tịch số 11/2016/TTLT-BTP-TANDTC-VKSNDTC",
    NEW_REGIME: "khoản 2 Điều 11 Nghị định số 152/2026/NĐ-CP",
}

# Grouping rules and the clause of the decree that each applies.
RULES = {
    "nd62_art6_common": "khoản 1 Điều 6",
    "nd62_art6_return": "điểm a khoản 1 Điều 6",
    "nd62_art6_several_items": "điểm b khoản 1 Điều 6",
    "nd62_art6_rights_and_obligations": "điểm c khoản 1 Điều 6",
    "nd62_art6_joint": "khoản 2 Điều 6",
    "nd62_art7_per_request": "khoản 1 Điều 7",
    "nd62_art7_joint_requests": "khoản 1 Điều 7",
    "nd62_art7_joint": "khoản 3 Điều 7 và khoản 2 Điều 6",
    "nd152_art8_per_debtor": "khoản 1 Điều 8",
    "nd152_art8_return": "điểm a khoản 1 Điều 8",
    "nd152_art8_no_debtor": "điểm b khoản 1 Điều 8",
    "nd152_art8_same_exhibit": "điểm c khoản 1 Điều 8",
    "nd152_art8_joint": "điểm d khoản 1 Điều 8",
    "nd152_art8_rights_and_obligations": "điểm đ khoản 1 Điều 8",
    "nd152_art11_per_debtor": "khoản 1 Điều 11",
    "nd152_art11_partition": "điểm a khoản 1 Điều 11",
    "nd152_art11_joint": "điểm b khoản 1 Điều 11",
}

FLAG_REASONS = {
    "operative_part_missing": (
        "Không có phần quyết định của bản án nên không đề xuất ra quyết định thi hành "
        "án cho đến khi có bản án đầy đủ."
    ),
    "mode_unclear": (
        "Nghĩa vụ {ref} không thuộc loại nào đã định nên chưa rõ thi hành chủ động "
        "hay theo yêu cầu; tạm xếp vào diện thi hành theo yêu cầu, cần cán bộ xác "
        "định."
    ),
    "liability_unclear": (
        "Nghĩa vụ {ref} có nhiều người phải thi hành án nhưng không rõ là liên đới "
        "hay theo phần. Cần đối chiếu bản án trước khi ra quyết định."
    ),
    "joint_with_shares": (
        "Nghĩa vụ {ref} vừa tuyên liên đới vừa chia phần cho từng người. Cần xác định "
        "ra một quyết định liên đới cho toàn bộ số tiền hay ra quyết định theo phần "
        "của từng người; cả hai cách hiểu được nêu kèm theo."
    ),
    "missing_amount": (
        "Nghĩa vụ {ref} chưa có số tiền phải thi hành nên không đề xuất thu khoản này."
    ),
    "gold_also_in_vnd": (
        "Nghĩa vụ {ref} được tuyên bằng vàng và đồng thời quy ra tiền đồng. Cần xác "
        "định khoản nào được thi hành trước khi ra quyết định."
    ),
    "deceased_without_successor": (
        "Đương sự {party} của nghĩa vụ {ref} đã chết và chưa có người kế thừa quyền, "
        "nghĩa vụ. Chưa đề xuất ra quyết định cho đến khi xác định được người kế thừa."
    ),
    "not_yet_due": (
        "Nghĩa vụ {ref} đến hạn ngày {due}; chỉ ra quyết định khi nghĩa vụ đã đến hạn."
    ),
    "debtor_missing": (
        "Nghĩa vụ {ref} thi hành theo yêu cầu nhưng bản án không xác định người phải "
        "thi hành án."
    ),
    "deposit_not_allocated": (
        "Có {amount} đồng đã nộp tại cơ quan thi hành án trước khi xét xử cho nghĩa "
        "vụ {ref} mà phần quyết định của bản án không tuyên xử lý. Số đề xuất thu giữ "
        "đúng bản án; cần xác định cách xử lý khoản đã nộp."
    ),
    "interest_rate_missing": (
        "Nghĩa vụ {ref} có lãi theo thỏa thuận nhưng bản án không ghi lãi suất. Cần "
        "xác định lãi suất trước khi tính lãi."
    ),
    "possible_set_off": (
        "{party} được trả lại tiền, tài sản ở nghĩa vụ {ref} và cũng phải nộp khoản "
        "khác theo bản án, nhưng bản án không tuyên khấu trừ. Cần xem xét việc khấu "
        "trừ trước khi trả."
    ),
    "settlement_unassigned": (
        "Nghĩa vụ {ref} chia theo phần nhưng khoản đã thi hành không ghi của người "
        "nào. Cần xác định để tính đúng số còn phải thi hành."
    ),
    "settlement_kind_mismatch": (
        "Không trừ được khoản đã thi hành vào nghĩa vụ {ref} vì khác loại hoặc đơn vị."
    ),
    "periodic_payments_recorded": (
        "Nghĩa vụ định kỳ {ref} có khoản đã thi hành; cần xác định các kỳ đã được "
        "thanh toán trước khi tính số phải thi hành."
    ),
    "periodic_scope_missing": (
        "Yêu cầu thi hành nghĩa vụ định kỳ {ref} không ghi các kỳ được yêu cầu "
        "(scope_period); cần bổ sung."
    ),
    "months_not_yet_due": (
        "Yêu cầu thi hành nghĩa vụ {ref} gồm các kỳ chưa đến hạn vào ngày yêu cầu "
        "({months}). Chỉ được ra quyết định cho các kỳ đã đến hạn hoặc sẽ đến hạn "
        "trong năm thi hành án; cần kiểm tra lại."
    ),
    "months_beyond_enforcement_year": (
        "Các kỳ {months} của nghĩa vụ {ref} đến hạn sau năm thi hành án hiện tại nên "
        "không được đưa vào quyết định này."
    ),
    "prior_decision_date_inconsistent": (
        "Quyết định thi hành án trước số {number} ghi ngày {date}, sớm hơn bản án "
        "hoặc đơn yêu cầu mà nó căn cứ; có thể ghi sai năm. Dữ liệu được giữ nguyên, "
        "cần xác minh."
    ),
    "requester_not_creditor": (
        "Người yêu cầu không phải người được thi hành án của nghĩa vụ {ref} và không "
        "được ghi là đại diện cho người đó."
    ),
    "request_unknown_obligation": (
        "Yêu cầu thi hành án nêu nghĩa vụ {ref} không có trong bản án."
    ),
    "request_judgment_mismatch": (
        "Yêu cầu thi hành án thứ {index} dẫn chiếu một bản án khác nên không được xét."
    ),
    "duplicate_request": (
        "Nghĩa vụ {ref} đã được yêu cầu trong một yêu cầu khác; phần trùng không được "
        "đề xuất lần nữa."
    ),
}


@dataclass
class ProposalResult:
    """The decisions proposed for one judgment and what needs a person's decision.

    - `proposals`: one dict per decision: mode, rule, debtors, creditors, items
      (ref of the obligation, kind, debtors, creditors, amount, description
      and, where relevant, periods, interest, condition), requests (indexes
      into the `requests` argument), request_ids, legal_basis, deadline,
      deadline_rule.
    - `nothing_to_enforce`: {"obligation", "reason", "debtors", "creditors"} for
      lines already paid, offset against an advance, exempted or waived.
    - `awaiting_request`: refs of on-request obligations that no request covers.
    - `flags`: {"obligation", "code", "reason", "blocking"}, plus "alternatives"
      for joint obligations that also state shares.
    """

    regime: str
    proposals: list[dict] = field(default_factory=list)
    nothing_to_enforce: list[dict] = field(default_factory=list)
    awaiting_request: list[str] = field(default_factory=list)
    flags: list[dict] = field(default_factory=list)


@dataclass(frozen=True)
class Line:
    """One share of an obligation to put in a decision, with the amount to collect."""

    share: Share
    mode: str
    amount: dict | None
    instalments: tuple[Instalment, ...] = ()
    requests: tuple[int, ...] = ()

    @property
    def obligation(self) -> dict:
        return self.share.obligation

    @property
    def ref(self) -> str:
        return self.share.ref

    @property
    def debtors(self) -> tuple[str, ...]:
        return self.share.debtors

    @property
    def creditors(self) -> tuple[str, ...]:
        return self.share.creditors

    @property
    def key(self) -> tuple:
        return (self.ref, self.share.holder, self.debtors)


@dataclass
class Context:
    """State shared by the steps of `propose`: judgment, dates, calendar, flags."""

    judgment: dict
    decision_date: dt.date
    regime: str
    calendar: object
    requests: list[dict]
    request_ids: list
    order: dict[str, int]
    flags: list[dict] = field(default_factory=list)
    settled: set[str] = field(default_factory=set)

    def flag(
        self, code: str, ref: str | None = None, blocking: bool = False, **values
    ):
        """Record a flag unless the same one is already there; return `blocking`."""
        extra = values.pop("extra", {})
        reason = FLAG_REASONS[code].format(ref=ref, **values)
        entry = {"obligation": ref, "code": code, "reason": reason}
        seen = any(
            all(item[key] == value for key, value in entry.items())
            for item in self.flags
        )
        if not seen:
            self.flags.append({**entry, "blocking": blocking, **extra})
        return blocking

    def party_label(self, ref: str) -> str:
        """Return "name (ref)" for a party of the judgment, for flag reasons."""
        names = {party["ref"]: party["name"] for party in self.judgment["parties"]}
        return f"{names[ref]} ({ref})" if ref in names else ref

    def sorted_refs(self, refs) -> list[str]:
        return sorted(
            set(refs), key=lambda ref: (self.order.get(ref, len(self.order)), ref)
        )


def regime_for(decision_date: dt.date) -> str:
    """Return the legal regime in force on the decision date."""
    return NEW_REGIME if decision_date >= NEW_REGIME_START else OLD_REGIME


def propose(
    judgment: dict,
    decision_date: dt.date,
    requests: list[dict] | tuple = (),
    calendar=None,
) -> ProposalResult:
    """Propose the enforcement decisions for a judgment on `decision_date`.

    `judgment` and `requests` are records returned by `intake.load_records`, or
    their stored JSON form; they are validated again and IntakeError is raised
    if one is invalid. A request's "id" field, if present, is reported in the
    proposals' `request_ids`. `calendar` needs `add_working_days(start, n)`;
    when it is None the default calendar of `services.common.calendar` is used.
    Requests that refer to another judgment are flagged and ignored. The
    decision date selects the regime only: it is not compared with receipt dates.
    """
    context = _make_context(judgment, decision_date, requests, calendar)
    result = ProposalResult(regime=context.regime)
    assessed = {
        obligation["ref"]: _assess(obligation, context, result)
        for obligation in context.judgment["obligations"]
    }
    if context.judgment.get("operative_part") == "missing":
        context.flag("operative_part_missing", blocking=True)
        result.flags = context.flags
        return result

    ex_officio = [
        line
        for lines in assessed.values()
        for line in lines
        if line.mode == EX_OFFICIO
    ]
    _flag_set_off(ex_officio, context)
    requested, requested_refs = _requested_lines(assessed, context)
    result.proposals = _ex_officio_proposals(ex_officio, context)
    result.proposals += _on_request_proposals(requested, assessed, context)
    result.awaiting_request = _awaiting(context, requested_refs)
    result.flags = context.flags
    return result


def _make_context(judgment, decision_date, requests, calendar) -> Context:
    record = coerce_record(judgment, "judgment")
    parties = record["parties"]
    return Context(
        judgment=record,
        decision_date=decision_date,
        regime=regime_for(decision_date),
        calendar=_resolve_calendar(calendar),
        requests=[coerce_record(item, "request") for item in requests],
        request_ids=[item.get("id") for item in requests],
        order={party["ref"]: index for index, party in enumerate(parties)},
    )


def _resolve_calendar(calendar):
    if calendar is not None:
        return calendar
    # Imported here so that the module loads before the calendar service exists.
    from services.common.calendar import default_calendar

    if hasattr(default_calendar, "add_working_days"):
        return default_calendar
    return default_calendar()


# ---------------------------------------------------------------- obligations


def _assess(obligation: dict, context: Context, result: ProposalResult) -> list[Line]:
    """Return the obligation's lines to enforce; record settled shares and flags."""
    mode = enforcement_mode(obligation)
    lines, problems = [], []
    for share in split_shares(obligation):
        settled = settlements_for(obligation, share.holder)
        remainder = outstanding(share.amount, settled)
        if remainder.reason:
            result.nothing_to_enforce.append(
                _nothing(share, remainder.reason, context)
            )
        elif remainder.problem:
            problems.append(remainder.problem)
        else:
            lines.append(Line(share, mode, remainder.amount))
    if not lines and not problems:
        context.settled.add(obligation["ref"])
        return []

    blocked = _check_obligation(obligation, mode, context)
    for code in problems:
        blocked = context.flag(code, obligation["ref"], blocking=True) or blocked
    if unassigned_settlements(obligation):
        blocked = context.flag(
            "settlement_unassigned", obligation["ref"], blocking=True
        )
    return [] if blocked else lines


def _nothing(share: Share, reason: str, context: Context) -> dict:
    return {
        "obligation": share.ref,
        "reason": reason,
        "debtors": context.sorted_refs(share.debtors),
        "creditors": context.sorted_refs(share.creditors),
    }


def _check_obligation(obligation: dict, mode: str, context: Context) -> bool:
    """Flag what needs a person's decision; return True if a flag blocks it."""
    blocked = False
    for check in OBLIGATION_CHECKS:
        blocked = check(obligation, mode, context) or blocked
    return blocked


def _check_kind(obligation, mode, context) -> bool:
    if obligation["kind"] == "other":
        context.flag("mode_unclear", obligation["ref"])
    return False


def _check_liability(obligation, mode, context) -> bool:
    ref = obligation["ref"]
    if len(obligation["debtors"]) < 2:
        return False
    if obligation.get("liability") is None:
        return context.flag("liability_unclear", ref, blocking=True)
    if obligation["liability"] == "joint" and obligation.get("shares"):
        alternatives = _joint_readings(obligation)
        extra = {"alternatives": alternatives}
        return context.flag("joint_with_shares", ref, blocking=True, extra=extra)
    return False


def _joint_readings(obligation: dict) -> list[dict]:
    """Describe both readings of a joint obligation that also states shares."""
    amount = format_amount(obligation["amount"])
    joint = {
        "reading": "joint",
        "debtors": list(obligation["debtors"]),
        "amount": amount,
    }
    shares = [
        {
            "debtors": [ref],
            "amount": format_amount({**obligation["amount"], "value": value}),
        }
        for ref, value in obligation["shares"].items()
    ]
    return [joint, {"reading": "shares", "shares": shares}]


def _check_amount(obligation, mode, context) -> bool:
    amount = obligation.get("amount")
    if obligation["kind"] in MONEY_KINDS and (
        amount is None or amount["kind"] == "none"
    ):
        return context.flag("missing_amount", obligation["ref"], blocking=True)
    return False


def _check_gold(obligation, mode, context) -> bool:
    amount, equivalent = obligation.get("amount"), obligation.get("equivalent")
    if not amount or not equivalent:
        return False
    other = equivalent.get("amount") or {}
    gold_in_vnd = amount["kind"] == "gold" and other.get("kind") in (None, "vnd")
    vnd_in_gold = amount["kind"] == "vnd" and other.get("kind") == "gold"
    if gold_in_vnd or vnd_in_gold:
        return context.flag("gold_also_in_vnd", obligation["ref"], blocking=True)
    return False


def _check_deceased(obligation, mode, context) -> bool:
    parties = {party["ref"]: party for party in context.judgment["parties"]}
    for ref in [*obligation["debtors"], *obligation["creditors"]]:
        party = parties[ref]
        if party["deceased"] and not party.get("representative"):
            party = context.party_label(ref)
            return context.flag(
                "deceased_without_successor",
                obligation["ref"],
                blocking=True,
                party=party,
            )
    return False


def _check_due(obligation, mode, context) -> bool:
    due = obligation.get("due_date")
    if due and due > context.decision_date:
        return context.flag("not_yet_due", obligation["ref"], blocking=True, due=due)
    return False


def _check_debtor(obligation, mode, context) -> bool:
    if mode == ON_REQUEST and not obligation["debtors"]:
        return context.flag("debtor_missing", obligation["ref"], blocking=True)
    return False


def _check_deposit(obligation, mode, context) -> bool:
    deposits = [
        entry
        for entry in obligation["settled"]
        if entry["how"] == "deposited_with_agency"
    ]
    if deposits:
        total = sum(
            (
                entry["amount"].get("value", Decimal(0))
                for entry in deposits
                if entry["amount"]
            ),
            Decimal(0),
        )
        context.flag(
            "deposit_not_allocated", obligation["ref"], amount=format_number(total)
        )
    return False


def _check_interest(obligation, mode, context) -> bool:
    interest = obligation.get("interest")
    if (
        interest
        and interest["basis"] == "contractual"
        and interest.get("rate") is None
    ):
        context.flag("interest_rate_missing", obligation["ref"])
    return False


OBLIGATION_CHECKS = (
    _check_kind,
    _check_liability,
    _check_amount,
    _check_gold,
    _check_deceased,
    _check_due,
    _check_debtor,
    _check_deposit,
    _check_interest,
)


def _flag_set_off(lines: list[Line], context: Context) -> None:
    """Flag returns to a person who also owes an ex officio item of the judgment."""
    payers = {
        debtor
        for line in lines
        if not is_return(line.obligation)
        for debtor in line.debtors
    }
    for line in lines:
        owing = payers.intersection(line.creditors)
        if is_return(line.obligation) and owing:
            party = ", ".join(
                context.party_label(ref) for ref in context.sorted_refs(owing)
            )
            context.flag("possible_set_off", line.ref, party=party)


# ---------------------------------------------------------------- requests


def _requested_lines(assessed: dict, context: Context) -> tuple[list[tuple], set[str]]:
    """Match the requests to on-request lines.

    Returns ([(request index, lines)], refs named by any matching request).
    """
    own_key = judgment_key(context.judgment)
    obligations = {item["ref"]: item for item in context.judgment["obligations"]}
    groups, requested_refs, claimed = [], set(), {}
    for index, request in enumerate(context.requests):
        if judgment_key(request) != own_key:
            context.flag("request_judgment_mismatch", index=index + 1)
            continue
        lines = []
        for ref in request["obligation_refs"]:
            if ref not in obligations:
                context.flag("request_unknown_obligation", ref)
                continue
            if enforcement_mode(obligations[ref]) == EX_OFFICIO:
                continue
            requested_refs.add(ref)
            lines += _lines_for_request(
                index, request, obligations[ref], assessed, context
            )
        lines = _drop_claimed(lines, claimed, context)
        _flag_prior_decisions(request, context)
        if lines:
            groups.append((index, lines))
    return groups, requested_refs


def _lines_for_request(index, request, obligation, assessed, context) -> list[Line]:
    requester = request["requester"].get("ref")
    entitled = {requester, *request["on_behalf_of"]} - {None}
    if not entitled.intersection(obligation["creditors"]):
        context.flag("requester_not_creditor", obligation["ref"], blocking=True)
        return []
    lines = []
    for line in assessed[obligation["ref"]]:
        line = _restrict_debtors(line, request["debtor_refs"])
        if line is not None:
            line = _fit_to_request(replace(line, requests=(index,)), request, context)
        if line is not None:
            lines.append(line)
    return lines


def _restrict_debtors(line: Line, debtor_refs: list[str]) -> Line | None:
    """Keep the debtors the creditor named (for joint ones, TTLT 11/2016 Art. 1(2))."""
    if not debtor_refs:
        return line
    chosen = tuple(ref for ref in line.debtors if ref in debtor_refs)
    if not chosen:
        return None
    return replace(line, share=replace(line.share, debtors=chosen))


def _fit_to_request(line: Line, request: dict, context: Context) -> Line | None:
    """Turn a periodic line into the requested instalments still to collect."""
    amount = line.amount
    if amount is None or amount["kind"] != "periodic":
        return line
    scope = request.get("scope_period")
    if scope is None:
        context.flag("periodic_scope_missing", line.ref, blocking=True)
        return None
    instalments = instalments_between(amount, scope["from"], scope["to"])
    year_end = enforcement_year_end(context.decision_date)
    filed = _filing_date(request)
    not_due = [item.month for item in instalments if item.start > filed]
    beyond = [item.month for item in instalments if item.start > year_end]
    if not_due:
        context.flag("months_not_yet_due", line.ref, months=", ".join(not_due))
    if beyond:
        context.flag(
            "months_beyond_enforcement_year", line.ref, months=", ".join(beyond)
        )
    due_this_year = tuple(item for item in instalments if item.start <= year_end)
    return _with_instalments(line, due_this_year)


def _with_instalments(line: Line, instalments: tuple[Instalment, ...]) -> Line | None:
    if not instalments:
        return None
    total = sum((item.amount for item in instalments), Decimal(0))
    return replace(
        line, amount={"kind": "vnd", "value": total}, instalments=instalments
    )


def _filing_date(request: dict) -> dt.date:
    """Return the date the request was filed: the original date of a re-entered one."""
    original = request["original_dates"].get("request_date")
    return original if isinstance(original, dt.date) else request["request_date"]


def _drop_claimed(lines: list[Line], claimed: dict, context: Context) -> list[Line]:
    """Drop lines (or instalments) that an earlier request already covers."""
    fresh_lines = []
    for line in lines:
        claimed_months = claimed.setdefault(line.key, set())
        if not line.instalments:
            if None in claimed_months:
                context.flag("duplicate_request", line.ref)
                continue
            claimed_months.add(None)
            fresh_lines.append(line)
            continue
        fresh = tuple(
            item for item in line.instalments if item.month not in claimed_months
        )
        if len(fresh) < len(line.instalments):
            context.flag("duplicate_request", line.ref)
        claimed_months.update(item.month for item in fresh)
        line = _with_instalments(line, fresh)
        if line is not None:
            fresh_lines.append(line)
    return fresh_lines


def _flag_prior_decisions(request: dict, context: Context) -> None:
    """Flag (and keep as entered) earlier decisions dated before their own basis."""
    bases = [request["judgment"].get("date"), _filing_date(request)]
    bases = [day for day in bases if isinstance(day, dt.date)]
    for prior in request["prior_decisions"]:
        if any(prior["date"] < day for day in bases):
            for ref in request["obligation_refs"]:
                context.flag(
                    "prior_decision_date_inconsistent",
                    ref,
                    number=prior["number"],
                    date=prior["date"].isoformat(),
                )


def _awaiting(context: Context, requested_refs: set[str]) -> list[str]:
    """Return on-request obligations that are still owed and that no request names."""
    return [
        obligation["ref"]
        for obligation in context.judgment["obligations"]
        if enforcement_mode(obligation) == ON_REQUEST
        and obligation["ref"] not in requested_refs
        and obligation["ref"] not in context.settled
    ]


# ---------------------------------------------------------------- grouping


def _group_by(lines: list[Line], key) -> dict:
    groups: dict = {}
    for line in lines:
        groups.setdefault(key(line), []).append(line)
    return groups


def _group_nd62_ex_officio(lines: list[Line]) -> list[tuple[str, list[Line]]]:
    """Group ex officio lines under Decree 62/2015 Art. 6 (as amended in 2020).

    Art. 6(1) gives one common decision for the ex officio items of a judgment,
    with three exceptions, read here as follows.

    (a) Each person who receives returned money or property gets one decision
        for all returns to them.
    (b) A person who must pay two or more different items gets one decision for
        all of them. Different items are different obligation lines of the
        judgment, such as a criminal and a civil court fee. A person with a
        single item stays in the common decision.
    (c) A person who both receives a return and must pay gets one decision for
        both. Only ex officio rights count, so being the creditor of an
        on-request item does not take a person out of the common decision.

    Art. 6(2): joint (liên đới) items get one decision naming all co-debtors,
    apart from the common decision. Items with no identified person
    (confiscation, destruction of exhibits) stay in the common decision.
    """
    joint = [line for line in lines if len(line.debtors) > 1]
    groups = [
        ("nd62_art6_joint", group) for group in _group_by(joint, _debtor_key).values()
    ]
    rest = [line for line in lines if len(line.debtors) <= 1]
    receives = _group_by(
        [line for line in rest if is_return(line.obligation)], _creditor_key
    )
    pays = _group_by([line for line in rest if len(line.debtors) == 1], _debtor_key)

    grouped_ids: set[int] = set()
    for person in [*receives, *[key for key in pays if key not in receives]]:
        received, paid = receives.get(person, []), pays.get(person, [])
        rule = _nd62_person_rule(received, paid)
        if rule:
            groups.append((rule, received + paid))
            grouped_ids.update(id(line) for line in received + paid)
    common = [line for line in rest if id(line) not in grouped_ids]
    return ([("nd62_art6_common", common)] if common else []) + groups


def _nd62_person_rule(received: list[Line], paid: list[Line]) -> str | None:
    if received and paid:
        return "nd62_art6_rights_and_obligations"
    if received:
        return "nd62_art6_return"
    if len({line.ref for line in paid}) >= 2:
        return "nd62_art6_several_items"
    return None


def _group_nd152_ex_officio(lines: list[Line]) -> list[tuple[str, list[Line]]]:
    """Group ex officio lines under Decree 152/2026 Art. 8(1).

    Each debtor (người phải thi hành án) gets one decision, with these exceptions:

    (a) Each person receiving a return gets one decision.
    (b) Confiscation or destruction items with no identified debtor share one.
    (c) A return and such an item that concern the same exhibit share one. Such
        obligations have the same `exhibit` value.
    (d) Joint or common obligations get one joint decision.
    (đ) A person who both receives a return and must pay gets one decision.
    """
    groups, grouped_ids = _nd152_same_exhibit(lines)
    rest = [line for line in lines if id(line) not in grouped_ids]
    joint = [line for line in rest if len(line.debtors) > 1]
    groups += [
        ("nd152_art8_joint", group) for group in _group_by(joint, _debtor_key).values()
    ]

    single = [line for line in rest if len(line.debtors) <= 1]
    returns = [line for line in single if is_return(line.obligation)]
    receives = _group_by(returns, _creditor_key)
    pays = _group_by([line for line in single if len(line.debtors) == 1], _debtor_key)
    for person in [*receives, *[key for key in pays if key not in receives]]:
        received, paid = receives.get(person, []), pays.get(person, [])
        if received and paid:
            rule = "nd152_art8_rights_and_obligations"
        else:
            rule = "nd152_art8_return" if received else "nd152_art8_per_debtor"
        groups.append((rule, received + paid))

    unowned = [
        line for line in single if not line.debtors and not is_return(line.obligation)
    ]
    if unowned:
        groups.append(("nd152_art8_no_debtor", unowned))
    return groups


def _nd152_same_exhibit(lines: list[Line]) -> tuple[list, set[int]]:
    candidates = [
        line for line in lines if line.obligation.get("exhibit") and not line.debtors
    ]
    groups, grouped_ids = [], set()
    for group in _group_by(
        candidates, lambda line: line.obligation["exhibit"]
    ).values():
        kinds = {is_return(line.obligation) for line in group}
        if kinds == {True, False}:
            groups.append(("nd152_art8_same_exhibit", group))
            grouped_ids.update(id(line) for line in group)
    return groups, grouped_ids


def _group_nd62_on_request(
    groups: list[tuple], context: Context
) -> list[tuple[str, list]]:
    """Group requested lines under Decree 62/2015 Art. 7 (as amended in 2020).

    One decision per request. Requests received on the same day whose lines all
    have the same single debtor are merged into one joint decision (a debtor who
    owes several creditors who request together). A request for a joint
    obligation gives one decision naming all co-debtors (Art. 7(3) and 6(2)).
    All creditors of an obligation are named, as the judgment words it, even
    when only some of them requested (Art. 7(1), second paragraph).
    """
    result, slots = [], {}
    for index, lines in groups:
        debtor_sets = {line.debtors for line in lines}
        single = len(debtor_sets) == 1 and len(next(iter(debtor_sets))) == 1
        if single:
            received = context.requests[index]["received_on"]
            slots.setdefault((received, next(iter(debtor_sets))), []).append(lines)
            continue
        joint = any(len(line.debtors) > 1 for line in lines)
        result.append(("nd62_art7_joint" if joint else "nd62_art7_per_request", lines))
    for slot in slots.values():
        rule = "nd62_art7_joint_requests" if len(slot) > 1 else "nd62_art7_per_request"
        result.append((rule, [line for lines in slot for line in lines]))
    return result


def _group_nd152_on_request(
    groups: list[tuple], assessed: dict
) -> list[tuple[str, list]]:
    """Group requested lines under Decree 152/2026 Art. 11(1).

    Each debtor gets one decision, with two exceptions. (a) For the division of
    common property, an inheritance or marital property (obligations marked
    `partition`), one decision covers every partition item of the judgment as
    its operative part reads, once any of them is requested. It includes items
    that no request names. (b) Joint obligations get one joint decision.
    NOTE: (b)'s second sentence (a co-debtor paying voluntarily gets his own
    decision for the amount paid) needs debtor requests, which are not modelled.
    """
    lines = [line for _, group in groups for line in group]
    result = []
    partition = [line for line in lines if line.obligation["partition"]]
    if partition:
        result.append(
            ("nd152_art11_partition", partition + _unrequested(partition, assessed))
        )
    rest = [line for line in lines if not line.obligation["partition"]]
    joint = [line for line in rest if len(line.debtors) > 1]
    result += [
        ("nd152_art11_joint", group)
        for group in _group_by(joint, _debtor_key).values()
    ]
    single = [line for line in rest if len(line.debtors) == 1]
    result += [
        ("nd152_art11_per_debtor", group)
        for group in _group_by(single, _debtor_key).values()
    ]
    return result


def _unrequested(partition: list[Line], assessed: dict) -> list[Line]:
    """Return the judgment's other partition lines that are enforceable as worded."""
    requested = {line.key for line in partition}
    return [
        line
        for lines in assessed.values()
        for line in lines
        if line.mode == ON_REQUEST
        and line.obligation["partition"]
        and line.key not in requested
        and (line.amount or {}).get("kind") != "periodic"
    ]


def _debtor_key(line: Line) -> tuple[str, ...]:
    return tuple(sorted(line.debtors))


def _creditor_key(line: Line) -> tuple[str, ...]:
    return tuple(sorted(line.creditors))


# ---------------------------------------------------------------- proposals


def _ex_officio_proposals(lines: list[Line], context: Context) -> list[dict]:
    if not lines:
        return []
    if context.regime == OLD_REGIME:
        groups = _group_nd62_ex_officio(lines)
    else:
        groups = _group_nd152_ex_officio(lines)
    return [_proposal(EX_OFFICIO, rule, group, context) for rule, group in groups]


def _on_request_proposals(
    groups: list[tuple], assessed: dict, context: Context
) -> list[dict]:
    if not groups:
        return []
    if context.regime == OLD_REGIME:
        grouped = _group_nd62_on_request(groups, context)
    else:
        grouped = _group_nd152_on_request(groups, assessed)
    return [_proposal(ON_REQUEST, rule, group, context) for rule, group in grouped]


def _proposal(mode: str, rule: str, lines: list[Line], context: Context) -> dict:
    lines = sorted(lines, key=lambda line: _line_order(line, context))
    requests = sorted({index for line in lines for index in line.requests})
    deadline, deadline_rule = _deadline(mode, lines, context)
    return {
        "mode": mode,
        "rule": rule,
        "debtors": context.sorted_refs(ref for line in lines for ref in line.debtors),
        "creditors": context.sorted_refs(
            ref for line in lines for ref in line.creditors
        ),
        "items": [_item(line, context) for line in lines],
        "requests": requests,
        "request_ids": [context.request_ids[index] for index in requests],
        "legal_basis": _legal_basis(mode, rule, lines, context.regime),
        "deadline": deadline,
        "deadline_rule": deadline_rule,
    }


def _line_order(line: Line, context: Context) -> tuple:
    refs = [item["ref"] for item in context.judgment["obligations"]]
    holder = context.order.get(line.share.holder, -1)
    return (refs.index(line.ref), holder)


def _item(line: Line, context: Context) -> dict:
    obligation = line.obligation
    item = {
        "ref": line.ref,
        "kind": obligation["kind"],
        "debtors": context.sorted_refs(line.debtors),
        "creditors": context.sorted_refs(line.creditors),
        "amount": format_amount(line.amount) if line.amount else {"kind": "none"},
        "description": obligation["description"],
    }
    if line.instalments:
        item["periods"] = [instalment.month for instalment in line.instalments]
    if obligation.get("interest"):
        item["interest"] = format_amount(obligation["interest"])
    if obligation.get("condition"):
        item["condition"] = obligation["condition"]
    return item


def _deadline(mode, lines, context) -> tuple[dt.date, str]:
    """Return the earliest deadline among the lines of one decision, with its rule."""
    candidates = []
    for line in lines:
        rule, days = issue_deadline(line.obligation["kind"], mode)
        if mode == ON_REQUEST:
            starts = [
                context.requests[index]["received_on"] for index in line.requests
            ]
        else:
            starts = [context.judgment["received_on"]]
        for start in starts:
            day = (
                start
                if days is None
                else context.calendar.add_working_days(start, days)
            )
            candidates.append((day, rule))
    # A partition decision also carries unrequested lines (no request, no start);
    # its requested lines always give at least one candidate.
    return min(candidates)


def _legal_basis(mode: str, rule: str, lines: list[Line], regime: str) -> str:
    """Write the legal basis of a proposal in Vietnamese, as decisions cite it."""
    article = LAW_ARTICLES[regime]
    if mode == EX_OFFICIO:
        points = {EX_OFFICIO_POINTS[line.obligation["kind"]] for line in lines}
        ordered = sorted(points, key=POINT_ORDER.index)
        label = "điểm" if len(ordered) == 1 else "các điểm"
        law_clause = f"{label} {', '.join(ordered)} khoản 2 Điều {article}"
    else:
        law_clause = f"khoản 1 Điều {article}"
    parts = [f"{law_clause} {LAWS[regime]}", f"{RULES[rule]} {DECREES[regime]}"]
    if any(line.instalments for line in lines):
        parts.append(PERIODIC_BASIS[regime])
    text = "; ".join(parts)
    return text[0].upper() + text[1:]
