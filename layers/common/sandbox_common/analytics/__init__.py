"""Sandbox analytics: the dashboard figures computed from a sandbox's own ledger records.

Pure computation (no AWS, no HTTP): ``period`` parses ``time_period`` query values and
``dashboard`` aggregates transactions, compliance flags and accounts into exact figures.
"""
