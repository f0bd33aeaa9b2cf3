"""Flask commands: demo-data, send-outbox, serve-dev …"""

import functools
import os
import threading
import time
from pathlib import Path

import click
from flask import Flask, current_app
from werkzeug.serving import run_simple

from ep_events.core.backup import backup_database, restore_database
from ep_events.core.errors import DomainError
from ep_events.core.jobs import one_at_a_time
from ep_events.extensions import db


def one_at_a_time_command(job: str):
    """A scheduled job's command runs in one instance at a time: a second one started meanwhile (another
    machine's timer, a slow run overlapping the next) says so and does nothing."""

    def wrap(command):
        @functools.wraps(command)
        def run(*args, **kwargs):
            with one_at_a_time(job) as mine:
                if not mine:
                    click.echo(f"{job}: another instance is running it; nothing done here")
                    return None
                return command(*args, **kwargs)

        return run

    return wrap


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

    @app.cli.command("backup")
    @click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
    def backup(path: Path):
        """Write a consistent copy of the whole database to PATH (SQLite: online backup; PostgreSQL: pg_dump)."""
        try:
            backup_database(db.engine, path)
        except DomainError as error:
            raise click.ClickException(str(error)) from error
        click.echo(f"backed up to {path}")

    @app.cli.command("restore")
    @click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
    @click.option("--replace", is_flag=True, help="Replace a database that already holds data.")
    def restore(path: Path, replace: bool):
        """Put the backup at PATH in place of the database (an empty one, unless --replace)."""
        try:
            restore_database(db.engine, path, replace=replace)
        except DomainError as error:
            raise click.ClickException(str(error)) from error
        click.echo(f"restored from {path}")

    @app.cli.command("purge-outbox")
    @one_at_a_time_command("purge-outbox")
    def purge_outbox():
        """Blank the bodies of emails sent more than OUTBOX_RETENTION_DAYS ago (safe to run twice)."""
        from ep_events.notifications.outbox import purge_sent_bodies

        erased = purge_sent_bodies()
        db.session.commit()
        click.echo(f"sent emails erased: {erased}")

    @app.cli.command("purge-expired")
    @one_at_a_time_command("purge-expired")
    def purge_expired():
        """Erase booking outlines past their programme's retention time, and old training enquiries (safe to run
        twice)."""
        from ep_events.network_days.enquiries import erase_old_enquiries
        from ep_events.surgeries.retention import purge_expired_outlines

        erased = purge_expired_outlines()
        enquiries = erase_old_enquiries()
        db.session.commit()
        click.echo(f"outlines erased: {erased}")
        click.echo(f"training enquiries erased: {enquiries}")

    @app.cli.command("expire-offers")
    @one_at_a_time_command("expire-offers")
    def expire_offers_command():
        """Close waiting-list offers past their time and offer each slot (or Network Day places) to the next."""
        from ep_events.network_days.waitlist import expire_offers as expire_network_offers
        from ep_events.surgeries.waitlist import expire_offers
        from ep_events.workshops.waitlist import expire_offers as expire_workshop_offers

        expired = expire_offers()
        db.session.commit()
        network = expire_network_offers()
        db.session.commit()
        workshops = expire_workshop_offers()
        db.session.commit()
        click.echo(f"offers expired: {expired}")
        click.echo(f"Network Day offers expired: {network}")
        click.echo(f"workshop offers expired: {workshops}")

    @app.cli.command("send-reminders")
    @one_at_a_time_command("send-reminders")
    def send_reminders():
        """Queue the reminders now due (defaults 1 day and 1 hour before); safe to run twice."""
        from ep_events.bookings.reminders import send_due_reminders

        sent = send_due_reminders()
        db.session.commit()
        click.echo(f"reminders queued: {sent}")

    @app.cli.command("create-cpd-drafts")
    @one_at_a_time_command("create-cpd-drafts")
    def create_cpd_drafts_command():
        """Draft a CPD reflection for every attended place without one, emailing each person once; safe twice."""
        from ep_events.cpd.drafts import create_cpd_drafts

        click.echo(f"CPD drafts created: {create_cpd_drafts()}")

    @app.cli.command("send-cpd-nudges")
    @one_at_a_time_command("send-cpd-nudges")
    def send_cpd_nudges_command():
        """Drafts first, then from 1 September (and 1 November) remind whoever is short of their CPD; safe twice."""
        from ep_events.cpd.drafts import create_cpd_drafts
        from ep_events.cpd.nudges import send_cpd_nudges

        click.echo(f"CPD drafts created: {create_cpd_drafts()}")
        click.echo(f"CPD reminders queued: {send_cpd_nudges()}")

    @app.cli.command("send-mailings")
    @one_at_a_time_command("send-mailings")
    def send_mailings():
        """Queue the next batch of mailing recipients into the outbox (MAILING_BATCH_PER_MINUTE each minute)."""
        from ep_events.notifications.mailings import queue_next_batch

        click.echo(f"mailing recipients queued: {queue_next_batch()}")

    @app.cli.command("expire-list-entries")
    @one_at_a_time_command("expire-list-entries")
    def expire_list_entries():
        """Invitation list entries not confirmed within 7 days expire (their link stops working); safe twice."""
        from ep_events.invitations.entries import expire_pending_entries

        expired = expire_pending_entries()
        db.session.commit()
        click.echo(f"unconfirmed invitation list entries expired: {expired}")

    @app.cli.command("serve-dev")
    @click.option("--host", default="127.0.0.1")
    @click.option("--port", default=lambda: int(os.environ.get("PORT", "5000")), type=int)
    def serve_dev(host: str, port: int):
        """Development server with a loopback mail catcher and the background jobs running."""
        from ep_events.demo import USERS
        from ep_events.notifications.devmail import PortInUse, port_is_free, start_dev_mail_catcher

        app_obj = current_app._get_current_object()
        if not port_is_free(port, host):
            # The web port is not swapped silently: BASE_URL, and so every link in the emails, follows PORT.
            spare = next((p for p in range(port + 1, port + 100) if port_is_free(p, host)), None)
            raise click.ClickException(
                f"Port {port} is in use by another program (another `make run`?). Serve on another port"
                + (f", e.g. PORT={spare} make run" if spare else ": PORT=<number> make run"))
        usual_mail_port = app_obj.config["MAIL_PORT"]
        try:
            controller, _ = start_dev_mail_catcher(app_obj, port_chosen="MAIL_PORT" in os.environ)
        except PortInUse as error:
            raise click.ClickException(
                f"{error}. Unset MAIL_PORT to let the mail catcher pick a free port, or choose another.")
        threading.Thread(target=_background_jobs, args=(app_obj,), daemon=True).start()
        click.echo("")
        click.echo(f"EP Events is running at http://{host}:{port}/")
        mail_port = app_obj.config["MAIL_PORT"]
        click.echo(f"Emails are caught at http://{host}:{port}/dev/mailbox (SMTP on {host}:{mail_port})")
        if mail_port != usual_mail_port:
            click.echo(f"  port {usual_mail_port} was taken, so the mail catcher uses {mail_port}; "
                       f"the site sends its email there")
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
            # Each job on its own: one failing (the jobs already skip a bad row) must not stop the others.
            for job in [lambda: deliver_all("dev-worker"), *scheduled_jobs()]:
                try:
                    job()
                except Exception as error:  # keep the dev loop alive; the error is shown in the terminal
                    db.session.rollback()
                    click.echo(f"background job failed: {error}", err=True)
        time.sleep(3)


