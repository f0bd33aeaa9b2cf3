from pathlib import Path

from flask import Blueprint, abort, current_app, jsonify, render_template
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ep_events.extensions import db
from ep_events.notifications.devmail import read_caught_folder
from ep_events.programmes.services import list_programmes

bp = Blueprint("pages", __name__)


@bp.route("/")
def home():
    return render_template("pages/home.html", programmes=list_programmes())


@bp.route("/accessibility")
def accessibility():
    return render_template("pages/accessibility.html")


@bp.route("/privacy")
def privacy():
    return render_template("pages/privacy.html")


@bp.route("/cookies")
def cookies():
    return render_template("pages/cookies.html")


@bp.route("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except (SQLAlchemyError, OSError):
        db.session.rollback()
        return jsonify(status="error", database="unavailable"), 503
    return jsonify(status="ok", database="ok")


def _dev_mail_folder() -> Path:
    if not current_app.config["DEV_MAILBOX"]:
        abort(404)
    return Path(current_app.config["DEV_MAIL_DIR"])


@bp.route("/dev/mailbox")
def dev_mailbox():
    return render_template("pages/dev_mailbox.html", messages=read_caught_folder(_dev_mail_folder()))


@bp.route("/dev/mailbox/<name>")
def dev_mail_message(name: str):
    folder = _dev_mail_folder()
    matches = [m for m in read_caught_folder(folder) if m.filename == name]
    if not matches:
        abort(404)
    return render_template("pages/dev_mail_message.html", message=matches[0])
