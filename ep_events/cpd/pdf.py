"""The CPD log and attendance certificates as A4 PDFs (fpdf2, set in DejaVu as every PDF here: core/pdf_fonts).

The log has one record per page, its boxes in the order of Social Work England's CPD form, so each can be
copied across field by field. Paragraphs are broken into lines here, a word at a time: fpdf2's own line
breaking measures the whole line again for every character, and its `cell` and `get_string_width` prepare
fonts and bidirectional text on every call: for a year of reflections that took seconds. Lines are measured
with the font's own widths and set with `text` (a document that needs the emoji font keeps `cell`, which
falls back to it).
"""

import re
import unicodedata
from collections.abc import Iterable
from datetime import datetime

from fpdf import FPDF, XPos, YPos

from ep_events.core.pdf_fonts import font_files, plain, symbols_font
from ep_events.core.time import as_utc

FAMILY = "Text"
SYMBOLS_FAMILY = "Symbols"
INK = (11, 12, 12)
SECONDARY = (80, 90, 95)
RULE = (177, 180, 182)
MARGIN = 18
LINE = 5.2


_RIGHT_TO_LEFT = {"R", "AL"}
_STRONG = {"L", "R", "AL"}


# Every character whose direction is right to left lies in these blocks (Hebrew to Arabic Extended, the
# right-to-left mark, the Hebrew and Arabic presentation forms, and their supplementary planes; a test checks each
# code point): only these are looked up, so a year's log in English is not read character by character in Python.
_MAYBE_RIGHT_TO_LEFT = re.compile(
    "[\u0590-\u08ff\u200f\ufb1d-\ufdff\ufe70-\ufeff\U00010800-\U00010fff\U0001e800-\U0001efff]")


def _right_to_left(text: str) -> bool:
    """Whether the text has a letter of a right-to-left script (Arabic, Hebrew, Syriac …)."""
    return any(unicodedata.bidirectional(character) in _RIGHT_TO_LEFT
               for character in _MAYBE_RIGHT_TO_LEFT.findall(text))


def _starts_right_to_left(line: str) -> bool:
    """Whether the line's first letter with a direction reads right to left: it is then set against the right."""
    for character in line:
        direction = unicodedata.bidirectional(character)
        if direction in _STRONG:
            return direction in _RIGHT_TO_LEFT
    return False


class _PDF(FPDF):
    def __init__(self, footer_text: str):
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.footer_text = footer_text
        self.text_family = FAMILY

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(self.text_family, "", 8)
        self.set_text_color(*SECONDARY)
        self.cell(0, 4, f"{self.footer_text}  ·  Page {self.page_no()} of {{nb}}", align="C")


