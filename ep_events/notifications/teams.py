"""Microsoft Teams joining links: pasted by a person, or created through Microsoft Graph.

The Graph provider uses the OAuth 2.0 client-credentials grant and `POST /users/{id}/onlineMeetings`
(an application permission, OnlineMeetings.ReadWrite.All, plus an application access policy for the
organiser). It speaks HTTP with the standard library rather than MSAL: the grant is one form POST,
and MSAL accepts only https authorities, so it could not be tested against a loopback fake without a
TLS certificate and an OpenID discovery document as well.
"""

import http.client
import json
import logging
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from typing import Protocol

from ep_events.core.errors import DomainError

log = logging.getLogger(__name__)

TEAMS_HOSTS = {"teams.microsoft.com", "teams.live.com"}
JOIN_PATH_PREFIXES = ("/l/meetup-join/", "/meet/")
INVALID_TEAMS_URL = "Enter a Microsoft Teams meeting link, like https://teams.microsoft.com/l/meetup-join/..."

DEFAULT_AUTHORITY_URL = "https://login.microsoftonline.com"
DEFAULT_GRAPH_URL = "https://graph.microsoft.com/v1.0"
GRAPH_SCOPE = "https://graph.microsoft.com/.default"
MAX_RETRY_AFTER_SECONDS = 5
LOOPBACK_HOSTS = {"127.0.0.1", "::1", "localhost"}


class TeamsLinkError(DomainError):
    """Teams did not give a joining link; the message tells the organiser what happened and what to do."""

    field = "teams_url"


def validate_teams_url(url: str) -> str:
    """The pasted link, stripped, if it is a Teams meeting join link; DomainError on the teams_url field if not."""
    url = (url or "").strip()
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError:
        raise DomainError(INVALID_TEAMS_URL, field="teams_url") from None
    if (
        parts.scheme != "https"
        or parts.hostname not in TEAMS_HOSTS
        or parts.username is not None
        or port not in (None, 443)
        or len(url) > 2000
        or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url)
        or not any(parts.path.startswith(prefix) and len(parts.path) > len(prefix) for prefix in JOIN_PATH_PREFIXES)
    ):
        raise DomainError(INVALID_TEAMS_URL, field="teams_url")
    return url


class TeamsLinkProvider(Protocol):
    def create_meeting(self, subject: str, starts_at: datetime, ends_at: datetime) -> str | None: ...


class ManualTeamsProvider:
    """Nothing to create: a facilitator or organiser pastes the joining link."""

    def create_meeting(self, subject: str, starts_at: datetime, ends_at: datetime) -> None:
        return None


