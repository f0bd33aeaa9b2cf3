"""The organisers' invitation list: who may see it, search, filters and pages, and the CSV export with
formula cells neutralised."""

import csv
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from ep_events.extensions import db
from ep_events.invitations.models import ConsentSource, InvitationListEntry, ListEntryStatus
from ep_events.invitations.unsubscribe import unsubscribe_url
from tests.conftest import sign_in
from tests.html_validator import PageFolder
from tests.invitations.conftest import MANAGE_URL, NOW, link_in, text_of


def _entry(world, email, name, organisation="", status=ListEntryStatus.CONFIRMED, **kw):
    entry = InvitationListEntry(programme=world.programme, email=email, name=name, organisation_name=organisation,
                                status=status, confirmed_at=NOW if status is ListEntryStatus.CONFIRMED else None,
                                **kw)
    db.session.add(entry)
    return entry


@pytest.fixture
def people(world):
    _entry(world, "ada@example.org", "Ada Ahmed", "Westmere Council", consent_wording_version="2026-12-v1")
    _entry(world, "ben@example.org", "Ben Brown", "Eastleigh Adoption", status=ListEntryStatus.PENDING)
    _entry(world, "cal@example.org", "Cal Carter", "Westmere Council", status=ListEntryStatus.UNSUBSCRIBED)
    _entry(world, "formula@example.org", "=HYPERLINK(\"http://evil.example.org\",\"Click\")", "+Org",
           role="@role", consent_source=ConsentSource.IMPORT, lawful_basis="-basis")
    db.session.commit()


def test_only_the_programmes_organisers_and_site_admins_see_the_list(app, client, world, people):
    for url in (MANAGE_URL, MANAGE_URL + "/export.csv", MANAGE_URL + "/import"):
        response = client.get(url)
        assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
        for user in (world.practitioner, world.other_organiser):
            fresh = app.test_client()
            sign_in(fresh, user)
            assert fresh.get(url).status_code == 403, (url, user.email)
        for user in (world.organiser, world.admin):
            fresh = app.test_client()
            sign_in(fresh, user)
            assert fresh.get(url).status_code == 200, (url, user.email)
    assert client.post(MANAGE_URL + "/import/confirm", data={"upload": "x"}).status_code == 302
    sign_in(client, world.practitioner)
    assert client.post(MANAGE_URL + "/import/confirm", data={"upload": "x"}).status_code == 403
    assert client.get("/lists/no-such-programme/manage").status_code == 404


def test_the_organiser_searches_and_filters_by_organisation_and_status(client, world, people):
    sign_in(client, world.organiser)
    page = text_of(client.get(MANAGE_URL).get_data(as_text=True))
    assert "4 people found" in page and "Ada Ahmed" in page and "Subscribed: 2" in page
    page = text_of(client.get(MANAGE_URL + "?q=WESTMERE").get_data(as_text=True))
    assert "2 people found" in page and "Ada Ahmed" in page and "Cal Carter" in page and "Ben Brown" not in page
    page = text_of(client.get(MANAGE_URL + "?q=ben@").get_data(as_text=True))
    assert "1 person found" in page and "Ben Brown" in page
    page = text_of(client.get(MANAGE_URL + "?organisation=Westmere+Council&status=unsubscribed")
                   .get_data(as_text=True))
    assert "1 person found" in page and "Cal Carter" in page
    page = text_of(client.get(MANAGE_URL + "?q=%25").get_data(as_text=True))  # LIKE wildcards are literal
    assert "Nobody matches" in page
    for query in ("?status=nonsense", "?page=99999999999999999999", "?page=-1", "?organisation=" + "x" * 5000):
        assert client.get(MANAGE_URL + query).status_code == 200


def test_the_list_is_paged(client, world):
    for n in range(55):
        _entry(world, f"person{n:02}@example.org", f"Person {n:02}")
    db.session.commit()
    sign_in(client, world.organiser)
    first = text_of(client.get(MANAGE_URL).get_data(as_text=True))
    assert "Person 00" in first and "Person 49" in first and "Person 50" not in first and "Next page" in first
    second = text_of(client.get(MANAGE_URL + "?page=2").get_data(as_text=True))
    assert "Person 50" in second and "Person 54" in second and "Person 00" not in second


