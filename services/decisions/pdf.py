"""Rendering of enforcement decisions (Quyết định thi hành án) as PDF.

The layout follows Decree 30/2020/NĐ-CP, Appendix I. The page is A4 portrait
with margins of 20 mm top and bottom, 30 mm left and 15 mm right. The font has
Times New Roman metrics, and the 13 pt body is justified with a 1 cm first-line
indent. Page numbers are centred in the top margin from page 2 on. The wording
comes from the YAML files in `templates/`, one per legal regime.

Rendering is deterministic: ReportLab runs in invariant mode, which fixes the
creation date and derives the document id from the content, so the same input
gives the same bytes. The environment variable SOURCE_DATE_EPOCH, if set,
replaces the fixed date (ReportLab 5.1 behaviour).
"""

import datetime
import io
import unicodedata
from dataclasses import dataclass

from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm, mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    HRFlowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from services.decisions import fonts
from services.decisions.templates import (
    KINDS,
    REGIMES,
    decision_template,
    escape_text,
    fill,
    normalize_nfc,
    substitute,
)
from services.decisions.words import (
    amount_text,
    format_date_long,
    format_date_short,
    parse_date,
)

FAMILY = fonts.register_fonts()
REGULAR = FAMILY
BOLD = f"{FAMILY}-Bold"
ITALIC = f"{FAMILY}-Italic"
BOLD_ITALIC = f"{FAMILY}-BoldItalic"

# Decisions dated from this day on are issued under Law 106/2025.
NEW_REGIME_START = datetime.date(2026, 7, 1)

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_TOP = MARGIN_BOTTOM = 20 * mm
MARGIN_LEFT = 30 * mm
MARGIN_RIGHT = 15 * mm
TEXT_WIDTH = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT
# The right column fits the national title and a long place-date line in 13 pt.
HEADER_COLUMNS = (TEXT_WIDTH - 100 * mm, 100 * mm)
SIGNATURE_COLUMNS = (80 * mm, TEXT_WIDTH - 80 * mm)

BODY_SIZE = 13
HEADER_SIZE = 12
TITLE_SIZE = 14
MOTTO_SIZE = 13
RECIPIENT_HEAD_SIZE = 12
RECIPIENT_SIZE = 11
RULE_THICKNESS = 0.6
NBSP = "\u00a0"


class InvalidDecisionError(ValueError):
    """A decision document with a missing or invalid field."""


@dataclass
class Decision:
    """A validated document with the wording chosen for its regime and kind."""

    doc: dict
    labels: dict
    template: dict
    values: dict
    flags: set

    @property
    def is_draft(self) -> bool:
        return not self.doc.get("number_display") or bool(self.doc.get("draft"))


def render_decision(doc: dict) -> bytes:
    """Render one enforcement decision and return the PDF bytes.

    Raises InvalidDecisionError naming the field when the document is
    incomplete or inconsistent (for example a regime that does not match the
    issue date), and TemplateError when the wording data is broken.
    """
    decision = prepare_decision(doc)
    story = _story(decision)
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        leftMargin=MARGIN_LEFT,
        rightMargin=MARGIN_RIGHT,
        invariant=1,
        **_metadata(decision),
    )
    decorate = _page_decorator(decision)
    document.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()


def prepare_decision(doc: dict) -> Decision:
    """Normalise, validate and pair a document with its wording."""
    if not isinstance(doc, dict):
        raise InvalidDecisionError(
            f"decision must be a dict, got {type(doc).__name__}"
        )
    doc = normalize_nfc(doc)
    _validate(doc)
    labels, template = decision_template(doc["regime"], doc["kind"])
    _check_required(doc, template)
    return Decision(
        doc=doc,
        labels=labels,
        template=template,
        values=placeholder_values(doc, labels),
        flags=_flags(doc),
    )


# --- validation -------------------------------------------------------------


def _require(mapping, path: str, keys: tuple[str, ...]) -> None:
    if not isinstance(mapping, dict):
        raise InvalidDecisionError(f"{path} must be an object, got {mapping!r}")
    for key in keys:
        value = mapping.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise InvalidDecisionError(f"{path}.{key} is missing or empty")


def _check_regime_date(doc: dict) -> None:
    if not doc.get("issued_on"):
        return
    issued_on = parse_date(doc["issued_on"], "issued_on")
    expected = "law106_2025" if issued_on >= NEW_REGIME_START else "law26_2008"
    if doc["regime"] != expected:
        raise InvalidDecisionError(
            f"regime {doc['regime']} does not apply to a decision issued on "
            f"{issued_on.isoformat()}; use {expected}"
        )


