"""The CPD PDFs drawn as a reader sees them: rendered to PNG (in test-artefacts/ to look at), long text
wrapped inside the margins and carried onto further pages, the certificate on one page."""

import re
import subprocess
from datetime import date

from ep_events.cpd.certificates import certificate_for, certificate_pdf
from ep_events.cpd.log import log_pdf
from ep_events.cpd.pdf import MARGIN
from ep_events.cpd.records import TEXT_MAX, RecordAnswers, progress_of, records_in_year, save_record
from ep_events.cpd.years import RegistrationYear
from ep_events.extensions import db
from tests.billing.test_pdf import render_page_one, text_of
from tests.cpd.conftest import NOW

LONG = ("Early permanence asks carers to hold two outcomes in mind at once; the session went through how to "
        "prepare them for family time and for a return home. ")


def _right_edges_fit(data: bytes, tmp_path) -> bool:
    (tmp_path / "doc.pdf").write_bytes(data)
    layout = subprocess.run(["pdftotext", "-bbox", str(tmp_path / "doc.pdf"), "-"], check=True, capture_output=True,
                            text=True, timeout=60).stdout
    page_width = float(re.search(r'<page width="([0-9.]+)"', layout).group(1))
    right_edges = [float(x) for x in re.findall(r'xMax="([0-9.]+)"', layout)]
    return bool(right_edges) and max(right_edges) <= page_width - MARGIN * 72 / 25.4 + 1


def test_a_long_reflection_wraps_inside_the_margins_onto_more_pages(world, tmp_path):
    text = (LONG * 40)[:TEXT_MAX - 60] + " " + "x" * 50
    save_record(world.pat, None, RecordAnswers(cpd_type="Conference", title="A long one",
                                               activity_date=date(2027, 1, 5), description=text, learning=text,
                                               impact=text), complete=True)
    records = records_in_year(world.pat, RegistrationYear(2027))
    data = log_pdf(world.pat, RegistrationYear(2027), records, progress_of(records), NOW)
    pages = text_of(data)
    assert len(pages) >= 3
    assert _right_edges_fit(data, tmp_path)
    assert render_page_one(data, "cpd-log-long-page-1").startswith(b"\x89PNG")
    joined = " ".join(" ".join(pages).split())
    assert "x" * 50 in joined.replace(" ", "")


def test_an_empty_year_still_gives_a_pdf_saying_so(world):
    data = log_pdf(world.sam, RegistrationYear(2026), [], progress_of([]), NOW)
    [page] = text_of(data)
    assert "No CPD recorded in this year yet" in page


def test_the_certificate_is_one_a4_page_and_renders(world, tmp_path):
    certificate = certificate_for(world.pat, world.place)
    db.session.commit()
    data = certificate_pdf(certificate)
    [page] = text_of(data)
    assert "This is to certify that" in page and f"/certificates/{certificate.code}" in page
    assert _right_edges_fit(data, tmp_path)
    assert render_page_one(data, "cpd-certificate-page-1").startswith(b"\x89PNG")


def test_every_right_to_left_character_is_looked_up_and_no_other_direction_counts():
    """The quick filter before the direction lookup passes every right-to-left code point Unicode has."""
    import sys
    import unicodedata

    from ep_events.cpd import pdf

    right_to_left = [chr(point) for point in range(sys.maxunicode + 1)
                     if unicodedata.bidirectional(chr(point)) in ("R", "AL")]
    assert len(right_to_left) > 1000 and all(pdf._MAYBE_RIGHT_TO_LEFT.match(c) for c in right_to_left)
    assert all(pdf._right_to_left(f"Zoë’s team {c}") for c in right_to_left)
    assert not pdf._right_to_left("Zoë’s team ✓ 😀 — ünïcödé, Ελληνικά, Русский, 中文, देवनागरी")
