"""The dashboards' tables: the figures as rows of cells, the same for the page and its CSV downloads, and the
bar charts drawn from some of them. Which tables a programme has depends on its kind."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from ep_events.billing.money import format_pounds
from ep_events.core.time import uk_date
from ep_events.dashboards import figures
from ep_events.dashboards.filters import DashboardFilters
from ep_events.network_days.memberships import membership_year_label, membership_year_of
from ep_events.network_days.models import PROGRAMME_KIND as NETWORK_KIND
from ep_events.organisations.models import REGIONS
from ep_events.standards import code_sort_key, practice_standard_label
from ep_events.surgeries.models import PROGRAMME_KIND as SURGERY_KIND
from ep_events.surgeries.models import THEMES, SessionKind, date_label
from ep_events.workshops.models import PROGRAMME_KIND as WORKSHOP_KIND

EVENTS_PER_PAGE = 50
LONG_LIST_ROWS = 50  # organisations shown on the page; the CSV has them all


@dataclass(frozen=True)
class Bar:
    label: str
    value: int


@dataclass(frozen=True)
class Chart:
    """A horizontal bar chart of one column of a table (drawn as SVG, the table beside it)."""

    title: str
    description: str
    bars: list[Bar]
    unit: str = ""  # "%" for percentages

    @property
    def largest(self) -> int:
        return max([bar.value for bar in self.bars] + [1])


@dataclass
class Table:
    name: str  # its CSV's name: /dashboards/<slug>/<name>.csv
    title: str
    columns: list[str]
    rows: list[list]
    numeric_from: int = 1  # columns from this one on are numbers (right-aligned)
    note: str = ""
    chart: Chart | None = None
    footer: list | None = None  # a totals row
    extra: dict = field(default_factory=dict)

    @property
    def csv_rows(self) -> list[list]:
        return self.rows + ([self.footer] if self.footer else [])


def _percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "–"


def _percent_value(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def _once(options: dict, key: str, compute: Callable):
    """A figure two tables of one page share, counted once per page (`options["memo"]`, when given)."""
    memo = options.get("memo")
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def _average(total: int, count: int) -> str:
    return f"{total / count:.1f}" if count else "–"


# --- Each table ---------------------------------------------------------------------------------------

def summary_table(programme, filters: DashboardFilters, **options) -> Table:
    s = _once(options, "summary", lambda: figures.summary(programme, filters))
    rows = [["Events offered", s.events_offered], ["Events cancelled by the organisers", s.events_cancelled],
            ["Places offered", s.places_offered], ["Places booked", s.booked],
            ["Places taken (booked and not cancelled)", s.confirmed],
            ["Places taken, as a share of places offered", _percent(s.confirmed, s.places_offered)],
            ["Attended", s.attended], ["Did not attend", s.did_not_attend],
            ["Attendance not marked yet", s.not_marked], ["Places cancelled", s.cancelled],
            ["Places cancelled by the person who booked", s.cancelled_by_booker]]
    table = Table("summary", "Events and places", ["Figure", "Number"], rows)
    table.extra["summary"] = s
    return table


def cancellations_table(programme, filters: DashboardFilters, **options) -> Table:
    s = _once(options, "summary", lambda: figures.summary(programme, filters))
    rows = [["More than 7 days before", s.notice_over_7_days], ["1 to 7 days before", s.notice_1_to_7_days],
            ["Under 24 hours before", s.notice_under_24_hours], ["After it started", s.after_start]]
    chart = Chart("Places cancelled, by notice given",
                  f"{s.cancelled} places cancelled, by how long before the place's start they were cancelled.",
                  [Bar(label, n) for label, n in rows])
    return Table("cancellations", "How late places were cancelled", ["Notice", "Places cancelled"], rows,
                 chart=chart, footer=["All cancelled", s.cancelled])


def waiting_list_table(programme, filters: DashboardFilters, **_) -> Table:
    w = figures.waiting_list(programme, filters)
    rows = [["Joined a waiting list", w.entries], ["Given a place from the list", w.got_a_place],
            ["Still waiting or holding an offer", w.still_waiting],
            ["Never had a place on that event", w.never_got_a_place],
            ["People who never had a place on an event they waited for", w.people_never_got_a_place]]
    return Table("waiting-list", "Waiting lists: demand not met", ["Figure", "Number"], rows,
                 note="Counted per event: one person waiting for two events counts twice, except in the last row.")


def _event_name(programme, row: figures.EventRow) -> str:
    if row.session is not None:
        return date_label(row.starts_at, SessionKind(row.session))
    return uk_date(row.starts_at)


def events_table(programme, filters: DashboardFilters, page: int | None = None, **_) -> Table:
    """Every event in scope (one page of them when `page` is given)."""
    offset, limit = ((page - 1) * EVENTS_PER_PAGE, EVENTS_PER_PAGE) if page else (0, None)
    rows = [[_event_name(programme, r), r.title, r.status.label, r.offered, r.confirmed,
             _percent(r.confirmed, r.offered), r.attended, r.did_not_attend, r.waiting_unmet]
            for r in figures.events(programme, filters, offset, limit)]
    return Table("events", "Utilisation per date",
                 ["Date", "Event", "Status", "Places offered", "Places taken", "Utilisation", "Attended",
                  "Did not attend", "Waiting, never had a place"], rows, numeric_from=3)


def sessions_table(programme, filters: DashboardFilters, **_) -> Table:
    found = figures.surgery_sessions(programme, filters)
    rows = [[SessionKind(r.session).label, r.slots, r.booked, _percent(r.booked, r.slots), r.attended]
            for r in found]
    chart = Chart("Slots booked, by session", "The share of open slots on published surgery dates that hold a "
                  "confirmed booking, for morning (AM) and afternoon (PM) sessions.",
                  [Bar(SessionKind(r.session).label, _percent_value(r.booked, r.slots)) for r in found], unit="%")
    return Table("sessions", "Utilisation per session (AM and PM)",
                 ["Session", "Open slots", "Slots booked", "Utilisation", "Attended"], rows, chart=chart)


def themes_table(programme, filters: DashboardFilters, **_) -> Table:
    counts = figures.surgery_themes(programme, filters)
    rows = [[label, counts.get(key, 0)] for key, label in THEMES]
    rows += [[key, n] for key, n in sorted(counts.items()) if key not in dict(THEMES)]
    chart = Chart("Bookings by theme", "Confirmed surgery bookings, by the theme the person chose.",
                  [Bar(label, n) for label, n in rows])
    return Table("themes", "Themes chosen", ["Theme", "Bookings"], rows, chart=chart,
                 footer=["All themes", sum(n for _, n in rows)])


def standards_table(programme, filters: DashboardFilters, **_) -> Table:
    on_events = figures.standards_on_events(programme, filters)
    in_reflections = figures.standards_in_reflections(programme, filters)
    codes = sorted(set(on_events) | set(in_reflections), key=code_sort_key)
    rows = [[code, practice_standard_label(code), on_events.get(code, 0), in_reflections.get(code, 0)]
            for code in codes]
    return Table("standards", "Practice standards covered",
                 ["Code", "Standard", "Events tagged", "CPD reflections tagged"], rows, numeric_from=2,
                 note="CPD reflections are counted, never shown: they are private to the people who wrote them.")


def feedback_table(programme, filters: DashboardFilters, **_) -> Table:
    found = figures.feedback(programme, filters)
    rows = [[uk_date(r.starts_at), r.title, r.responses, _average(r.usefulness_total, r.responses),
             _average(r.relevance_total, r.responses)] for r in found]
    responses = sum(r.responses for r in found)
    footer = ["All workshops", "", responses, _average(sum(r.usefulness_total for r in found), responses),
              _average(sum(r.relevance_total for r in found), responses)]
    return Table("feedback", "Feedback averages", ["Date", "Workshop", "Responses", "Usefulness (1 to 5)",
                                                   "Relevance (1 to 5)"], rows, numeric_from=2, footer=footer)


def regions_table(programme, filters: DashboardFilters, **options) -> Table:
    found = {r.region: r for r in _once(options, "regions", lambda: figures.regions(programme, filters))}
    names = list(REGIONS) + sorted(set(found) - set(REGIONS))
    rows = [[name, *((r.organisations, r.people, r.places, r.attended) if (r := found.get(name)) else (0, 0, 0, 0))]
            for name in names]
    chart = Chart("Places taken, by region", "Confirmed places by the region of the organisation they count "
                  "for.", [Bar(row[0], row[3]) for row in rows])
    footer = ["All regions", sum(r[1] for r in rows), sum(r[2] for r in rows), sum(r[3] for r in rows),
              sum(r[4] for r in rows)]
    return Table("regions", "Reach by region", ["Region", "Organisations", "People", "Places taken", "Attended"],
                 rows, chart=chart, footer=footer)


def reach_table(programme, filters: DashboardFilters, **options) -> Table:
    found = _once(options, "regions", lambda: figures.regions(programme, filters))
    returning = figures.first_time_and_returning(programme, filters)
    rows = [["Organisations reached", sum(r.organisations for r in found if r.region != figures.NOT_KNOWN)],
            ["Regions reached", sum(1 for r in found if r.region != figures.NOT_KNOWN)],
            ["Organisations taking part for the first time", returning.first_time],
            ["Organisations that took part before", returning.returning],
            ["People reached", sum(r.people for r in found)]]
    return Table("reach", "Reach", ["Figure", "Number"], rows,
                 note="First time: no place on this programme before the start of the range.")


def _shown(options: dict) -> int | None:
    """How many rows of a long list the page shows (None: all, as in its CSV)."""
    return LONG_LIST_ROWS if options.get("page") else None


def _first_of(shown: int, total: int) -> str:
    return f"The first {shown} of {total:,}: download the CSV for them all." if total > shown else ""


def agencies_table(programme, filters: DashboardFilters, **options) -> Table:
    found, total = figures.agencies(programme, filters, _shown(options))
    rows = [[r.name, r.kind, r.region, r.people, r.places, r.attended] for r in found]
    return Table("agencies", "People per organisation",
                 ["Organisation", "Kind", "Region", "People", "Places taken", "Attended"], rows, numeric_from=3,
                 note=_first_of(len(rows), total))


def follow_up_table(programme, filters: DashboardFilters, **options) -> Table:
    found, total = figures.not_booked(programme, filters, _shown(options))
    rows = [[r.name, r.kind, r.region, uk_date(r.last_booked) if r.last_booked else "Never"] for r in found]
    return Table("follow-up", "Organisations with no place in this range (to follow up)",
                 ["Organisation", "Kind", "Region", "Last had a place"], rows, numeric_from=4,
                 note=_first_of(len(rows), total))


def _membership_years(programme, filters: DashboardFilters) -> list[int]:
    return list(range(membership_year_of(filters.first, programme), membership_year_of(filters.last, programme) + 1))


def _members(programme, filters: DashboardFilters, options: dict) -> dict:
    """Member agencies per membership year, from the year before the range's first to its last."""
    years = _membership_years(programme, filters)
    return _once(options, "members", lambda: figures.membership_years(programme, filters, [years[0] - 1] + years))


