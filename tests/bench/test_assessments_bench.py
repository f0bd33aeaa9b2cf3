"""The practice-standards bench seeds agencies' shared assessments and tagged workshops, and measures the summary,
the spreadsheet and the aggregate (here on a handful, to keep the test quick)."""

from werkzeug.security import generate_password_hash

from bench import assessments
from bench.seed import PASSWORD


def test_the_bench_measures_the_summary_the_spreadsheet_and_the_aggregate(tmp_path, monkeypatch):
    for name, value in (("AGENCIES", 5), ("EVENTS", 10), ("PAGE_LOADS", 2), ("EXPORTS", 1)):
        monkeypatch.setattr(assessments, name, value)
    logged = []
    figures = assessments.measure(f"sqlite:///{tmp_path / 'bench.db'}", generate_password_hash(PASSWORD),
                                  logged.append)
    assert set(figures) == {"assessment_summary_p95_ms", "assessment_xlsx_export_ms", "aggregate_p95_ms"}
    assert all(value > 0 for value in figures.values())
    assert "seeded 5 agencies' shared assessments and 10 tagged workshops" in logged[0]
