"""gunicorn settings for production (README) and the bench: its logs never keep a secret link.

gunicorn reads ./gunicorn.conf.py by default; the README's command and the bench name it anyway.
The access log is off unless asked for (`--access-logfile -`); whatever it and the error log write
goes through the same filter as the development server's log (ep_events/core/secret_urls.py).
"""

from gunicorn.glogging import Logger

from ep_events.core.secret_urls import SECRET_URL_FILTER


class SecretRedactingLogger(Logger):
    """gunicorn's logger with reset, confirmation and feed tokens replaced by [redacted]."""

    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.access_log, self.error_log):
            log.addFilter(SECRET_URL_FILTER)


logger_class = SecretRedactingLogger
