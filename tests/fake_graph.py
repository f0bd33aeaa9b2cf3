"""A loopback stand-in for the Microsoft identity platform and Graph's onlineMeetings, speaking
their documented request and response shapes. No Microsoft endpoint is ever contacted."""

import json
import threading
import urllib.parse
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ep_events.notifications.teams import GraphTeamsProvider

TENANT = "11111111-2222-3333-4444-555555555555"
CLIENT_ID = "66666666-7777-8888-9999-000000000000"
SECRET = "not-a-real-secret"
ORGANISER = "ep-surgeries@example.org"
JOIN_URL = ("https://teams.microsoft.com/l/meetup-join/19%3ameeting_MzQ5ZTRkYjMtYjFhZC00ZWY1LTk5ZDAtZGE2YTA2ZWQ4N2Rk"
            "%40thread.v2/0?context=%7b%22Tid%22%3a%2211111111-2222-3333-4444-555555555555%22%2c%22Oid%22%3a%22"
            "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee%22%7d")
STARTS_AT = datetime(2026, 3, 31, 8, 30, tzinfo=UTC)
ENDS_AT = STARTS_AT + timedelta(minutes=40)


@dataclass
class Answer:
    status: int
    body: dict | bytes = b""
    headers: dict = field(default_factory=dict)
    delay: float = 0


@dataclass
class FakeGraph:
    """Loopback stand-in for login.microsoftonline.com and graph.microsoft.com."""

    token_answers: list[Answer] = field(default_factory=list)
    meeting_answers: list[Answer] = field(default_factory=list)
    requests: list[tuple[str, dict, bytes]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    url: str = ""

    def paths(self) -> list[str]:
        return [path for path, _, _ in self.requests]

    def answer(self, path: str, headers: dict, body: bytes) -> Answer:
        self.requests.append((path, headers, body))
        if path == f"/{TENANT}/oauth2/v2.0/token":
            return self._token(headers, body)
        if path == f"/v1.0/users/{urllib.parse.quote(ORGANISER, safe='')}/onlineMeetings":
            return self._meeting(headers, body)
        self.problems.append(f"unexpected path {path}")
        return Answer(404, {"error": {"code": "ResourceNotFound", "message": "Not found"}})

    def _token(self, headers: dict, body: bytes) -> Answer:
        form = urllib.parse.parse_qs(body.decode("ascii"))
        expected = {"grant_type": ["client_credentials"], "client_id": [CLIENT_ID], "client_secret": [SECRET],
                    "scope": ["https://graph.microsoft.com/.default"]}
        if headers.get("content-type") != "application/x-www-form-urlencoded" or form != expected:
            self.problems.append(f"bad token request {headers.get('content-type')} {form}")
            return Answer(401, {"error": "invalid_client",
                                "error_description": "AADSTS7000215: Invalid client secret provided."})
        if self.token_answers:
            answer = self.token_answers.pop(0)
            if isinstance(answer.body, dict) and "access_token" in answer.body:
                self.tokens.append(answer.body["access_token"])
            return answer
        token = f"eyJ0eXAiOiJKV1QifQ.fake-{len(self.tokens) + 1}"
        self.tokens.append(token)
        return Answer(200, {"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": token})

    def _meeting(self, headers: dict, body: bytes) -> Answer:
        if not self.tokens or headers.get("authorization") != f"Bearer {self.tokens[-1]}":
            self.problems.append(f"bad bearer token {headers.get('authorization')}")
            return Answer(401, {"error": {"code": "InvalidAuthenticationToken", "message": "Access token is empty."}})
        try:
            meeting = json.loads(body)
            assert headers.get("content-type") == "application/json"
            assert set(meeting) == {"startDateTime", "endDateTime", "subject"}
            datetime.fromisoformat(meeting["startDateTime"]), datetime.fromisoformat(meeting["endDateTime"])
        except (ValueError, AssertionError, TypeError) as error:
            self.problems.append(f"bad meeting body {body!r}: {error!r}")
            return Answer(400, {"error": {"code": "BadRequest", "message": "Invalid request body"}})
        if self.meeting_answers:
            return self.meeting_answers.pop(0)
        return Answer(201, {
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users('x')/onlineMeetings/$entity",
            "id": "MSpkYzE3Njc0Yy04MWQ5LTRhZGItYmZiMi04ZjZhNDQyNjc3ZTMqMCoqMTk6bWVldGluZ19NelE1",
            "creationDateTime": "2026-03-02T09:00:00.0000000Z",
            "startDateTime": meeting["startDateTime"], "endDateTime": meeting["endDateTime"],
            "subject": meeting["subject"], "joinWebUrl": JOIN_URL,
        })


class FakeGraphHandler(BaseHTTPRequestHandler):
    def do_POST(self):
        fake: FakeGraph = self.server.fake
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        answer = fake.answer(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
        if answer.delay:
            fake.release.wait(answer.delay)
        payload = answer.body if isinstance(answer.body, bytes) else json.dumps(answer.body).encode()
        try:
            self.send_response(answer.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the provider gave up waiting, as it should

    def log_message(self, format, *args):
        pass


@pytest.fixture
def graph():
    fake = FakeGraph()
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeGraphHandler)
    server.daemon_threads = True
    server.block_on_close = False
    server.fake = fake
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield fake
    fake.release.set()
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def provider(graph):
    return GraphTeamsProvider(TENANT, CLIENT_ID, SECRET, ORGANISER, authority_url=graph.url,
                              graph_url=f"{graph.url}/v1.0", timeout=0.5)


TOKEN_PATH = f"/{TENANT}/oauth2/v2.0/token"
MEETINGS_PATH = f"/v1.0/users/{urllib.parse.quote(ORGANISER, safe='')}/onlineMeetings"
