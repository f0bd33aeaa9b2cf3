"""Coram Network Days: days, agency memberships, named places and EP Champions (money is in billing)."""
