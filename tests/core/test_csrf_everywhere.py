"""Every POST route of the site, enumerated from the URL map, refuses a request without a CSRF token, whoever
sends it (nobody, or a signed-in site admin), before anything else happens; nothing is saved."""

import re

import pytest
from sqlalchemy import inspect, text
from werkzeug.routing import IntegerConverter

from ep_events.accounts.models import Role
from ep_events.extensions import db
from tests import factories

# Exempt by design, each with its reason and its own test.
EXEMPT = {
    # RFC 8058 one-click unsubscribe: mail clients POST without cookies; a signed token is the authority
    # (tests/invitations).
    "invitations.unsubscribe",
}


def _post_paths(app) -> list[tuple[str, str]]:
    paths = []
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.endpoint in EXEMPT or rule.endpoint == "static":
            continue
        # Any id will do: the token is checked before the route looks anything up.
        values = {name: "1" if isinstance(converter, IntegerConverter) else "x"
                  for name, converter in rule._converters.items()}
        paths.append((rule.endpoint, rule.build(values, append_unknown=False)[1]))
    return sorted(paths)


def _row_counts() -> dict[str, int]:
    names = inspect(db.engine).get_table_names()
    return {name: db.session.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one() for name in names}


@pytest.fixture
def csrf_app(app):
    app.config["WTF_CSRF_ENABLED"] = True
    return app


def _signed_in_admin(client, admin) -> None:
    form = client.get("/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
    response = client.post("/sign-in", data={"email": admin.email, "password": factories.PASSWORD,
                                             "csrf_token": token})
    assert response.status_code == 302


def test_the_enumeration_finds_the_post_routes_of_every_part_of_the_site(csrf_app):
    endpoints = {endpoint.split(".")[0] for endpoint, _ in _post_paths(csrf_app)}
    assert {"accounts", "surgeries", "network_days", "workshops", "billing", "invitations", "messages"} <= endpoints
    assert len(_post_paths(csrf_app)) > 60


@pytest.mark.parametrize("who", ["anonymous", "admin"])
def test_every_post_without_a_csrf_token_is_refused_and_changes_nothing(csrf_app, who):
    admin = factories.user(email="admin@example.org", roles=[(Role.ADMIN, None)])
    db.session.commit()
    client = csrf_app.test_client()
    if who == "admin":
        _signed_in_admin(client, admin)
    before = _row_counts()
    accepted = []
    for endpoint, path in _post_paths(csrf_app):
        response = client.post(path, data={"anything": "x"})
        if response.status_code != 400 or "This form has expired" not in response.get_data(as_text=True):
            accepted.append((endpoint, path, response.status_code))
    assert accepted == []
    db.session.expire_all()
    assert _row_counts() == before
