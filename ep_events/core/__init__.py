"""Shared pieces: time helpers, domain errors, the audit log."""
