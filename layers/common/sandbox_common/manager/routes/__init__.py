"""The manager's routers, one per resource."""
