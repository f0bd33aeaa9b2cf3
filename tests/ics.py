"""Reading calendar files as clients do: python icalendar and ical.js (run by node) must agree."""

import json
import os
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import icalendar
import pytest

PARSE_ICS = Path(__file__).resolve().parent / "notifications" / "parse_ics.mjs"


def read_with_icaljs(ics: str) -> dict:
    """What ical.js makes of the file, run by node in a zone far from London.

    In Los Angeles a floating or mis-zoned time would land hours away, so only a true UTC instant passes.
    """
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is needed to check calendar files with ical.js (npm ci installs ical.js)")
    result = subprocess.run([node, str(PARSE_ICS)], input=ics.encode("utf-8"), capture_output=True,
                            timeout=30, env={**os.environ, "TZ": "America/Los_Angeles"})
    assert result.returncode == 0, result.stderr.decode()
    return json.loads(result.stdout)


def read_with_icalendar(ics: str) -> dict:
    calendar = icalendar.Calendar.from_ical(ics)
    events = []
    for vevent in calendar.walk("VEVENT"):
        start, end = vevent.decoded("DTSTART"), vevent.decoded("DTEND")
        assert start.tzinfo is not None and end.tzinfo is not None
        attendees = vevent.get("ATTENDEE", [])
        if not isinstance(attendees, list):
            attendees = [attendees]
        events.append({
            "uid": str(vevent["UID"]),
            "sequence": int(vevent["SEQUENCE"]),
            "start": _iso(start),
            "end": _iso(end),
            "status": str(vevent["STATUS"]),
            "attendees": [str(a) for a in attendees],
        })
    return {"method": str(calendar["METHOD"]), "events": events}


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def both_readings(ics: str) -> tuple[dict, dict]:
    """Both parsers' readings, after checking they agree on every event's identity and instants."""
    python, javascript = read_with_icalendar(ics), read_with_icaljs(ics)
    assert python["method"] == javascript["method"]
    keys = ("uid", "sequence", "start", "end", "status")
    assert [{k: e[k] for k in keys} for e in python["events"]] == \
           [{k: e[k] for k in keys} for e in javascript["events"]]
    return python, javascript
