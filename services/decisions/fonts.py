"""Registration of the serif font family used in decision PDFs.

Decree 30/2020 prescribes Times New Roman; Liberation Serif 2 (Debian package
fonts-liberation2) has the same metrics and covers Vietnamese. The 1.x series
(package fonts-liberation) lacks Ơ, Ư and U+1EA0-U+1EF9 and renders them as empty
boxes, which ReportLab does silently, so every face is checked for the whole
Vietnamese alphabet before it is used.

ReportLab 5.1 also reuses an already registered font object when a second font
with the same PostScript name is registered, whatever name it is registered
under. Both Liberation series are named "LiberationSerif", so each face is
renamed to a PostScript name of our own before registration.
"""

import logging
import os
import shutil
import subprocess
import threading
import unicodedata
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

logger = logging.getLogger(__name__)

FAMILY = "THADSSerif"
FONT_DIR_ENV = "THADS_FONT_DIR"
DEBIAN_PACKAGE = "fonts-liberation2"
DEBIAN_FONT_DIR = Path("/usr/share/fonts/truetype/liberation2")

# Registered name, file name in the font directory, fontconfig style, bold, italic.
FACES = (
    (FAMILY, "LiberationSerif-Regular.ttf", "regular", 0, 0),
    (f"{FAMILY}-Bold", "LiberationSerif-Bold.ttf", "bold", 1, 0),
    (f"{FAMILY}-Italic", "LiberationSerif-Italic.ttf", "italic", 0, 1),
    (f"{FAMILY}-BoldItalic", "LiberationSerif-BoldItalic.ttf", "bold:italic", 1, 1),
)

_VOWEL_BASES = "aăâeêioôơuưy"
_TONE_MARKS = ("", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323")


def _vietnamese_letters() -> str:
    letters = set("bcdđghklmnpqrstvx" + "fjwz")
    for base in _VOWEL_BASES:
        for mark in _TONE_MARKS:
            letters.add(unicodedata.normalize("NFC", base + mark))
    letters |= {letter.upper() for letter in letters}
    return "".join(sorted(letters))


VIETNAMESE_LETTERS = _vietnamese_letters()
PUNCTUATION = "0123456789 .,;:!?()[]/-–“”‘’\"'%&<>*+=§№"
REQUIRED_CHARACTERS = VIETNAMESE_LETTERS + PUNCTUATION

_lock = threading.Lock()
_registered = False


class FontError(RuntimeError):
    """The serif font family is missing or cannot render Vietnamese."""


def _fc_match(style: str) -> Path | None:
    if shutil.which("fc-match") is None:
        return None
    pattern = f"Liberation Serif:{style}"
    result = subprocess.run(
        ["fc-match", "-f", "%{file}", pattern],
        capture_output=True, text=True, timeout=10, check=False,
    )
    path = result.stdout.strip()
    return Path(path) if result.returncode == 0 and path else None


def _candidate_paths(file_name: str, style: str) -> list[Path]:
    override = os.environ.get(FONT_DIR_ENV)
    if override:
        return [Path(override) / file_name]
    candidates = [DEBIAN_FONT_DIR / file_name]
    matched = _fc_match(style)
    if matched is not None and matched.name == file_name:
        candidates.append(matched)
    return candidates


def missing_characters(font: TTFont, characters: str = REQUIRED_CHARACTERS) -> str:
    """Return the characters that have no glyph in the font's character map."""
    cmap = font.face.charToGlyph
    return "".join(char for char in characters if cmap.get(ord(char), 0) == 0)


def _load_face(name: str, file_name: str, style: str) -> TTFont:
    candidates = _candidate_paths(file_name, style)
    path = next((path for path in candidates if path.is_file()), None)
    if path is None:
        tried = ", ".join(str(path) for path in candidates)
        raise FontError(
            f"font file {file_name} not found (tried {tried}); install the Debian "
            f"package {DEBIAN_PACKAGE} or set {FONT_DIR_ENV} to a directory with it"
        )
    font = TTFont(name, str(path))
    missing = missing_characters(font)
    if missing:
        raise FontError(
            f"font {path} has no glyph for {len(missing)} Vietnamese characters "
            f"({missing}); it is probably Liberation 1.x: install the Debian package "
            f"{DEBIAN_PACKAGE} or point {FONT_DIR_ENV} at Liberation Serif 2"
        )
    # The PDF font name is built from face.name, so renaming it keeps this face
    # apart from any other "LiberationSerif" registered in the same process.
    font.face.name = name.encode("ascii")
    logger.debug("loaded font %s from %s", name, path)
    return font


def register_fonts() -> str:
    """Register the four faces and the <b>/<i> mapping once; return the family name.

    Raises FontError when a file is missing or lacks a Vietnamese glyph. The
    error names the characters and the Debian package to install.
    """
    global _registered
    with _lock:
        if _registered:
            return FAMILY
        fonts = [
            _load_face(name, file_name, style)
            for name, file_name, style, _bold, _italic in FACES
        ]
        for font in fonts:
            pdfmetrics.registerFont(font)
        for name, _file, _style, bold, italic in FACES:
            addMapping(FAMILY, bold, italic, name)
        _registered = True
        logger.info("registered font family %s", FAMILY)
        return FAMILY
