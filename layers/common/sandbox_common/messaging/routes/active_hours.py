"""Active hours: a user's window, whether a message would be delivered now, and when next."""

from __future__ import annotations

from fastapi import APIRouter

from sandbox_common.http.auth import Caller
from sandbox_common.http.params import ResourceId
from sandbox_common.messaging.message_models import (
    ActiveHoursAnswer,
    CanDeliverAnswer,
    NextDeliveryAnswer,
)

# Each route imports its use cases when first called, not at cold start: they pull in
# storage, users and the audit trail, and the routes need only the request/answer models.
router = APIRouter(prefix="/api/sandbox", tags=["active hours"])


@router.get("/active-hours/{userId}", response_model=ActiveHoursAnswer)
def get_active_hours(userId: ResourceId, caller: Caller) -> ActiveHoursAnswer:
    """The user's active window and local time now."""
    from sandbox_common.messaging import active_hours_service

    return active_hours_service.active_hours(caller, userId)


@router.get("/can-deliver/{userId}", response_model=CanDeliverAnswer)
def can_deliver(userId: ResourceId, caller: Caller) -> CanDeliverAnswer:
    """Whether a message to the user would be delivered now (and why not)."""
    from sandbox_common.messaging import active_hours_service

    return active_hours_service.can_deliver(caller, userId)


@router.get("/next-allowed-delivery/{userId}", response_model=NextDeliveryAnswer)
def next_allowed_delivery(userId: ResourceId, caller: Caller) -> NextDeliveryAnswer:
    """The next time a message to the user may be delivered."""
    from sandbox_common.messaging import active_hours_service

    return active_hours_service.next_allowed_delivery(caller, userId)
