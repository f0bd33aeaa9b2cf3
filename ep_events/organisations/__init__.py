"""Organisations: local authorities and adoption agencies."""
