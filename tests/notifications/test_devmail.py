"""Two demos on one machine: the development mail catcher moves off a busy port; a busy web port is named."""

import socket
from contextlib import contextmanager

import pytest

from ep_events.extensions import db
from ep_events.notifications.devmail import PortInUse, port_is_free, start_dev_mail_catcher
from ep_events.notifications.outbox import deliver_all, queue_email
from tests.conftest import free_port


@contextmanager
def listening_socket():
    """Another program holding a loopback port (as a first `make run` holds 8025)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def send_one(app, subject: str) -> None:
    with app.test_request_context():
        queue_email("demo@example.org", "notifications/invite", subject=subject, lines=["Hello."], url=None)
        db.session.commit()
    assert deliver_all("dev-worker") == (1, 0)


def test_mail_catcher_takes_a_free_port_when_the_default_is_busy_and_the_demo_reads_its_mail(app, client):
    with listening_socket() as busy:
        app.config["MAIL_PORT"] = app.extensions["mail"].port = busy
        controller, handler = start_dev_mail_catcher(app, port_chosen=False)
        try:
            assert controller.port != busy
            assert app.config["MAIL_PORT"] == controller.port
            send_one(app, "Welcome to the second demo")
        finally:
            controller.stop()
    assert [m.subject for m in handler.messages] == ["Welcome to the second demo"]
    assert "Welcome to the second demo" in client.get("/dev/mailbox").get_data(as_text=True)


def test_mail_catcher_keeps_the_configured_port_when_it_is_free(app):
    port = free_port()
    app.config["MAIL_PORT"] = port
    controller, handler = start_dev_mail_catcher(app, port_chosen=False)
    try:
        assert controller.port == port == app.config["MAIL_PORT"]
        send_one(app, "Sent to the usual port")
    finally:
        controller.stop()
    assert [m.subject for m in handler.messages] == ["Sent to the usual port"]


def test_a_mail_port_someone_chose_is_not_swapped_for_another(app):
    with listening_socket() as busy:
        app.config["MAIL_PORT"] = busy
        with pytest.raises(PortInUse, match=f"MAIL_PORT {busy} is in use"):
            start_dev_mail_catcher(app, port_chosen=True)
        assert app.config["MAIL_PORT"] == busy


def test_serve_dev_says_which_port_is_busy_and_what_to_do(app, monkeypatch):
    monkeypatch.delenv("MAIL_PORT", raising=False)
    with listening_socket() as busy:
        result = app.test_cli_runner().invoke(args=["serve-dev", "--port", str(busy)])
    assert result.exit_code == 1
    assert f"Port {busy} is in use by another program" in result.output
    spare = int(result.output.split("e.g. PORT=")[1].split()[0])
    assert spare != busy and port_is_free(spare)
    assert "EP Events is running" not in result.output


def test_serve_dev_refuses_a_busy_mail_port_that_was_set_explicitly(app, monkeypatch):
    with listening_socket() as busy:
        monkeypatch.setenv("MAIL_PORT", str(busy))
        app.config["MAIL_PORT"] = busy
        result = app.test_cli_runner().invoke(args=["serve-dev", "--port", str(free_port())])
    assert result.exit_code == 1
    assert f"MAIL_PORT {busy} is in use by another program" in result.output
    assert "Unset MAIL_PORT" in result.output
