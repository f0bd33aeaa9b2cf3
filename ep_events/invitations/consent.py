"""The consent wording shown on the join form and the confirm page, kept in one place with its version.

The version is stored on each entry (`consent_wording_version`), so the wording a person agreed to can be
found again after it changes: change the text here, and give it a new version.
"""

WORDING_VERSION = "2026-12-v1"

WORDING = (
    "By joining, you agree that the organisers of {programme} may email you about their events (dates, "
    "places and changes) at this address. We keep your name, email address, organisation and role for this "
    "only. Every email has a link to unsubscribe in one click, and you can leave at any time."
)


def consent_wording(programme) -> str:
    """The wording shown to a person joining `programme`'s invitation list."""
    return WORDING.format(programme=programme.name)
