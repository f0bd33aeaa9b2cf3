"""Teams joining links: pasted links are checked, and the Graph provider copes with what Microsoft can answer.

The Graph provider talks to a fake Microsoft identity platform and Graph on loopback that speaks the
documented shapes; no Microsoft endpoint is ever contacted.
"""

import json
import time
import urllib.parse

import pytest

from ep_events.core.errors import DomainError
from ep_events.notifications.teams import (
    GraphTeamsProvider,
    ManualTeamsProvider,
    TeamsLinkError,
    provider_from_config,
    validate_teams_url,
)
from tests.conftest import free_port
from tests.fake_graph import (
    CLIENT_ID,
    ENDS_AT,
    JOIN_URL,
    MEETINGS_PATH,
    ORGANISER,
    SECRET,
    STARTS_AT,
    TENANT,
    TOKEN_PATH,
    Answer,
)

# --- Pasted links ---------------------------------------------------------------------------------

@pytest.mark.parametrize("url", [
    JOIN_URL,
    f"  {JOIN_URL}\n",
    "https://teams.microsoft.com/meet/3712345678901?p=AbCdEfGhIjKlMnOp",
    "https://teams.live.com/meet/9876543210987?p=AbCdEfGh",
    "https://TEAMS.microsoft.com/l/meetup-join/19%3ameeting_x%40thread.v2/0",
])
def test_a_teams_meeting_link_is_accepted_and_stripped(url):
    assert validate_teams_url(url) == url.strip()


@pytest.mark.parametrize("url", [
    "",
    "   ",
    "teams.microsoft.com/l/meetup-join/19%3ameeting_x",
    "http://teams.microsoft.com/l/meetup-join/19%3ameeting_x%40thread.v2/0",
    "https://teams.microsoft.com/",
    "https://teams.microsoft.com/l/meetup-join/",
    "https://teams.microsoft.com/l/chat/0/0?users=sam@example.org",
    "https://teams.microsoft.com.example.org/l/meetup-join/19%3ameeting_x",
    "https://teams.microsoft.com@example.org/l/meetup-join/19%3ameeting_x",
    "https://example.org/l/meetup-join/19%3ameeting_x",
    "https://zoom.us/j/123456789",
    "https://teams.microsoft.com:8443/l/meetup-join/19%3ameeting_x",
    "https://teams.microsoft.com/l/meetup-join/19%3ameeting x",
    "javascript:alert(1)//teams.microsoft.com/l/meetup-join/x",
    "https://[teams.microsoft.com/l/meetup-join/x",
])
def test_anything_but_a_teams_meeting_link_is_refused_with_a_message_for_the_field(url):
    with pytest.raises(DomainError) as raised:
        validate_teams_url(url)
    assert str(raised.value) == ("Enter a Microsoft Teams meeting link, "
                                 "like https://teams.microsoft.com/l/meetup-join/...")
    assert raised.value.field == "teams_url"


def test_the_manual_provider_creates_nothing_because_a_person_pastes_the_link():
    assert ManualTeamsProvider().create_meeting("EP practice surgery", STARTS_AT, ENDS_AT) is None


# --- Microsoft Graph: success -----------------------------------------------------------------------

def test_graph_signs_in_with_client_credentials_creates_the_meeting_and_returns_its_joining_link(graph, provider):
    assert provider.create_meeting("EP practice surgery (MTC)", STARTS_AT, ENDS_AT) == JOIN_URL

    assert graph.problems == []
    assert graph.paths() == [TOKEN_PATH, MEETINGS_PATH]
    _, headers, body = graph.requests[1]
    assert headers["authorization"] == f"Bearer {graph.tokens[0]}"
    assert json.loads(body) == {"startDateTime": "2026-03-31T08:30:00Z", "endDateTime": "2026-03-31T09:10:00Z",
                                "subject": "EP practice surgery (MTC)"}


def test_graph_reuses_its_token_until_it_is_about_to_expire(graph, provider):
    provider.create_meeting("First", STARTS_AT, ENDS_AT)
    provider.create_meeting("Second", STARTS_AT, ENDS_AT)
    assert graph.paths() == [TOKEN_PATH, MEETINGS_PATH, MEETINGS_PATH]

    assert graph.problems == []


