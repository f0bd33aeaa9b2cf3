"""The home page promises only what works today and says what is coming as coming."""

import re

from ep_events.demo import load_demo_data


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_home_page_offers_what_works_and_calls_the_rest_coming(client):
    load_demo_data()
    body = client.get("/").get_data(as_text=True)
    text = _text(body)
    assert "Book a practice surgery slot or register for a free online workshop." in text
    assert "Agency admins can join the Coram EP Network for their agency" in text
    assert "Social workers can write a CPD reflection on each event they attend" in text
    assert "can keep their agency's self-assessment against the EP National Practice Standards" in text
    assert "Coming later" not in text
    # Nothing says a person can do today what is only coming.
    assert "can record a reflection" not in text
    # Each programme's card links to where its events are booked.
    assert body.count("See surgery dates and book a slot") == 1
    assert body.count("See the Network Days and places left") == 1
    assert body.count("See the workshops and register") == 1
    assert "Booking through EP Events is coming" not in text
