"""Users: list them, add one, change a user's zone or active hours."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from sandbox_common.http.auth import Caller
from sandbox_common.http.listing import ListingQuery, paged
from sandbox_common.http.params import ResourceId
from sandbox_common.messaging import users
from sandbox_common.messaging.behavior_models import UserCreate, UserUpdate
from sandbox_common.messaging.users import MessagingUser

router = APIRouter(prefix="/api/sandbox", tags=["users"])


@router.get("/users", response_model=list[MessagingUser])
def list_users(
    caller: Caller, response: Response, query: Annotated[ListingQuery, Query()]
) -> list[MessagingUser]:
    """The sandbox's users by id (a JSON list); the next page's cursor is in X-Next-Cursor."""
    return paged(users.list_users(caller, query), response)


@router.post("/users", status_code=201, response_model=MessagingUser)
def create_user(body: UserCreate, caller: Caller) -> MessagingUser:
    """Add a user with an IANA zone and, optionally, active hours (default 09:00-17:00)."""
    return users.create_user(caller, body)


@router.patch("/users/{userId}", response_model=MessagingUser)
def update_user(userId: ResourceId, body: UserUpdate, caller: Caller) -> MessagingUser:
    """Change a user's zone, active hours (windows may wrap midnight, and name days), or both."""
    return users.update_user(caller, userId, body)
