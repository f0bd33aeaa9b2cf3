from io import BytesIO
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, send_file
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ep_events.accounts.policy import can_see_programme
from ep_events.cpd.records import records_to_write
from ep_events.extensions import db, limiter, talisman
from ep_events.notifications.devmail import read_caught_folder, read_caught_message
from ep_events.programmes.services import list_programmes
from ep_events.schedule import retention_periods

bp = Blueprint("pages", __name__)


@bp.route("/")
def home():
    programmes = [p for p in list_programmes() if can_see_programme(current_user, p)]
    return render_template("pages/home.html", programmes=programmes, to_write=_reflections_to_write())


def _reflections_to_write() -> list:
    """The signed-in person's draft CPD reflections (drafted by the `create-cpd-drafts` job: looking writes nothing)."""
    if not current_user.is_authenticated:
        return []
    return records_to_write(current_user)


@bp.route("/accessibility")
def accessibility():
    return render_template("pages/accessibility.html")


@bp.route("/privacy")
def privacy():
    # The periods come from the scheduled jobs that erase each kind, so a changed setting shows here.
    return render_template("pages/privacy.html", periods=retention_periods(current_app.config))


@bp.route("/cookies")
def cookies():
    return render_template("pages/cookies.html")


@bp.route("/healthz")
def healthz():
    """The process answers (for a supervisor deciding whether to restart it): touches nothing else."""
    return jsonify(status="ok")


@bp.route("/readyz")
def readyz():
    """Whether this instance can serve (for a load balancer): the database answers, and the shared rate-limit
    storage (Redis) where one is configured."""
    checks, ready = {}, True
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except (SQLAlchemyError, OSError):
        db.session.rollback()
        checks["database"], ready = "unavailable", False
    if not current_app.config["RATELIMIT_STORAGE_URI"].startswith("memory://"):
        try:
            shared = limiter.storage.check()
        except Exception:  # noqa: BLE001 (any failure of the storage's client means not ready)
            shared = False
        checks["rate_limits"], ready = ("ok", ready) if shared else ("unavailable", False)
    return jsonify(status="ok" if ready else "error", **checks), 200 if ready else 503


def _dev_mail_folder() -> Path:
    if not current_app.config["DEV_MAILBOX"]:
        abort(404)
    return Path(current_app.config["DEV_MAIL_DIR"])


@bp.route("/dev/mailbox")
def dev_mailbox():
    return render_template("pages/dev_mailbox.html", messages=read_caught_folder(_dev_mail_folder()))


def _caught_message(name: str):
    message = read_caught_message(_dev_mail_folder(), name)
    if message is None:
        abort(404)
    return message


@bp.route("/dev/mailbox/<name>")
def dev_mail_message(name: str):
    return render_template("pages/dev_mail_message.html", message=_caught_message(name))


# The email's own HTML, shown in a sandboxed frame on the message page. A separate address rather than
# <iframe srcdoc>, because a srcdoc frame inherits this site's CSP, which would strip the inline styles
# every email uses: here the CSP `sandbox` gives the page a unique origin with no scripts, forms or
# plugins, styles are allowed, nothing is fetched, and only our own pages may frame it.
MAIL_HTML_CSP = {
    "sandbox": "",
    "default-src": "'none'",
    "style-src": "'unsafe-inline'",
    "img-src": "data:",
    "frame-ancestors": "'self'",
}


@bp.route("/dev/mailbox/<name>/html")
@talisman(content_security_policy=MAIL_HTML_CSP, frame_options="SAMEORIGIN")
def dev_mail_html(name: str):
    message = _caught_message(name)
    if not message.html:
        abort(404)
    return Response(message.html, mimetype="text/html")


@bp.route("/dev/mailbox/<name>/files/<filename>")
def dev_mail_attachment(name: str, filename: str):
    attachment = _caught_message(name).attachment(filename)
    if attachment is None:
        abort(404)
    return send_file(BytesIO(attachment.data), mimetype=attachment.download_type, as_attachment=True,
                     download_name=attachment.filename)