def _validate(doc: dict) -> None:
    if doc.get("regime") not in REGIMES:
        raise InvalidDecisionError(
            f"regime must be one of {REGIMES}, got {doc.get('regime')!r}"
        )
    if doc.get("kind") not in KINDS:
        raise InvalidDecisionError(
            f"kind must be one of {KINDS}, got {doc.get('kind')!r}"
        )
    _require(doc.get("unit"), "unit", ("name", "supervisor", "place", "symbol"))
    # A draft may preview before the judgment's date is known; an issued
    # decision must cite it.
    judgment_fields = ("body", "number", "date") if doc.get("number_display") \
        else ("body", "number")
    _require(doc.get("judgment"), "judgment", judgment_fields)
    # A draft is previewed before anyone signs it: its signer name may be
    # blank and prints as an empty line.
    signer_fields = ("name", "title") if doc.get("number_display") else ("title",)
    _require(doc.get("signer"), "signer", signer_fields)
    for field in ("debtors", "creditors", "obligations", "extra_recipients"):
        if not isinstance(doc.get(field) or [], list):
            raise InvalidDecisionError(f"{field} must be a list")
    for field in ("debtors", "creditors"):
        for index, party in enumerate(doc.get(field) or []):
            _require(party, f"{field}[{index}]", ("name",))
    for index, obligation in enumerate(doc.get("obligations") or []):
        _require(obligation, f"obligations[{index}]", ("description", "amount"))
    _check_regime_date(doc)


def _check_required(doc: dict, template: dict) -> None:
    checks = {
        "request": ("date", "requester"),
        "related_decision": ("display", "date"),
        "entrustee": ("name",),
    }
    for field in template.get("requires") or []:
        if not doc.get(field):
            raise InvalidDecisionError(
                f"a decision of kind {doc['kind']} needs {field}"
            )
        _require(doc[field], field, checks.get(field, ()))


# --- placeholder values -----------------------------------------------------


def _judgment_title(judgment: dict, labels: dict) -> str:
    if judgment.get("title"):
        return judgment["title"]
    titles = labels["judgment_title"]
    if "QĐ" in judgment["number"].upper():
        return titles["decision"]
    return titles["judgment"]


def _optional(mapping, key: str):
    return mapping.get(key) if isinstance(mapping, dict) else None


def _short_date(value):
    return format_date_short(value) if value else None


def _trimmed(text) -> str | None:
    return str(text).strip().rstrip(".;").strip() if text else None


def placeholder_values(doc: dict, labels: dict) -> dict:
    """Return the values of every placeholder that wording templates may use."""
    unit, judgment = doc["unit"], doc["judgment"]
    request, related = doc.get("request"), doc.get("related_decision")
    values = {
        "unit_name": unit["name"],
        "place": unit["place"],
        "symbol": unit["symbol"],
        "judgment_title": _judgment_title(judgment, labels),
        "judgment_number": judgment["number"],
        "judgment_date": _short_date(judgment.get("date")) or "……",
        "judgment_body": judgment["body"],
        "request_date": _short_date(_optional(request, "date")),
        "requester": _optional(request, "requester"),
        "officer_name": _optional(doc.get("officer"), "name"),
        "reason": _trimmed(doc.get("reason")),
        "related_title": _optional(related, "title") or labels["related_title"],
        "related_display": _optional(related, "display"),
        "related_date": _short_date(_optional(related, "date")),
        "related_issuer": _optional(related, "issuer") or unit["name"],
        "entrustee": _optional(doc.get("entrustee"), "name"),
        "payment_instructions": _trimmed(doc.get("payment_instructions")),
        "notification_method": _trimmed(doc.get("notification_method")),
    }
    # Kept as plain text: it is escaped once, when a recipient line is filled.
    values["procuracy"] = unit.get("procuracy") or substitute(
        labels["procuracy"], values
    )
    return values


def _flags(doc: dict) -> set:
    present = {
        "officer": _optional(doc.get("officer"), "name"),
        "reason": doc.get("reason"),
        "request": doc.get("request"),
        "obligations": doc.get("obligations"),
        "creditors": doc.get("creditors"),
        "payment": doc.get("payment_instructions"),
        "notification": doc.get("notification_method"),
    }
    return {flag for flag, value in present.items() if value}


# --- styles -----------------------------------------------------------------


def _style(name: str, font: str, size: float, **options) -> ParagraphStyle:
    options.setdefault("leading", round(size * 1.25, 1))
    options.setdefault("alignment", TA_CENTER)
    return ParagraphStyle(name, fontName=font, fontSize=size, **options)


