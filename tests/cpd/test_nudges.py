"""Renewal reminders: from 1 September and again from 1 November to whoever is short of the requirement;
run twice they send once; nobody who opted out or is already complete is reminded."""

from datetime import UTC, date, datetime

import pytest
from freezegun import freeze_time

from ep_events.cpd.drafts import draft_own_records
from ep_events.cpd.nudges import send_cpd_nudges
from ep_events.cpd.records import RecordAnswers, save_record
from ep_events.extensions import db
from tests import factories
from tests.cpd.conftest import build_world

COMPLETE = RecordAnswers(cpd_type="Conference", title="A conference", activity_date=date(2027, 1, 20),
                         description="d", learning="l", impact="i")
PEER = RecordAnswers(**{**COMPLETE.__dict__, "title": "With a peer", "has_peer_reflection": True,
                        "peer_role": "Team manager", "peer_learning": "p"})


def test_nothing_is_sent_before_1_september(world, mail):
    draft_own_records(world.pat)
    db.session.commit()
    with freeze_time(datetime(2027, 8, 31, 22, 59, tzinfo=UTC)):  # 11:59pm on 31 August, UK time
        assert send_cpd_nudges() == 0


def test_from_1_september_one_reminder_to_whoever_is_short_and_run_twice_it_sends_once(world, mail):
    dana = factories.user(email="dana@example.org", name="Dana Done")
    olly = factories.user(email="olly@example.org", name="Olly Optout", cpd_emails=False)
    save_record(dana, None, COMPLETE, complete=True)
    save_record(dana, None, PEER, complete=True)
    save_record(olly, None, RecordAnswers(title="Olly's draft"))
    draft_own_records(world.pat)
    db.session.commit()
    with freeze_time(datetime(2027, 8, 31, 23, 30, tzinfo=UTC)):  # 12:30am on 1 September, UK time
        assert send_cpd_nudges() == 1
        assert send_cpd_nudges() == 0
        messages = mail()
    assert [m.recipients for m in messages] == [["pat@example.org"]]
    assert "0 of 2 records, 0 with peer reflection" in messages[0].text
    assert "/cpd/2027" in messages[0].text
    with freeze_time(datetime(2027, 10, 31, 12, tzinfo=UTC)):
        assert send_cpd_nudges() == 0
    with freeze_time(datetime(2027, 11, 1, 9, tzinfo=UTC)):
        assert send_cpd_nudges() == 1
        assert send_cpd_nudges() == 0
        assert [m.recipients for m in mail()] == [["pat@example.org"]]


def test_no_november_reminder_once_the_year_is_complete(world, mail):
    save_record(world.pat, None, COMPLETE, complete=True)
    db.session.commit()
    with freeze_time(datetime(2027, 9, 2, tzinfo=UTC)):
        assert send_cpd_nudges() == 1
        save_record(world.pat, None, PEER, complete=True)
        db.session.commit()
    with freeze_time(datetime(2027, 11, 2, tzinfo=UTC)):
        assert send_cpd_nudges() == 0
        mail()


def test_the_commands_draft_and_remind_once(app, world, mail):
    runner = app.test_cli_runner()
    with freeze_time(datetime(2027, 9, 1, 8, tzinfo=UTC)):
        first = runner.invoke(args=["send-cpd-nudges"])
        again = runner.invoke(args=["send-cpd-nudges"])
        assert runner.invoke(args=["create-cpd-drafts"]).output == "CPD drafts created: 0\n"
        messages = mail()
    assert first.output == "CPD drafts created: 2\nCPD reminders queued: 2\n"
    assert again.output == "CPD drafts created: 0\nCPD reminders queued: 0\n"
    # The attendance was six months before: drafts, but no draft emails; one reminder each.
    assert sorted(m.recipients[0] for m in messages) == ["pat@example.org", "sam@example.org"]
    assert all("renewal" in m.subject for m in messages)


@pytest.mark.postgres
def test_reminders_send_once_on_postgresql(pg_app, mailbox):
    world = build_world()
    save_record(world.pat, None, COMPLETE, complete=True)
    db.session.commit()
    with freeze_time(datetime(2027, 9, 2, tzinfo=UTC)):
        assert send_cpd_nudges() == 1
        assert send_cpd_nudges() == 0
