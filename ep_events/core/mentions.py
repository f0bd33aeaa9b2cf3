"""Finding a person's addresses and name in stored text, to erase them when their account goes.

Stored text hides them in three ways that a plain substring search misses: HTML escaping in email
bodies ("O&#39;Brien"), line folding in calendar files (RFC 5545 §3.1: a CRLF and a space may fall
anywhere, even inside an address) and iCalendar's backslash escapes (§3.3.11).
"""

import html
import re

_FOLD = re.compile(r"\r?\n[ \t]")
_ICS_ESCAPE = re.compile(r"\\([\\;,])")


def _readable(text: str) -> str:
    return html.unescape(_ICS_ESCAPE.sub(r"\1", _FOLD.sub("", text)))


def _as_words(term: str) -> re.Pattern:
    # Whole words only: a person called "Jo" is not mentioned by "Join on Microsoft Teams".
    return re.compile(rf"(?<!\w){re.escape(term)}(?!\w)", re.IGNORECASE)


def mentions_any(text: str, terms: set[str]) -> bool:
    """Whether the text names any of the terms as whole words, ignoring case, escaping and folding."""
    if not text:
        return False
    readable = _readable(text)
    return any(_as_words(term).search(readable) for term in terms if term)


def replace_mentions(value, terms: set[str], replacement: str):
    """The value (text, or JSON-like lists and dicts of text) with every term replaced, ignoring case."""
    if isinstance(value, str):
        for term in sorted((t for t in terms if t), key=len, reverse=True):
            value = _as_words(term).sub(replacement, value)
        return value
    if isinstance(value, list):
        return [replace_mentions(item, terms, replacement) for item in value]
    if isinstance(value, dict):
        return {replace_mentions(key, terms, replacement): replace_mentions(item, terms, replacement)
                for key, item in value.items()}
    return value