def _body_style(name: str, font: str = REGULAR) -> ParagraphStyle:
    return _style(
        name, font, BODY_SIZE,
        alignment=TA_JUSTIFY, firstLineIndent=1 * cm, spaceAfter=6,
    )


STYLES = {
    "supervisor": _style("supervisor", REGULAR, HEADER_SIZE),
    "issuer": _style("issuer", BOLD, HEADER_SIZE),
    "national_title": _style("national_title", BOLD, HEADER_SIZE),
    "motto": _style("motto", BOLD, MOTTO_SIZE),
    "number": _style("number", REGULAR, BODY_SIZE),
    "place_date": _style("place_date", ITALIC, BODY_SIZE),
    "title": _style("title", BOLD, TITLE_SIZE, spaceBefore=18),
    "subject": _style("subject", BOLD, TITLE_SIZE),
    "authority": _style("authority", BOLD, BODY_SIZE, spaceBefore=12, spaceAfter=12),
    "basis": _body_style("basis", ITALIC),
    "decides": _style("decides", BOLD, TITLE_SIZE, spaceBefore=6, spaceAfter=12),
    "body": _body_style("body"),
    "signature": _style("signature", BOLD, BODY_SIZE),
    "recipients_heading": _style(
        "recipients_heading", BOLD_ITALIC, RECIPIENT_HEAD_SIZE, alignment=TA_LEFT
    ),
    "recipient": _style("recipient", REGULAR, RECIPIENT_SIZE, alignment=TA_LEFT),
}


def _rule(width: float, space_after: float = 0) -> HRFlowable:
    return HRFlowable(
        width=width,
        thickness=RULE_THICKNESS,
        color="black",
        spaceBefore=4,
        spaceAfter=space_after,
        hAlign="CENTER",
    )


def _keep_spaces(text: str) -> str:
    # Paragraph collapses runs of spaces, so the blanks of a draft use NBSP.
    return text.replace(" ", NBSP)


# --- header and title -------------------------------------------------------


def _two_line_splits(words: list[str], width: float, measure) -> list[tuple]:
    splits = [
        (" ".join(words[:index]), " ".join(words[index:]))
        for index in range(1, len(words))
    ]
    return [pair for pair in splits if max(map(measure, pair)) <= width]


def _header_lines(text: str, font: str, preferred: list[str]) -> list[str]:
    """Break an upper-case header text into lines for the left header column.

    Line breaks in the text are kept as given. Otherwise a text that does not
    fit one line is split in two, preferably before one of the `preferred`
    phrases ("THÀNH PHỐ"), and then so that both lines have similar widths.
    When no two-line split fits, the text is returned whole and wraps.
    """
    if "\n" in text:
        return [line.strip() for line in text.splitlines() if line.strip()]

    def measure(line: str) -> float:
        return stringWidth(line, font, HEADER_SIZE)

    width = HEADER_COLUMNS[0]
    if measure(text) <= width:
        return [text]
    splits = _two_line_splits(text.split(), width, measure)
    favoured = [pair for pair in splits if pair[1].startswith(tuple(preferred))]
    candidates = favoured or splits
    if not candidates:
        return [text]
    return list(min(candidates, key=lambda pair: max(map(measure, pair))))


def _header_paragraph(text: str, style: str, decision: Decision) -> Paragraph:
    font = STYLES[style].fontName
    preferred = decision.labels.get("header_break_before") or []
    lines = _header_lines(text.upper(), font, preferred)
    markup = "<br/>".join(escape_text(line) for line in lines)
    return Paragraph(markup, STYLES[style])


def _left_header(decision: Decision) -> list:
    unit = decision.doc["unit"]
    preferred = decision.labels.get("header_break_before") or []
    issuer_lines = _header_lines(unit["name"].upper(), BOLD, preferred)
    issuer_width = max(stringWidth(line, BOLD, HEADER_SIZE) for line in issuer_lines)
    rule_width = min(issuer_width, HEADER_COLUMNS[0]) * 0.4
    return [
        _header_paragraph(unit["supervisor"], "supervisor", decision),
        _header_paragraph(unit["name"], "issuer", decision),
        _rule(rule_width, space_after=6),
    ]


def _right_header(decision: Decision) -> list:
    labels = decision.labels
    motto_width = stringWidth(labels["motto"], BOLD, MOTTO_SIZE)
    return [
        Paragraph(escape_text(labels["national_title"]), STYLES["national_title"]),
        Paragraph(escape_text(labels["motto"]), STYLES["motto"]),
        _rule(motto_width, space_after=6),
    ]


