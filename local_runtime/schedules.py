"""Scheduled events: the template's schedules fired on their rate() or cron() expression.

In AWS, SAM turns each function's `Schedule` event into an EventBridge rule that invokes the
function with a scheduled event. Locally the :class:`Scheduler` plays those rules: it reads
every function's `Schedule` events (whatever the function) and every `AWS::Events::Rule` with
a `ScheduleExpression` whose targets are the template's functions, computes each one's next
occurrence on the runtime's clock, and calls the function's real handler in-process with the
event EventBridge would send (or the event's `Input`, as EventBridge does). Its clock is the
runtime's, so tests move time by hand and fire schedules without sleeping; ``speed`` runs
the schedules' clock faster than the real one (``--schedule-speed 60``: rate(5 minutes)
fires every 5 seconds).

Like EventBridge, a missed occurrence is not made up: after a pause, a rule fires once and
then keeps its cadence. A failed invocation is logged; EventBridge would retry it, the local
runtime leaves it to the next occurrence.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from local_runtime.functions import FunctionSpec, release_event_loop
from local_runtime.provision import Stack
from local_runtime.template import TemplateError

__all__ = [
    "SCHEDULE_EVENT_TYPES",
    "Cron",
    "Firing",
    "Rate",
    "ScheduledTarget",
    "Scheduler",
    "parse_schedule",
    "rule_targets",
    "schedule_event_targets",
    "scheduled_event",
    "scheduled_targets",
]

logger = logging.getLogger(__name__)

SCHEDULE_EVENT_TYPES = frozenset({"Schedule"})
# The scheduler looks at its clock at least this often (an injected clock may jump).
MAX_WAIT_SECONDS = 1.0

_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
_CRON = re.compile(r"^cron\((.+)\)$")
_UNITS = {"minute": timedelta(minutes=1), "hour": timedelta(hours=1), "day": timedelta(days=1)}


@dataclass(frozen=True)
class Rate:
    """``rate(N unit)``: every ``period``, counted from when the rule was created."""

    period: timedelta

    def next_after(self, moment: datetime, created: datetime) -> datetime:
        """The first occurrence strictly after ``moment``."""
        elapsed = max(moment - created, timedelta(0))
        return created + self.period * (elapsed // self.period + 1)


class Cron:
    """``cron(minutes hours day-of-month month day-of-week year)``, in UTC, as AWS reads it."""

    def __init__(self, fields: str) -> None:
        from aws_croniter import AwsCroniter

        self.fields = fields
        try:
            self._cron = AwsCroniter(fields)
        except ValueError as exc:
            raise TemplateError(f"cron({fields}): {exc}") from exc

    def __repr__(self) -> str:
        return f"Cron({self.fields!r})"

    def next_after(self, moment: datetime, created: datetime) -> datetime | None:
        """The first occurrence strictly after ``moment`` (None once its years have passed)."""
        occurrence: datetime | None = self._cron.get_next(moment.astimezone(UTC))[0]
        return occurrence


Schedule = Rate | Cron


def parse_schedule(expression: str) -> Schedule:
    """A schedule expression as EventBridge accepts it; TemplateError otherwise."""
    text = expression.strip()
    rate = _RATE.fullmatch(text)
    if rate:
        value, unit = int(rate.group(1)), rate.group(2)
        # EventBridge refuses "rate(1 minutes)" and "rate(5 minute)"; so does the runtime.
        if value < 1 or (value == 1) == unit.endswith("s"):
            raise TemplateError(
                f"{expression}: use a positive value, a singular unit for 1 and plural otherwise"
            )
        return Rate(_UNITS[unit.rstrip("s")] * value)
    cron = _CRON.fullmatch(text)
    if cron:
        return Cron(cron.group(1).strip())
    raise TemplateError(f"{expression}: a schedule is rate(value unit) or cron(fields)")


@dataclass(frozen=True)
class ScheduledTarget:
    """One `Schedule` event of one function: its rule and what it sends."""

    function_id: str
    event_name: str
    expression: str
    schedule: Schedule
    rule_arn: str
    # The event's `Input` (a JSON document), sent instead of the scheduled event when set.
    input: Any = None


def scheduled_targets(stack: Stack, specs: Mapping[str, FunctionSpec]) -> list[ScheduledTarget]:
    """Everything the template schedules: functions' `Schedule` events, then scheduled rules."""
    events = schedule_event_targets(
        specs, stack_name=stack.stack_name, region=stack.region, account_id=stack.account_id
    )
    return events + rule_targets(stack, specs)


