"""The filters every dashboard takes from its address: a date range (the current financial year unless
chosen), a region and a kind of organisation."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from govuk_frontend_wtf.wtforms_widgets import GovSelect
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from ep_events.core.forms import Form, GovDateField
from ep_events.core.time import to_uk, uk_to_utc, utcnow
from ep_events.organisations.models import REGIONS, OrganisationKind

FINANCIAL_YEAR_STARTS = (4, 1)  # 1 April – 31 March, the year public bodies budget and report in
LONGEST_RANGE_YEARS = 10  # longer ranges are refused: no programme here is older, and the page stays quick


def uk_today() -> date:
    return to_uk(utcnow()).date()


def financial_year(day: date) -> tuple[date, date]:
    """The financial year (1 April to 31 March) that `day` falls in."""
    month, first = FINANCIAL_YEAR_STARTS
    year = day.year if (day.month, day.day) >= (month, first) else day.year - 1
    return date(year, month, first), date(year + 1, month, first) - timedelta(days=1)


@dataclass(frozen=True)
class DashboardFilters:
    """What a dashboard counts: events starting from `first` to `last` (UK dates, both included), and places
    booked from organisations of `region` and `kind` (None: any)."""

    first: date
    last: date
    region: str | None = None
    kind: OrganisationKind | None = None

    @property
    def starts(self) -> datetime:
        return uk_to_utc(self.first, time(0, 0))

    @property
    def ends(self) -> datetime:
        """The moment after the range (midnight UK time at the end of `last`)."""
        return uk_to_utc(self.last + timedelta(days=1), time(0, 0))

    @property
    def by_organisation(self) -> bool:
        return self.region is not None or self.kind is not None

    def query_args(self) -> list[tuple[str, str]]:
        """The filters as a query string's pairs (the date boxes as the form sends them)."""
        args = [("from", str(self.first.day)), ("from", str(self.first.month)), ("from", str(self.first.year)),
                ("to", str(self.last.day)), ("to", str(self.last.month)), ("to", str(self.last.year))]
        if self.region:
            args.append(("region", self.region))
        if self.kind:
            args.append(("kind", self.kind.value))
        return args


class DashboardFilterForm(Form):
    """The GET form above a dashboard; unknown values are errors in the summary, never a server error."""

    class Meta:
        csrf = False  # a GET form: changes nothing, and each filtered view has its own address

    from_date = GovDateField("From", name="from", validators=[Optional()], description="For example, 1 4 2026")
    to_date = GovDateField("To", name="to", validators=[Optional()], description="For example, 31 3 2027")
    region = SelectField("Region", widget=GovSelect(), validators=[Optional()],
                         choices=[SelectChoice("", "All regions")] + [SelectChoice(r, r) for r in REGIONS],
                         validate_choice=False)
    kind = SelectField("Kind of organisation", widget=GovSelect(), validators=[Optional()],
                       choices=[SelectChoice("", "All kinds")] + [SelectChoice(k.value, k.label)
                                                                   for k in OrganisationKind],
                       validate_choice=False)

    def filters(self, today: date) -> DashboardFilters | None:
        """The filters asked for (the financial year of `today` unless dates are given), or None with the errors
        on the form."""
        self.validate()
        default_first, default_last = financial_year(today)
        first, last = self.from_date.data or default_first, self.to_date.data or default_last
        region = self.region.data or None
        if region is not None and region not in REGIONS:
            self.region.errors = list(self.region.errors) + ["Choose a region from the list"]
        kind = None
        if self.kind.data:
            try:
                kind = OrganisationKind(self.kind.data)
            except ValueError:
                self.kind.errors = list(self.kind.errors) + ["Choose a kind of organisation from the list"]
        if not self.from_date.errors and not self.to_date.errors:
            if last < first:
                self.to_date.errors = list(self.to_date.errors) + [
                    "The ‘to’ date must be the same as or after the ‘from’ date"]
            elif last >= _years_after(first, LONGEST_RANGE_YEARS):
                self.to_date.errors = list(self.to_date.errors) + [
                    f"Choose a range of {LONGEST_RANGE_YEARS} years or less"]
        if self.errors:
            return None
        return DashboardFilters(first, last, region, kind)


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)
