"""The dashboards' date range: the financial year by default, read in UK time at both ends."""

from datetime import UTC, date, datetime

from ep_events.dashboards.filters import DashboardFilters, financial_year


def test_the_financial_year_runs_from_1_april_to_31_march():
    assert financial_year(date(2027, 3, 31)) == (date(2026, 4, 1), date(2027, 3, 31))
    assert financial_year(date(2027, 4, 1)) == (date(2027, 4, 1), date(2028, 3, 31))
    assert financial_year(date(2026, 12, 25)) == (date(2026, 4, 1), date(2027, 3, 31))


def test_the_range_starts_and_ends_at_midnight_uk_time_either_side_of_the_clocks_changing():
    year = DashboardFilters(date(2026, 4, 1), date(2027, 3, 31))
    # 1 April 2026 is in British Summer Time (UTC+1); 1 April 2027 too.
    assert year.starts == datetime(2026, 3, 31, 23, 0, tzinfo=UTC)
    assert year.ends == datetime(2027, 3, 31, 23, 0, tzinfo=UTC)
    winter = DashboardFilters(date(2026, 12, 1), date(2026, 12, 31))
    assert (winter.starts, winter.ends) == (datetime(2026, 12, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))


def test_the_filters_make_the_query_string_the_form_reads_back():
    filters = DashboardFilters(date(2026, 4, 1), date(2027, 3, 31), region="London")
    assert filters.query_args() == [("from", "1"), ("from", "4"), ("from", "2026"), ("to", "31"), ("to", "3"),
                                    ("to", "2027"), ("region", "London")]