def schedule_event_targets(
    specs: Mapping[str, FunctionSpec], *, stack_name: str, region: str, account_id: str
) -> list[ScheduledTarget]:
    """Every enabled `Schedule` event of the template's functions, in template order."""
    targets = []
    for spec in specs.values():
        for name, event in spec.events.items():
            if event.get("Type") not in SCHEDULE_EVENT_TYPES:
                continue
            props = event.get("Properties") or {}
            where = f"{spec.logical_id}.{name}"
            if "Schedule" not in props:
                raise TemplateError(f"{where}: a Schedule event needs a Schedule expression")
            if not _enabled(props):
                logger.info("%s (%s) is disabled", where, props["Schedule"])
                continue
            # SAM names the rule's resource <Function><Event>; CloudFormation prefixes the stack.
            rule = props.get("Name") or f"{stack_name}-{spec.logical_id}{name}"
            targets.append(
                ScheduledTarget(
                    function_id=spec.logical_id,
                    event_name=name,
                    expression=str(props["Schedule"]),
                    schedule=parse_schedule(str(props["Schedule"])),
                    rule_arn=f"arn:aws:events:{region}:{account_id}:rule/{rule}",
                    input=_input(where, props.get("Input")),
                )
            )
    return targets


def rule_targets(stack: Stack, specs: Mapping[str, FunctionSpec]) -> list[ScheduledTarget]:
    """Each enabled `AWS::Events::Rule` schedule's targets that are functions of the template.

    A target names its function by ARN (`!GetAtt Fn.Arn`), possibly qualified by an alias or
    version (`…:function:name:live`). Targets outside the template are reported, not run.
    """
    targets = []
    for resource in stack.active("AWS::Events::Rule"):
        props = stack.resolve(resource.properties)
        expression = props.get("ScheduleExpression")
        if not expression:
            continue  # an event-pattern rule: nothing to schedule
        if not _enabled(props):
            logger.info("%s (%s) is disabled", resource.logical_id, expression)
            continue
        schedule = parse_schedule(str(expression))
        rule_arn = str(stack.get_att(resource.logical_id, "Arn"))
        for target in props.get("Targets") or []:
            arn = str(target.get("Arn", ""))
            function = next(
                (s for s in specs.values() if arn == s.arn or arn.startswith(s.arn + ":")), None
            )
            if function is None:
                logger.info("%s target %s is not a function here", resource.logical_id, arn)
                continue
            where = f"{resource.logical_id}.{target.get('Id', function.logical_id)}"
            targets.append(
                ScheduledTarget(
                    function_id=function.logical_id,
                    event_name=resource.logical_id,
                    expression=str(expression),
                    schedule=schedule,
                    rule_arn=rule_arn,
                    input=_input(where, target.get("Input")),
                )
            )
    return targets


def _enabled(props: Mapping[str, Any]) -> bool:
    if "State" in props:
        return str(props["State"]).upper() == "ENABLED"
    return str(props.get("Enabled", True)).lower() != "false"


def _input(where: str, value: Any) -> Any:
    if value is None:
        return None
    try:
        return json.loads(value) if isinstance(value, str) else value
    except json.JSONDecodeError as exc:
        raise TemplateError(f"{where}: Input is not JSON: {exc}") from exc


def scheduled_event(
    target: ScheduledTarget, at: datetime, *, region: str, account_id: str
) -> dict[str, Any]:
    """What EventBridge sends the target for the occurrence at ``at``."""
    if target.input is not None:
        return json.loads(json.dumps(target.input))  # a fresh copy per invocation
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": account_id,
        "time": at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [target.rule_arn],
        "detail": {},
    }


@dataclass(frozen=True)
class Firing:
    """One invocation the scheduler made: which rule, for which occurrence, and how it went."""

    target: ScheduledTarget
    at: datetime
    result: Any = None
    error: BaseException | None = None


Invoke = Callable[[str, dict[str, Any]], Any]


