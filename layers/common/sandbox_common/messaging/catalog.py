"""The signal catalog: which behavioral signals exist and what they lead to (pure data).

A signal type is snake_case (``user_login``); the event a signal is normalized into carries
the upper-case type (``USER_LOGIN``). Each signal lists its demo actions: what the default
rules decide when it arrives, in priority order (a unit test keeps the two in step).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

from pydantic import BaseModel, ConfigDict

from sandbox_common.errors import InvalidInput

__all__ = [
    "ACTION_TYPES",
    "CHANNELS",
    "MESSAGE_ACTIONS",
    "SIGNALS",
    "ActionType",
    "Channel",
    "DemoAction",
    "SignalCatalog",
    "SignalSpec",
    "event_type_of",
    "require_signal",
    "signal_catalog",
]


class ActionType(StrEnum):
    """What a decision asks the sandbox to do (all simulated: nothing leaves the sandbox)."""

    SEND_MESSAGE = "send_message"
    SEND_NOTIFICATION = "send_notification"
    SEND_EMAIL = "send_email"
    SHOW_BANNER = "show_banner"
    SHOW_RECOMMENDATION = "show_recommendation"
    OFFER_DISCOUNT = "offer_discount"


class Channel(StrEnum):
    """Where an action would reach the user; every channel is simulated in the sandbox."""

    SANDBOX = "sandbox"
    IN_APP = "in_app"
    EMAIL = "email"
    PUSH = "push"


ACTION_TYPES: tuple[str, ...] = tuple(ActionType)
CHANNELS: tuple[str, ...] = tuple(Channel)
# Actions whose outcome is a message to the user (the ones a message can be subject to).
MESSAGE_ACTIONS: frozenset[ActionType] = frozenset({ActionType.SEND_MESSAGE})


class DemoAction(BaseModel):
    """One action a signal triggers under the default rules."""

    model_config = ConfigDict(frozen=True)

    type: ActionType
    reason: str
    channel: Channel


class SignalSpec(BaseModel):
    """One signal type of the catalog, in the shape the catalog answer lists it."""

    model_config = ConfigDict(frozen=True)

    type: str
    description: str
    eventTypes: tuple[str, ...]
    demoActions: tuple[DemoAction, ...]


class SignalCatalog(BaseModel):
    """The catalog answer: ``{"signals": [...]}``."""

    signals: list[SignalSpec]


def _signal(type_: str, description: str, *actions: tuple[ActionType, str]) -> SignalSpec:
    return SignalSpec(
        type=type_,
        description=description,
        eventTypes=(type_.upper(),),
        demoActions=tuple(
            DemoAction(type=action, reason=reason, channel=Channel.SANDBOX)
            for action, reason in actions
        ),
    )


_A = ActionType

_SPECS = (
    _signal(
        "user_login",
        "User authentication/login event",
        (_A.SEND_MESSAGE, "User login detected"),
        (_A.SEND_NOTIFICATION, "Returning user welcome"),
    ),
    _signal(
        "user_logout",
        "User ended their session",
        (_A.SEND_EMAIL, "User logged out; follow up later"),
    ),
    _signal(
        "user_click",
        "User clicked an element of the page",
        (_A.SHOW_BANNER, "User is engaging with content"),
    ),
    _signal(
        "page_scroll",
        "User scrolled through a page",
        (_A.SHOW_RECOMMENDATION, "User is reading the page"),
    ),
    _signal(
        "page_view",
        "User opened a page",
        (_A.SHOW_RECOMMENDATION, "Page viewed"),
        (_A.OFFER_DISCOUNT, "User is looking at prices"),
    ),
    _signal(
        "cart_abandoned",
        "User left items in the cart without checking out",
        (_A.SEND_MESSAGE, "Cart abandoned; remind the user"),
        (_A.SEND_EMAIL, "Cart still waiting; send a reminder email"),
    ),
    _signal(
        "purchase_completed",
        "User completed a purchase",
        (_A.SEND_MESSAGE, "Purchase completed; thank the user"),
    ),
    _signal(
        "message_opened",
        "User opened a message they received",
        (_A.SEND_NOTIFICATION, "Message opened; suggest a reply"),
    ),
    _signal(
        "session_idle",
        "User's session has been idle for a while",
        (_A.SEND_NOTIFICATION, "Session idle; re-engage the user"),
    ),
    _signal(
        "profile_updated",
        "User changed their profile",
        (_A.SEND_EMAIL, "Profile updated; confirm the change"),
    ),
)

# signal type -> its spec, in catalog order
SIGNALS: Mapping[str, SignalSpec] = MappingProxyType({spec.type: spec for spec in _SPECS})


def signal_catalog() -> SignalCatalog:
    """The catalog answer, every signal in catalog order."""
    return SignalCatalog(signals=list(SIGNALS.values()))


def event_type_of(signal_type: str) -> str:
    """The normalized event type of a known signal type (``user_login`` -> ``USER_LOGIN``)."""
    return require_signal(signal_type).eventTypes[0]


def require_signal(signal_type: str, *, field: str = "type") -> SignalSpec:
    """The spec of ``signal_type``; 400 naming the valid types when it is not in the catalog."""
    spec = SIGNALS.get(signal_type)
    if spec is not None:
        return spec
    valid = ", ".join(SIGNALS)
    shown = signal_type if len(signal_type) <= 64 else signal_type[:64] + "..."
    message = f"Unknown signal type '{shown}'. Valid types: {valid}"
    raise InvalidInput(
        message,
        details=[{"loc": ["body", field], "msg": message, "type": "unknown_signal_type"}],
    )
