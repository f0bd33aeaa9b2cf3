"""Nobody can make the site mail one address, or mail from one IP address, more than a budget allows.

Every accounts form that queues an email shares the per-person and per-IP budgets of core/limits.py.
"""

import pytest
from sqlalchemy import func, select

from ep_events.extensions import db
from ep_events.notifications.models import OutboxMessage
from tests import factories
from tests.conftest import sign_in

SIGN_UP = {"name": "Sam Social-Worker", "job_title": "Adoption social worker", "organisation": "other",
           "organisation_other": "Somewhere Council", "password": "a-long-password"}


def _queued_to(address: str) -> int:
    return db.session.execute(select(func.count(OutboxMessage.id))
                              .where(OutboxMessage.recipient == address)).scalar_one()


def _sign_up(client, email, password=SIGN_UP["password"], **kw):
    return client.post("/sign-up", data={**SIGN_UP, "email": email, "password": password}, **kw)


def _forgot(client, email, **kw):
    return client.post("/forgot-password", data={"email": email}, **kw)


def _resend(client, email, **kw):
    return client.post("/sign-up/resend", data={"email": email}, **kw)


def _assert_too_many(response, wait="1 hour"):
    body = response.get_data(as_text=True)
    assert response.status_code == 429
    assert "Too many attempts" in body
    assert f"Wait {wait}, then try again." in body
    assert 'href="/forgot-password"' in body


@pytest.fixture
def small_budgets(app):
    app.config["EMAIL_LIMIT_PER_PERSON"] = "3 per hour; 5 per day"
    app.config["EMAIL_LIMIT_PER_IP"] = "4 per hour; 6 per day"
    # The forgot-password form's own older limits must not be what stops these tests.
    app.config["RESET_LIMIT_PER_ADDRESS"] = "100 per hour"


def test_signing_up_again_and_again_with_one_address_stops_after_the_budget(app, client, small_budgets):
    factories.user(email="victim@example.org")
    db.session.commit()
    for n in range(3):
        response = _sign_up(client, "victim@example.org", environ_base={"REMOTE_ADDR": f"198.51.100.{n + 1}"})
        assert response.status_code == 302
    assert _queued_to("victim@example.org") == 3
    _assert_too_many(_sign_up(client, "Victim@example.org", environ_base={"REMOTE_ADDR": "198.51.100.9"}))
    assert _queued_to("victim@example.org") == 3


@pytest.mark.parametrize("ask", [_sign_up, _forgot, _resend], ids=["sign-up", "forgot-password", "resend"])
def test_every_anonymous_form_that_sends_email_shares_one_budget_per_address(app, client, small_budgets, ask):
    factories.user(email="unconfirmed@example.org", confirmed=False)
    db.session.commit()
    # Two emails by other routes, then this one: the third fits, the fourth does not.
    assert _sign_up(client, "unconfirmed@example.org", environ_base={"REMOTE_ADDR": "198.51.100.1"}).status_code == 302
    assert _forgot(client, "unconfirmed@example.org", environ_base={"REMOTE_ADDR": "198.51.100.2"}).status_code == 200
    assert ask(client, "unconfirmed@example.org", environ_base={"REMOTE_ADDR": "198.51.100.3"}).status_code < 400
    assert _queued_to("unconfirmed@example.org") == 3
    _assert_too_many(ask(client, "unconfirmed@example.org", environ_base={"REMOTE_ADDR": "198.51.100.4"}))
    assert _queued_to("unconfirmed@example.org") == 3


def test_one_ip_address_cannot_mail_many_addresses_past_its_budget(app, client, small_budgets):
    addresses = [f"person{n}@example.org" for n in range(5)]
    for address in addresses[:4]:
        assert _sign_up(client, address).status_code == 302
    _assert_too_many(_sign_up(client, addresses[4]))
    _assert_too_many(_forgot(client, addresses[0]))
    assert _queued_to(addresses[4]) == 0
    assert db.session.execute(select(func.count(OutboxMessage.id))).scalar_one() == 4
    # Someone else, elsewhere, is not held up.
    assert _sign_up(client, addresses[4], environ_base={"REMOTE_ADDR": "203.0.113.7"}).status_code == 302


def test_the_daily_budget_holds_when_the_hourly_one_has_room_again(app, client, small_budgets):
    from datetime import timedelta

    from freezegun import freeze_time

    from ep_events.core.time import utcnow

    start = utcnow()
    sent = 0
    for hour in range(3):
        with freeze_time(start + timedelta(hours=hour, minutes=1)):
            for _ in range(2):
                response = _forgot(client, "daily@example.org", environ_base={"REMOTE_ADDR": f"198.51.100.{sent + 1}"})
                if response.status_code == 200:
                    sent += 1
                else:
                    # The hourly budget (3) has room each hour; the daily one (5) runs out in the third.
                    _assert_too_many(response, wait="24 hours")
    assert sent == 5


def test_changing_email_address_again_and_again_is_limited_per_account(app, client, small_budgets):
    user = factories.user(email="mover@example.org")
    db.session.commit()
    sign_in(client, user)
    for n in range(3):
        response = client.post("/account/email", data={"email": f"new{n}@example.org",
                                                        "password": factories.PASSWORD})
        assert response.status_code == 200
        assert "Check your new email address" in response.get_data(as_text=True)
    _assert_too_many(client.post("/account/email", data={"email": "new9@example.org",
                                                          "password": factories.PASSWORD}))
    assert _queued_to("new9@example.org") == 0


def test_a_form_with_mistakes_does_not_use_up_the_budget(app, client, small_budgets):
    for _ in range(5):
        assert _sign_up(client, "typo@example.org", password="short").status_code == 400
    assert _sign_up(client, "typo@example.org").status_code == 302
    assert _queued_to("typo@example.org") == 1
