"""Outbox, email rendering, iCalendar building, Teams link providers."""
