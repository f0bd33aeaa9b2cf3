"""Finding a deleted person's address and name however the stored text hides them."""

from ep_events.core.mentions import mentions_any, replace_mentions


def test_an_address_split_by_calendar_line_folding_is_found():
    ics = "ATTENDEE;CN=Zoë Quill;ROLE=REQ-PARTICIPANT:mailto:zoe.qu\r\n ill@example.org\r\n"
    assert mentions_any(ics, {"zoe.quill@example.org"})


def test_html_escaping_and_calendar_escaping_do_not_hide_a_name():
    assert mentions_any("<p>Dear Aoife O&#39;Brien,</p>", {"Aoife O'Brien"})
    assert mentions_any("CN=Quill\\, Zoë", {"Quill, Zoë"})


def test_only_whole_words_count():
    assert not mentions_any("Join on Microsoft Teams", {"Jo"})
    assert mentions_any("Dear Jo,", {"jo"})
    assert replace_mentions("Jo joined; Join us, jo", {"Jo"}, "deleted user #3") == \
        "deleted user #3 joined; Join us, deleted user #3"


def test_replacing_reaches_into_json_values_and_keys():
    value = {"email": "zoe@example.org", "people": [{"zoe@example.org": "Zoë Quill"}], "count": 2}
    assert replace_mentions(value, {"zoe@example.org", "Zoë Quill"}, "deleted user #9") == {
        "email": "deleted user #9", "people": [{"deleted user #9": "deleted user #9"}], "count": 2}
