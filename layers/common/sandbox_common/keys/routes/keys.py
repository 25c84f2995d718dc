"""Routes of /api/v1/sandbox/keys: issue, list, read, re-tier, revoke and rotate keys."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from sandbox_common.http.auth import Admin, Caller
from sandbox_common.http.listing import ListingQuery, paged
from sandbox_common.http.params import ResourceId
from sandbox_common.keys import service
from sandbox_common.keys.models import KeyCreate, KeyCreated, KeyPublic, KeyUpdate

router = APIRouter()

KEYS = "/api/v1/sandbox/keys"


@router.post(KEYS, status_code=201, response_model=KeyCreated)
def create_key(body: KeyCreate, caller: Admin) -> KeyCreated:
    """Issue a sandbox key (admin). The clear key and secret are shown only here."""
    return service.create_key(caller, body)


@router.get(KEYS, response_model=list[KeyPublic])
def list_keys(
    caller: Caller, response: Response, query: Annotated[ListingQuery, Query()]
) -> list[KeyPublic]:
    """Admin: every key; developer: its sandbox's keys. Next page cursor in X-Next-Cursor."""
    return paged(service.list_keys(caller, limit=query.limit, cursor=query.cursor), response)


@router.get(KEYS + "/{key_id}", response_model=KeyPublic)
def get_key(key_id: ResourceId, caller: Caller) -> KeyPublic:
    """One key, without secrets."""
    return service.get_key(caller, key_id)


@router.patch(KEYS + "/{key_id}", response_model=KeyPublic)
def update_key(key_id: ResourceId, body: KeyUpdate, caller: Admin) -> KeyPublic:
    """Move a key to another tier (usage plan) (admin)."""
    return service.change_tier(caller, key_id, body.tier)


@router.delete(KEYS + "/{key_id}", response_model=KeyPublic)
def revoke_key(key_id: ResourceId, caller: Admin) -> KeyPublic:
    """Revoke a key at once (admin); revoking again is harmless."""
    return service.revoke_key(caller, key_id)


@router.post(KEYS + "/{key_id}/rotate", status_code=201, response_model=KeyCreated)
def rotate_key(key_id: ResourceId, caller: Admin) -> KeyCreated:
    """Replace a key with a new one; the old key stops working at once (admin)."""
    return service.rotate_key(caller, key_id)