def _number_line(decision: Decision) -> Paragraph:
    number = decision.doc.get("number_display")
    if decision.is_draft:
        template = decision.labels["draft_number"]
        text = _keep_spaces(substitute(template, decision.values))
    else:
        text = substitute(decision.labels["number"], {"number": number})
    return Paragraph(escape_text(text), STYLES["number"])


def _place_date_line(decision: Decision) -> Paragraph:
    issued_on = decision.doc.get("issued_on")
    if issued_on:
        date_text = format_date_long(issued_on)
    else:
        date_text = _keep_spaces(decision.labels["draft_date"])
    values = {"place": decision.values["place"], "date": date_text}
    return Paragraph(fill(decision.labels["place_date"], values), STYLES["place_date"])


def _header(decision: Decision) -> Table:
    rows = [
        [_left_header(decision), _right_header(decision)],
        [_number_line(decision), _place_date_line(decision)],
    ]
    table = Table(rows, colWidths=HEADER_COLUMNS)
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("ALIGN", (0, 0), (-1, -1), "CENTER"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
    ]))
    return table


def _title(decision: Decision) -> list:
    subject = decision.template["subject"]
    subject_width = stringWidth(subject, BOLD, TITLE_SIZE)
    return [
        Paragraph(escape_text(decision.labels["document_type"]), STYLES["title"]),
        Paragraph(fill(subject, decision.values), STYLES["subject"]),
        _rule(max(subject_width / 3, 25 * mm)),
        Paragraph(
            fill(decision.labels["authority"], decision.values, case=str.upper),
            STYLES["authority"],
        ),
    ]


def _bases(decision: Decision) -> list:
    lines = decision.template["bases"]
    paragraphs = []
    for index, line in enumerate(lines):
        ending = "." if index == len(lines) - 1 else ";"
        text = fill(line.rstrip().rstrip(";."), decision.values) + ending
        paragraphs.append(Paragraph(text, STYLES["basis"]))
    return paragraphs


# --- articles ---------------------------------------------------------------


def _party_line(party: dict, role: str, labels: dict) -> str:
    party_labels = labels["party"]
    parts = [substitute(party_labels["line"], {"role": role, "name": party["name"]})]
    if party.get("birth_year"):
        parts.append(substitute(party_labels["birth_year"], party))
    if party.get("id_number"):
        key = "id_number_labelled" if party.get("id_label") else "id_number"
        parts.append(substitute(party_labels[key], party))
    if party.get("address"):
        parts.append(substitute(party_labels["address"], party))
    if party.get("representative"):
        parts.append(substitute(party_labels["representative"], party))
    return "; ".join(parts)


def _party_lines(decision: Decision) -> list[str]:
    labels = decision.labels
    roles = (
        ("debtors", labels["party"]["debtor"]),
        ("creditors", labels["party"]["creditor"]),
    )
    return [
        _party_line(party, role, labels) + "."
        for field, role in roles
        for party in decision.doc.get(field) or []
    ]


def _obligation_line(index: int, obligation: dict, labels: dict) -> str:
    templates = labels["obligation"]
    content = str(obligation["description"]).strip()
    amount = amount_text(obligation["amount"])
    if amount:
        content = f"{content}: {amount}"
    debtor, creditor = obligation.get("debtor"), obligation.get("creditor")
    if debtor and creditor:
        key = "both"
    elif debtor:
        key = "debtor_only"
    elif creditor:
        key = "creditor_only"
    else:
        key = "neither"
    values = {
        "index": index, "content": content, "debtor": debtor, "creditor": creditor,
    }
    line = substitute(templates[key], values)
    if obligation.get("note"):
        note = {"note": _trimmed(obligation["note"])}
        line += ". " + substitute(templates["note"], note)
    return line


def _obligation_lines(decision: Decision) -> list[str]:
    obligations = decision.doc.get("obligations") or []
    lines = []
    for index, obligation in enumerate(obligations, start=1):
        ending = "." if index == len(obligations) else ";"
        try:
            line = _obligation_line(index, obligation, decision.labels)
        except ValueError as error:
            raise InvalidDecisionError(
                f"obligations[{index - 1}] is invalid: {error}"
            ) from error
        lines.append(line + ending)
    return lines


def _block_applies(block: dict, flags: set) -> bool:
    if block.get("when") and block["when"] not in flags:
        return False
    return not (block.get("unless") and block["unless"] in flags)


