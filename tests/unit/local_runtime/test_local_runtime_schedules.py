"""The runtime fires the template's Schedule events into the functions' real handlers."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml

from local_runtime import LocalRuntime, RuntimeConfigError
from local_runtime.template import load_yaml


@pytest.fixture
def scheduled_project(tmp_path: Path, fixtures_dir: Path) -> Path:
    """The fixture project plus a function on a five-minute schedule; its template."""
    shutil.copytree(fixtures_dir, tmp_path / "project")
    template = tmp_path / "project" / "template.yaml"
    document = load_yaml(template.read_text())
    document["Resources"]["TickerFunction"] = {
        "Type": "AWS::Serverless::Function",
        "Properties": {
            "CodeUri": "functions/ticker/",
            "Handler": "app.handler",
            "Events": {"Tick": {"Type": "Schedule", "Properties": {"Schedule": "rate(5 minutes)"}}},
        },
    }
    template.write_text(yaml.safe_dump(document, sort_keys=False))
    return template


def ticker_events() -> list[dict[str, Any]]:
    """What the ticker stored (the runtime points ITEMS_TABLE and boto3 at its moto)."""
    items = boto3.resource("dynamodb").Table(os.environ["ITEMS_TABLE"]).scan()["Items"]
    return [item["event"] for item in items if item["owner"] == "ticker"]


def test_a_schedule_fires_the_real_handler_with_a_scheduled_event(
    scheduled_project: Path, clock: Any
) -> None:
    # Schedules off: the test alone decides when they run (run_due), no thread races it.
    with LocalRuntime(
        scheduled_project, clock=clock, create_demo_key=False, schedule_speed=0
    ) as runtime:
        assert runtime.scheduler is not None
        clock.advance(299)
        early = runtime.scheduler.run_due()
        clock.advance(1)
        (firing,) = runtime.scheduler.run_due()
        stored = ticker_events()

    assert early == []
    assert firing.error is None
    assert stored == [
        {
            "version": "0",
            "id": firing.result["stored"],
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "account": "123456789012",
            "time": "2027-01-15T08:05:00Z",  # the occurrence: five minutes after start
            "region": "us-east-1",
            "resources": [
                "arn:aws:events:us-east-1:123456789012:rule/sandbox-platform-TickerFunctionTick"
            ],
            "detail": {},
        }
    ]


def test_the_scheduler_thread_runs_with_the_runtime_and_stops_with_it(
    scheduled_project: Path,
) -> None:
    with LocalRuntime(scheduled_project, create_demo_key=False):
        running = [t for t in threading.enumerate() if t.name == "local-scheduler"]

    assert len(running) == 1
    assert not running[0].is_alive()


def test_a_negative_schedule_speed_is_refused(fixture_template: Path) -> None:
    with pytest.raises(RuntimeConfigError, match="schedule_speed"):
        LocalRuntime(fixture_template, schedule_speed=-1)
