"""The home page promises only what works today and says what is coming as coming."""

import re

from ep_events.demo import load_demo_data


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_home_page_offers_surgery_booking_and_calls_the_rest_coming(client):
    load_demo_data()
    body = client.get("/").get_data(as_text=True)
    text = _text(body)
    assert "Book a practice surgery slot." in text
    assert ("Coming later: your agency's Network Day places, registering for free workshops, CPD reflections"
            in text)
    # Nothing says a person can do today what is only coming.
    assert "register for a free workshop" not in text
    assert "can record a reflection" not in text
    # The surgeries card links to booking, the Network Days card to its days; workshops say booking is coming.
    assert body.count("See surgery dates and book a slot") == 1
    assert body.count("See the Network Days and places left") == 1
    assert text.count("Booking through EP Events is coming: for now, email the programme to take part.") == 1
