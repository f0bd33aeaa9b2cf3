"""CPD pages: the log, writing a record, downloads and certificates; private to their author for every role."""

import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from freezegun import freeze_time
from pypdf import PdfReader

from ep_events.cpd.drafts import create_cpd_drafts, draft_own_records
from ep_events.cpd.models import CpdCertificate, CpdRecord, RecordStatus
from ep_events.cpd.records import RecordAnswers, save_record
from ep_events.extensions import db
from tests.conftest import sign_in
from tests.cpd.conftest import NOW, held_workshop, place_on

FORM = {"cpd_type": "Workshop/webinar", "title": "Managing family time in EP", "activity_date": ["16", "2", "2027"],
        "duration_minutes": "85", "description": "A workshop on family time.", "learning": "Planning contact.",
        "impact": "Calmer family time for babies.", "has_peer_reflection": "y", "peer_role": "Team manager",
        "peer_learning": "How another team plans it.", "standards": ["S5"], "practice_standards": "5.2",
        "complete": "Save and mark complete"}


def pats_draft(world) -> CpdRecord:
    draft_own_records(world.pat, now=NOW)
    db.session.commit()
    return db.session.query(CpdRecord).filter_by(user_id=world.pat.id).one()


@pytest.fixture
def pat(client, world):
    sign_in(client, world.pat)
    return client


def test_the_log_drafts_the_attended_event_and_shows_progress(pat, world):
    with freeze_time(NOW):
        page = pat.get("/cpd").get_data(as_text=True)
    assert "Registration year 1 December 2026 to 30 November 2027" in page
    assert "Managing family time in EP" in page
    assert "0 of 2 records, 0 with peer reflection" in page
    assert "Certificate: Workshop: Managing family time in EP" in page


def test_writing_the_reflection_with_a_peer_reflection_makes_the_year_progress(pat, world):
    record = pats_draft(world)
    with freeze_time(NOW):
        response = pat.post(f"/cpd/records/{record.id}", data=FORM)
        assert response.status_code == 302
        db.session.expire_all()
        record = db.session.get(CpdRecord, record.id)
        assert record.status is RecordStatus.COMPLETE
        assert record.practice_standards == ["S5", "5.2"]
        save_record(world.pat, None, RecordAnswers(cpd_type="Conference", title="A conference",
                                                   activity_date=date(2027, 1, 20), description="d", learning="l",
                                                   impact="i"), complete=True)
        db.session.commit()
        page = pat.get("/cpd/2027").get_data(as_text=True)
    assert "2 of 2 records, 1 with peer reflection: ready for renewal" in page


def test_a_failed_completion_re_renders_with_the_error_summary_and_saves_nothing(pat, world):
    record = pats_draft(world)
    with freeze_time(NOW):
        response = pat.post(f"/cpd/records/{record.id}", data={**FORM, "learning": "", "impact": "x" * 200_000})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "govuk-error-summary" in page and "5,000 characters or fewer" in page
    db.session.expire_all()
    assert db.session.get(CpdRecord, record.id).impact == ""


