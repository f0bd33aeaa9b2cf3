"""Reading the attendance report Microsoft Teams exports after a meeting.

Teams' "Download attendance list" gives a UTF-16 LE file with a byte-order mark, tab-separated, in three
numbered blocks:

    1. Summary                  Meeting title / Title, Attended participants, Start time, End time,
                                Meeting duration, Average attendance time (one "name<TAB>value" per line)
    2. Participants             Name, First Join, Last Leave, In-Meeting Duration, Email,
                                Participant ID (UPN), Role (one row per person, durations like "1h 2m 3s")
    3. In-Meeting Activities    one row per join and leave

Only the Participants block is needed. Column names are matched without regard to case (Teams has
changed "First join"/"First Join" between versions); a UTF-8 (or comma-separated) copy saved from Excel
is read too, as long as the columns are there. Nothing here touches the database.
"""

import csv
import io
import re
from dataclasses import dataclass

MAX_ROWS = 5000  # a Teams meeting holds at most 1,000 interactive attendees; webinars a few thousand
REQUIRED_COLUMNS = ("name", "in-meeting duration", "email")
_DURATION = re.compile(r"^(?:(\d{1,4})\s*h)?\s*(?:(\d{1,5})\s*m)?\s*(?:(\d{1,6})\s*s)?$")
_SECTION = re.compile(r"^\s*\d\.\s+\S")


class NotATeamsReport(ValueError):
    """The file cannot be read as a Teams attendance report; str() says why, for the organiser."""


@dataclass(frozen=True)
class ReportParticipant:
    name: str
    email: str  # lower case, "" when the report has none (a guest or a phone caller)
    seconds: int
    role: str

    @property
    def minutes(self) -> int:
        return self.seconds // 60


@dataclass(frozen=True)
class TeamsReport:
    title: str
    meeting_duration_seconds: int | None
    participants: list[ReportParticipant]


def parse_duration(text: str) -> int | None:
    """Seconds in a Teams duration: "1h 2m 3s", "45m 10s", "58s", "2h"; None when it is not one."""
    value = (text or "").strip().lower()
    if not value:
        return None
    match = _DURATION.match(value)
    if not match or not any(match.groups()):
        return None
    hours, minutes, seconds = (int(part or 0) for part in match.groups())
    return hours * 3600 + minutes * 60 + seconds


def decode_report(content: bytes) -> str:
    """The report's text: UTF-16 with its byte-order mark as Teams writes it, or UTF-8 (with or without one)."""
    if not content:
        raise NotATeamsReport("The selected file is empty")
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError:
            raise NotATeamsReport("The selected file is not a Teams attendance report: it could not be read "
                                  "as text") from None
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise NotATeamsReport("The selected file is not a Teams attendance report: it is not a text file "
                              "Teams exports (UTF-16 or UTF-8)") from None


def _rows(text: str) -> list[list[str]]:
    lines = text.splitlines()
    delimiter = "\t" if any("\t" in line for line in lines[:50]) else ","
    return [[cell.strip() for cell in row] for row in csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter)]


def _is_header(row: list[str]) -> bool:
    names = {cell.lower() for cell in row}
    return all(column in names for column in REQUIRED_COLUMNS)


def parse_report(content: bytes) -> TeamsReport:
    """The participants of a Teams attendance report; NotATeamsReport with a reason if it is not one."""
    try:
        rows = _rows(decode_report(content))
    except csv.Error:
        raise NotATeamsReport("The selected file is not a Teams attendance report: it could not be read as "
                              "a table") from None
    summary: dict[str, str] = {}
    header_at = None
    for index, row in enumerate(rows):
        if _is_header(row):
            header_at = index
            break
        if len(row) >= 2 and row[0]:
            summary.setdefault(row[0].lower(), row[1])
    if header_at is None:
        raise NotATeamsReport("The selected file is not a Teams attendance report: it has no list of participants "
                              "with the columns Name, In-Meeting Duration and Email. Download the attendance "
                              "report from the meeting in Teams and choose that file")
    columns = {cell.lower(): position for position, cell in enumerate(rows[header_at])}
    participants = []
    for row in rows[header_at + 1:]:
        if not any(row):
            break  # the blank line before "3. In-Meeting Activities"
        if len(row) == 1 and _SECTION.match(row[0]):
            break
        if len(participants) >= MAX_ROWS:
            raise NotATeamsReport(f"The report lists more than {MAX_ROWS:,} participants. Nothing was changed")

        def cell(name: str, row=row) -> str:
            position = columns.get(name)
            return row[position] if position is not None and position < len(row) else ""

        seconds = parse_duration(cell("in-meeting duration"))
        if seconds is None:
            raise NotATeamsReport(f"Row {len(participants) + 1} of the participants has an In-Meeting Duration "
                                  f"that is not a time like 1h 2m 3s. Nothing was changed")
        email = cell("email") or cell("participant id (upn)")
        participants.append(ReportParticipant(name=cell("name")[:200], email=email.strip().lower()[:320],
                                              seconds=seconds, role=cell("role")[:50]))
    title = summary.get("meeting title") or summary.get("title") or ""
    return TeamsReport(title=title[:200], meeting_duration_seconds=parse_duration(summary.get("meeting duration", "")),
                       participants=participants)
