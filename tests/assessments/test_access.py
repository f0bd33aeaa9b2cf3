"""Only the agency's admins and the colleagues they delegate to can read or write its self-assessments: every
other signed-in person gets 404 on every address (site admins and organisers included); the aggregate is for
site admins and Adoption England's organisers only."""

import pytest

from ep_events.assessments.assessments import start_assessment
from ep_events.extensions import db
from tests.assessments.conftest import completed
from tests.conftest import sign_in


def _addresses(world, assessment, other):
    base = f"/self-assessments/{assessment.id}"
    org = world.agency.id
    gets = [f"/self-assessments/agencies/{org}/new", base, f"{base}/standards/1", f"{base}/standards/8",
            f"{base}/summary", f"{base}/complete", f"{base}/compare?with={other.id}", f"{base}/export.xlsx",
            f"{base}/export.pdf", f"{base}/import"]
    posts = [f"/self-assessments/agencies/{org}/new", f"{base}/standards/1", f"{base}/complete", f"{base}/sharing",
             f"{base}/copy", f"{base}/import", f"{base}/import/confirm"]
    return gets, posts


@pytest.fixture
def assessments(world):
    done = completed(world)
    open_one = start_assessment(world.admin, world.agency)
    db.session.commit()
    return open_one, done


@pytest.mark.parametrize("who", ["other_admin", "colleague", "organiser", "ae_organiser", "site_admin"])
def test_everyone_but_the_agencys_admins_and_delegates_gets_not_found(client, world, assessments, who):
    open_one, done = assessments
    sign_in(client, getattr(world, who))
    gets, posts = _addresses(world, open_one, done)
    for url in gets:
        assert client.get(url).status_code == 404, url
    for url in posts:
        assert client.post(url, data={"s1_1_rating": "red", "shared": "yes"}).status_code == 404, url
    assert client.get(f"/self-assessments/agencies/{world.agency.id}/colleagues").status_code == 404
    page = client.get("/self-assessments").get_data(as_text=True)
    assert "Adoption Central Midlands" not in page
    db.session.expire_all()
    assert open_one.entries[0].rating is None and not open_one.shared


@pytest.mark.parametrize("who", ["admin", "delegate"])
def test_the_agencys_admins_and_delegated_colleagues_read_and_write(client, world, assessments, who):
    open_one, done = assessments
    sign_in(client, getattr(world, who))
    gets, _ = _addresses(world, open_one, done)
    for url in gets:
        assert client.get(url).status_code == 200, url
    saved = client.post(f"/self-assessments/{open_one.id}/standards/1", data={"s1_1_rating": "amber"})
    assert saved.status_code == 302
    db.session.expire_all()
    assert {e.number: e.rating.value for e in open_one.entries if e.rating} == {"1.1": "amber"}


def test_only_admins_choose_colleagues_and_only_from_their_agency(client, world):
    sign_in(client, world.delegate)
    assert client.get(f"/self-assessments/agencies/{world.agency.id}/colleagues").status_code == 404
    client.post("/sign-out")
    sign_in(client, world.admin)
    page = client.get(f"/self-assessments/agencies/{world.agency.id}/colleagues").get_data(as_text=True)
    assert "Dee Delegate" in page and "Cal Colleague" in page and "Oli Other" not in page
    refused = client.post(f"/self-assessments/agencies/{world.agency.id}/colleagues",
                          data={"colleague": str(world.other_admin.id)})
    assert refused.status_code == 400 and f"Choose a colleague at {world.agency.name}" in refused.get_data(as_text=True)
    added = client.post(f"/self-assessments/agencies/{world.agency.id}/colleagues",
                        data={"colleague": str(world.colleague.id)})
    assert added.status_code == 302
    client.post("/sign-out")
    sign_in(client, world.colleague)
    assert client.get(f"/self-assessments/agencies/{world.agency.id}/new").status_code == 200


def test_a_removed_delegate_loses_access(client, world, assessments):
    open_one, _ = assessments
    sign_in(client, world.admin)
    page = client.get(f"/self-assessments/agencies/{world.agency.id}/colleagues").get_data(as_text=True)
    assert "Remove Dee Delegate" in page
    from ep_events.assessments.assessments import delegates_of
    delegate = delegates_of(world.agency)[0]
    assert client.post(f"/self-assessments/agencies/{world.agency.id}/colleagues/{delegate.id}/remove"
                       ).status_code == 302
    client.post("/sign-out")
    sign_in(client, world.delegate)
    assert client.get(f"/self-assessments/{open_one.id}").status_code == 404


def test_a_delegate_who_moves_agency_loses_access(client, world, assessments):
    open_one, _ = assessments
    world.delegate.organisation = world.other_agency
    db.session.commit()
    sign_in(client, world.delegate)
    assert client.get(f"/self-assessments/{open_one.id}").status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, world, assessments):
    open_one, _ = assessments
    for url in (f"/self-assessments/{open_one.id}", "/self-assessments/aggregate", "/self-assessments"):
        response = client.get(url)
        assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


@pytest.mark.parametrize("who, status", [("ae_organiser", 200), ("site_admin", 200), ("organiser", 404),
                                         ("admin", 404), ("delegate", 404), ("other_admin", 404)])
def test_the_aggregate_is_for_site_admins_and_adoption_englands_organisers(client, world, who, status):
    sign_in(client, getattr(world, who))
    assert client.get("/self-assessments/aggregate").status_code == status
    assert client.get("/self-assessments/aggregate.csv").status_code == status


def test_ids_that_do_not_exist_or_cannot_be_are_not_found(client, world, assessments):
    open_one, done = assessments
    sign_in(client, world.admin)
    base = f"/self-assessments/{open_one.id}"
    for url in ("/self-assessments/999999", f"/self-assessments/{2 ** 63}", f"{base}/standards/9",
                f"{base}/standards/{2 ** 63}", f"{base}/compare", f"{base}/compare?with=abc",
                f"{base}/compare?with=%00", f"{base}/compare?with={open_one.id}", f"{base}/compare?with={2 ** 63}",
                "/self-assessments/agencies/999999/new", "/self-assessments/aggregate?region=Atlantis"):
        assert client.get(url).status_code in (404, 400), url


def test_the_home_page_links_each_person_to_what_they_may_see(client, world):
    sign_in(client, world.ae_organiser)
    page = client.get("/").get_data(as_text=True)
    assert "See the practice standards ratings agencies share with Adoption England" in page
    assert "Your agency's self-assessments" not in page
    client.post("/sign-out")
    sign_in(client, world.colleague)
    page = client.get("/").get_data(as_text=True)
    assert "self-assessments" not in page and "ratings agencies share" not in page
    client.post("/sign-out")
    sign_in(client, world.delegate)
    assert "Your agency's self-assessments" in client.get("/").get_data(as_text=True)