def _block_markup(block: dict, decision: Decision) -> list[str]:
    if "text" in block:
        return [fill(block["text"], decision.values)]
    if block.get("parties"):
        return [escape_text(line) for line in _party_lines(decision)]
    if block.get("obligations"):
        return [escape_text(line) for line in _obligation_lines(decision)]
    return []


def _article(number: int, blocks: list, decision: Decision) -> list:
    label = "<b>" + fill(decision.labels["article"], {"number": number}) + "</b>"
    applicable = [block for block in blocks if _block_applies(block, decision.flags)]
    markups = [
        markup for block in applicable for markup in _block_markup(block, decision)
    ]
    # A text block yields exactly one paragraph, which starts with the label.
    if applicable and "text" in applicable[0]:
        markups[0] = f"{label} {markups[0]}"
    else:
        markups.insert(0, label)
    return [Paragraph(markup, STYLES["body"]) for markup in markups]


def _articles(decision: Decision) -> list:
    flowables = [Paragraph(escape_text(decision.labels["decides"]), STYLES["decides"])]
    for number, blocks in enumerate(decision.template["articles"], start=1):
        flowables += _article(number, blocks, decision)
    return flowables


# --- signature and recipients -----------------------------------------------


def _recipients(decision: Decision) -> list:
    labels = decision.labels
    entries = [
        substitute(line, decision.values) for line in decision.template["recipients"]
    ]
    extra = decision.doc.get("extra_recipients") or []
    entries += [str(text).strip() for text in extra]
    heading = escape_text(labels["recipients_heading"])
    paragraphs = [Paragraph(heading, STYLES["recipients_heading"])]
    for entry in entries:
        paragraphs.append(Paragraph(escape_text(f"- {entry};"), STYLES["recipient"]))
    archive = f"- {labels['archive']}."
    paragraphs.append(Paragraph(escape_text(archive), STYLES["recipient"]))
    return paragraphs


def _signature(decision: Decision) -> list:
    signer = decision.doc["signer"]
    lines = decision.labels["signature"].get(signer["title"])
    if not lines:
        known = sorted(decision.labels["signature"])
        raise InvalidDecisionError(
            f"signer.title must be one of {known}, got {signer['title']!r}"
        )
    paragraphs = [Paragraph(escape_text(line), STYLES["signature"]) for line in lines]
    paragraphs.append(Spacer(1, 24 * mm))
    paragraphs.append(
        Paragraph(escape_text(signer.get("name") or ""), STYLES["signature"]))
    return paragraphs


def _signature_table(decision: Decision) -> Table:
    table = Table(
        [[_recipients(decision), _signature(decision)]],
        colWidths=SIGNATURE_COLUMNS,
        spaceBefore=12,
    )
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
    ]))
    return table


# --- document ---------------------------------------------------------------


def _story(decision: Decision) -> list:
    articles = _articles(decision)
    # The last paragraph moves with the signature, so the signature page always
    # carries some of the decision's text.
    closing = KeepTogether([articles.pop(), _signature_table(decision)])
    return [
        _header(decision),
        *_title(decision),
        *_bases(decision),
        *articles,
        closing,
    ]


def _metadata(decision: Decision) -> dict:
    doc = decision.doc
    title = decision.labels["document_type"].capitalize()
    if not decision.is_draft:
        title = f"{title} {doc['number_display']}"
    return {
        "title": title,
        "subject": decision.template["subject"],
        "author": doc["unit"]["name"],
        "creator": "THADS decisions",
    }


def _draw_draft_mark(canvas, label: str) -> None:
    size = TITLE_SIZE
    width = stringWidth(label, BOLD, size)
    right = PAGE_WIDTH - MARGIN_RIGHT
    baseline = PAGE_HEIGHT - MARGIN_TOP / 2 - size / 3
    canvas.setFont(BOLD, size)
    canvas.drawRightString(right - 4, baseline, label)
    canvas.rect(right - width - 8, baseline - 4, width + 8, size + 5, stroke=1, fill=0)


def _draw_page_number(canvas, page: int) -> None:
    canvas.setFont(REGULAR, BODY_SIZE)
    baseline = PAGE_HEIGHT - MARGIN_TOP / 2 - BODY_SIZE / 3
    center = MARGIN_LEFT + TEXT_WIDTH / 2
    canvas.drawCentredString(center, baseline, str(page))


def _page_decorator(decision: Decision):
    draft_label = unicodedata.normalize("NFC", decision.labels["draft_mark"])

    def decorate(canvas, document) -> None:
        canvas.saveState()
        if document.page > 1:
            _draw_page_number(canvas, document.page)
        if decision.is_draft:
            _draw_draft_mark(canvas, draft_label)
        canvas.restoreState()

    return decorate
