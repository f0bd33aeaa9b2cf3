"""The facilitators' booking list download: safe in Excel whatever people typed into their details."""

import csv
import io

import pytest

from ep_events.accounts.models import Role
from ep_events.extensions import db
from ep_events.surgeries.attendance import BOOKINGS_CSV_HEADER
from ep_events.surgeries.bookings import book_slot
from tests import factories
from tests.conftest import sign_in

DANGEROUS = ["=", "+", "-", "@", "\t", "\r", "\n"]


def download(client, surgery_date) -> list[dict]:
    response = client.get(f"/surgeries/manage/dates/{surgery_date.id}/bookings.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbf")  # what tells Excel the file is UTF-8
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@pytest.fixture
def surgery(app):
    programme = factories.surgery_programme()
    surgery_date = factories.surgery_date(programme, days_ahead=10)
    facilitator = factories.user(roles=[(Role.FACILITATOR, programme)])
    return surgery_date, facilitator


@pytest.mark.parametrize("prefix", DANGEROUS)
def test_details_starting_with_a_formula_character_download_as_text_in_every_column(client, surgery, prefix):
    surgery_date, facilitator = surgery
    payload = prefix + 'HYPERLINK("http://attacker.example.org","Open")'
    booker = factories.user(name=payload, email=f"{prefix}booker@example.org", job_title=payload,
                            organisation_other=payload)
    booking, _ = book_slot(surgery_date.slots[0], booker, "general")
    # Stored directly: the booking form now refuses such names, but rows saved before it did remain.
    booking.colleagues = [{"name": payload, "email": "colleague@example.org"}]
    db.session.commit()
    sign_in(client, facilitator)
    row, = download(client, surgery_date)
    assert row["Name"] == "'" + payload
    assert row["Email"] == f"'{prefix}booker@example.org"
    assert row["Job title"] == "'" + payload
    assert row["Organisation"] == "'" + payload
    assert row["Colleagues joining"] == f"'{payload} <colleague@example.org>"
    for column, cell in row.items():
        assert not cell.startswith(tuple(DANGEROUS)), column


def test_accented_names_open_intact(client, surgery):
    surgery_date, facilitator = surgery
    booker = factories.user(name="Zoë Łukasz Ó Briain", organisation_other="Conwy & Gwynedd – Môn")
    book_slot(surgery_date.slots[0], booker, "general")
    db.session.commit()
    sign_in(client, facilitator)
    row, = download(client, surgery_date)
    assert row["Name"] == "Zoë Łukasz Ó Briain"
    assert row["Organisation"] == "Conwy & Gwynedd – Môn"
    assert list(row) == list(BOOKINGS_CSV_HEADER)
