"""boto3 Lambda Invoke runs the template's functions: their real handlers, in this process.

moto's Lambda knows only functions created through its own API, and runs their code in
Docker; the template's functions are only named in the local stack (provision.py). One hook
on moto's Invoke answers a call that names a registered function (by name, partial ARN or
ARN, with or without a qualifier) by calling its handler, as Lambda would:

- RequestResponse: the handler runs on a thread of its own (an empty context, as in another
  process: the caller's per-request state does not leak in) and the caller waits. Status
  200, Payload the JSON of its result; a handler exception is `FunctionError: "Unhandled"`
  with the payload `{errorMessage, errorType, requestId, stackTrace}`.
- Event: status 202 and an empty Payload at once; the handler runs on a background thread
  (a failure is logged; Lambda's two retries are not played).
- DryRun: status 204, nothing runs.

Any other name falls through to moto (ResourceNotFoundException for an unknown function).
The hook sits on moto's Invoke response rather than its backend because the backend never
sees the Qualifier parameter (moto reads it under another name); both the in-process
transport and the moto server answer through that response class. It is put in place once
per process and passes calls through untouched while nothing is registered.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from local_runtime.functions import release_event_loop

if TYPE_CHECKING:
    from local_runtime.provision import Stack

__all__ = ["InvokeTarget", "LocalLambda", "function_qualifiers", "listen", "unlisten"]

logger = logging.getLogger(__name__)

INVOCATION_TYPES = ("RequestResponse", "Event", "DryRun")
LATEST = "$LATEST"

# What Lambda accepts as FunctionName: a name, `account:function:name` or a full ARN, each
# optionally followed by `:qualifier` (a version or an alias).
_FUNCTION_NAME = re.compile(
    r"^(?:arn:(?P<partition>aws[a-zA-Z-]*):lambda:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
    r"function:|(?P<partial_account>\d{12}):function:)?"
    r"(?P<name>[A-Za-z0-9_.-]+)(?::(?P<qualifier>\$LATEST|[A-Za-z0-9_-]+))?$"
)

# Frames of the runtime itself are not the function's: a stack trace starts at the handler.
_RUNTIME_DIR = str(Path(__file__).resolve().parent) + "/"


@dataclass(frozen=True)
class InvokeTarget:
    """A function Invoke can reach: its unqualified ARN, how to call it, its qualifiers."""

    arn: str
    invoke: Callable[[Any], Any]
    qualifiers: frozenset[str] = frozenset({LATEST})

    @property
    def name(self) -> str:
        """The function's name (the last part of its ARN)."""
        return self.arn.rsplit(":", 1)[-1]


def function_qualifiers(stack: Stack, logical_id: str) -> frozenset[str]:
    """The qualifiers a template function answers to.

    `$LATEST`; with AutoPublishAlias also the alias and version 1 (locally the code is
    published once, and the alias points at it).
    """
    alias = stack.resolve(stack.template.resources[logical_id].properties.get("AutoPublishAlias"))
    return frozenset({LATEST, str(alias), "1"}) if alias else frozenset({LATEST})


# ---------------------------------------------------------------- the hook on moto

InvokeListener = Callable[[Any, str | None], tuple[int, dict[str, str], bytes]]

_listeners: dict[str, InvokeListener] = {}
_lock = threading.RLock()
_installed = False


def _install() -> None:
    global _installed
    if _installed:
        return
    from moto.awslambda.responses import LambdaResponse

    original = LambdaResponse.invoke

    def invoke(self: LambdaResponse) -> tuple[int, dict[str, str], str | bytes]:
        # The path is /2015-03-31/functions/<FunctionName>/invocations (the name URL-encoded).
        function_name = unquote(self.path.split("?", 1)[0].rsplit("/", 2)[-2])
        asked = self.querystring.get("Qualifier", [None])[0]
        found = _registered(function_name, self.current_account, self.region)
        if found is None:
            return original(self)  # type: ignore[no-any-return]
        listener, named = found
        if named and asked and named != asked:
            from moto.awslambda.exceptions import InvalidParameterValueException

            raise InvalidParameterValueException(
                "The derived qualifier from the function name does not match the specified "
                "qualifier."
            )
        return listener(self, named or asked)

    LambdaResponse.invoke = invoke  # type: ignore[method-assign]
    _installed = True


def _registered(
    function_name: str, account_id: str, region: str
) -> tuple[InvokeListener, str | None] | None:
    match = _FUNCTION_NAME.fullmatch(function_name)
    if match is None:
        return None
    arn = (
        f"arn:{match['partition'] or 'aws'}:lambda:{match['region'] or region}:"
        f"{match['account'] or match['partial_account'] or account_id}:function:{match['name']}"
    )
    with _lock:
        listener = _listeners.get(arn)
    return None if listener is None else (listener, match["qualifier"])


def listen(arn: str, listener: InvokeListener) -> None:
    """Answer Invoke of the function ``arn`` (unqualified) with ``listener``."""
    with _lock:
        _install()
        _listeners[arn] = listener


def unlisten(arn: str) -> None:
    """Leave Invoke of this function to moto again."""
    with _lock:
        _listeners.pop(arn, None)


# ---------------------------------------------------------------- running a handler


