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
from ep_events.extensions import db
from ep_events.schedule import JOBS, ScheduledJob, run_job, scheduled


def _job_command(job: ScheduledJob):
    """The command of a scheduled job: one instance at a time (a second one started meanwhile, by another
    machine's timer or a slow run overlapping the next, says so and does nothing), each run recorded."""

    def run():
        counts = run_job(job)
        if counts is None:
            click.echo(f"{job.name}: another instance is running it; nothing done here")
            return
        for counted, count in counts:
            click.echo(f"{counted}: {count}")

    run.__name__ = job.name.replace("-", "_")
    return run


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

    for job in JOBS:
        app.cli.command(job.name, help=f"{job.does} Safe to run twice.")(_job_command(job))

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
    """Scheduled work run by `make run` in the background: every job of the schedule with a timer, each run
    recorded as the timers' runs are."""
    return [functools.partial(run_job, job) for job in scheduled()]
