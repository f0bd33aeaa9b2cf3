"""Configuration classes, read from environment variables (12-factor)."""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


# Published here, so anyone could sign session cookies with it: production refuses it.
DEVELOPMENT_SECRET_KEY = "dev-only-not-secret"
MIN_SECRET_KEY_BYTES = 32


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'ep_events.db'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    SERVICE_NAME = "EP Events"
    # Named on the privacy notice: who decides how personal data here is used, and how to reach them.
    DATA_CONTROLLER = os.environ.get("DATA_CONTROLLER", "EP Events")
    DATA_CONTROLLER_EMAIL = os.environ.get("DATA_CONTROLLER_EMAIL", "privacy@example.org")
    BASE_URL = os.environ.get("BASE_URL", f"http://127.0.0.1:{os.environ.get('PORT', '5000')}")

    MAIL_SERVER = os.environ.get("MAIL_SERVER", "127.0.0.1")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "8025"))
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", False)
    MAIL_USE_SSL = _bool("MAIL_USE_SSL", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "EP Events <no-reply@example.org>")
    MAIL_TIMEOUT = int(os.environ.get("MAIL_TIMEOUT", "10"))
    MAIL_DEBUG = False  # Flask-Mail would otherwise print every SMTP line when debug is on
    OUTBOX_MAX_ATTEMPTS = int(os.environ.get("OUTBOX_MAX_ATTEMPTS", "6"))
    OUTBOX_BACKOFF_SECONDS = int(os.environ.get("OUTBOX_BACKOFF_SECONDS", "60"))
    # How long the public Network Days listings may show free places before counting again (0: always count).
    NETWORK_PLACES_LEFT_CACHE_SECONDS = int(os.environ.get("NETWORK_PLACES_LEFT_CACHE_SECONDS", "5"))
    # "json": every log line one JSON object with the request's id (production's default); "text": Flask's own.
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
    # How long the event finder may show a list of events (and their free places) before counting again.
    FINDER_CACHE_SECONDS = int(os.environ.get("FINDER_CACHE_SECONDS", "5"))
    # Training enquiries are deleted this long after they are answered (twice as long after they arrive if never).
    ENQUIRY_RETENTION_DAYS = int(os.environ.get("ENQUIRY_RETENTION_DAYS", "365"))
    # Days a sent email's text is kept (to answer "did it say…?") before it is blanked; the privacy page says so.
    OUTBOX_RETENTION_DAYS = int(os.environ.get("OUTBOX_RETENTION_DAYS", "30"))
    # Retention (`flask purge-unconfirmed-accounts`, `expire-list-entries`, `purge-audit-details`); the privacy
    # page states each period. An account whose address is never confirmed cannot sign in: it is deleted this
    # many days after it was made (or after the last confirmation link it asked for).
    UNCONFIRMED_ACCOUNT_DAYS = int(os.environ.get("UNCONFIRMED_ACCOUNT_DAYS", "30"))
    # Invitation-list entries that were never confirmed, or that left the list, are erased this long after.
    LIST_ENTRY_RETENTION_DAYS = int(os.environ.get("LIST_ENTRY_RETENTION_DAYS", "30"))
    # The audit log's names, addresses and values before and after are blanked this long after the action.
    AUDIT_DETAILS_RETENTION_DAYS = int(os.environ.get("AUDIT_DETAILS_RETENTION_DAYS", "730"))
    # Recipients of a mailing (announcement, message to everyone booked) queued into the outbox per clock minute.
    MAILING_BATCH_PER_MINUTE = int(os.environ.get("MAILING_BATCH_PER_MINUTE", "200"))

    # Microsoft Graph app registration that creates Teams meetings (client-credentials grant); left empty
    # where joining links are pasted by hand. The two URLs are for a national cloud or a test double.
    TEAMS_GRAPH_TENANT_ID = os.environ.get("TEAMS_GRAPH_TENANT_ID", "")
    TEAMS_GRAPH_CLIENT_ID = os.environ.get("TEAMS_GRAPH_CLIENT_ID", "")
    TEAMS_GRAPH_CLIENT_SECRET = os.environ.get("TEAMS_GRAPH_CLIENT_SECRET", "")
    TEAMS_GRAPH_ORGANISER_ID = os.environ.get("TEAMS_GRAPH_ORGANISER_ID", "")
    TEAMS_GRAPH_AUTHORITY_URL = os.environ.get("TEAMS_GRAPH_AUTHORITY_URL", "")
    TEAMS_GRAPH_URL = os.environ.get("TEAMS_GRAPH_URL", "")

    DEV_MAIL_DIR = os.environ.get("DEV_MAIL_DIR", str(INSTANCE_DIR / "dev-mail"))
    DEV_MAILBOX = False

    CONFIRM_TOKEN_HOURS = int(os.environ.get("CONFIRM_TOKEN_HOURS", "48"))
    RESET_TOKEN_HOURS = int(os.environ.get("RESET_TOKEN_HOURS", "2"))

    # Several instances share their rate limits through Redis: REDIS_URL (or Flask-Limiter's own setting) names it.
    REDIS_URL = os.environ.get("REDIS_URL", "")
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI") or REDIS_URL or "memory://"
    RATELIMIT_ENABLED = True
    # Failed sign-ins: a low budget per address from one IP address stops guessing without letting a
    # stranger lock the owner out; the per-address budget over all IP addresses is much higher and
    # only slows a guesser spread over many machines.
    SIGNIN_LIMIT_PER_ADDRESS_AND_IP = os.environ.get("SIGNIN_LIMIT_PER_ADDRESS_AND_IP", "5 per 15 minutes")
    SIGNIN_LIMIT_PER_ADDRESS = os.environ.get("SIGNIN_LIMIT_PER_ADDRESS", "100 per hour")
    SIGNIN_LIMIT_PER_IP = os.environ.get("SIGNIN_LIMIT_PER_IP", "30 per 15 minutes")
    RESET_LIMIT_PER_ADDRESS = os.environ.get("RESET_LIMIT_PER_ADDRESS", "3 per hour")
    RESET_LIMIT_PER_IP = os.environ.get("RESET_LIMIT_PER_IP", "20 per hour")
    # Bespoke-training enquiries (no account needed): each one emails the organisers and the address typed.
    ENQUIRY_LIMIT_PER_IP = os.environ.get("ENQUIRY_LIMIT_PER_IP", "5 per hour")
    ENQUIRY_LIMIT_PER_ADDRESS = os.environ.get("ENQUIRY_LIMIT_PER_ADDRESS", "3 per hour")
    # Everything that makes the site send email shares these budgets (ep_events/core/limits.py).
    EMAIL_LIMIT_PER_PERSON = os.environ.get("EMAIL_LIMIT_PER_PERSON", "20 per hour; 60 per day")
    EMAIL_LIMIT_PER_IP = os.environ.get("EMAIL_LIMIT_PER_IP", "100 per hour; 300 per day")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    FORCE_HTTPS = _bool("FORCE_HTTPS", False)
    # How many proxies in front of the site add X-Forwarded-For/-Proto. 0 ignores those headers, which
    # a client could otherwise send to pick its own IP address for the rate limits.
    PROXY_FIX_HOPS = int(os.environ.get("PROXY_FIX_HOPS", "0"))
    WTF_CSRF_TIME_LIMIT = None

    DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "demo-password-2026")

    # Workshop resources (slides, handouts): stored outside static/, by default under instance/uploads.
    WORKSHOP_UPLOAD_DIR = os.environ.get("WORKSHOP_UPLOAD_DIR", "")
    WORKSHOP_UPLOAD_MAX_BYTES = int(os.environ.get("WORKSHOP_UPLOAD_MAX_BYTES", str(20 * 1024 * 1024)))
    # A Teams attendance report is a few kilobytes per participant.
    WORKSHOP_ATTENDANCE_REPORT_MAX_BYTES = int(os.environ.get("WORKSHOP_ATTENDANCE_REPORT_MAX_BYTES",
                                                              str(5 * 1024 * 1024)))
    # Imported from a Teams report, a registrant "attended" from this share of the workshop's length.
    WORKSHOP_ATTENDED_PERCENT = int(os.environ.get("WORKSHOP_ATTENDED_PERCENT", "50"))
    # Any request body above this is refused with the "too large" page (413) before a view reads it; it is
    # well above the upload limit so that a slightly too large file gets the form's own message instead.
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", str(2 * WORKSHOP_UPLOAD_MAX_BYTES)))

    @classmethod
    def check(cls) -> None:
        """Refuse to start with a configuration that is unsafe for this environment."""


