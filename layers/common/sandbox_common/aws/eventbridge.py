"""EventBridge events as functions receive them (the scheduled rule's event)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ScheduledEvent(BaseModel):
    """What an EventBridge schedule (a SAM ``Schedule`` event) sends its target."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    version: str = "0"
    id: str
    detail_type: str = Field(alias="detail-type")
    source: str
    account: str
    time: datetime
    region: str
    # The rule's ARN.
    resources: list[str] = Field(default_factory=list)
    detail: dict[str, Any] = Field(default_factory=dict)