@dataclass
class _Outcome:
    payload: bytes = b""
    error: BaseException | None = None


def _json_default(value: Any) -> Any:
    # Lambda's Python runtime writes a Decimal as a JSON number, and refuses anything else.
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _error_payload(error: BaseException, error_type: str | None = None) -> bytes:
    frames = [
        frame
        for frame in traceback.extract_tb(error.__traceback__)
        if not frame.filename.startswith(_RUNTIME_DIR)
    ]
    return json.dumps(
        {
            "errorMessage": str(error),
            "errorType": error_type or type(error).__name__,
            "requestId": "",
            "stackTrace": traceback.format_list(frames),
        }
    ).encode("utf-8")


def _run(target: InvokeTarget, event: Any, outcome: _Outcome) -> None:
    try:
        result = target.invoke(event)
    except Exception as exc:
        outcome.error = exc
        outcome.payload = _error_payload(exc)
        return
    finally:
        release_event_loop()
    try:
        outcome.payload = json.dumps(result, default=_json_default).encode("utf-8")
    except (TypeError, ValueError) as exc:
        outcome.error = exc
        outcome.payload = json.dumps(
            {
                "errorMessage": f"Unable to marshal response: {exc}",
                "errorType": "Runtime.MarshalError",
                "requestId": "",
                "stackTrace": [],
            }
        ).encode("utf-8")


def _event(body: str | bytes | None) -> Any:
    if not body:
        return {}
    try:
        return json.loads(body)
    except ValueError as exc:
        from moto.awslambda.exceptions import LambdaClientError

        raise LambdaClientError(
            "InvalidRequestContentException", f"Could not parse request body into json: {exc}"
        ) from exc


class LocalLambda:
    """Answers boto3 Invoke of ``targets`` with their handlers while started."""

    def __init__(self, targets: Iterable[InvokeTarget]) -> None:
        self.targets = {target.arn: target for target in targets}
        self._events: set[threading.Thread] = set()
        self._events_lock = threading.Lock()
        self._listening: list[str] = []

    def start(self) -> None:
        """Take Invoke of every target from moto."""
        for arn, target in self.targets.items():
            listen(arn, self._listener(target))
            self._listening.append(arn)

    def stop(self, timeout: float = 30.0) -> None:
        """Take no more invocations; wait up to ``timeout`` s for Event ones in progress."""
        for arn in self._listening:
            unlisten(arn)
        self._listening.clear()
        self.wait(timeout)

    def wait(self, timeout: float = 30.0) -> bool:
        """Wait up to ``timeout`` s for the Event invocations in progress; whether all ended."""
        deadline = time.monotonic() + timeout
        with self._events_lock:
            running = list(self._events)
        for thread in running:
            thread.join(max(0.0, deadline - time.monotonic()))
            if thread.is_alive():
                logger.warning("%s is still running after %.0f s", thread.name, timeout)
        return not any(thread.is_alive() for thread in running)

    def _listener(self, target: InvokeTarget) -> InvokeListener:
        def answer(request: Any, qualifier: str | None) -> tuple[int, dict[str, str], bytes]:
            return self.answer(
                target,
                qualifier,
                request.body,
                request.headers.get("X-Amz-Invocation-Type") or "RequestResponse",
            )

        return answer

    def answer(
        self, target: InvokeTarget, qualifier: str | None, body: str | bytes | None, kind: str
    ) -> tuple[int, dict[str, str], bytes]:
        """Lambda's answer to one Invoke of ``target``: status, headers, payload."""
        from moto.awslambda.exceptions import UnknownFunctionException, ValidationException

        if qualifier is not None and qualifier not in target.qualifiers:
            raise UnknownFunctionException(f"{target.arn}:{qualifier}")
        if kind not in INVOCATION_TYPES:
            raise ValidationException(
                kind,
                "invocationType",
                f"Member must satisfy enum value set: [{', '.join(INVOCATION_TYPES)}]",
            )
        event = _event(body)
        headers = {"content-type": "application/json", "x-amzn-requestid": str(uuid.uuid4())}
        # moto's in-process transport takes the status from this header, the server from the
        # first item of the answer.
        if kind == "DryRun":
            return 204, {**headers, "status": "204"}, b""
        if kind == "Event":
            self._run_later(target, event)
            return 202, {**headers, "status": "202"}, b""
        outcome = _Outcome()
        thread = threading.Thread(
            target=_run, args=(target, event, outcome), name=f"lambda-{target.name}"
        )
        thread.start()
        thread.join()
        if outcome.error is not None:
            headers["x-amz-function-error"] = "Unhandled"
            logger.warning("%s failed: %r", target.name, outcome.error)
        return 200, headers, outcome.payload

    def _run_later(self, target: InvokeTarget, event: Any) -> None:
        def run() -> None:
            outcome = _Outcome()
            try:
                _run(target, event, outcome)
                if outcome.error is not None:
                    logger.error(
                        "%s failed (Event invocation)",
                        target.name,
                        exc_info=outcome.error,
                    )
            finally:
                with self._events_lock:
                    self._events.discard(threading.current_thread())

        thread = threading.Thread(target=run, name=f"lambda-event-{target.name}", daemon=True)
        with self._events_lock:
            self._events.add(thread)
        thread.start()
