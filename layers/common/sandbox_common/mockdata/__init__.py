"""Seeded, reproducible mock data for a sandbox: accounts, transactions, compliance flags."""