def test_graph_does_not_keep_a_token_with_under_a_minute_left(graph, provider):
    graph.token_answers.append(Answer(200, {"token_type": "Bearer", "expires_in": 30, "access_token": "short-lived"}))
    provider.create_meeting("First", STARTS_AT, ENDS_AT)
    provider.create_meeting("Second", STARTS_AT, ENDS_AT)
    assert graph.paths() == [TOKEN_PATH, MEETINGS_PATH, TOKEN_PATH, MEETINGS_PATH]
    assert graph.requests[1][1]["authorization"] == "Bearer short-lived"
    assert graph.problems == []


def test_graph_waits_a_short_retry_after_once_and_then_succeeds(graph, provider):
    graph.meeting_answers.append(Answer(429, {"error": {"code": "TooManyRequests"}}, {"Retry-After": "1"}))
    started = time.monotonic()
    assert provider.create_meeting("EP practice surgery", STARTS_AT, ENDS_AT) == JOIN_URL
    assert time.monotonic() - started >= 1
    assert graph.paths() == [TOKEN_PATH, MEETINGS_PATH, MEETINGS_PATH]


# --- Microsoft Graph: failures an organiser can read ------------------------------------------------

def assert_refused(provider, reason: str) -> TeamsLinkError:
    with pytest.raises(TeamsLinkError) as raised:
        provider.create_meeting("EP practice surgery", STARTS_AT, ENDS_AT)
    assert str(raised.value) == f"Microsoft Teams did not create the meeting ({reason}). Set the joining link by hand."
    assert isinstance(raised.value, DomainError)
    assert raised.value.field == "teams_url"
    assert SECRET not in str(raised.value)
    return raised.value


def test_graph_refusing_the_token_with_401_is_an_error_and_the_next_attempt_signs_in_again(graph, provider):
    expired = {"error": {"code": "InvalidAuthenticationToken", "message": "Lifetime validation failed."}}
    graph.meeting_answers.append(Answer(401, expired))
    assert_refused(provider, "Microsoft 365 did not accept EP Events' sign-in")
    assert provider.create_meeting("Again", STARTS_AT, ENDS_AT) == JOIN_URL
    assert graph.paths() == [TOKEN_PATH, MEETINGS_PATH, TOKEN_PATH, MEETINGS_PATH]


def test_a_wrong_client_secret_is_an_error_before_any_meeting_is_asked_for(graph):
    provider = GraphTeamsProvider(TENANT, CLIENT_ID, "wrong-secret", ORGANISER, authority_url=graph.url,
                                  graph_url=f"{graph.url}/v1.0", timeout=0.5)
    error = assert_refused(provider, "Microsoft 365 did not accept EP Events' sign-in")
    assert "wrong-secret" not in str(error)
    assert graph.paths() == [TOKEN_PATH]


def test_graph_forbidding_the_organiser_account_is_an_error(graph, provider):
    forbidden = {"error": {"code": "Forbidden", "message": "No application access policy found for this app."}}
    graph.meeting_answers.append(Answer(403, forbidden))
    assert_refused(provider, "EP Events is not allowed to create meetings for the organiser's Microsoft 365 account")


def test_graph_throttling_twice_gives_up_after_one_retry(graph, provider):
    graph.meeting_answers += [Answer(429, {"error": {"code": "TooManyRequests"}}, {"Retry-After": "0"})] * 3
    assert_refused(provider, "Microsoft Teams is busy; try again in a few minutes")
    assert graph.paths() == [TOKEN_PATH, MEETINGS_PATH, MEETINGS_PATH]


def test_graph_throttling_for_longer_than_five_seconds_gives_up_at_once(graph, provider):
    graph.meeting_answers.append(Answer(429, {"error": {"code": "TooManyRequests"}}, {"Retry-After": "30"}))
    started = time.monotonic()
    assert_refused(provider, "Microsoft Teams is busy; try again in a few minutes")
    assert time.monotonic() - started < 1
    assert graph.paths() == [TOKEN_PATH, MEETINGS_PATH]


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_a_graph_server_error_is_an_error(graph, provider, status):
    graph.meeting_answers.append(Answer(status, {"error": {"code": "generalException", "message": "General failure."}}))
    assert_refused(provider, f"Microsoft Teams had a problem, error {status}")