def memberships_table(programme, filters: DashboardFilters, **options) -> Table:
    years = _membership_years(programme, filters)
    found = _members(programme, filters, options)
    rows = []
    for year in years:
        this, last = found.get(year), found.get(year - 1)
        members, renewed = (this.members, this.renewed) if this else (0, 0)
        before = last.members if last else 0
        rows.append([membership_year_label(year, programme), members, renewed, members - renewed, before - renewed])
    return Table("memberships", "Members per membership year",
                 ["Membership year", "Member agencies", "Renewed", "New", "Did not renew"], rows)


def network_days_table(programme, filters: DashboardFilters, **options) -> Table:
    days = figures.network_days(programme, filters)
    members = _members(programme, filters, options)
    rows = []
    for day in days:
        entitled = getattr(members.get(membership_year_of(day.starts_at, programme)), "members", 0)
        rows.append([uk_date(day.starts_at), day.title, entitled, day.membership_places, day.named,
                     _percent(day.membership_places, entitled), day.attended, day.extra_places])
    return Table("network-days", "Membership places used and entitled",
                 ["Date", "Network Day", "Places members are entitled to", "Membership places taken",
                  "Named", "Used", "Attended", "Extra places"], rows, numeric_from=2)


def income_table(programme, filters: DashboardFilters, today: date, **_) -> Table:
    i = figures.income(programme, filters, today)
    rows = [["Invoices issued", i.invoices], ["Invoiced", format_pounds(i.invoiced)],
            ["Credited (credit notes)", format_pounds(i.credited)], ["Paid", format_pounds(i.paid)],
            ["Still owed", format_pounds(i.outstanding)], ["Invoices overdue", i.overdue_invoices],
            ["Overdue", format_pounds(i.overdue)]]
    return Table("income", "Income", ["Figure", "Amount"], rows,
                 note="Invoices issued in the range, with their credit notes and payments to date.")


