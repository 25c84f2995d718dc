"""The project's own counters across every sandbox: requests and business events by day."""