def test_the_export_is_a_csv_with_formula_cells_neutralised(client, world, people):
    sign_in(client, world.organiser)
    response = client.get(MANAGE_URL + "/export.csv?organisation=")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert rows[0][:5] == ["name", "email", "organisation", "role", "status"]
    [formula] = [row for row in rows if row[1] == "formula@example.org"]
    assert formula[0] == "'=HYPERLINK(\"http://evil.example.org\",\"Click\")"
    assert (formula[2], formula[3], formula[8]) == ("'+Org", "'@role", "'-basis")
    filtered = client.get(MANAGE_URL + "/export.csv?status=pending").get_data().decode("utf-8-sig")
    assert "ben@example.org" in filtered and "ada@example.org" not in filtered


def test_the_invitation_list_pages_are_valid_html(client, world, people, tmp_path, deliver, frozen):
    pages = PageFolder(tmp_path / "pages")
    pages.save("join", client.get("/lists/pds-workshops/join").get_data())
    pages.save("join errors", client.post("/lists/pds-workshops/join", data={"name": "", "email": "x"}).get_data())
    pages.save("check email", client.get("/lists/pds-workshops/join/check-your-email").get_data())
    pages.save("joined", client.get("/lists/pds-workshops/joined").get_data())
    pages.save("bad confirm link", client.get("/lists/confirm/nope").get_data())
    pages.save("bad unsubscribe link", client.get("/lists/unsubscribe/nope").get_data())
    client.post("/lists/pds-workshops/join", data={"name": "Dana Doyle", "email": "dana@example.org"})
    confirm = link_in([m for m in deliver() if m.recipients == ["dana@example.org"]][-1], "/lists/confirm/")
    pages.save("confirm", client.get(confirm).get_data())
    client.post(confirm)
    ada = db.session.execute(select(InvitationListEntry).filter_by(email="ada@example.org")).scalar_one()
    unsubscribe = re.sub(r"^https?://[^/]+", "", unsubscribe_url(ada))
    pages.save("unsubscribe", client.get(unsubscribe).get_data())
    pages.save("unsubscribe without body", client.post(unsubscribe).get_data())
    pages.save("unsubscribed", client.post(unsubscribe, data={"List-Unsubscribe": "One-Click"}).get_data())
    pages.save("already unsubscribed", client.post(unsubscribe, data={"List-Unsubscribe": "One-Click"}).get_data())
    client.post("/lists/pds-workshops/join", data={"name": "Eve", "email": "eve@example.org"})
    expired = link_in([m for m in deliver() if m.recipients == ["eve@example.org"]][-1], "/lists/confirm/")
    frozen.tick(timedelta(days=8))
    pages.save("expired", client.get(expired).get_data())
    sign_in(client, world.organiser)
    pages.save("list", client.get(MANAGE_URL).get_data())
    pages.save("list filtered", client.get(MANAGE_URL + "?q=zzz&status=expired").get_data())
    pages.save("import", client.get(MANAGE_URL + "/import").get_data())
    upload = {"file": (io.BytesIO(b"name,email\nEve,eve@example.org\nNo Email,\n"), "people.csv")}
    pages.save("preview", client.post(MANAGE_URL + "/import", data=upload,
                                      content_type="multipart/form-data").get_data())
    frozen.tick(timedelta(days=-8))
    bad = {"file": (io.BytesIO(b"<html><body>hi</body></html>"), "people.csv")}
    pages.save("import error", client.post(MANAGE_URL + "/import", data=bad,
                                           content_type="multipart/form-data").get_data())
    assert pages.errors() == []


def test_the_workshops_manage_page_links_to_the_invitation_list(client, world):
    sign_in(client, world.organiser)
    page = client.get("/workshops/pds-workshops/manage").get_data(as_text=True)
    assert f'href="{MANAGE_URL}"' in page
