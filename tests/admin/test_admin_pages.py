import re

import pytest
from sqlalchemy import func, select

from ep_events.accounts.models import Grant, Role, User
from ep_events.core.audit import AuditEntry
from ep_events.extensions import db
from ep_events.notifications.models import OutboxMessage, OutboxStatus
from ep_events.notifications.outbox import queue_email
from ep_events.organisations.models import Organisation, OrganisationKind
from ep_events.programmes.models import Programme
from tests import factories
from tests.conftest import sign_in


def _count(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def _audit(action: str | None = None) -> list[AuditEntry]:
    db.session.expire_all()
    query = select(AuditEntry).order_by(AuditEntry.id)
    if action:
        query = query.where(AuditEntry.action == action)
    return list(db.session.execute(query).scalars())


def _failed_message(recipient="bounced@example.org") -> OutboxMessage:
    message = queue_email(recipient, "accounts/reset_password", user=User(name="Bo Bounced"),
                          reset_url="http://localhost/reset-password/x", hours=2)
    message.status = OutboxStatus.FAILED
    message.attempts = 6
    message.last_error = "SMTPRecipientsRefused: 550 mailbox unavailable"
    db.session.flush()
    return message


@pytest.fixture
def records(app):
    """One of each thing the admin pages show, so every URL has something to point at."""
    organisation = factories.organisation(name="Riverton City Council")
    programme = factories.programme(name="MTC practice surgeries", slug="mtc-surgeries")
    person = factories.user(email="person@example.org", roles=[(Role.FACILITATOR, programme)])
    message = _failed_message()
    db.session.commit()
    return {"organisation": organisation, "programme": programme, "user": person, "grant": person.grants[0],
            "message": message}


def _admin_urls(records) -> list[tuple[str, str]]:
    o, p, u = records["organisation"].id, records["programme"].id, records["user"].id
    gets = ["/admin/", "/admin/organisations", "/admin/organisations/new", f"/admin/organisations/{o}",
            "/admin/programmes", "/admin/programmes/new", f"/admin/programmes/{p}", "/admin/users",
            f"/admin/users/{u}", "/admin/audit", "/admin/outbox"]
    posts = ["/admin/organisations/new", f"/admin/organisations/{o}", "/admin/programmes/new",
             f"/admin/programmes/{p}", f"/admin/users/{u}", f"/admin/users/{u}/grants",
             f"/admin/grants/{records['grant'].id}/remove", f"/admin/outbox/{records['message'].id}/resend"]
    return [("GET", url) for url in gets] + [("POST", url) for url in posts]


# Everything a non-admin might try to post, so a refusal that still saved something would show.
HOSTILE_FORM = {"name": "Hijacked", "kind": "other", "region": "London", "slug": "hijacked",
                "contact_email": "hijack@example.org", "job_title": "Hijacker", "organisation": "other",
                "organisation_other": "Hijack Ltd", "confirmed": "y", "grant-role": "admin"}


@pytest.fixture
def admin_client(client):
    admin = factories.admin(email="admin@example.org", name="Alex Admin")
    db.session.commit()
    sign_in(client, admin)
    client.admin = admin
    return client


# --- Who may see the admin pages ------------------------------------------------------------------

def test_every_admin_page_sends_an_anonymous_visitor_to_sign_in(client, records):
    for method, url in _admin_urls(records):
        response = client.open(url, method=method, data=HOSTILE_FORM if method == "POST" else None)
        assert response.status_code == 302, (method, url)
        assert response.headers["Location"].startswith("/sign-in?next="), (method, url)


def _non_admin(kind: str, programme, organisation) -> User:
    roles = {"practitioner": [], "organiser": [(Role.ORGANISER, programme)],
             "facilitator": [(Role.FACILITATOR, programme)],
             "agency admin": [(Role.AGENCY_ADMIN, organisation)]}[kind]
    return factories.user(roles=roles, email=f"{kind.replace(' ', '-')}@example.org")


@pytest.mark.parametrize("kind", ["practitioner", "organiser", "facilitator", "agency admin"])
def test_every_admin_page_is_forbidden_to_anyone_who_is_not_a_site_admin(client, records, kind):
    user = _non_admin(kind, records["programme"], records["organisation"])
    db.session.commit()
    sign_in(client, user)
    before = [_count(m) for m in (Organisation, Programme, User, Grant, AuditEntry)]
    for method, url in _admin_urls(records):
        response = client.open(url, method=method, data=HOSTILE_FORM if method == "POST" else None)
        assert response.status_code == 403, (kind, method, url)
        assert "You do not have permission to see this page" in response.get_data(as_text=True)
    db.session.expire_all()
    assert [_count(m) for m in (Organisation, Programme, User, Grant, AuditEntry)] == before
    assert db.session.get(OutboxMessage, records["message"].id).status is OutboxStatus.FAILED
    assert db.session.get(Organisation, records["organisation"].id).name == "Riverton City Council"
    assert not db.session.get(User, user.id).is_admin
    assert "Admin" not in re.findall(r'govuk-service-navigation__link"[^>]*>\s*([^<]+?)\s*<',
                                     client.get("/").get_data(as_text=True))


def test_every_admin_page_opens_for_a_site_admin(admin_client, records):
    for method, url in _admin_urls(records):
        if method == "GET":
            assert admin_client.get(url).status_code == 200, url
    body = admin_client.get("/").get_data(as_text=True)
    assert 'href="/admin/"' in body


def test_unknown_records_are_404(admin_client):
    for url in ("/admin/organisations/999", "/admin/programmes/999", "/admin/users/999"):
        assert admin_client.get(url).status_code == 404, url
    assert admin_client.post("/admin/grants/999/remove").status_code == 404
    assert admin_client.post("/admin/outbox/999/resend").status_code == 404


# --- Organisations --------------------------------------------------------------------------------

def test_admin_adds_an_organisation_and_it_is_audited(admin_client):
    response = admin_client.post("/admin/organisations/new", data={
        "name": " Northshire County Council ", "kind": "local_authority", "region": "East Midlands"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/organisations"
    listing = admin_client.get("/admin/organisations").get_data(as_text=True)
    assert "Organisation ‘Northshire County Council’ saved." in listing
    organisation = db.session.execute(select(Organisation)).scalar_one()
    assert (organisation.name, organisation.kind, organisation.region) == (
        "Northshire County Council", OrganisationKind.LOCAL_AUTHORITY, "East Midlands")
    assert f'<a class="govuk-link" href="/admin/organisations/{organisation.id}">Northshire County Council</a>' \
        in listing

    [entry] = _audit("organisation.create")
    assert entry.actor_email == "admin@example.org"
    assert (entry.target_type, entry.target_id) == ("Organisation", organisation.id)
    assert entry.before is None
    assert entry.after == {"name": "Northshire County Council", "kind": "local_authority", "region": "East Midlands"}


def test_admin_edits_an_organisation_and_the_audit_keeps_before_and_after(admin_client):
    organisation = factories.organisation(name="Old Name Council", kind=OrganisationKind.LOCAL_AUTHORITY,
                                          region="London")
    db.session.commit()
    page = admin_client.get(f"/admin/organisations/{organisation.id}").get_data(as_text=True)
    assert 'value="Old Name Council"' in page
    response = admin_client.post(f"/admin/organisations/{organisation.id}", data={
        "name": "New Name Council", "kind": "local_authority", "region": "South East"})
    assert response.status_code == 302
    db.session.expire_all()
    assert (organisation.name, organisation.region) == ("New Name Council", "South East")
    [entry] = _audit("organisation.update")
    assert entry.before == {"name": "Old Name Council", "kind": "local_authority", "region": "London"}
    assert entry.after == {"name": "New Name Council", "kind": "local_authority", "region": "South East"}


def test_duplicate_organisation_name_is_refused_and_nothing_is_saved(admin_client):
    factories.organisation(name="Riverton City Council")
    other = factories.organisation(name="Southvale Borough Council")
    db.session.commit()

    response = admin_client.post("/admin/organisations/new", data={
        "name": "riverton city council", "kind": "local_authority", "region": "London"})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in body
    assert "An organisation with that name already exists" in body
    assert _count(Organisation) == 2

    response = admin_client.post(f"/admin/organisations/{other.id}", data={
        "name": "Riverton City Council", "kind": "local_authority", "region": "London"})
    assert response.status_code == 400
    assert "An organisation with that name already exists" in response.get_data(as_text=True)
    db.session.expire_all()
    assert other.name == "Southvale Borough Council"
    assert _audit() == []


def test_organisation_form_with_nothing_filled_in_shows_every_problem(admin_client):
    response = admin_client.post("/admin/organisations/new", data={})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "<title>Error: Add an organisation – EP Events</title>" in body
    for message in ("Enter the organisation&#39;s name", "Choose the kind of organisation", "Choose the region"):
        assert message in body
    assert _count(Organisation) == 0


# --- Programmes -----------------------------------------------------------------------------------

# Only the kinds this site runs (ep_events/kinds.py) can be chosen: Network Days are not one yet.
PROGRAMME_FORM = {"name": "Coram Early Permanence Network Days", "slug": "coram-network", "kind": "practice_surgeries",
                  "contact_email": "EP-Network@Example.org", "description": "Three Network Days a year."}


def test_admin_adds_a_programme_and_it_is_audited(admin_client):
    response = admin_client.post("/admin/programmes/new", data=PROGRAMME_FORM)
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/programmes"
    listing = admin_client.get("/admin/programmes").get_data(as_text=True)
    assert "Programme ‘Coram Early Permanence Network Days’ saved." in listing
    programme = db.session.execute(select(Programme)).scalar_one()
    assert (programme.slug, programme.kind, programme.contact_email) == (
        "coram-network", "practice_surgeries", "ep-network@example.org")
    assert f'href="/admin/programmes/{programme.id}">Coram Early Permanence Network Days</a>' in listing
    [entry] = _audit("programme.create")
    assert entry.after["slug"] == "coram-network"
    assert entry.before is None


def test_a_kind_of_programme_the_site_does_not_run_cannot_be_chosen(admin_client):
    response = admin_client.post("/admin/programmes/new", data=PROGRAMME_FORM | {"kind": "cpd_courses"})
    assert response.status_code == 400
    assert "govuk-error-summary" in response.get_data(as_text=True)
    assert db.session.execute(select(Programme)).first() is None


def test_admin_edits_a_programme_and_the_audit_keeps_before_and_after(admin_client):
    programme = factories.programme(name="Workshops", slug="ae-workshops", kind="workshops")
    db.session.commit()
    page = admin_client.get(f"/admin/programmes/{programme.id}").get_data(as_text=True)
    assert 'value="ae-workshops"' in page
    response = admin_client.post(f"/admin/programmes/{programme.id}", data={
        "name": "EP practice workshops", "slug": "ae-workshops", "kind": "workshops",
        "contact_email": "ep-workshops@example.org", "description": "Free virtual workshops."})
    assert response.status_code == 302
    db.session.expire_all()
    assert programme.name == "EP practice workshops"
    [entry] = _audit("programme.update")
    assert entry.before["name"] == "Workshops"
    assert entry.after["name"] == "EP practice workshops"
    assert entry.after["description"] == "Free virtual workshops."


@pytest.mark.parametrize("slug, message", [
    ("Not A Slug!", "Slug must use only lower-case letters, numbers and hyphens"),
    ("-leading-hyphen", "Slug must use only lower-case letters, numbers and hyphens"),
    ("mtc-surgeries", "A programme with that slug already exists"),
])
def test_bad_or_duplicate_slug_is_refused_and_nothing_is_saved(admin_client, slug, message):
    factories.programme(slug="mtc-surgeries")
    db.session.commit()
    response = admin_client.post("/admin/programmes/new", data=PROGRAMME_FORM | {"slug": slug})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in body
    assert message in body
    assert _count(Programme) == 1
    assert _audit() == []


def test_changing_a_programmes_slug_to_another_programmes_is_refused(admin_client):
    factories.programme(slug="mtc-surgeries")
    programme = factories.programme(slug="coram-network")
    db.session.commit()
    response = admin_client.post(f"/admin/programmes/{programme.id}", data=PROGRAMME_FORM | {"slug": "mtc-surgeries"})
    assert response.status_code == 400
    assert "A programme with that slug already exists" in response.get_data(as_text=True)
    db.session.expire_all()
    assert programme.slug == "coram-network"
    assert _audit() == []


# --- Users ----------------------------------------------------------------------------------------

def test_admin_finds_users_by_name_or_email(admin_client):
    factories.user(name="Pat Practitioner", email="pat@example.org")
    factories.user(name="Fran Facilitator", email="fran@example.org")
    db.session.commit()
    body = admin_client.get("/admin/users", query_string={"q": "PAT"}).get_data(as_text=True)
    assert "Pat Practitioner" in body
    assert "Fran Facilitator" not in body
    assert "1 user" in body
    assert "fran@example.org" in admin_client.get("/admin/users?q=fran@").get_data(as_text=True)


def test_admin_edits_a_users_details_and_it_is_audited(admin_client):
    organisation = factories.organisation(name="Trent Valley Adoption")
    person = factories.user(name="Sam Smith", job_title="Social worker", organisation_other="Old Council")
    db.session.commit()
    page = admin_client.get(f"/admin/users/{person.id}").get_data(as_text=True)
    assert 'value="Sam Smith"' in page
    assert '<option value="other" selected>' in page

    response = admin_client.post(f"/admin/users/{person.id}", data={
        "name": "Sam Smith-Jones", "job_title": "Senior social worker", "organisation": str(organisation.id),
        "organisation_other": "", "confirmed": "y"})
    assert response.status_code == 302
    assert "Sam Smith-Jones&#39;s details saved." in admin_client.get(f"/admin/users/{person.id}").get_data(
        as_text=True)
    db.session.expire_all()
    assert (person.name, person.job_title, person.organisation_id, person.organisation_other) == (
        "Sam Smith-Jones", "Senior social worker", organisation.id, "")
    [entry] = _audit("user.update")
    assert entry.before == {"name": "Sam Smith", "job_title": "Social worker", "organisation_id": None,
                            "organisation_other": "Old Council", "confirmed": True}
    assert entry.after == {"name": "Sam Smith-Jones", "job_title": "Senior social worker",
                           "organisation_id": organisation.id, "organisation_other": "", "confirmed": True}


def test_bad_user_details_are_refused_and_nothing_is_saved(admin_client):
    person = factories.user(name="Kept Name")
    db.session.commit()
    response = admin_client.post(f"/admin/users/{person.id}", data={
        "name": "", "job_title": "Anything", "organisation": "other", "organisation_other": ""})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in body
    assert "Enter your full name" in body
    db.session.expire_all()
    assert person.name == "Kept Name"
    assert _audit() == []


# --- Grants ---------------------------------------------------------------------------------------

def _grant(client, user, role, programme=None, organisation=None):
    return client.post(f"/admin/users/{user.id}/grants", data={
        "grant-role": role, "grant-programme": str(programme.id) if programme else "",
        "grant-organisation": str(organisation.id) if organisation else ""})


def test_admin_gives_each_kind_of_role_and_the_user_then_has_it(admin_client):
    mtc = factories.programme(name="MTC")
    coram = factories.programme(name="Coram")
    agency = factories.organisation(name="Adoption Central Midlands")
    other_agency = factories.organisation()
    person = factories.user(email="person@example.org")
    db.session.commit()

    assert _grant(admin_client, person, "organiser", programme=mtc).status_code == 302
    assert _grant(admin_client, person, "facilitator", programme=coram).status_code == 302
    assert _grant(admin_client, person, "agency_admin", organisation=agency).status_code == 302
    db.session.expire_all()
    assert person.has_role(Role.ORGANISER, programme=mtc)
    assert not person.has_role(Role.ORGANISER, programme=coram)
    assert person.has_role(Role.FACILITATOR, programme=coram)
    assert not person.has_role(Role.FACILITATOR, programme=mtc)
    assert person.has_role(Role.AGENCY_ADMIN, organisation=agency)
    assert not person.has_role(Role.AGENCY_ADMIN, organisation=other_agency)
    assert not person.is_admin

    # A programme chosen with the site admin role is ignored: the role is for the whole site.
    assert _grant(admin_client, person, "admin", programme=mtc).status_code == 302
    db.session.expire_all()
    assert person.is_admin
    admin_grant = next(g for g in person.grants if g.role is Role.ADMIN)
    assert admin_grant.programme is None

    page = admin_client.get(f"/admin/users/{person.id}").get_data(as_text=True)
    assert "Role added for" in page
    for text in ("Organiser", "Facilitator", "Agency admin", "Site admin", "Whole site",
                 "Adoption Central Midlands"):
        assert text in page

    entries = _audit("grant.add")
    assert [e.after["role"] for e in entries] == ["organiser", "facilitator", "agency_admin", "admin"]
    assert entries[0].after == {"role": "organiser", "scope": "MTC"}
    assert all(e.target_id == person.id and e.actor_email == "admin@example.org" for e in entries)


def test_organiser_role_without_a_programme_is_refused_and_nothing_is_saved(admin_client):
    person = factories.user(name="Pat Practitioner")
    db.session.commit()
    response = _grant(admin_client, person, "organiser")
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "<title>Error: Pat Practitioner – EP Events</title>" in body
    assert "There is a problem" in body
    assert '<a href="#grant-programme">Choose the programme this organiser works on</a>' in body
    assert _count(Grant) == 1  # the admin's own
    assert _audit() == []


def test_agency_admin_role_without_an_organisation_is_refused(admin_client):
    person = factories.user()
    db.session.commit()
    response = _grant(admin_client, person, "agency_admin", programme=factories.programme())
    assert response.status_code == 400
    assert "Choose the organisation this agency admin looks after" in response.get_data(as_text=True)
    assert _count(Grant) == 1


def test_role_form_with_no_role_chosen_is_refused(admin_client):
    person = factories.user()
    db.session.commit()
    response = admin_client.post(f"/admin/users/{person.id}/grants", data={})
    assert response.status_code == 400
    assert "Choose a role" in response.get_data(as_text=True)
    assert _count(Grant) == 1


def test_a_refused_role_keeps_the_users_saved_details_on_the_page(admin_client):
    organisation = factories.organisation(name="Marches Together Adoption")
    confirmed = factories.user(name="Cam Confirmed", organisation=organisation)
    other = factories.user(organisation_other="Independent practice")
    db.session.commit()
    body = _grant(admin_client, confirmed, "organiser", organisation=factories.organisation()).get_data(as_text=True)
    assert re.search(r'<input[^>]*name="confirmed"[^>]*checked', body)
    assert f'<option value="{organisation.id}" selected>Marches Together Adoption</option>' in body
    body = _grant(admin_client, other, "organiser").get_data(as_text=True)
    assert '<option value="other" selected>' in body
    assert 'value="Independent practice"' in body


def test_the_same_role_twice_is_refused(admin_client):
    programme = factories.programme()
    person = factories.user(name="Dee Duplicate", roles=[(Role.FACILITATOR, programme)])
    db.session.commit()
    response = _grant(admin_client, person, "facilitator", programme=programme)
    assert response.status_code == 400
    assert "Dee Duplicate already has that role" in response.get_data(as_text=True)
    assert len(db.session.execute(select(Grant).where(Grant.user_id == person.id)).scalars().all()) == 1
    # The same role on another programme is a different grant.
    assert _grant(admin_client, person, "facilitator", programme=factories.programme()).status_code == 302


def test_admin_removes_a_role_and_it_is_audited(admin_client):
    programme = factories.programme(name="MTC")
    person = factories.user(roles=[(Role.ORGANISER, programme)])
    db.session.commit()
    grant_id = person.grants[0].id
    response = admin_client.post(f"/admin/grants/{grant_id}/remove")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/users/{person.id}"
    assert "Role removed from" in admin_client.get(f"/admin/users/{person.id}").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Grant, grant_id) is None
    assert not person.has_role(Role.ORGANISER, programme=programme)
    [entry] = _audit("grant.remove")
    assert entry.before == {"role": "organiser", "scope": "MTC"}
    assert entry.target_id == person.id


def test_an_admin_cannot_remove_their_own_admin_role(admin_client):
    own = admin_client.admin.grants[0]
    response = admin_client.post(f"/admin/grants/{own.id}/remove")
    assert response.status_code == 302
    page = admin_client.get(f"/admin/users/{admin_client.admin.id}").get_data(as_text=True)
    assert "You cannot remove your own admin role" in page
    db.session.expire_all()
    assert db.session.get(Grant, own.id) is not None
    assert admin_client.get("/admin/").status_code == 200
    assert _audit() == []


def test_an_admin_can_remove_another_admins_admin_role(admin_client):
    other = factories.admin()
    db.session.commit()
    assert admin_client.post(f"/admin/grants/{other.grants[0].id}/remove").status_code == 302
    db.session.expire_all()
    assert not other.is_admin


# --- Audit log ------------------------------------------------------------------------------------

def test_audit_log_lists_admin_actions_and_filters_by_action_record_and_actor(app, admin_client):
    second = factories.admin(email="second-admin@example.org")
    db.session.commit()
    admin_client.post("/admin/organisations/new", data={"name": "Heart of England Adoption",
                                                        "kind": "regional_adoption_agency",
                                                        "region": "West Midlands"})
    admin_client.post("/admin/programmes/new", data=PROGRAMME_FORM)
    other_client = app.test_client()
    sign_in(other_client, second)
    other_client.post("/admin/organisations/new", data={"name": "Forest and Peaks Adoption Charity",
                                                        "kind": "voluntary_adoption_agency",
                                                        "region": "East Midlands"})

    everything = admin_client.get("/admin/audit").get_data(as_text=True)
    assert "3 entries" in everything
    for text in ("Created Heart of England Adoption", "Created Coram Early Permanence Network Days",
                 "Created Forest and Peaks Adoption Charity", "second-admin@example.org",
                 "<li>Region: West Midlands</li>", "Added an organisation"):
        assert text in everything

    by_action = admin_client.get("/admin/audit?action=programme.create").get_data(as_text=True)
    assert "1 entry" in by_action
    assert "Created Coram Early Permanence Network Days" in by_action
    assert "Created Heart of England Adoption" not in by_action
    assert '<option value="programme.create" selected>' in by_action

    by_record = admin_client.get("/admin/audit?target=Organisation").get_data(as_text=True)
    assert "2 entries" in by_record
    assert "Created Coram Early Permanence Network Days" not in by_record

    by_actor = admin_client.get("/admin/audit?actor=SECOND-admin").get_data(as_text=True)
    assert "1 entry" in by_actor
    assert "Created Forest and Peaks Adoption Charity" in by_actor
    assert 'value="SECOND-admin"' in by_actor

    nothing = admin_client.get("/admin/audit?action=organisation.create&actor=nobody@example.org")
    assert "No entries match." in nothing.get_data(as_text=True)


# --- Outbox ---------------------------------------------------------------------------------------

def test_outbox_lists_failed_messages_and_resend_sends_them_again(admin_client, deliver):
    message = _failed_message("bounced@example.org")
    db.session.commit()

    page = admin_client.get("/admin/outbox?status=failed").get_data(as_text=True)
    assert "bounced@example.org" in page
    assert "SMTPRecipientsRefused: 550 mailbox unavailable" in page
    assert f'action="/admin/outbox/{message.id}/resend"' in page
    assert "No messages." in admin_client.get("/admin/outbox?status=sent").get_data(as_text=True)

    response = admin_client.post(f"/admin/outbox/{message.id}/resend")
    assert response.status_code == 302
    assert "will be sent again" in admin_client.get("/admin/outbox").get_data(as_text=True)
    db.session.expire_all()
    assert message.status is OutboxStatus.PENDING
    assert message.attempts == 0
    [entry] = _audit("outbox.resend")
    assert (entry.target_type, entry.target_id, entry.actor_email) == (
        "OutboxMessage", message.id, "admin@example.org")

    delivered = deliver()
    assert [m.recipients for m in delivered] == [["bounced@example.org"]]
    assert delivered[0].message["Message-ID"] == message.message_id
    db.session.expire_all()
    assert message.status is OutboxStatus.SENT


def test_a_message_already_sent_is_not_sent_again_from_a_stale_outbox_page(admin_client, deliver):
    message = _failed_message()
    message.status = OutboxStatus.SENT
    db.session.commit()
    response = admin_client.post(f"/admin/outbox/{message.id}/resend")
    assert response.status_code == 302
    assert "has not failed" in admin_client.get("/admin/outbox").get_data(as_text=True)
    db.session.expire_all()
    assert message.status is OutboxStatus.SENT
    assert deliver() == []
    assert _audit() == []


def test_names_in_admin_tables_are_shown_as_text_not_markup(admin_client):
    organisation = factories.organisation(name="Smith & <b>Sons</b> Adoption")
    factories.programme(name="<i>Italic</i> programme")
    factories.user(name="<script>alert(1)</script>")
    db.session.commit()
    body = admin_client.get("/admin/organisations").get_data(as_text=True)
    assert (f'<a class="govuk-link" href="/admin/organisations/{organisation.id}">'
            "Smith &amp; &lt;b&gt;Sons&lt;/b&gt; Adoption</a>") in body
    assert "&lt;i&gt;Italic&lt;/i&gt; programme</a>" in admin_client.get("/admin/programmes").get_data(as_text=True)
    users = admin_client.get("/admin/users").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in users
    assert "&lt;script&gt;alert(1)&lt;/script&gt;</a>" in users
