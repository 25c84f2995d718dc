"""The public health payload: timestamp, uptime and version."""

from __future__ import annotations

from pydantic import BaseModel


class Health(BaseModel):
    """``{"timestamp": "2024-01-01T00:00:00.000Z", "uptime": 123.456, "version": "1.0.0"}``."""

    timestamp: str
    uptime: float
    version: str