class Document:
    """One PDF being drawn, top to bottom, in the fonts its texts need."""

    def __init__(self, title: str, author: str, footer: str, texts: Iterable[str]):
        texts = list(texts) + [title, author, footer]
        fonts = font_files(texts)
        self.text = str if fonts else plain
        self.widths: dict[tuple, dict[str, float]] = {}
        self.pdf = pdf = _PDF(self.text(footer))
        for style, path in (fonts or {}).items():
            pdf.add_font(FAMILY, style, str(path))
            pdf.fonts[f"{FAMILY.lower()}{style}"].ttfont.recalcBBoxes = False
        symbols = symbols_font(texts) if fonts else None
        # Arabic or Hebrew: HarfBuzz (uharfbuzz) joins the letters and the bidirectional algorithm orders each
        # line, through `cell`; the PDF's text then reads back (and copies) in the order it was typed.
        self.shaped = bool(fonts) and any(_right_to_left(text) for text in texts)
        if self.shaped:
            pdf.set_text_shaping(True)
        self.plain_lines = symbols is None and not self.shaped
        if symbols is not None:
            pdf.add_font(SYMBOLS_FAMILY, "", str(symbols))
            pdf.set_fallback_fonts([SYMBOLS_FAMILY], exact_match=False)
        self.family = pdf.text_family = FAMILY if fonts else "Helvetica"
        pdf.set_margins(MARGIN, MARGIN, MARGIN)
        pdf.set_auto_page_break(True, margin=20)
        pdf.set_title(self.text(title))
        pdf.set_author(self.text(author))
        pdf.set_creator("EP Events")
        pdf.set_lang("en-GB")

    @property
    def width(self) -> float:
        return self.pdf.w - 2 * MARGIN

    def font(self, style: str = "", size: float = 10, colour=INK) -> None:
        self.pdf.set_font(self.family, style, size)
        self.pdf.set_text_color(*colour)

    def lines_of(self, text: str, width: float) -> list[str]:
        """The text broken into lines that fit `width` at the current font, word by word (long words split)."""
        pdf = self.pdf
        font, size, scale = pdf.current_font, pdf.font_size_pt, pdf.k
        widths = self.widths.setdefault((font.fontkey, size), {})  # reflections repeat their words

        def measure(text: str) -> float:
            found = widths.get(text)
            if found is None:
                try:
                    found = font.get_text_width(text, size, None)[1] / scale
                except (KeyError, IndexError):  # a character the font does not have: fpdf2 measures the fallback
                    found = pdf.get_string_width(text)
                widths[text] = found
            return found

        space = measure(" ")
        out = []
        for paragraph in self.text(text).split("\n"):
            line, line_width = "", 0.0
            for word in paragraph.split(" "):
                word_width = measure(word)
                while word_width > width:  # a word longer than the line: as much as fits, then the rest
                    cut = max(1, int(len(word) * width / word_width) - 1)
                    if line:
                        out.append(line)
                        line, line_width = "", 0.0
                    out.append(word[:cut])
                    word = word[cut:]
                    word_width = measure(word)
                extra = word_width + (space if line else 0)
                if line and line_width + extra > width:
                    out.append(line)
                    line, line_width = word, word_width
                else:
                    line = f"{line} {word}" if line else word
                    line_width += extra
            out.append(line)
        return out

    def paragraph(self, text: str, size: float = 10, style: str = "", colour=INK, align: str = "L",
                  height: float = LINE) -> None:
        self.font(style, size, colour)
        pdf = self.pdf
        for line in self.lines_of(text, self.width):
            if not self.plain_lines:
                line_align = "R" if align == "L" and _starts_right_to_left(line) else align
                pdf.cell(self.width, height, line, align=line_align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
                continue
            if pdf.get_y() + height > pdf.page_break_trigger:
                pdf.add_page()
            x = MARGIN
            if align == "C":
                x += (self.width - pdf.get_string_width(line)) / 2
            # The baseline sits where `cell` would put it: half the line height down, plus a third of the size.
            pdf.text(x, pdf.get_y() + height / 2 + 0.3 * size * 0.3528, line)
            pdf.set_y(pdf.get_y() + height)

    def label(self, text: str) -> None:
        if self.pdf.get_y() + 16 > self.pdf.page_break_trigger:
            self.pdf.add_page()
        self.pdf.ln(2.5)
        self.paragraph(text, size=9, style="B", colour=SECONDARY, height=5)

    def field(self, label: str, value: str, empty: str = "Not written yet") -> None:
        self.label(label)
        if value:
            self.paragraph(value)
        else:
            self.paragraph(empty, colour=SECONDARY)

    def rule(self) -> None:
        self.pdf.set_draw_color(*RULE)
        y = self.pdf.get_y() + 2
        self.pdf.line(MARGIN, y, self.pdf.w - MARGIN, y)
        self.pdf.set_y(y + 3)

    def output(self, made_at: datetime) -> bytes:
        # The document's own moment, not now: the same document always gives the same bytes.
        self.pdf.set_creation_date(as_utc(made_at))
        return bytes(self.pdf.output())
