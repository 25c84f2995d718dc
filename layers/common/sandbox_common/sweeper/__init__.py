"""Sweeper: deletes the items of data generations that initialize and reset retired."""
