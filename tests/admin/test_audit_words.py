"""The audit log reads in plain words, keeps the codes for its filters (issue 11, item 12)."""

from ep_events.core.audit import record_audit
from ep_events.extensions import db
from tests import factories
from tests.conftest import sign_in

LONG_TEAMS_URL = ("https://teams.microsoft.com/l/meetup-join/19%3ameeting_" + "Z" * 180
                  + "%40thread.v2/0?context=%7b%22Tid%22%3a%22abc%22%7d")


def test_actions_and_fields_read_as_words_and_filters_keep_the_codes(client):
    admin = factories.admin()
    programme = factories.surgery_programme(name="MTC surgeries")
    record_audit(admin, "surgery.slot.cancel", programme, "Cancelled slot Tuesday 9:30am", after={"booking": None})
    record_audit(admin, "surgery.date.publish", programme, "Published a date",
                 after={"teams_url": LONG_TEAMS_URL, "teams_problem": None})
    db.session.commit()
    sign_in(client, admin)
    page = client.get("/admin/audit").get_data(as_text=True)
    for words in ("Cancelled a slot", "Published a surgery date", "Teams joining link: " + LONG_TEAMS_URL,
                  "Teams problem: none", "Booking: none"):
        assert words in page, words
    assert "surgery.slot.cancel</td>" not in page and "teams_problem" not in page
    assert '<option value="surgery.slot.cancel" >Cancelled a slot</option>' in page
    filtered = client.get("/admin/audit?action=surgery.slot.cancel").get_data(as_text=True)
    assert "1 entry" in filtered and "Published a surgery date</option>" in filtered
    assert 'class="govuk-table govuk-!-font-size-16 app-audit-table"' in page
