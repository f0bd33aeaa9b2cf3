"""The fonts every PDF the site draws is set in (invoices, credit notes, CPD logs, attendance certificates).

Text is set in DejaVu Sans (Debian's fonts-dejavu-core) because the PDF core fonts cover only Latin-1,
and documents carry ’ – and names such as "Zoë" or "Łukasz". fpdf2 parses and subsets a TrueType font for
every document, which for the whole of DejaVu costs more than the rest of a document; so each process cuts
it once to the Latin alphabets and every document loads that small copy (a document with a character
outside them loads the full font). Characters DejaVu lacks (emoji) are drawn from Symbola (Debian's
fonts-symbola) where it is installed. Without DejaVu (a machine without the package) the PDF core font
Helvetica is used, with the characters it lacks made plain.
"""

import atexit
import shutil
import tempfile
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from fontTools import subset as font_subset
from fontTools.ttLib import TTFont

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
SYMBOLS = Path("/usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf")
# Latin with its accented letters (Latin-1, Extended-A and -B), punctuation and currency signs: the small copy
# of the font holds these. Each block more costs every document time (Greek and Cyrillic added a third).
SMALL_FONT_RANGES = ((0x20, 0x7E), (0xA0, 0x24F), (0x2000, 0x206F), (0x20A0, 0x20CF))
SMALL_FONT_CHARACTERS = frozenset(c for first, last in SMALL_FONT_RANGES for c in range(first, last + 1))
# What Helvetica shows instead of the typographic characters it lacks (when DejaVu is not installed).
PLAIN = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "...", "€": "EUR",
                       "\u00a0": " "})


@lru_cache(maxsize=1)
def small_fonts() -> dict[str, Path]:
    """DejaVu Sans cut to SMALL_FONT_RANGES, written once per process to a private folder."""
    folder = Path(tempfile.mkdtemp(prefix="ep-events-fonts-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    options = font_subset.Options()
    options.layout_features = []
    options.hinting = False
    options.notdef_outline = True
    options.drop_tables += ["FFTM"]
    paths = {}
    for style, name in FONT_FILES.items():
        font = TTFont(DEJAVU / name)
        subsetter = font_subset.Subsetter(options)
        subsetter.populate(unicodes=SMALL_FONT_CHARACTERS)
        subsetter.subset(font)
        paths[style] = folder / name
        font.save(paths[style])
    return paths


def font_files(texts: Iterable[str]) -> dict[str, Path] | None:
    """The font files for a document holding these texts: DejaVu's small copy, the whole of it, or None
    (no DejaVu on this machine: use Helvetica and `plain`)."""
    if not all((DEJAVU / name).is_file() for name in FONT_FILES.values()):
        return None
    if all(ord(c) in SMALL_FONT_CHARACTERS for c in _characters(texts)):
        small = small_fonts()
        if not all(path.is_file() for path in small.values()):  # a /tmp cleaner took them from a long-lived worker
            small_fonts.cache_clear()
            small = small_fonts()
        return small
    return {style: DEJAVU / name for style, name in FONT_FILES.items()}


def _characters(texts: Iterable[str]) -> set[str]:
    """Each character the texts use, once (a set of the joined text: quick for a year of reflections)."""
    return set("".join(texts)) - set("\n\r\t")


@lru_cache(maxsize=1)
def _dejavu_characters() -> frozenset[int]:
    return frozenset(TTFont(DEJAVU / FONT_FILES[""]).getBestCmap())


def symbols_font(texts: Iterable[str]) -> Path | None:
    """Symbola, for a document with a character DejaVu does not draw (an emoji), where it is installed."""
    outside = {ord(c) for c in _characters(texts)} - SMALL_FONT_CHARACTERS
    if not outside or not SYMBOLS.is_file() or not (DEJAVU / FONT_FILES[""]).is_file():
        return None
    return SYMBOLS if outside - _dejavu_characters() else None


def plain(text: str) -> str:
    """Text Helvetica can show: typographic punctuation made plain, accents kept where Latin-1 has them."""
    text = text.translate(PLAIN)
    if all(ord(c) < 256 for c in text):
        return text
    kept = []
    for c in text:
        if ord(c) >= 256:
            c = "".join(d for d in unicodedata.normalize("NFKD", c) if ord(d) < 256) or "?"
        kept.append(c)
    return "".join(kept)
