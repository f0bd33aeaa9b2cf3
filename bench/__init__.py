"""`make bench`: performance figures for EP Events on a year of seeded data.

Prints one `name: value` line per figure on stdout (progress goes to stderr). Each figure has a goal
that is reported, never enforced: see the README section "Benchmarks". Not part of `make test`.
"""
