"""The public list of a programme's workshops, a page of ten at a time (a year's programme is a hundred): the
soonest first, later ones on the next page, places left counted the same on every page."""

from datetime import timedelta

from freezegun import freeze_time

from ep_events.extensions import db
from ep_events.workshops.registrations import register
from ep_events.workshops.views import WORKSHOPS_PER_PAGE
from tests import factories
from tests.workshops.conftest import JUNE_DAY, NOW, workshop


def _titles(response) -> list[str]:
    text = response.get_data(as_text=True)
    return [t for t in (f"Workshop {n:02d}" for n in range(1, 30)) if t in text]


def test_the_list_shows_ten_workshops_a_page_with_earlier_and_later_links(app, client, world):
    with freeze_time(NOW):
        made = [workshop(world, title=f"Workshop {n:02d}", day=JUNE_DAY + timedelta(days=n), capacity=3)
                for n in range(1, WORKSHOPS_PER_PAGE + 3)]
        workshop(world, title="Workshop 29", publish=False)  # a draft: never listed
        register(made[WORKSHOPS_PER_PAGE], world.alice, now=NOW)  # on the second page
        db.session.commit()

        first = client.get("/workshops/pds-workshops")
        second = client.get("/workshops/pds-workshops?page=2")
        beyond = client.get("/workshops/pds-workshops?page=9999")
        nonsense = client.get("/workshops/pds-workshops?page=99999999999999999999")

    assert _titles(first) == [f"Workshop {n:02d}" for n in range(1, WORKSHOPS_PER_PAGE + 1)]
    first_text = first.get_data(as_text=True)
    assert "Later workshops" in first_text and "Earlier workshops" not in first_text
    assert 'href="/workshops/pds-workshops?page=2"' in first_text

    assert _titles(second) == ["Workshop 11", "Workshop 12"]
    second_text = second.get_data(as_text=True)
    assert "Earlier workshops" in second_text and "Later workshops" not in second_text
    assert "2 of 3" in second_text  # Alice's place counted on the second page too

    assert beyond.status_code == 200 and "There are no more workshops open at the moment." in beyond.get_data(
        as_text=True)
    assert nonsense.status_code == 200 and _titles(nonsense) == _titles(first)  # an impossible page is the first


def test_the_public_list_leads_to_the_invitation_list(client, app):
    factories.programme(kind="workshops", slug="pds-workshops", name="Adoption England P&SD workshops")
    db.session.commit()
    page = client.get("/workshops/pds-workshops").get_data(as_text=True)
    assert 'href="/lists/pds-workshops/join"' in page
    assert client.get("/lists/pds-workshops/join").status_code == 200