def test_graph_not_answering_within_the_timeout_is_an_error(graph, provider):
    graph.meeting_answers.append(Answer(201, {"joinWebUrl": JOIN_URL}, delay=3))
    started = time.monotonic()
    assert_refused(provider, "Microsoft Teams did not answer in time")
    assert time.monotonic() - started < 2


def test_the_sign_in_not_answering_within_the_timeout_is_an_error(graph, provider):
    graph.token_answers.append(Answer(200, {"access_token": "late", "expires_in": 3599}, delay=3))
    assert_refused(provider, "Microsoft Teams did not answer in time")


@pytest.mark.parametrize("answer", [
    Answer(201, b"<html><body>Service Unavailable</body></html>"),
    Answer(201, b'{"id": "truncated'),
    Answer(201, {"id": "abc"}),
    Answer(201, {"id": "abc", "joinWebUrl": "https://example.org/l/meetup-join/x"}),
])
def test_a_graph_answer_without_a_readable_joining_link_is_an_error(graph, provider, answer):
    graph.meeting_answers.append(answer)
    assert_refused(provider, "Microsoft Teams sent an answer EP Events could not read")


def test_a_sign_in_answer_that_is_not_json_is_an_error(graph, provider):
    graph.token_answers.append(Answer(200, b"not json"))
    assert_refused(provider, "Microsoft Teams sent an answer EP Events could not read")


def test_graph_being_unreachable_is_an_error():
    port = free_port()  # nothing listens here
    provider = GraphTeamsProvider(TENANT, CLIENT_ID, SECRET, ORGANISER, authority_url=f"http://127.0.0.1:{port}",
                                  graph_url=f"http://127.0.0.1:{port}/v1.0", timeout=0.5)
    assert_refused(provider, "EP Events could not reach Microsoft Teams")


# --- Configuration ----------------------------------------------------------------------------------

def test_graph_defaults_to_the_public_microsoft_cloud_and_refuses_plain_http_elsewhere():
    provider = GraphTeamsProvider(TENANT, CLIENT_ID, SECRET, ORGANISER)
    assert provider.token_url == f"https://login.microsoftonline.com/{TENANT}/oauth2/v2.0/token"
    assert provider.meetings_url == f"https://graph.microsoft.com/v1.0/users/{urllib.parse.quote(ORGANISER, safe='')}" \
                                    "/onlineMeetings"
    assert SECRET not in repr(provider)
    with pytest.raises(ValueError):
        GraphTeamsProvider(TENANT, CLIENT_ID, SECRET, ORGANISER, authority_url="http://login.example.org")
    with pytest.raises(ValueError):
        GraphTeamsProvider(TENANT, CLIENT_ID, "", ORGANISER)


def test_provider_from_config_builds_the_graph_provider_from_the_teams_settings(app, graph):
    assert app.config["TEAMS_GRAPH_TENANT_ID"] == ""
    assert isinstance(provider_from_config(app.config, "manual"), ManualTeamsProvider)

    app.config.update(TEAMS_GRAPH_TENANT_ID=TENANT, TEAMS_GRAPH_CLIENT_ID=CLIENT_ID, TEAMS_GRAPH_CLIENT_SECRET=SECRET,
                      TEAMS_GRAPH_ORGANISER_ID=ORGANISER, TEAMS_GRAPH_AUTHORITY_URL=graph.url,
                      TEAMS_GRAPH_URL=f"{graph.url}/v1.0")
    provider = provider_from_config(app.config, "graph")
    assert isinstance(provider, GraphTeamsProvider)
    assert provider.create_meeting("EP practice surgery", STARTS_AT, ENDS_AT) == JOIN_URL
    assert graph.problems == []


def test_provider_from_config_without_graph_settings_asks_for_the_link_by_hand(app):
    app.config.update(TEAMS_GRAPH_TENANT_ID="", TEAMS_GRAPH_CLIENT_ID="", TEAMS_GRAPH_CLIENT_SECRET="",
                      TEAMS_GRAPH_ORGANISER_ID="")
    with pytest.raises(TeamsLinkError) as raised:
        provider_from_config(app.config, "graph")
    assert str(raised.value) == ("Microsoft Teams did not create the meeting (this site is not set up to create "
                                 "Teams meetings). Set the joining link by hand.")
    with pytest.raises(ValueError):
        provider_from_config(app.config, "zoom")
