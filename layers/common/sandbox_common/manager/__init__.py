"""Sandbox Manager: health, persistent configs, the hourly job."""
