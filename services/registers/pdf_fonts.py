"""Register Liberation Serif 2 with ReportLab for printing the registers.

The fonts are registered under names of their own ("THADSRegSerif" ...) so that they
never collide with fonts that other modules register for decision PDFs.

Only Liberation Serif 2.x (Debian ``fonts-liberation2``) is accepted. The 1.x files
(Debian ``fonts-liberation``) lack Ơ, Ư and U+1EA0–U+1EF9, and ReportLab prints missing
glyphs as blank boxes without raising. Every file is therefore checked for those glyphs
before it is registered.
"""

from __future__ import annotations

import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FAMILY = "THADSRegSerif"
REGULAR = "THADSRegSerif"
BOLD = "THADSRegSerif-Bold"
ITALIC = "THADSRegSerif-Italic"
BOLD_ITALIC = "THADSRegSerif-BoldItalic"

# fontconfig pattern and Debian file name for each registered font name.
_STYLES = {
    REGULAR: ("Liberation Serif:regular", "LiberationSerif-Regular.ttf"),
    BOLD: ("Liberation Serif:bold", "LiberationSerif-Bold.ttf"),
    ITALIC: ("Liberation Serif:italic", "LiberationSerif-Italic.ttf"),
    BOLD_ITALIC: ("Liberation Serif:bold:italic", "LiberationSerif-BoldItalic.ttf"),
}
_DEBIAN_DIR = Path("/usr/share/fonts/truetype/liberation2")

# Characters that Liberation Serif 1.x lacks: Ơ ơ Ư ư, ạ (U+1EA1) and ỹ (U+1EF9).
_VIETNAMESE_PROBE = "ƠơƯưạỹ"

_lock = threading.Lock()
_registered = False


class FontError(RuntimeError):
    """A usable Liberation Serif 2 file was not found."""


@dataclass(frozen=True)
class FontNames:
    """ReportLab font names to pass to ``canvas.setFont``."""

    regular: str = REGULAR
    bold: str = BOLD
    italic: str = ITALIC
    bold_italic: str = BOLD_ITALIC


def register_fonts() -> FontNames:
    """Register the four Liberation Serif 2 styles once per process and return names.

    Raises FontError when a file is missing or lacks Vietnamese glyphs.
    """
    global _registered
    with _lock:
        if not _registered:
            for name, (pattern, file_name) in _STYLES.items():
                path = find_font_file(pattern, file_name)
                pdfmetrics.registerFont(_load_checked(name, path))
            pdfmetrics.registerFontFamily(
                FAMILY,
                normal=REGULAR,
                bold=BOLD,
                italic=ITALIC,
                boldItalic=BOLD_ITALIC,
            )
            _registered = True
    return FontNames()


def find_font_file(pattern: str, file_name: str) -> Path:
    """Return the Liberation Serif file for a fontconfig pattern.

    Asks ``fc-match`` first. When fontconfig is not installed or matches another
    family, falls back to the Debian ``fonts-liberation2`` directory.
    """
    matched = _fc_match(pattern)
    if matched is not None:
        return matched
    fallback = _DEBIAN_DIR / file_name
    if fallback.is_file():
        return fallback
    raise FontError(
        f"font file for {pattern!r} not found: install the Debian package "
        f"fonts-liberation2 (expected {fallback})"
    )


def _fc_match(pattern: str) -> Path | None:
    command = ["fc-match", "-f", "%{family}\n%{file}\n", pattern]
    try:
        result = subprocess.run(
            command, capture_output=True, text=True, check=True, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return None
    lines = result.stdout.splitlines()
    if len(lines) < 2 or "Liberation Serif" not in lines[0]:
        return None
    path = Path(lines[1])
    return path if path.is_file() else None


def _load_checked(name: str, path: Path) -> TTFont:
    font = TTFont(name, str(path))
    char_to_glyph = font.face.charToGlyph
    missing = [ch for ch in _VIETNAMESE_PROBE if ord(ch) not in char_to_glyph]
    if missing:
        raise FontError(
            f"{path} lacks Vietnamese glyphs {''.join(missing)!r}, so it is "
            "probably Liberation Serif 1.x. Install fonts-liberation2 and make "
            "fc-match pick it."
        )
    return font
