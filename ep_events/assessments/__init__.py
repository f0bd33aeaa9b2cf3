"""Agencies' self-assessments against the EP National Practice Standards (the Adoption England toolkit):
rated per sub-standard, summarised with "what to book next", completed, copied, compared, exported and
imported as the toolkit's spreadsheet, delegated to colleagues, and aggregated for Adoption England."""