# --- Which tables each kind of programme has ------------------------------------------------------------

ALL_KINDS = None


@dataclass(frozen=True)
class TableSpec:
    build: Callable[..., Table]
    kinds: tuple[str, ...] | None  # None: every kind


TABLES: dict[str, TableSpec] = {
    "summary": TableSpec(summary_table, ALL_KINDS),
    "cancellations": TableSpec(cancellations_table, ALL_KINDS),
    "waiting-list": TableSpec(waiting_list_table, ALL_KINDS),
    "sessions": TableSpec(sessions_table, (SURGERY_KIND,)),
    "themes": TableSpec(themes_table, (SURGERY_KIND,)),
    "feedback": TableSpec(feedback_table, (WORKSHOP_KIND,)),
    "standards": TableSpec(standards_table, ALL_KINDS),
    "memberships": TableSpec(memberships_table, (NETWORK_KIND,)),
    "network-days": TableSpec(network_days_table, (NETWORK_KIND,)),
    "income": TableSpec(income_table, (NETWORK_KIND,)),
    "reach": TableSpec(reach_table, ALL_KINDS),
    "regions": TableSpec(regions_table, ALL_KINDS),
    "agencies": TableSpec(agencies_table, ALL_KINDS),
    "follow-up": TableSpec(follow_up_table, ALL_KINDS),
    "events": TableSpec(events_table, ALL_KINDS),
}


def table_names(programme) -> list[str]:
    return [name for name, spec in TABLES.items() if spec.kinds is None or programme.kind in spec.kinds]


def build_table(programme, name: str, filters: DashboardFilters, **options) -> Table | None:
    """One table (None if this programme's dashboard has no table of that name)."""
    if name not in table_names(programme):
        return None
    return TABLES[name].build(programme, filters, **options)
