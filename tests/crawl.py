"""Every GET page a person can reach by following links, found with the Flask test client.

Used by the HTML validity and reflow tests, so a page another feature adds is checked as soon as a link
leads to it. At most `per_endpoint` addresses of one view are kept (one booking page stands for all).
"""

from collections import deque
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

from sqlalchemy import select
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import RequestRedirect

from ep_events.accounts.models import User
from ep_events.core.time import utcnow
from ep_events.demo import load_demo_data
from ep_events.extensions import db
from ep_events.notifications.outbox import deliver_all
from ep_events.surgeries.bookings import book_slot
from ep_events.surgeries.models import SurgeryDate
from ep_events.surgeries.waitlist import join_waitlist

DEMO_ROLES = {
    "anonymous": None,
    "practitioner": "practitioner@example.org",
    "facilitator": "facilitator@example.org",
    "organiser": "organiser@example.org",
    "agency admin": "agency-admin@example.org",
    "admin": "admin@example.org",
}

# The demo data is built from "now" (surgery dates 9 to 70 days ahead), so tests freeze the clock at a
# Monday whose demo dates miss every weekend and bank holiday.
DEMO_NOW = "2026-12-07 09:00:00"

# Addresses a crawl must not follow: they are not pages, or following them changes what a person has.
NOT_PAGES = ("/static/", "/api/", "/calendar/", "/healthz", "/readyz")


@dataclass
class CrawledPage:
    path: str
    endpoint: str
    status: int
    html: str


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []
        self.csrf_token = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.hrefs.append(attrs["href"])
        elif tag == "form" and (attrs.get("method") or "get").lower() == "get" and attrs.get("action"):
            self.hrefs.append(attrs["action"])
        elif tag == "input" and attrs.get("name") == "csrf_token" and not self.csrf_token:
            self.csrf_token = attrs.get("value") or ""


def links_in(html: str) -> _Links:
    parser = _Links()
    parser.feed(html)
    return parser


def sign_in_demo_user(client, email: str, password: str) -> None:
    """Sign in through the form (with its CSRF token, whether or not CSRF checks are on)."""
    token = links_in(client.get("/sign-in").get_data(as_text=True)).csrf_token
    response = client.post("/sign-in", data={"email": email, "password": password, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)


def crawl(app, client, start=("/",), per_endpoint=2, limit=400) -> list[CrawledPage]:
    """The HTML pages reachable from `start` by GET links, breadth first."""
    adapter = app.url_map.bind("localhost")
    queue = deque(start)
    seen: set[str] = set()
    per_view: dict[str, int] = {}
    pages = []
    while queue and len(pages) < limit:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        endpoint = _endpoint(adapter, path)
        if endpoint is not None:
            if per_view.get(endpoint, 0) >= per_endpoint:
                continue
            per_view[endpoint] = per_view.get(endpoint, 0) + 1
        response = client.get(path)
        if response.status_code in (301, 302, 303, 307, 308):
            target = _internal(path, response.headers["Location"])
            if target:
                queue.append(target)
            continue
        if not response.mimetype == "text/html":
            continue
        html = response.get_data(as_text=True)
        pages.append(CrawledPage(path, endpoint or "(no view)", response.status_code, html))
        if endpoint == "pages.dev_mail_message":
            continue  # its links are other people's, from the emails the demo mailbox caught
        for href in links_in(html).hrefs:
            target = _internal(path, href)
            if target and target not in seen:
                queue.append(target)
    return pages


def _internal(base: str, href: str) -> str | None:
    url = urlsplit(urljoin("http://localhost" + base, urldefrag(href)[0]))
    if url.scheme not in ("http", "https") or url.netloc != "localhost":
        return None
    path = url.path + (f"?{url.query}" if url.query else "")
    if path.startswith(NOT_PAGES) or path.endswith((".ics", ".json", ".csv")):
        return None
    return path


def _endpoint(adapter, path: str) -> str | None:
    try:
        endpoint, _ = adapter.match(urlsplit(path).path, method="GET")
    except (NotFound, MethodNotAllowed, RequestRedirect):
        return None
    return endpoint


def demo_dataset(app, mailbox=None) -> None:
    """The demo data `make run` loads, plus a booking and a waiting-list place for the demo practitioner.

    With the test SMTP server as `mailbox`, the emails this sends are delivered and saved in DEV_MAIL_DIR
    as the development catcher saves them, so the demo mailbox has messages to show.
    """
    load_demo_data()
    practitioner = db.session.execute(select(User).where(User.email == DEMO_ROLES["practitioner"])).scalar_one()
    now = utcnow()
    upcoming = [d for d in db.session.execute(select(SurgeryDate).order_by(SurgeryDate.starts_at)).scalars()
                if d.starts_at > now]
    # The demo's first upcoming date is full: wait for it. Book the first free slot of the last date.
    join_waitlist(upcoming[0], practitioner)
    book_slot(upcoming[-1].slots[0], practitioner, "general",
              outline="A question about the legal side of a plan.")
    db.session.commit()
    if mailbox is not None:
        mailbox.clear()
        deliver_all("crawl")
        folder = Path(app.config["DEV_MAIL_DIR"])
        folder.mkdir(parents=True, exist_ok=True)
        for number, message in enumerate(mailbox.messages[-3:], start=1):
            (folder / f"{number:06d}.eml").write_bytes(message.raw)
