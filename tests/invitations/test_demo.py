"""The demo invitation list: subscribers of the P&SD workshops programme, one unsubscribed (suppressed),
loaded once however often the demo is loaded."""

from freezegun import freeze_time

from ep_events.demo import load_demo_data
from ep_events.invitations.entries import confirmed_entries
from ep_events.invitations.models import ListEntryStatus
from tests.crawl import DEMO_NOW
from tests.invitations.conftest import entries, suppressed


def test_the_demo_has_an_invitation_list_with_one_unsubscribed(app):
    with freeze_time(DEMO_NOW):
        load_demo_data()
        load_demo_data()
    found = entries()
    assert len(found) == 8 and all(e.email.endswith("@example.org") for e in found)
    assert [e.email for e in found if e.status is ListEntryStatus.UNSUBSCRIBED] == ["harry.wood@example.org"]
    assert suppressed() == {"harry.wood@example.org"}
    programme = found[0].programme
    assert programme.slug == "pds-workshops" and len(confirmed_entries(programme)) == 6
