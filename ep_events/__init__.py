"""EP Events: booking for Early Permanence practice events."""

import gc
import os
from pathlib import Path

from flask import Flask, g, render_template, request
from flask_wtf.csrf import CSRFError
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, FileSystemBytecodeCache, FileSystemLoader, PackageLoader, PrefixLoader
from werkzeug.middleware.proxy_fix import ProxyFix

from config import BASE_DIR, CONFIGS
from ep_events.core import database as _database  # noqa: F401 (SQLite foreign keys)
from ep_events.core import inputs
from ep_events.core import time as uktime
from ep_events.core.request_log import init_request_log
from ep_events.core.secret_urls import redact_access_logs
from ep_events.core.templating import EPEnvironment
from ep_events.extensions import csrf, db, limiter, login_manager, mail, migrate, talisman
from ep_events.standards import practice_standard_label

# Script sources: our own files and the per-request nonce. No inline script without the nonce.
CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "base-uri": "'self'",
    "object-src": "'none'",
}


_BYTECODE_CACHE = FileSystemBytecodeCache()


def create_app(config_name: str | None = None, **overrides) -> Flask:
    config_name = config_name or os.environ.get("EP_EVENTS_CONFIG", "development")
    config = CONFIGS[config_name]
    config.check()
    app = Flask(__name__, template_folder=str(BASE_DIR / "templates"), static_folder=str(BASE_DIR / "static"),
                instance_path=str(BASE_DIR / "instance"))
    app.jinja_environment = EPEnvironment
    app.config.from_object(config)
    app.config.update(overrides)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # Writers queue for SQLite's single write lock instead of failing after 5 seconds.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": 60}}
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    if app.config["PROXY_FIX_HOPS"]:
        # Only as many X-Forwarded-For entries as there are proxies of ours: the rest a client wrote.
        hops = app.config["PROXY_FIX_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    # Compiled templates are shared by every app and worker process (keyed by each template's checksum).
    app.jinja_options = {**app.jinja_options, "bytecode_cache": _BYTECODE_CACHE}
    app.jinja_loader = ChoiceLoader([
        FileSystemLoader(str(BASE_DIR / "templates")),
        PrefixLoader({
            "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
            "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
        }),
    ])
    app.jinja_env.filters.update(uk_datetime=uktime.uk_datetime, uk_date=uktime.uk_date, uk_time=uktime.uk_time,
                                 clock=uktime.clock, practice_standard=practice_standard_label)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.sign_in"
    login_manager.login_message = "Sign in to see this page."
    login_manager.login_message_category = "info"
    mail.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    WTFormsHelpers(app)
    talisman.init_app(
        app,
        force_https=app.config["FORCE_HTTPS"],
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        content_security_policy=CSP,
        content_security_policy_nonce_in=["script-src"],
        strict_transport_security=app.config["FORCE_HTTPS"],
        referrer_policy="strict-origin-when-cross-origin",
        frame_options="DENY",
    )

    _import_models()
    from ep_events.kinds import register_kinds

    register_kinds()
    # Every <int:...> in every route is a bounded ASCII id; set before any blueprint adds its rules.
    app.url_map.converters["int"] = inputs.DatabaseIdConverter
    init_request_log(app)  # first, so that even a refused request has its id
    app.before_request(inputs.reject_forbidden_characters)
    _register_blueprints(app)
    redact_access_logs(app)
    _register_error_pages(app)
    _register_context(app)

    from ep_events.cli import register_cli

    register_cli(app)
    if not (app.testing or app.debug):
        # Everything built so far lives as long as the worker: keep it out of the garbage collector's
        # full passes, which otherwise pause requests (seen as 100 ms spikes on the calendar feed).
        gc.freeze()
    return app


def _import_models() -> None:
    """Every model module, so metadata and Alembic see the whole schema."""
    from ep_events.accounts import models as _accounts  # noqa: F401
    from ep_events.assessments import models as _assessments  # noqa: F401
    from ep_events.billing import models as _billing  # noqa: F401
    from ep_events.bookings import models as _bookings  # noqa: F401
    from ep_events.core import audit as _audit  # noqa: F401
    from ep_events.core import jobs as _jobs  # noqa: F401
    from ep_events.cpd import models as _cpd  # noqa: F401
    from ep_events.invitations import models as _invitations  # noqa: F401
    from ep_events.network_days import models as _network_days  # noqa: F401
    from ep_events.notifications import models as _notifications  # noqa: F401
    from ep_events.organisations import models as _organisations  # noqa: F401
    from ep_events.programmes import models as _programmes  # noqa: F401
    from ep_events.surgeries import models as _surgeries  # noqa: F401
    from ep_events.workshops import models as _workshops  # noqa: F401


def _register_blueprints(app: Flask) -> None:
    from ep_events.accounts.views import bp as accounts_bp
    from ep_events.admin.views import bp as admin_bp
    from ep_events.api.views import bp as api_bp
    from ep_events.assessments.views import bp as assessments_bp
    from ep_events.billing.views import bp as billing_bp
    from ep_events.cpd.views import bp as cpd_bp
    from ep_events.dashboards.views import bp as dashboards_bp
    from ep_events.finder.views import bp as finder_bp
    from ep_events.invitations.views import bp as invitations_bp
    from ep_events.manage.views import bp as manage_bp
    from ep_events.messages.views import bp as messages_bp
    from ep_events.network_days.views import bp as network_days_bp
    from ep_events.network_orders.account_views import bp as network_account_bp
    from ep_events.network_orders.buy_views import bp as network_buy_bp
    from ep_events.network_orders.cancel_views import bp as network_cancel_bp
    from ep_events.pages.views import bp as pages_bp
    from ep_events.people.views import bp as people_bp
    from ep_events.surgeries.views import bp as surgeries_bp
    from ep_events.workshops.after_views import bp as workshop_after_bp
    from ep_events.workshops.announce_views import bp as workshop_announce_bp
    from ep_events.workshops.views import bp as workshops_bp

    app.register_blueprint(pages_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(surgeries_bp)
    app.register_blueprint(network_days_bp)
    app.register_blueprint(workshops_bp)
    app.register_blueprint(billing_bp)
    app.register_blueprint(cpd_bp)
    app.register_blueprint(network_account_bp)
    app.register_blueprint(network_buy_bp)
    app.register_blueprint(network_cancel_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(manage_bp)
    app.register_blueprint(people_bp)
    app.register_blueprint(workshop_after_bp)
    app.register_blueprint(messages_bp)
    app.register_blueprint(workshop_announce_bp)
    app.register_blueprint(invitations_bp)
    app.register_blueprint(assessments_bp)
    app.register_blueprint(dashboards_bp)
    app.register_blueprint(finder_bp)


def _register_error_pages(app: Flask) -> None:
    def page(status: int, title: str, message: str, template: str = "errors/error.html"):
        db.session.rollback()
        return render_template(template, status=status, title=title, message=message), status

    app.register_error_handler(400, lambda e: page(400, "Sorry, there is a problem with your request",
                                                   "Check the address or form and try again."))
    app.register_error_handler(403, lambda e: page(403, "You do not have permission to see this page",
                                                   "If you think you should, ask the organiser of the programme."))
    app.register_error_handler(404, lambda e: page(404, "Page not found",
                                                   "If you typed the web address, check it is correct."))
    app.register_error_handler(405, lambda e: page(405, "Sorry, that action is not available",
                                                   "Go back and use the buttons on the page."))
    upload_max = _megabytes(app.config["WORKSHOP_UPLOAD_MAX_BYTES"])
    app.register_error_handler(413, lambda e: page(413, "The file or form is too large",
                                                   "Nothing has been saved. Go back and choose a smaller file "
                                                   f"(files can be up to {upload_max}) or enter less text."))
    app.register_error_handler(429, lambda e: page(429, "Too many attempts",
                                                   f"You have tried this too many times. Wait {_limit_window(e)}, "
                                                   "then try again.", "errors/too_many_attempts.html"))
    app.register_error_handler(500, lambda e: page(500, "Sorry, there is a problem with the service",
                                                   "Try again later. Nothing you entered has been saved."))
    app.register_error_handler(CSRFError, lambda e: page(400, "This form has expired",
                                                         "For your security, forms expire. Go back, reload the page "
                                                         "and try again. Nothing has been saved."))


def _megabytes(size: int) -> str:
    return f"{size // (1024 * 1024)} MB"


def _limit_window(error) -> str:
    """The window of the rate limit that was hit, in words ('15 minutes', '1 hour', '24 hours')."""
    limit = getattr(getattr(error, "limit", None), "limit", None)
    minutes = limit.get_expiry() // 60 if limit is not None else 15
    if minutes < 60 or minutes % 60:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    return f"{minutes // 60} hour{'s' if minutes != 60 else ''}"


def _register_context(app: Flask) -> None:
    from ep_events.accounts import policy
    from ep_events.bookings.kinds import kind_label

    app.jinja_env.globals["kind_label"] = kind_label

    @app.context_processor
    def inject():
        return {
            "service_name": app.config["SERVICE_NAME"],
            "policy": policy,
            "dev_mailbox": app.config["DEV_MAILBOX"],
        }

    @app.before_request
    def remember_path():
        g.request_path = request.path
