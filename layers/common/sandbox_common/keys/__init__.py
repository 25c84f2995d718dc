"""Sandbox API keys: issue, authenticate, rotate, revoke, change tier."""
