import re

import pytest
from sqlalchemy import func, select

from ep_events.accounts.models import Role, User
from ep_events.core.audit import AuditEntry
from ep_events.extensions import db
from tests import factories
from tests.conftest import sign_in

NEW_PASSWORD = "a-brand-new-password"
ACCOUNT_PAGES = ("/account", "/account/password", "/account/delete")


def _fresh(user) -> User | None:
    db.session.expire_all()
    return db.session.get(User, user.id)


def _password_works(app, user, password) -> bool:
    response = app.test_client().post("/sign-in", data={"email": user.email, "password": password})
    return response.status_code == 302


def _user_count() -> int:
    return db.session.execute(select(func.count(User.id))).scalar_one()


@pytest.mark.parametrize("path", ACCOUNT_PAGES)
def test_account_pages_send_an_anonymous_visitor_to_sign_in(client, path):
    for method in (client.get, client.post):
        response = method(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/sign-in?next=")
    assert "Sign in to see this page." in client.get("/sign-in").get_data(as_text=True)


def test_account_page_shows_the_users_details(client, signed_in):
    organisation = factories.organisation(name="Riverton City Council")
    user = factories.user(name="Pat Practitioner", email="pat@example.org", job_title="Adoption social worker",
                          organisation=organisation)
    db.session.commit()
    body = signed_in(user).get("/account").get_data(as_text=True)
    assert "pat@example.org" in body
    assert 'value="Pat Practitioner"' in body
    assert 'value="Adoption social worker"' in body
    assert re.search(rf'<option value="{organisation.id}" selected>Riverton City Council</option>', body)


def test_user_changes_their_name_job_title_and_organisation(client, signed_in):
    organisation = factories.organisation(name="Trent Valley Adoption")
    user = factories.user(organisation_other="Somewhere Council")
    db.session.commit()
    response = signed_in(user).post("/account", data={
        "name": "  New Name ", "job_title": "Team manager", "organisation": str(organisation.id),
        "organisation_other": "ignored when one is chosen"})
    assert response.status_code == 302
    assert "Your details have been saved." in client.get("/account").get_data(as_text=True)
    saved = _fresh(user)
    assert (saved.name, saved.job_title, saved.organisation_id, saved.organisation_other) == (
        "New Name", "Team manager", organisation.id, "")


def test_user_whose_organisation_is_not_listed_names_it(client, signed_in):
    organisation = factories.organisation()
    user = factories.user(organisation=organisation)
    db.session.commit()
    response = signed_in(user).post("/account", data={
        "name": user.name, "job_title": user.job_title, "organisation": "other",
        "organisation_other": "Independent social worker"})
    assert response.status_code == 302
    saved = _fresh(user)
    assert saved.organisation is None
    assert saved.organisation_name == "Independent social worker"
    body = client.get("/account").get_data(as_text=True)
    assert '<option value="other" selected>' in body


def test_bad_profile_input_shows_the_error_summary_and_saves_nothing(client, signed_in):
    user = factories.user(name="Kept Name", job_title="Kept title", organisation_other="Kept Council")
    db.session.commit()
    response = signed_in(user).post("/account", data={
        "name": "", "job_title": "x" * 201, "organisation": "other", "organisation_other": ""})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in body
    assert "<title>Error: Your account – EP Events</title>" in body
    assert "Enter your full name" in body
    assert "Enter the name of your organisation" in body
    saved = _fresh(user)
    assert (saved.name, saved.job_title, saved.organisation_other) == ("Kept Name", "Kept title", "Kept Council")


def test_choosing_an_organisation_that_is_not_in_the_list_is_refused(client, signed_in):
    user = factories.user(organisation_other="Kept Council")
    db.session.commit()
    response = signed_in(user).post("/account", data={
        "name": user.name, "job_title": user.job_title, "organisation": "99999", "organisation_other": ""})
    assert response.status_code == 400
    assert "There is a problem" in response.get_data(as_text=True)
    assert _fresh(user).organisation_other == "Kept Council"


def test_wrong_current_password_is_refused_and_nothing_changes(app, client, signed_in):
    user = factories.user()
    db.session.commit()
    before = user.password_hash
    response = signed_in(user).post("/account/password", data={
        "current_password": "not-my-password", "new_password": NEW_PASSWORD})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in body
    assert "Your current password is not correct" in body
    assert _fresh(user).password_hash == before
    assert _password_works(app, user, factories.PASSWORD)


def test_too_short_new_password_is_refused_and_nothing_changes(client, signed_in):
    user = factories.user()
    db.session.commit()
    before = user.password_hash
    response = signed_in(user).post("/account/password", data={
        "current_password": factories.PASSWORD, "new_password": "short"})
    assert response.status_code == 400
    assert "Password must be 12 characters or more" in response.get_data(as_text=True)
    assert _fresh(user).password_hash == before


def test_changing_password_keeps_this_session_and_ends_the_others(app, client, signed_in):
    user = factories.user()
    db.session.commit()
    elsewhere = app.test_client()
    sign_in(elsewhere, user)

    response = signed_in(user).post("/account/password", data={
        "current_password": factories.PASSWORD, "new_password": NEW_PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/account"
    page = client.get("/account")
    assert page.status_code == 200
    assert "Your password has been changed." in page.get_data(as_text=True)

    assert elsewhere.get("/account").status_code == 302
    assert not _password_works(app, user, factories.PASSWORD)
    assert _password_works(app, user, NEW_PASSWORD)


def test_delete_needs_the_password_and_the_checkbox(client, signed_in):
    user = factories.user()
    db.session.commit()
    signed_in(user)
    wrong = client.post("/account/delete", data={"password": "not-my-password", "understood": "y"})
    assert wrong.status_code == 400
    assert "There is a problem" in wrong.get_data(as_text=True)
    assert "Your password is not correct" in wrong.get_data(as_text=True)

    unticked = client.post("/account/delete", data={"password": factories.PASSWORD})
    assert unticked.status_code == 400
    assert "Confirm you understand your account will be deleted" in unticked.get_data(as_text=True)

    assert _fresh(user) is not None
    assert client.get("/account").status_code == 200
    assert db.session.execute(select(AuditEntry)).scalars().all() == []


def test_deleting_an_account_removes_it_signs_out_and_is_audited(app, client, signed_in):
    factories.user(email="someone-else@example.org")
    user = factories.user(email="leaving@example.org", roles=[(Role.ORGANISER, factories.programme())])
    db.session.commit()
    user_id = user.id
    response = signed_in(user).post("/account/delete", data={"password": factories.PASSWORD, "understood": "y"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    home = client.get("/").get_data(as_text=True)
    assert "Your account has been deleted." in home
    assert 'action="/sign-out"' not in home
    assert client.get("/account").status_code == 302

    db.session.expire_all()
    assert db.session.get(User, user_id) is None
    assert _user_count() == 1
    assert not _password_works(app, user, factories.PASSWORD)
    entry = db.session.execute(select(AuditEntry)).scalar_one()
    assert entry.action == "user.delete_self"
    # Recorded, but no longer naming the person (tests/accounts/test_account_deletion.py has the rest).
    assert entry.actor_email == f"deleted user #{user_id}"
    assert entry.summary == f"deleted user #{user_id} deleted their account"


def test_a_deleted_accounts_reset_link_does_not_work_for_whoever_signs_up_next(app, client, signed_in, deliver):
    leaver = factories.user(email="leaver@example.org")
    db.session.commit()
    client.post("/forgot-password", data={"email": "leaver@example.org"})
    link = re.search(r"http://localhost(/reset-password/\S+)", deliver()[0].text).group(1)
    signed_in(leaver).post("/account/delete", data={"password": factories.PASSWORD, "understood": "y"})

    client.post("/sign-up", data={"name": "New Person", "email": "newcomer@example.org", "job_title": "Manager",
                                  "organisation": "other", "organisation_other": "Somewhere Council",
                                  "password": "newcomers-password"})
    newcomer = db.session.execute(select(User)).scalar_one()

    response = client.post(link, data={"password": "taken-over-password", "confirm": "taken-over-password"})
    assert response.status_code == 400
    assert "This link cannot be used" in response.get_data(as_text=True)
    assert not _password_works(app, newcomer, "taken-over-password")


def test_the_only_site_admin_cannot_delete_their_account(client, signed_in):
    admin = factories.admin()
    db.session.commit()
    response = signed_in(admin).post("/account/delete", data={"password": factories.PASSWORD, "understood": "y"})
    assert response.status_code == 400
    assert "You are the only site admin" in response.get_data(as_text=True)
    assert _fresh(admin) is not None
    assert client.get("/admin/").status_code == 200


def test_a_site_admin_can_delete_their_account_when_another_admin_remains(client, signed_in):
    admin = factories.admin()
    other = factories.admin()
    db.session.commit()
    response = signed_in(admin).post("/account/delete", data={"password": factories.PASSWORD, "understood": "y"})
    assert response.status_code == 302
    assert _fresh(admin) is None
    assert _fresh(other).is_admin
