"""Routes of the persistent configs: ``POST /update-sandbox-config``,
``GET /get-persistant-config`` (paths and spelling as documented)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from sandbox_common.http.auth import Caller
from sandbox_common.http.envelope import DataEnvelope, MessageEnvelope
from sandbox_common.http.openapi import also_answers
from sandbox_common.manager import configs
from sandbox_common.manager.models import ConfigUpdate, PersistentConfig
from sandbox_common.sandboxes.models import SANDBOX_ID_PATTERN

router = APIRouter()


@router.post(
    "/update-sandbox-config",
    response_model=MessageEnvelope[None],
    response_model_exclude_none=True,
    openapi_extra=also_answers(404),  # another sandbox's id, for a developer key
)
def update_sandbox_config(caller: Caller, body: ConfigUpdate) -> MessageEnvelope[None]:
    """Create the sandbox's persistent configuration or replace it (same user email only)."""
    configs.update_config(caller, body)
    return MessageEnvelope(message="Configuration updated successfully")


@router.get(
    "/get-persistant-config",
    response_model=DataEnvelope[PersistentConfig],
    response_model_exclude_none=True,
    openapi_extra=also_answers(404),  # no config, or another sandbox's id
)
def get_persistant_config(
    caller: Caller,
    sandbox_id: Annotated[str, Query(alias="sandboxId", pattern=SANDBOX_ID_PATTERN)],
) -> DataEnvelope[PersistentConfig]:
    """The sandbox's persistent configuration, as stored."""
    return DataEnvelope(data=configs.get_config(caller, sandbox_id))