class Scheduler:
    """Fires scheduled targets on their schedules: by a thread (``start``) or on demand."""

    def __init__(
        self,
        targets: list[ScheduledTarget],
        invoke: Invoke,
        *,
        region: str,
        account_id: str,
        clock: Callable[[], float] = time.time,
        speed: float = 1.0,
    ) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.targets = list(targets)
        self._invoke = invoke
        self._region = region
        self._account_id = account_id
        self._clock = clock
        self._speed = speed
        # The rules are created now; rate() schedules count from here.
        self._created_real = clock()
        self._created = self._virtual(self._created_real)
        self._next: dict[int, datetime | None] = {
            index: target.schedule.next_after(self._created, self._created)
            for index, target in enumerate(self.targets)
        }
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    # ---------------------------------------------------------------- time

    def _virtual(self, real: float) -> datetime:
        """The schedules' time at real time ``real`` (the same unless ``speed`` is not 1)."""
        return datetime.fromtimestamp(
            self._created_real + (real - self._created_real) * self._speed, UTC
        )

    def _real(self, virtual: datetime) -> float:
        return self._created_real + (virtual.timestamp() - self._created_real) / self._speed

    def next_occurrence(self, function_id: str, event_name: str) -> datetime | None:
        """When the target will fire next (on the schedules' clock)."""
        return self._next[self._index(function_id, event_name)]

    # ---------------------------------------------------------------- firing

    def run_due(self) -> list[Firing]:
        """Fire every target whose occurrence has come, once each; what was fired."""
        now = self._virtual(self._clock())
        due: list[tuple[ScheduledTarget, datetime]] = []
        with self._lock:  # each occurrence is claimed once, whoever calls
            for index, target in enumerate(self.targets):
                occurrence = self._next[index]
                if occurrence is not None and occurrence <= now:
                    due.append((target, occurrence))
                    self._next[index] = target.schedule.next_after(now, self._created)
        return [self._fire(target, at) for target, at in due]

    def fire(self, function_id: str, event_name: str) -> Firing:
        """Fire one target now, off its schedule (as `sam local invoke` with its event would)."""
        target = self.targets[self._index(function_id, event_name)]
        return self._fire(target, self._virtual(self._clock()))

    def _fire(self, target: ScheduledTarget, at: datetime) -> Firing:
        event = scheduled_event(
            target,
            datetime.fromtimestamp(self._real(at), UTC),
            region=self._region,
            account_id=self._account_id,
        )
        where = f"{target.function_id}.{target.event_name}"
        try:
            result = self._invoke(target.function_id, event)
        except Exception as exc:
            logger.exception("scheduled %s (%s) failed", where, target.expression)
            return Firing(target, at, error=exc)
        logger.info("scheduled %s (%s) ran: %s", where, target.expression, _brief(result))
        return Firing(target, at, result=result)

    def _index(self, function_id: str, event_name: str) -> int:
        for index, target in enumerate(self.targets):
            if (target.function_id, target.event_name) == (function_id, event_name):
                return index
        raise KeyError(f"no Schedule event {event_name} on {function_id}")

    # ---------------------------------------------------------------- thread

    def start(self) -> None:
        """Fire schedules from a background thread until :meth:`stop`."""
        if self._thread is not None or not self.targets:
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._loop, name="local-scheduler", daemon=True)
        self._thread.start()
        logger.info(
            "scheduling %s",
            ", ".join(f"{t.function_id}.{t.event_name} {t.expression}" for t in self.targets),
        )

    def stop(self, timeout: float = 30.0) -> None:
        """Stop firing; wait up to ``timeout`` seconds for an invocation in progress."""
        self._stopping.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout)
            if thread.is_alive():
                logger.warning("a scheduled invocation is still running after %.0f s", timeout)

    def _loop(self) -> None:
        try:
            while not self._stopping.is_set():
                self.run_due()
                self._stopping.wait(self._seconds_to_next())
        finally:
            release_event_loop()

    def _seconds_to_next(self) -> float:
        upcoming = [at for at in self._next.values() if at is not None]
        if not upcoming:
            return MAX_WAIT_SECONDS
        wait = self._real(min(upcoming)) - self._clock()
        return min(max(wait, 0.01), MAX_WAIT_SECONDS)


def _brief(result: Any) -> str:
    text = json.dumps(result, default=str) if result is not None else "null"
    return text if len(text) <= 300 else text[:297] + "..."
