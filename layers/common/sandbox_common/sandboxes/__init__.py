"""Sandboxes: the tenants every key and every record belongs to."""
