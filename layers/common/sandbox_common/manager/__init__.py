"""Sandbox Manager (seed 001): health, persistent configs, the hourly job."""
