"""Routes of /api/v1/sandbox/config: the sandbox's own settings, read and replaced."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body

from sandbox_common.http.auth import Caller
from sandbox_common.sandboxes import config_service
from sandbox_common.sandboxes.config import SandboxConfig

router = APIRouter()

CONFIG = "/api/v1/sandbox/config"

# No body at all means every default (FastAPI hands each request a copy of it).
NO_CONFIG_BODY = SandboxConfig()


@router.get(CONFIG, response_model=SandboxConfig)
def get_config(caller: Caller) -> SandboxConfig:
    """The sandbox's settings."""
    return config_service.get_config(caller)


@router.put(CONFIG, response_model=SandboxConfig)
def put_config(
    caller: Caller, body: Annotated[SandboxConfig, Body()] = NO_CONFIG_BODY
) -> SandboxConfig:
    """Replace the sandbox's settings (omitted fields, or no body, take their defaults)."""
    return config_service.put_config(caller, body)
