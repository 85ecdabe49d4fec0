"""Obligation kinds of a judgment and how each one is enforced.

An obligation is one line of a judgment's operative part as recorded at intake
(see `services.decisions.intake`). This module:

- classifies each kind as enforced ex officio or on request (Art. 36(2) of Law
  26/2008 as amended in 2014; Art. 33(2) of Law 106/2025 keeps the same list, as
  Decree 152/2026 Art. 8(2) cites its point c for "other receipts for the State");
- splits an obligation divided among several people into one share per person;
- computes what is still to collect after the settlements that the judgment
  records (payments, advances offset, exemptions, waivers);
- lists the instalments of a periodic obligation such as child support.

Amounts here are loaded intake amounts: numbers are `Decimal`, dates are `date`.
`format_amount` turns them back into the intake shape with decimal strings.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

EX_OFFICIO = "ex_officio"
ON_REQUEST = "on_request"

KINDS = (
    "court_fee",
    "fine",
    "confiscation",
    "confiscation_destroy",
    "illicit_gain_recovery",
    "state_receipt",
    "return_money",
    "return_property",
    "damages",
    "debt",
    "child_support",
    "handover_property",
    "provisional_measure",
    "bankruptcy",
    "title_transfer",
    "act",
    "interest",
    "other",
)

RETURN_KINDS = frozenset({"return_money", "return_property"})

# Point of Art. 36(2) (Law 26/2008) and Art. 33(2) (Law 106/2025) that makes each
# kind ex officio. Point d (recovery of land and other assets to be confiscated)
# is recorded with kind "confiscation", so it is reported as point c.
EX_OFFICIO_POINTS = {
    "fine": "a",
    "illicit_gain_recovery": "a",
    "court_fee": "a",
    "return_money": "b",
    "return_property": "b",
    "confiscation": "c",
    "confiscation_destroy": "c",
    "state_receipt": "c",
    "provisional_measure": "đ",
    "bankruptcy": "e",
}
POINT_ORDER = ("a", "b", "c", "d", "đ", "e")

# Kinds whose operative part must state a sum of money (or gold, or a foreign
# currency) before anything can be collected.
MONEY_KINDS = frozenset(
    {
        "court_fee",
        "fine",
        "illicit_gain_recovery",
        "state_receipt",
        "return_money",
        "damages",
        "debt",
        "child_support",
    }
)

SETTLEMENT_KINDS = (
    "paid",
    "offset_advance",
    "exempted",
    "waived",
    "deposited_with_agency",
)
# Settlements that reduce what is still owed. Money deposited with the agency
# before the judgment is not deducted: the operative part must allocate it.
DEDUCTIBLE = frozenset({"paid", "offset_advance", "exempted", "waived"})

MEASURABLE_KINDS = frozenset({"vnd", "gold", "foreign_currency"})
GOLD_CHI_PER_UNIT = {"lượng": Decimal(10), "chỉ": Decimal(1)}
PERIOD_MONTHS = {"month": 1, "quarter": 3, "year": 12}


def enforcement_mode(obligation: dict) -> str:
    """Return "ex_officio" or "on_request" for an obligation.

    Art. 36(2)(b) makes the return of money or property to a party ex officio. It
    covers what the authorities hold (exhibits, advances, seized assets), which
    the judgment orders returned without naming a debtor. A return that a named
    party must make to another party is a civil obligation between them and is
    enforced on request, like any debt.
    """
    kind = obligation["kind"]
    if kind in RETURN_KINDS and obligation.get("debtors"):
        return ON_REQUEST
    if kind in EX_OFFICIO_POINTS:
        return EX_OFFICIO
    return ON_REQUEST


def is_return(obligation: dict) -> bool:
    """Tell whether the obligation is an ex officio return to a recipient."""
    return obligation["kind"] in RETURN_KINDS and not obligation.get("debtors")


def issue_deadline(kind: str, mode: str) -> tuple[str, int | None]:
    """Return the deadline rule and its working days for issuing the decision.

    Working days run from receipt of the judgment (ex officio) or of the request
    (on request). None means the decision is issued on the day of receipt.
    """
    if mode == ON_REQUEST:
        return "five_working_days_from_request_receipt", 5
    if kind == "provisional_measure":
        return "immediately_on_receipt", None
    if kind == "bankruptcy":
        return "three_working_days_from_receipt", 3
    return "five_working_days_from_judgment_receipt", 5


@dataclass(frozen=True)
class Share:
    """The part of an obligation that one decision line carries.

    `holder` is the person whose share this is when the obligation is divided
    ("several"); it is None when the share is the whole obligation.
    """

    obligation: dict
    debtors: tuple[str, ...]
    creditors: tuple[str, ...]
    amount: dict | None
    holder: str | None = None

    @property
    def ref(self) -> str:
        return self.obligation["ref"]

    @property
    def kind(self) -> str:
        return self.obligation["kind"]


@dataclass(frozen=True)
class Outstanding:
    """The part of a share still to collect after its deductible settlements.

    Exactly one field is set. `amount` is the remainder. `reason` names the
    settlement that left nothing to collect. `problem` is a flag code, set when
    the remainder cannot be computed without a person's decision.
    """

    amount: dict | None = None
    reason: str | None = None
    problem: str | None = None


def several_side(obligation: dict) -> str | None:
    """Return the list ("debtors" or "creditors") that shares are keyed by.

    Shares divide the amount among the debtors when there are several of them,
    otherwise among the creditors. None means there is nothing to divide.
    """
    if len(obligation.get("debtors") or ()) >= 2:
        return "debtors"
    if len(obligation.get("creditors") or ()) >= 2:
        return "creditors"
    return None


def is_divided(obligation: dict) -> bool:
    """Tell whether the obligation is split into one share per person."""
    return obligation.get("liability") == "several" and bool(obligation.get("shares"))


def split_shares(obligation: dict) -> list[Share]:
    """Split an obligation into the shares that decisions carry.

    A divided ("several") obligation gives one share per person on the side that
    has several people; any other obligation is one share.
    """
    debtors = tuple(obligation.get("debtors") or ())
    creditors = tuple(obligation.get("creditors") or ())
    amount = obligation.get("amount")
    if not is_divided(obligation):
        return [Share(obligation, debtors, creditors, amount)]

    side = several_side(obligation)
    shares = []
    for holder, value in obligation["shares"].items():
        share_amount = with_quantity(amount, value)
        if side == "debtors":
            shares.append(
                Share(obligation, (holder,), creditors, share_amount, holder)
            )
        else:
            shares.append(Share(obligation, debtors, (holder,), share_amount, holder))
    return shares


def settlements_for(obligation: dict, holder: str | None) -> list[dict]:
    """Return the settlements that apply to one share of the obligation."""
    settled = obligation.get("settled") or []
    if holder is None:
        return list(settled)
    return [entry for entry in settled if entry.get("by") == holder]


def unassigned_settlements(obligation: dict) -> list[dict]:
    """Return deductible settlements of a divided obligation that name no person."""
    if not is_divided(obligation):
        return []
    holders = set(obligation["shares"])
    return [
        entry
        for entry in obligation.get("settled") or []
        if entry["how"] in DEDUCTIBLE and entry.get("by") not in holders
    ]


def outstanding(amount: dict | None, settlements: list[dict]) -> Outstanding:
    """Compute what remains of `amount` after the deductible settlements."""
    deductible = [entry for entry in settlements if entry["how"] in DEDUCTIBLE]
    if not deductible:
        return Outstanding(amount=amount)

    reason = deductible[-1]["how"]
    if amount is None or amount["kind"] not in MEASURABLE_KINDS | {"periodic"}:
        # Nothing to measure: only a settlement of "the whole" clears it.
        if any(entry.get("amount") is None for entry in deductible):
            return Outstanding(reason=reason)
        return Outstanding(problem="settlement_kind_mismatch")
    if amount["kind"] == "periodic":
        return Outstanding(problem="periodic_payments_recorded")

    remaining = quantity(amount)
    for entry in deductible:
        if entry.get("amount") is None:
            return Outstanding(reason=reason)
        settled = measure(entry["amount"], amount)
        if settled is None:
            return Outstanding(problem="settlement_kind_mismatch")
        remaining -= settled
    if remaining <= 0:
        return Outstanding(reason=reason)
    return Outstanding(amount=with_quantity(amount, remaining))


def quantity(amount: dict) -> Decimal:
    """Return the number of a measurable amount (value or gold quantity)."""
    if amount["kind"] == "gold":
        return amount["quantity"]
    return amount["value"]


def measure(amount: dict, like: dict) -> Decimal | None:
    """Return `amount` expressed in the unit of `like`, or None if incomparable."""
    if amount["kind"] != like["kind"] or like["kind"] not in MEASURABLE_KINDS:
        return None
    if like["kind"] == "foreign_currency":
        if amount["currency"] != like["currency"]:
            return None
        return amount["value"]
    if like["kind"] == "gold":
        in_chi = amount["quantity"] * GOLD_CHI_PER_UNIT[amount["unit"]]
        return in_chi / GOLD_CHI_PER_UNIT[like["unit"]]
    return amount["value"]


def with_quantity(amount: dict | None, number: Decimal) -> dict | None:
    """Return a copy of a measurable amount with its number replaced."""
    if amount is None or amount["kind"] not in MEASURABLE_KINDS:
        return amount
    key = "quantity" if amount["kind"] == "gold" else "value"
    return {**amount, key: number}


@dataclass(frozen=True)
class Instalment:
    """One period of a periodic obligation: it falls due on `start`."""

    start: dt.date
    amount: Decimal

    @property
    def month(self) -> str:
        return f"{self.start.year:04d}-{self.start.month:02d}"


def instalments_between(amount: dict, first: str, last: str) -> list[Instalment]:
    """List the instalments of a periodic amount that fall due in months first..last.

    Months are "YYYY-MM" strings. Instalment k starts k periods after the start
    date (the day is kept, or clamped to the month's end) and is due that day.
    An instalment starting on or after the end date is not owed.
    """
    step = PERIOD_MONTHS[amount["period"]]
    result = []
    index = 0
    while True:
        start = add_months(amount["start"], index * step)
        index += 1
        month = f"{start.year:04d}-{start.month:02d}"
        if month > last or (amount.get("end") and start >= amount["end"]):
            return result
        if month >= first:
            result.append(Instalment(start, amount_on(amount, start)))


def amount_on(amount: dict, day: dt.date) -> Decimal:
    """Return the per-period amount of a periodic obligation in force on `day`."""
    current = amount["per_period"]
    for step in sorted(amount.get("steps") or [], key=lambda item: item["from"]):
        if step["from"] <= day:
            current = step["per_period"]
    return current


def add_months(day: dt.date, months: int) -> dt.date:
    """Add calendar months to a date, clamping the day to the month's length."""
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has 28 days")


def enforcement_year_end(day: dt.date) -> dt.date:
    """Return the last day of the enforcement year that contains `day`.

    NOTE: TTLT 11/2016 and Decree 152/2026 use "năm thi hành án" without a
    definition. This code takes it to be the THADS work year (1 October to 30
    September).
    """
    year = day.year + 1 if day.month >= 10 else day.year
    return dt.date(year, 9, 30)


def format_number(number: Decimal) -> str:
    """Return a decimal string without exponent or trailing zeros."""
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def format_amount(value):
    """Convert a loaded amount (or any nested value) back to the intake shape."""
    if isinstance(value, dict):
        return {key: format_amount(item) for key, item in value.items()}
    if isinstance(value, list):
        return [format_amount(item) for item in value]
    if isinstance(value, Decimal):
        return format_number(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
