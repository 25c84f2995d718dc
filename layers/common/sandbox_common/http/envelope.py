"""The one error envelope every function answers with, and the manager's success envelopes."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class ErrorEnvelope(BaseModel):
    """``{"success": false, "error", "code", "requestId", "details"?}``."""

    # As sent, `success` is always there (and false): the documented schema requires it.
    model_config = ConfigDict(
        populate_by_name=True, json_schema_serialization_defaults_required=True
    )

    success: Literal[False] = False
    error: str
    code: str
    request_id: str = Field(serialization_alias="requestId")
    details: list[dict[str, Any]] | None = None


class DataEnvelope[T](BaseModel):
    """The manager's ``{"success": true, "data": ...}``."""

    success: bool = True
    data: T


class MessageEnvelope[T](BaseModel):
    """The manager's ``{"success": true, "message": ..., "data"?: ...}``."""

    success: bool = True
    message: str
    data: T | None = None


def error_body(
    *, message: str, code: str, request_id: str, details: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The envelope as a JSON-ready dict (``details`` only when there are some)."""
    envelope = ErrorEnvelope(error=message, code=code, request_id=request_id, details=details)
    return envelope.model_dump(by_alias=True, exclude_none=True)