def test_the_page_warns_about_identifying_details_but_saves(pat, world):
    record = pats_draft(world)
    with freeze_time(NOW):
        response = pat.post(f"/cpd/records/{record.id}", data={**FORM, "learning": "Baby born on 03/04/2026"},
                            follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "What you learnt may contain a date of birth" in page
    db.session.expire_all()
    assert db.session.get(CpdRecord, record.id).learning == "Baby born on 03/04/2026"


@pytest.mark.parametrize("year", ["2028", "9999", "1999", "abc", "2%00", "1" * 400])
def test_a_year_that_does_not_exist_is_not_found(pat, year):
    with freeze_time(NOW):
        assert pat.get(f"/cpd/{year}").status_code in (400, 404)
        assert pat.get(f"/cpd/{year}/log.pdf").status_code in (400, 404)


@pytest.mark.parametrize("who", ["sam", "organiser", "facilitator", "admin"])
def test_a_reflection_is_not_found_for_anyone_but_its_author(client, world, who):
    record = pats_draft(world)
    sign_in(client, getattr(world, who))
    assert client.get(f"/cpd/records/{record.id}").status_code == 404
    assert client.post(f"/cpd/records/{record.id}", data=FORM).status_code == 404
    assert client.post(f"/cpd/records/{record.id}/delete").status_code == 404
    assert client.post(f"/cpd/certificates/{world.place.id}").status_code == 404
    assert f"/cpd/records/{record.id}" not in client.get("/cpd").get_data(as_text=True)


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    record = pats_draft(world)
    assert client.get(f"/cpd/records/{record.id}").status_code == 302
    assert client.get("/cpd").status_code == 302


def test_organisers_see_counts_and_never_content(client, world):
    record = pats_draft(world)
    with freeze_time(NOW):
        save_record(world.pat, record, RecordAnswers(**{**RecordAnswers.of(record).__dict__, "description": "SECRET-D",
                                                        "learning": "SECRET-L", "impact": "SECRET-I"}), complete=True)
        db.session.commit()
        sign_in(client, world.organiser)
        page = client.get(f"/cpd/programmes/{world.programme.id}/reflections").get_data(as_text=True)
    assert "1 reflection written" in page
    assert "SECRET" not in page and "Pat" not in page
    for other in (world.sam, world.facilitator):
        someone = client.application.test_client()
        sign_in(someone, other)
        assert someone.get(f"/cpd/programmes/{world.programme.id}/reflections").status_code == 404


def test_the_counts_page_shows_every_past_event_fifty_at_a_time_newest_first(client, world):
    # 60 more events held on the days before the fixture's (16 February 2027), then one still to come.
    for day in range(1, 61):
        held_workshop(world.programme, datetime(2027, 2, 16, 10, 0, tzinfo=UTC) - timedelta(days=day),
                      title=f"Held event {day:02d}")
    held_workshop(world.programme, NOW + timedelta(days=3), title="Still to come")
    db.session.commit()
    sign_in(client, world.organiser)
    url = f"/cpd/programmes/{world.programme.id}/reflections"

    first = client.get(url).get_data(as_text=True)
    titles = re.findall(r"(Managing family time in EP|Held event \d\d|Still to come)</td>", first)
    assert titles == ["Managing family time in EP", *(f"Held event {day:02d}" for day in range(1, 50))]
    assert "Older events" in first and "Newer events" not in first

    second = client.get(f"{url}?page=2").get_data(as_text=True)
    titles = re.findall(r"(Managing family time in EP|Held event \d\d|Still to come)</td>", second)
    assert titles == [f"Held event {day:02d}" for day in range(50, 61)]
    assert "Newer events" in second and "Older events" not in second
    assert "(page 2)" in second

    assert client.get(f"{url}?page=3").status_code == 404
    assert client.get(f"{url}?page=1%00").status_code == 400  # a NUL byte anywhere in a query: refused site-wide
    for bad in ("0", "-1", "2" * 40, "x"):  # not a page number: the first page
        response = client.get(f"{url}?page={bad}")
        assert response.status_code == 200 and "Older events" in response.get_data(as_text=True), bad


def _pdf_text(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def test_the_pdf_log_has_one_record_per_page_with_every_field_in_any_language(pat, world):
    with freeze_time(NOW):
        create_cpd_drafts()  # the job drafts the attended workshop
        save_record(world.pat, None, RecordAnswers(cpd_type="Conference", title="Zoë’s conference",
                                                   activity_date=date(2027, 1, 20), description="Łódź and é",
                                                   learning="Emoji 😀 too", impact="Impact text",
                                                   has_peer_reflection=True, peer_role="Team manager",
                                                   peer_learning="Peer view"), complete=True)
        save_record(world.pat, None, RecordAnswers(title="Second", activity_date=date(2027, 2, 1)))
        db.session.commit()
        response = pat.get("/cpd/2027/log.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pages = _pdf_text(response.data)
    assert len(pages) == 3  # the drafted workshop, the conference, the draft
    conference = next(page for page in pages if "Zoë’s conference" in page)
    for text in ("Type of CPD", "Conference", "20 January 2027", "Łódź and é", "What did you learn?", "😀",
                 "Impact text", "The peer's role", "Team manager", "Peer view", "Pat Practitioner"):
        assert text in conference, text
    labels = ("Type of CPD", "\nTitle\n", "\nDate\n", "Description", "What did you learn", "What positive impact",
              "Did you discuss")
    order = [conference.index(label) for label in labels]
    assert order == sorted(order)


ARABIC = "تعلمت الكثير من النقاش مع زميلي"
HEBREW = "למדתי הרבה מהשיחה עם עמית"


def test_arabic_and_hebrew_in_the_pdf_log_are_joined_and_read_back_in_the_order_they_were_typed(pat, world):
    """HarfBuzz shapes right-to-left text: a letter-by-letter PDF would read back (and copy into the SWE form)
    backwards."""
    with freeze_time(NOW):
        save_record(world.pat, None, RecordAnswers(cpd_type="Conference", title="Mixed languages",
                                                   activity_date=date(2027, 1, 20), description=ARABIC,
                                                   learning=HEBREW, impact="Plain English impact"), complete=True)
        db.session.commit()
        response = pat.get("/cpd/2027/log.pdf")
    [page] = [text for text in _pdf_text(response.data) if "Mixed languages" in text]
    assert ARABIC in page and HEBREW in page
    assert ARABIC[::-1] not in page and HEBREW[::-1] not in page
    assert "Plain English impact" in page


def test_the_csv_log_neutralises_formulas_and_keeps_any_language(pat, world):
    with freeze_time(NOW):
        save_record(world.pat, None, RecordAnswers(title="=HYPERLINK(\"x\")", activity_date=date(2027, 1, 20),
                                                   learning="Łódź 😀 مرحبا"))
        db.session.commit()
        response = pat.get("/cpd/2027/log.csv")
    text = response.data.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "Łódź 😀 مرحبا" in text
    assert text.splitlines()[0].startswith("Type of CPD,Title,Date,")


def test_a_certificate_is_only_for_an_attended_event_and_its_code_checks_publicly(pat, client, world):
    not_attended = place_on(held_workshop(world.programme, datetime(2027, 3, 1, 10, tzinfo=UTC), title="Missed"),
                            world.pat, attended=False)
    db.session.commit()
    assert pat.post(f"/cpd/certificates/{not_attended.id}").status_code == 404
    # Downloading issues the certificate, so it is a POST: looking at the log issues nothing.
    assert pat.get(f"/cpd/certificates/{world.place.id}").status_code == 405
    with freeze_time(NOW):
        assert f'action="/cpd/certificates/{world.place.id}"' in pat.get("/cpd/2027").get_data(as_text=True)
        assert db.session.query(CpdCertificate).count() == 0
        response = pat.post(f"/cpd/certificates/{world.place.id}")
    assert response.status_code == 200
    [page] = _pdf_text(response.data)
    certificate = db.session.query(CpdCertificate).one()
    for text in ("Pat Practitioner", "Managing family time in EP", "Tuesday 16 February 2027", "1 hour 25 minutes",
                 "Adoption England P&SD workshops", certificate.code):
        assert text in page, text
    verified = client.application.test_client().get(f"/certificates/{certificate.code}").get_data(as_text=True)
    assert "P. P." in verified and "Managing family time in EP" in verified and "16 February 2027" in verified
    assert "Pat" not in verified and "pat@example.org" not in verified


@pytest.mark.parametrize("code", ["ABCD-EFGH-JKLM", "x" * 10_000, "'; DROP TABLE", "%00"])
def test_a_wrong_certificate_code_is_not_found(client, world, code):
    assert client.get(f"/certificates/{code}").status_code in (400, 404)


def test_the_manage_page_links_organisers_to_the_counts_and_not_facilitators(client, world):
    sign_in(client, world.organiser)
    assert f"/cpd/programmes/{world.programme.id}/reflections" in client.get("/manage").get_data(as_text=True)
    facilitator = client.application.test_client()
    sign_in(facilitator, world.facilitator)
    assert "/reflections" not in facilitator.get("/manage").get_data(as_text=True)


def test_a_record_added_by_hand_can_be_deleted_but_not_one_from_an_attended_event(pat, world):
    drafted = pats_draft(world)
    own = save_record(world.pat, None, RecordAnswers(title="Reading", activity_date=date(2027, 1, 5)))
    db.session.commit()
    assert "Delete this record" in pat.get(f"/cpd/records/{own.id}").get_data(as_text=True)
    assert "Delete this record" not in pat.get(f"/cpd/records/{drafted.id}").get_data(as_text=True)
    assert pat.post(f"/cpd/records/{drafted.id}/delete").status_code == 302
    assert pat.post(f"/cpd/records/{own.id}/delete").status_code == 302
    db.session.expire_all()
    assert [r.id for r in db.session.query(CpdRecord).filter_by(user_id=world.pat.id)] == [drafted.id]


def test_certificates_are_listed_in_the_year_the_event_was_held_in_uk_time(pat, world):
    place_on(held_workshop(world.programme, datetime(2026, 11, 30, 23, 30, tzinfo=UTC), title="Late November"),
             world.pat)
    place_on(held_workshop(world.programme, datetime(2026, 12, 1, 0, 30, tzinfo=UTC), title="Early December"),
             world.pat)
    db.session.commit()
    this_year = pat.get("/cpd/2027").get_data(as_text=True)
    last_year = pat.get("/cpd/2026").get_data(as_text=True)
    assert "Certificate: Workshop: Early December" in this_year and "Late November" not in this_year
    assert "Certificate: Workshop: Late November" in last_year and "Early December" not in last_year


def test_every_box_states_its_limit_and_says_not_to_identify_anyone(pat, world):
    record = pats_draft(world)
    page = pat.get(f"/cpd/records/{record.id}").get_data(as_text=True)
    assert page.count("5,000 characters or fewer") == 4 and page.count("200 characters or fewer") == 2
    assert page.count("could identify children, families or carers") >= 5


def test_right_to_left_text_and_emoji_are_kept_and_a_nul_byte_is_refused_with_nothing_saved(pat, world):
    record = pats_draft(world)
    text = "مرحبا بالعالم 😀 שלום"
    assert pat.post(f"/cpd/records/{record.id}", data={**FORM, "learning": text}).status_code == 302
    refused = pat.post(f"/cpd/records/{record.id}", data={**FORM, "learning": "before\x00after", "impact": "changed"})
    assert refused.status_code == 400
    db.session.expire_all()
    saved = db.session.get(CpdRecord, record.id)
    assert (saved.learning, saved.impact) == (text, FORM["impact"])
    assert text in pat.get(f"/cpd/records/{record.id}").get_data(as_text=True)