def scheduled_jobs():
    """Scheduled work run by `make run` in the background: waiting-list expiry, reminders, retention, mailings."""
    from ep_events.bookings.reminders import send_due_reminders
    from ep_events.invitations.entries import expire_pending_entries
    from ep_events.network_days.enquiries import erase_old_enquiries
    from ep_events.network_days.waitlist import expire_offers as expire_network_offers
    from ep_events.surgeries.retention import purge_expired_outlines
    from ep_events.surgeries.waitlist import expire_offers
    from ep_events.workshops.waitlist import expire_offers as expire_workshop_offers

    def purge():
        purge_expired_outlines()
        erase_old_enquiries()
        db.session.commit()

    def expire():
        expire_offers()
        db.session.commit()
        expire_network_offers()
        db.session.commit()
        expire_workshop_offers()
        db.session.commit()

    def remind():
        send_due_reminders()
        db.session.commit()

    def expire_list_entries():
        expire_pending_entries()
        db.session.commit()

    def purge_outbox():
        from ep_events.notifications.outbox import purge_sent_bodies

        purge_sent_bodies()
        db.session.commit()

    def send_mailings():
        from ep_events.notifications.mailings import queue_next_batch

        queue_next_batch()  # commits; at most MAILING_BATCH_PER_MINUTE per clock minute however often it runs

    def cpd():
        from ep_events.cpd.drafts import create_cpd_drafts
        from ep_events.cpd.nudges import send_cpd_nudges

        create_cpd_drafts()  # both commit
        send_cpd_nudges()

    return [expire, remind, purge, purge_outbox, send_mailings, expire_list_entries, cpd]