class DevelopmentConfig(Config):
    DEBUG = True
    DEV_MAILBOX = True
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret"
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    DEV_MAILBOX = True
    MAIL_SUPPRESS_SEND = False  # tests deliver to a real loopback SMTP server
    WTF_CSRF_ENABLED = False  # the browser tests turn it back on for the live server
    MAIL_PORT = 0
    BASE_URL = "http://localhost"
    DEMO_PASSWORD = "demo-password-2026"
    NETWORK_PLACES_LEFT_CACHE_SECONDS = 0  # tests read the count a change has just made (one test turns it on)
    FINDER_CACHE_SECONDS = 0  # likewise


class ProductionConfig(Config):
    DEBUG = False
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")

    @classmethod
    def check(cls) -> None:
        secret_key = os.environ.get("SECRET_KEY")
        if not secret_key:
            raise RuntimeError("SECRET_KEY must be set in production.")
        if secret_key == DEVELOPMENT_SECRET_KEY or len(secret_key.encode()) < MIN_SECRET_KEY_BYTES:
            raise RuntimeError(f"SECRET_KEY must be a random value of {MIN_SECRET_KEY_BYTES} bytes or more in "
                               "production, not the development one (e.g. python -c 'import secrets; "
                               "print(secrets.token_urlsafe(48))').")
        # Sign with the key just checked, even if the environment changed after this module was read.
        cls.SECRET_KEY = secret_key
        if cls.DEBUG or _bool("FLASK_DEBUG", False):
            raise RuntimeError("Debug mode must be off in production.")


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
