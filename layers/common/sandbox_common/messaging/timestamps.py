"""The instant type of messaging's answers: UTC with milliseconds and ``Z``
(``2026-01-30T16:55:00.000Z``), however the datetime was made."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import PlainSerializer

from sandbox_common.clock import isoformat

Timestamp = Annotated[datetime, PlainSerializer(isoformat, return_type=str, when_used="json")]
