"""Links that are themselves a secret: confirmation, password reset and email-change links, feed addresses.

Whoever reads such a link can use it, so it must not be kept where others read: server access logs
(the request line, and the Referer of every asset a page with such an address loads) and sent emails
in the outbox. The secret routes are learnt from the app's URL map: a route argument named `token`,
`…_token`, `secret` or `key` is a secret, so a new link route is covered without being listed here.
"""

import logging
import re

from flask import Flask

REDACTED = "[redacted]"
SECRET_ARGUMENT = re.compile(r"(?:^|_)(?:token|secret|key)$")
# Characters that end a path segment in a log line, an email body (text or HTML) or a URL.
_END = r"""/?#\s"'<>"""
_RULE_PART = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")
# Query parameters that carry a secret, whatever the route: ?token=…, &reset_token=…, ?key=…
_SECRET_QUERY = re.compile(r"""([?&][^=&\s"'<>#]*(?:token|secret|key|signature)[^=&\s"'<>#]*=)[^&#\s"'<>]+""",
                           re.IGNORECASE)

_route_patterns: dict[str, re.Pattern] = {}


def _pattern_for(rule: str) -> re.Pattern | None:
    """A pattern matching the rule's path anywhere in a text, capturing each secret part as `secret`.

    The path is matched up to the last secret argument; what the rule has after it (such as `.ics`) is
    not needed, so a mistyped or shortened address is redacted as well.
    """
    pieces, position, last_secret = [], 0, None
    for match in _RULE_PART.finditer(rule):
        pieces.append(re.escape(rule[position:match.start()]))
        if SECRET_ARGUMENT.search(match.group(1)):
            pieces.append(f"(?P<secret{len(pieces)}>[^{_END}]+?)")
            last_secret = len(pieces)
        else:
            pieces.append(f"[^{_END}]+")
        position = match.end()
    if last_secret is None:
        return None
    after = re.escape(rule[position:]) if last_secret == len(pieces) else ""
    ending = f"(?=(?:{after})?(?:[{_END}]|$))" if after else f"(?=[{_END}]|$)"
    return re.compile("".join(pieces[:last_secret]) + ending)


def learn_secret_routes(app: Flask) -> None:
    """Remember the app's routes that take a secret (create_app calls this once the blueprints are in)."""
    for rule in app.url_map.iter_rules():
        if rule.rule not in _route_patterns:
            pattern = _pattern_for(rule.rule)
            if pattern is not None:
                _route_patterns[rule.rule] = pattern


def secret_route_rules() -> list[str]:
    return sorted(_route_patterns)


def _redact_match(match: re.Match) -> str:
    text, start = match.group(0), match.start()
    for name, value in sorted(match.groupdict().items(), key=lambda item: -match.start(item[0])):
        if value is not None:
            text = text[:match.start(name) - start] + REDACTED + text[match.end(name) - start:]
    return text


def redact_secret_urls(text: str) -> str:
    """The text with the secret part of every secret link replaced by [redacted]."""
    for pattern in _route_patterns.values():
        text = pattern.sub(_redact_match, text)
    return _SECRET_QUERY.sub(lambda m: m.group(1) + REDACTED, text)


def contains_secret_url(text: str) -> bool:
    return redact_secret_urls(text) != text


class SecretURLFilter(logging.Filter):
    """A logging filter that redacts secret links in a record's message before any handler sees it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_secret_urls(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


SECRET_URL_FILTER = SecretURLFilter()


def redact_access_logs(app: Flask) -> None:
    """Learn the app's secret routes and keep them out of the development server's access log.

    gunicorn's logs get the same filter through gunicorn.conf.py.
    """
    learn_secret_routes(app)
    logging.getLogger("werkzeug").addFilter(SECRET_URL_FILTER)
