"""Development mail catcher: a loopback aiosmtpd server that keeps every message it is sent.

`make run` starts it so people trying the demo can read their emails on /dev/mailbox; the tests use
the same server to receive real SMTP.
"""

import email
import email.policy
import socket
import threading
from dataclasses import dataclass, field
from pathlib import Path

from aiosmtpd.controller import Controller
from flask import Flask

HOST = "127.0.0.1"


@dataclass
class CaughtMessage:
    envelope_from: str
    recipients: list[str]
    raw: bytes
    filename: str = ""

    @property
    def message(self) -> email.message.EmailMessage:
        return email.message_from_bytes(self.raw, policy=email.policy.default)

    @property
    def subject(self) -> str:
        return str(self.message["Subject"]).strip()

    def part(self, content_type: str) -> str | None:
        for part in self.message.walk():
            if part.get_content_type() == content_type and not part.is_multipart():
                if part.get_filename():
                    continue
                return part.get_content()
        return None

    @property
    def text(self) -> str:
        return self.part("text/plain") or ""

    @property
    def html(self) -> str:
        return self.part("text/html") or ""

    @property
    def attachments(self) -> list["CaughtAttachment"]:
        """The parts sent as files (such as invite.ics), in the order they were attached."""
        found = []
        for part in self.message.walk():
            filename = part.get_filename()
            if filename and not part.is_multipart():
                found.append(CaughtAttachment(filename, part.get_content_type(), part.get_payload(decode=True)))
        return found

    def attachment(self, filename: str) -> "CaughtAttachment | None":
        return next((a for a in self.attachments if a.filename == filename), None)


@dataclass
class CaughtAttachment:
    filename: str
    content_type: str
    data: bytes

    @property
    def download_type(self) -> str:
        """What a calendar program expects: an invite is text/calendar whatever the email called it."""
        if self.filename.lower().endswith(".ics"):
            return "text/calendar; charset=utf-8"
        return self.content_type


@dataclass
class CatchingHandler:
    """Keeps messages in memory and, when given a folder, writes each as an .eml file."""

    folder: Path | None = None
    messages: list[CaughtMessage] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            caught = CaughtMessage(envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.content))
            if self.folder is not None:
                self.folder.mkdir(parents=True, exist_ok=True)
                number = len(list(self.folder.glob("*.eml"))) + 1
                caught.filename = f"{number:06d}.eml"
                (self.folder / caught.filename).write_bytes(caught.raw)
            self.messages.append(caught)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[CaughtMessage]:
        with self.lock:
            return [m for m in self.messages if address.lower() in (r.lower() for r in m.recipients)]

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()


def start_mail_catcher(port: int, folder: Path | None = None) -> tuple[Controller, CatchingHandler]:
    handler = CatchingHandler(folder=folder)
    controller = Controller(handler, hostname=HOST, port=port)
    controller.start()
    return controller, handler


class PortInUse(Exception):
    """A port the development server was told to use is held by another program."""


def port_is_free(port: int, host: str = HOST) -> bool:
    """Whether a server could listen on host:port now (probed as asyncio and Werkzeug bind: SO_REUSEADDR)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def _any_free_port(host: str = HOST) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def start_dev_mail_catcher(app: Flask, port_chosen: bool) -> tuple[Controller, CatchingHandler]:
    """Start the development catcher on MAIL_PORT and point the app's mail at it.

    When that port is taken (say, by a second `make run`) and nobody chose it (MAIL_PORT unset), the
    catcher takes a free port instead; a chosen port that is taken raises PortInUse.
    """
    port = app.config["MAIL_PORT"]
    if not port_is_free(port):
        if port_chosen:
            raise PortInUse(f"MAIL_PORT {port} is in use by another program")
        port = 0
    for attempt in range(3):
        candidate = port or _any_free_port()
        try:
            controller, handler = start_mail_catcher(candidate, Path(app.config["DEV_MAIL_DIR"]))
            break
        except OSError:  # another program took the free port between the probe and the bind
            if port or attempt == 2:
                raise
    app.config["MAIL_PORT"] = candidate
    # Flask-Mail copies the settings when the app is created; the outbox worker connects with that copy.
    app.extensions["mail"].port = candidate
    return controller, handler


def read_caught_message(folder: Path, filename: str) -> CaughtMessage | None:
    """One saved message by its file name, or None (a name is only ever matched, never opened as a path)."""
    return next((m for m in read_caught_folder(folder) if m.filename == filename), None)


def read_caught_folder(folder: Path) -> list[CaughtMessage]:
    """Messages saved by the development catcher, newest first."""
    if not folder.exists():
        return []
    out = []
    for path in sorted(folder.glob("*.eml"), reverse=True):
        out.append(CaughtMessage("", [], path.read_bytes(), filename=path.name))
    return out
