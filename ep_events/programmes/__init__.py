"""Programmes: MTC practice surgeries, Coram Network Days, Adoption England workshops."""
