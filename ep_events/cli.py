"""Flask commands: demo-data, send-outbox, serve-dev …"""

import os
import threading
import time
from pathlib import Path

import click
from werkzeug.serving import run_simple
from flask import Flask, current_app

from ep_events.extensions import db


def register_cli(app: Flask) -> None:
    @app.cli.command("demo-data")
    def demo_data():
        """Load the demo programmes, organisations and users (safe to run twice)."""
        from ep_events.demo import load_demo_data

        logins = load_demo_data()
        click.echo("Demo logins (password: %s):" % current_app.config["DEMO_PASSWORD"])
        for email, roles in logins:
            click.echo(f"  {email:28} {roles}")

    @app.cli.command("send-outbox")
    @click.option("--loop", is_flag=True, help="Keep running, checking for due emails.")
    @click.option("--interval", default=5.0, help="Seconds between checks with --loop.")
    @click.option("--worker", default=None, help="Name of this worker in the claim column.")
    def send_outbox(loop: bool, interval: float, worker: str | None):
        """Deliver due emails from the outbox over SMTP, with retries."""
        from ep_events.notifications.outbox import deliver_all

        name = worker or f"cli-{os.getpid()}"
        while True:
            sent, failed = deliver_all(name)
            if sent or failed or not loop:
                click.echo(f"sent: {sent}, failed attempts: {failed}")
            if not loop:
                return
            time.sleep(interval)

    @app.cli.command("purge-outbox")
    def purge_outbox():
        """Blank the bodies of emails sent more than OUTBOX_RETENTION_DAYS ago (safe to run twice)."""
        from ep_events.notifications.outbox import purge_sent_bodies

        erased = purge_sent_bodies()
        db.session.commit()
        click.echo(f"sent emails erased: {erased}")

    @app.cli.command("purge-expired")
    def purge_expired():
        """Erase booking outlines past their programme's retention time (safe to run twice)."""
        from ep_events.surgeries.services import purge_expired_outlines

        erased = purge_expired_outlines()
        db.session.commit()
        click.echo(f"outlines erased: {erased}")

    @app.cli.command("expire-offers")
    def expire_offers_command():
        """Close waiting-list offers past their time and offer each slot to the next person."""
        from ep_events.surgeries.services import expire_offers

        expired = expire_offers()
        db.session.commit()
        click.echo(f"offers expired: {expired}")

    @app.cli.command("send-reminders")
    def send_reminders():
        """Queue the reminders now due (defaults 1 day and 1 hour before); safe to run twice."""
        from ep_events.surgeries.services import send_due_reminders

        sent = send_due_reminders()
        db.session.commit()
        click.echo(f"reminders queued: {sent}")

    @app.cli.command("serve-dev")
    @click.option("--host", default="127.0.0.1")
    @click.option("--port", default=lambda: int(os.environ.get("PORT", "5000")), type=int)
    def serve_dev(host: str, port: int):
        """Development server with a loopback mail catcher and the background jobs running."""
        from ep_events.demo import USERS
        from ep_events.notifications.devmail import start_mail_catcher

        app_obj = current_app._get_current_object()
        folder = Path(app_obj.config["DEV_MAIL_DIR"])
        controller, _ = start_mail_catcher(app_obj.config["MAIL_PORT"], folder)
        threading.Thread(target=_background_jobs, args=(app_obj,), daemon=True).start()
        click.echo("")
        click.echo(f"EP Events is running at http://{host}:{port}/")
        click.echo(f"Emails are caught at http://{host}:{port}/dev/mailbox")
        click.echo(f"Demo logins, all with the password {app_obj.config['DEMO_PASSWORD']}:")
        for email, name, *_ in USERS:
            click.echo(f"  {email}")
        click.echo("")
        try:
            run_simple(host, port, app_obj, use_reloader=False, use_debugger=False, threaded=True)
        finally:
            controller.stop()


def _background_jobs(app: Flask) -> None:
    """In development: deliver the outbox and run scheduled jobs every few seconds."""
    from ep_events.notifications.outbox import deliver_all

    while True:
        with app.app_context():
            try:
                deliver_all("dev-worker")
                for job in scheduled_jobs():
                    job()
            except Exception as error:  # keep the dev loop alive; the error is shown in the terminal
                db.session.rollback()
                click.echo(f"background job failed: {error}", err=True)
        time.sleep(3)


def scheduled_jobs():
    """Scheduled work run by `make run` in the background: waiting-list expiry, reminders, retention."""
    from ep_events.surgeries.services import expire_offers, purge_expired_outlines, send_due_reminders

    def purge():
        purge_expired_outlines()
        db.session.commit()

    def expire():
        expire_offers()
        db.session.commit()

    def remind():
        send_due_reminders()
        db.session.commit()

    def purge_outbox():
        from ep_events.notifications.outbox import purge_sent_bodies

        purge_sent_bodies()
        db.session.commit()

    return [expire, remind, purge, purge_outbox]