class GraphTeamsProvider:
    """Creates a Teams meeting owned by the programme's organiser account and returns its joining link."""

    def __init__(self, tenant_id: str, client_id: str, client_secret: str, organiser_id: str,
                 authority_url: str = DEFAULT_AUTHORITY_URL, graph_url: str = DEFAULT_GRAPH_URL,
                 timeout: float = 10):
        for name, value in (("tenant_id", tenant_id), ("client_id", client_id),
                            ("client_secret", client_secret), ("organiser_id", organiser_id)):
            if not value:
                raise ValueError(f"GraphTeamsProvider needs {name}.")
        self.client_id = client_id
        self._client_secret = client_secret
        self.timeout = timeout
        self.token_url = f"{_endpoint(authority_url)}/{urllib.parse.quote(tenant_id, safe='')}/oauth2/v2.0/token"
        self.meetings_url = f"{_endpoint(graph_url)}/users/{urllib.parse.quote(organiser_id, safe='')}/onlineMeetings"
        self._token: str | None = None
        self._token_expires = 0.0
        self._lock = threading.Lock()

    def __repr__(self) -> str:  # never show the secret in a traceback or log
        return f"GraphTeamsProvider(token_url={self.token_url!r}, meetings_url={self.meetings_url!r})"

    def create_meeting(self, subject: str, starts_at: datetime, ends_at: datetime) -> str:
        """The joinWebUrl of a new online meeting; TeamsLinkError (fit to show) when Teams does not make one."""
        body = json.dumps({"startDateTime": _graph_time(starts_at), "endDateTime": _graph_time(ends_at),
                           "subject": subject}).encode("utf-8")
        token = self._access_token()
        status, payload = self._post(self.meetings_url, body, {
            "Authorization": f"Bearer {token}", "Content-Type": "application/json", "Accept": "application/json"})
        if status == 401:
            self._forget_token()
        if status not in (200, 201):
            raise _refused(status, payload, during="creating the meeting")
        meeting = _json(payload)
        join_url = meeting.get("joinWebUrl") if isinstance(meeting, dict) else None
        try:
            return validate_teams_url(join_url or "")
        except DomainError:
            log.warning("Graph onlineMeetings answer had no usable joinWebUrl: %r", join_url)
            raise _error("Microsoft Teams sent an answer EP Events could not read") from None

    def _access_token(self) -> str:
        with self._lock:
            if self._token and time.monotonic() < self._token_expires:
                return self._token
        form = urllib.parse.urlencode({
            "grant_type": "client_credentials", "client_id": self.client_id,
            "client_secret": self._client_secret, "scope": GRAPH_SCOPE,
        }).encode("ascii")
        status, payload = self._post(self.token_url, form, {
            "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"})
        if status != 200:
            raise _refused(status, payload, during="signing in")
        answer = _json(payload)
        token = answer.get("access_token") if isinstance(answer, dict) else None
        if not isinstance(token, str) or not token:
            raise _error("Microsoft 365 sent a sign-in answer EP Events could not read")
        try:
            lifetime = int(answer.get("expires_in", 0))
        except (TypeError, ValueError):
            lifetime = 0
        with self._lock:
            self._token = token
            # Renew a minute early so a token never expires between reading it and using it.
            self._token_expires = time.monotonic() + max(lifetime - 60, 0)
        return token

    def _forget_token(self) -> None:
        with self._lock:
            self._token, self._token_expires = None, 0.0

    def _post(self, url: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        """POST once, or twice when throttled with a short Retry-After; (status, body) for any HTTP answer."""
        for attempt in (1, 2):
            status, retry_after, payload = self._post_once(url, body, headers)
            if status != 429:
                return status, payload
            if attempt == 1 and retry_after is not None and retry_after <= MAX_RETRY_AFTER_SECONDS:
                time.sleep(retry_after)
                continue
            break
        return status, payload

    def _post_once(self, url: str, body: bytes, headers: dict[str, str]) -> tuple[int, float | None, bytes]:
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        try:
            with _opener(url).open(request, timeout=self.timeout) as response:
                return response.status, None, response.read()
        except urllib.error.HTTPError as error:
            with error:
                return error.code, _retry_after(error.headers.get("Retry-After")), error.read()
        except http.client.HTTPException as error:  # a connection cut mid-answer, or not HTTP at all
            log.warning("Microsoft Graph request to %s got a broken answer: %r", url, error)
            raise _error("Microsoft Teams sent an answer EP Events could not read") from None
        except (TimeoutError, urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            log.warning("Microsoft Graph request to %s failed: %r", url, reason)
            if isinstance(reason, TimeoutError) or isinstance(error, TimeoutError):
                raise _error("Microsoft Teams did not answer in time") from None
            raise _error("EP Events could not reach Microsoft Teams") from None


def provider_from_config(config: dict, kind: str) -> ManualTeamsProvider | GraphTeamsProvider:
    """The Teams link provider of this kind ("manual" or "graph"), set up from the TEAMS_GRAPH_* settings."""
    if kind == "manual":
        return ManualTeamsProvider()
    if kind != "graph":
        raise ValueError(f"Unknown Teams link provider {kind!r}: use 'manual' or 'graph'.")
    keys = ("TEAMS_GRAPH_TENANT_ID", "TEAMS_GRAPH_CLIENT_ID", "TEAMS_GRAPH_CLIENT_SECRET", "TEAMS_GRAPH_ORGANISER_ID")
    missing = [key for key in keys if not config.get(key)]
    if missing:
        log.warning("Teams meetings cannot be created: %s not set", ", ".join(missing))
        raise _error("this site is not set up to create Teams meetings")
    return GraphTeamsProvider(
        tenant_id=config["TEAMS_GRAPH_TENANT_ID"],
        client_id=config["TEAMS_GRAPH_CLIENT_ID"],
        client_secret=config["TEAMS_GRAPH_CLIENT_SECRET"],
        organiser_id=config["TEAMS_GRAPH_ORGANISER_ID"],
        authority_url=config.get("TEAMS_GRAPH_AUTHORITY_URL") or DEFAULT_AUTHORITY_URL,
        graph_url=config.get("TEAMS_GRAPH_URL") or DEFAULT_GRAPH_URL,
    )


def _error(reason: str) -> TeamsLinkError:
    return TeamsLinkError(f"Microsoft Teams did not create the meeting ({reason}). Set the joining link by hand.")


def _refused(status: int, payload: bytes, during: str) -> TeamsLinkError:
    log.warning("Microsoft Graph answered %s while %s: %s", status, during, payload[:500])
    if status == 401:
        return _error("Microsoft 365 did not accept EP Events' sign-in")
    if status == 403:
        return _error("EP Events is not allowed to create meetings for the organiser's Microsoft 365 account")
    if status == 429:
        return _error("Microsoft Teams is busy; try again in a few minutes")
    if status >= 500:
        return _error(f"Microsoft Teams had a problem, error {status}")
    if during == "signing in" and status == 400:
        return _error("Microsoft 365 did not accept EP Events' sign-in")
    return _error(f"Microsoft Teams refused the request, error {status}")


def _json(payload: bytes):
    try:
        return json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        log.warning("Microsoft Graph sent a body that is not JSON: %r", payload[:200])
        raise _error("Microsoft Teams sent an answer EP Events could not read") from None


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header; Graph sends delta-seconds (an HTTP date counts as too long)."""
    try:
        seconds = float(value) if value is not None else None
    except ValueError:
        return None
    return seconds if seconds is not None and seconds >= 0 else None


def _graph_time(value: datetime) -> str:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("Meeting times must be aware datetimes.")
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _endpoint(url: str) -> str:
    """A base URL without its trailing slash: https, or plain http only on loopback (the tests' fake)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS):
        return url.rstrip("/")
    raise ValueError(f"Microsoft endpoints must use https: {url!r}")


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Graph does not redirect these calls; following one would carry the token to another host."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def _opener(url: str) -> urllib.request.OpenerDirector:
    # A loopback address never goes through a proxy, whatever the environment says.
    proxies = {} if urllib.parse.urlsplit(url).hostname in LOOPBACK_HOSTS else None
    return urllib.request.build_opener(urllib.request.ProxyHandler(proxies), _NoRedirects())
