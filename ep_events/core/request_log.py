"""A request id on every request: taken from the proxy's X-Request-ID when it sends a sensible one, made here
otherwise; returned in the X-Request-ID response header and written on every log line of the request. With
LOG_FORMAT=json (production's default) each log line is one JSON object (python-json-logger)."""

import logging
import re
import sys
import uuid

from flask import Flask, g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter

HEADER = "X-Request-ID"
# What nginx's $request_id and most proxies send; anything else (too long, odd characters) is replaced.
_SENSIBLE = re.compile(r"[A-Za-z0-9._-]{8,128}")
FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s"


def current_request_id() -> str | None:
    if not has_request_context():
        return None
    if "request_id" not in g:
        incoming = request.headers.get(HEADER, "")
        g.request_id = incoming if _SENSIBLE.fullmatch(incoming) else uuid.uuid4().hex
    return g.request_id


class RequestIdFilter(logging.Filter):
    """Puts the request's id (or None outside a request) on every record, for the formatter."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id()
        return True


def json_handler(stream=None) -> logging.Handler:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter(FIELDS, rename_fields={"asctime": "time", "levelname": "level",
                                                              "name": "logger"}))
    handler.addFilter(RequestIdFilter())
    return handler


def init_request_log(app: Flask) -> None:
    """Give each request an id and its response the header; in JSON mode, log every line as JSON with it."""

    @app.before_request
    def _assign_request_id() -> None:  # a before_request hook that returned the id would answer with it
        current_request_id()

    @app.after_request
    def _send_request_id(response):
        response.headers[HEADER] = current_request_id()
        return response

    if app.config.get("LOG_FORMAT") == "json":
        handler = json_handler()
        for logger in (app.logger, logging.getLogger("ep_events")):
            logger.handlers = [handler]
            logger.propagate = False
        app.logger.setLevel(logging.INFO)
        logging.getLogger("ep_events").setLevel(logging.INFO)
