"""The non-HTTP entry point: events parsed into models, answers as JSON, failures re-raised."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from sandbox_common.aws.eventbridge import ScheduledEvent
from sandbox_common.tasks import make_task_handler

SCHEDULED = {
    "version": "0",
    "id": "evt-1",
    "detail-type": "Scheduled Event",
    "source": "aws.events",
    "account": "123456789012",
    "time": "2026-01-15T12:05:00Z",
    "region": "us-east-1",
    "resources": ["arn:aws:events:us-east-1:123456789012:rule/nightly"],
    "detail": {},
}


class Context:
    function_name = "task"
    memory_limit_in_mb = 128
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:task"
    aws_request_id = "req-1"


class Echo(BaseModel):
    rule: str
    at: str


def echo(event: ScheduledEvent, context: Any) -> Echo:
    return Echo(rule=event.resources[0], at=event.time.isoformat())


def test_the_task_gets_the_parsed_event_and_its_answer_is_json():
    handler = make_task_handler("test-task", echo, event_model=ScheduledEvent)

    answer = handler(dict(SCHEDULED), Context())

    assert answer == {
        "rule": "arn:aws:events:us-east-1:123456789012:rule/nightly",
        "at": "2026-01-15T12:05:00+00:00",
    }
    json.dumps(answer)


def test_logs_are_correlated_by_the_event_id(capsys):
    # A service name of its own: its logger is created now, writing to the captured stdout.
    handler = make_task_handler("task-correlated", echo, event_model=ScheduledEvent)

    handler(dict(SCHEDULED), Context())

    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]
    finished = [line for line in lines if line["message"] == "task finished"]
    assert finished and finished[0]["correlation_id"] == "evt-1"


def test_a_failing_task_is_logged_and_re_raised(capsys):
    def broken(event: ScheduledEvent, context: Any) -> Echo:
        raise RuntimeError("disk on fire")

    handler = make_task_handler("task-failing", broken, event_model=ScheduledEvent)

    with pytest.raises(RuntimeError, match="disk on fire"):
        handler(dict(SCHEDULED), Context())
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]
    assert any(line["message"] == "task failed" and line["level"] == "ERROR" for line in lines)


def test_an_event_of_the_wrong_shape_never_reaches_the_task():
    reached = []

    def task(event: ScheduledEvent, context: Any) -> Echo:
        reached.append(event)
        return Echo(rule="", at="")

    handler = make_task_handler("test-task", task, event_model=ScheduledEvent)

    with pytest.raises(ValidationError):
        handler({"id": "x"}, Context())
    assert reached == []
