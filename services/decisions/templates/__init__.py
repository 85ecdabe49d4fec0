"""Wording data of enforcement decisions and its safe substitution into markup.

Each legal regime has one YAML file (`<regime>.yaml`) with a section per decision
kind. `common.yaml` contains labels that every regime shares, and a regime file may
override any of them under its own `labels` key.

Template strings use str.format-style fields such as `{judgment_number}`, but they
are never passed to str.format. `fill` accepts only plain identifiers (no
attribute or index access, no format spec, no conversion), so a template cannot
reach Python objects. It escapes both the template text and the values for
ReportLab's Paragraph markup, so names like "<b>x</b> & Co" print literally.
"""

import functools
import string
import unicodedata
from collections.abc import Callable, Mapping
from pathlib import Path
from xml.sax.saxutils import escape

import yaml

TEMPLATE_DIR = Path(__file__).resolve().parent

REGIMES = ("law26_2008", "law106_2025")
KINDS = (
    "ex_officio",
    "on_request",
    "entrust_enforcement",
    "entrust_asset",
    "revocation",
    "amendment",
    "cancellation",
)
KIND_KEYS = ("subject", "bases", "articles", "recipients")
BLOCK_TYPES = ("text", "parties", "obligations")

_formatter = string.Formatter()


class TemplateError(ValueError):
    """Wording data that is missing, malformed or needs a value the document lacks."""


def escape_text(text) -> str:
    """NFC-normalise a value and escape it for Paragraph markup."""
    return escape(unicodedata.normalize("NFC", str(text)))


def _check_field(field: str, template: str) -> None:
    if not field.isidentifier():
        raise TemplateError(
            f"invalid placeholder {{{field}}} in template {template!r}: "
            "use a plain name such as {judgment_number}"
        )


def substitute(template: str, values: Mapping[str, object]) -> str:
    """Substitute `values` into `template` and return plain, unescaped text.

    Raises TemplateError for a malformed template, a placeholder that is not a
    plain name or not in `values`, a format spec or conversion, or a None value.
    """
    try:
        parts = list(_formatter.parse(template))
    except ValueError as error:
        raise TemplateError(f"malformed template {template!r}: {error}") from None

    output = []
    for literal, field, spec, conversion in parts:
        output.append(literal)
        if field is None:
            continue
        if spec or conversion:
            raise TemplateError(
                f"format specs and conversions are not allowed in {template!r}"
            )
        _check_field(field, template)
        if field not in values:
            raise TemplateError(f"unknown placeholder {{{field}}} in {template!r}")
        if values[field] is None:
            raise TemplateError(
                f"template {template!r} needs {{{field}}}, "
                "but the decision has no value for it"
            )
        output.append(str(values[field]))
    return "".join(output)


def fill(
    template: str,
    values: Mapping[str, object],
    case: Callable[[str], str] | None = None,
) -> str:
    """Substitute `values` into `template` and return escaped Paragraph markup.

    `case` (for example str.upper) is applied before escaping, so entities such
    as "&amp;" are never changed. Raises TemplateError like `substitute`.
    """
    text = substitute(template, values)
    return escape_text(case(text) if case else text)


def normalize_nfc(data):
    """Return a copy of nested dicts and lists with every string in NFC form."""
    if isinstance(data, str):
        return unicodedata.normalize("NFC", data)
    if isinstance(data, (list, tuple)):
        return [normalize_nfc(item) for item in data]
    if isinstance(data, dict):
        return {key: normalize_nfc(value) for key, value in data.items()}
    return data


def _read_yaml(name: str) -> dict:
    path = TEMPLATE_DIR / name
    try:
        with path.open(encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
    except FileNotFoundError:
        raise TemplateError(f"wording file not found: {path}") from None
    if not isinstance(data, dict):
        raise TemplateError(f"wording file {path} must contain a mapping")
    return normalize_nfc(data)


def _merge(base: dict, override: dict) -> dict:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _check_kind(regime: str, kind: str, section) -> None:
    if not isinstance(section, dict):
        raise TemplateError(f"{regime}.yaml has no section for kind {kind!r}")
    missing = [key for key in KIND_KEYS if key not in section]
    if missing:
        raise TemplateError(f"{regime}.yaml, kind {kind}: missing keys {missing}")
    for number, article in enumerate(section["articles"], start=1):
        for block in article:
            if not any(block_type in block for block_type in BLOCK_TYPES):
                raise TemplateError(
                    f"{regime}.yaml, kind {kind}, Điều {number}: a block needs one of "
                    f"{BLOCK_TYPES}, got {block!r}"
                )


@functools.cache
def load_regime(regime: str) -> dict:
    """Load and check the wording of one regime, merged over common.yaml."""
    if regime not in REGIMES:
        raise TemplateError(f"regime must be one of {REGIMES}, got {regime!r}")
    common = _read_yaml("common.yaml")
    data = _read_yaml(f"{regime}.yaml")
    data["labels"] = _merge(common.get("labels", {}), data.get("labels", {}))
    kinds = data.get("kinds") or {}
    for kind in KINDS:
        _check_kind(regime, kind, kinds.get(kind))
    return data


def decision_template(regime: str, kind: str) -> tuple[dict, dict]:
    """Return the (labels, kind section) pair for a regime and decision kind."""
    if kind not in KINDS:
        raise TemplateError(f"kind must be one of {KINDS}, got {kind!r}")
    data = load_regime(regime)
    return data["labels"], data["kinds"][kind]
