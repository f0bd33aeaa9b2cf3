"""The Manage page: facilitators and organisers reach their tools from the menu (issue 11, item 8)."""

from ep_events.accounts.models import Role
from ep_events.extensions import db
from ep_events.programmes.models import ProgrammeStatus
from tests import factories
from tests.conftest import sign_in


def _world():
    mtc = factories.surgery_programme(slug="mtc", name="MTC surgeries")
    other = factories.surgery_programme(slug="other", name="Other surgeries", status=ProgrammeStatus.DRAFT)
    network = factories.programme(slug="network", name="Network Days", kind="network_days")
    factories.surgery_date(mtc, days_ahead=20)
    people = {
        "facilitator": factories.user(roles=[(Role.FACILITATOR, mtc)]),
        "organiser": factories.user(roles=[(Role.ORGANISER, mtc), (Role.ORGANISER, other), (Role.ORGANISER, network)]),
        "practitioner": factories.user(),
        "admin": factories.admin(),
    }
    db.session.commit()
    return people


def test_facilitators_and_organisers_get_a_manage_menu_item_others_do_not(app):
    people = _world()
    for who, expected in (("facilitator", True), ("organiser", True), ("practitioner", False)):
        client = app.test_client()
        sign_in(client, people[who])
        home = client.get("/").get_data(as_text=True)
        assert ('href="/manage"' in home) is expected, who
    assert 'href="/manage"' not in app.test_client().get("/").get_data(as_text=True)


def test_a_facilitator_sees_their_programme_and_its_tools_but_not_settings(app):
    people = _world()
    client = app.test_client()
    sign_in(client, people["facilitator"])
    page = client.get("/manage").get_data(as_text=True)
    assert "Manage your programmes" in page and "MTC surgeries" in page
    assert "Other surgeries" not in page and "Network Days" not in page
    assert "You are: Facilitator" in page and "1 upcoming surgery date" in page
    assert 'href="/surgeries/mtc/manage"' in page and 'href="/surgeries/mtc/manage/dates/new"' in page
    assert 'href="/surgeries/mtc/settings"' not in page


def test_an_organiser_sees_each_programme_with_settings_and_drafts_marked(app):
    people = _world()
    client = app.test_client()
    sign_in(client, people["organiser"])
    page = client.get("/manage").get_data(as_text=True)
    assert page.index("MTC surgeries") < page.index("Network Days") < page.index("Other surgeries")
    assert 'href="/surgeries/mtc/settings"' in page and 'href="/surgeries/other/settings"' in page
    assert "Draft" in page
    assert "0 upcoming Network Days published" in page and 'href="/network-days/network"' in page


def test_the_manage_page_is_for_staff_only(app):
    people = _world()
    anonymous = app.test_client().get("/manage")
    assert anonymous.status_code == 302 and "/sign-in" in anonymous.headers["Location"]
    client = app.test_client()
    sign_in(client, people["practitioner"])
    assert client.get("/manage").status_code == 403
    admin = app.test_client()
    sign_in(admin, people["admin"])
    assert "Network Days" in admin.get("/manage").get_data(as_text=True)
