"""Organiser dashboards (issue 17): per programme, for a date range, region and organisation kind, what was
offered, booked, attended and cancelled, who was reached and who was not, and (Network Days) membership and
money. Every number is counted by the database (GROUP BY); each table downloads as CSV."""
