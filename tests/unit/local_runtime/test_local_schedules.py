"""Schedule events: expressions, targets from the template, the event, firing on the clock."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from local_runtime import schedules
from local_runtime.api import function_specs
from local_runtime.functions import FunctionSpec
from local_runtime.provision import Stack
from local_runtime.schedules import (
    Rate,
    ScheduledTarget,
    Scheduler,
    parse_schedule,
    schedule_event_targets,
    scheduled_event,
    scheduled_targets,
)
from local_runtime.template import Template, TemplateError

REGION, ACCOUNT = "us-east-1", "123456789012"
START = datetime(2027, 1, 15, 8, 0, tzinfo=UTC)


def at(**offset: float) -> datetime:
    return START + timedelta(**offset)


# ---------------------------------------------------------------- expressions


@pytest.mark.parametrize(
    ("expression", "period"),
    [
        ("rate(1 minute)", timedelta(minutes=1)),
        ("rate(5 minutes)", timedelta(minutes=5)),
        ("rate(1 hour)", timedelta(hours=1)),
        ("rate(12 hours)", timedelta(hours=12)),
        ("rate(1 day)", timedelta(days=1)),
        ("rate(7 days)", timedelta(days=7)),
    ],
)
def test_rate_expressions_give_their_period(expression: str, period: timedelta) -> None:
    assert parse_schedule(expression) == Rate(period)


@pytest.mark.parametrize(
    "expression",
    [
        "rate(5 minute)",  # EventBridge wants the plural above 1
        "rate(1 minutes)",  # and the singular for 1
        "rate(0 minutes)",
        "rate(5 seconds)",
        "rate(five minutes)",
        "every 5 minutes",
        "cron(0 12 * * * *)",  # day-of-month and day-of-week cannot both be *
        "cron(0 12 * *)",
    ],
)
def test_expressions_eventbridge_refuses_are_template_errors(expression: str) -> None:
    with pytest.raises(TemplateError):
        parse_schedule(expression)


def test_a_rate_fires_on_its_grid_from_when_the_rule_was_created() -> None:
    rate = parse_schedule("rate(5 minutes)")

    assert rate.next_after(START, START) == at(minutes=5)
    assert rate.next_after(at(minutes=5), START) == at(minutes=10)
    assert rate.next_after(at(minutes=17), START) == at(minutes=20)


def test_a_cron_uses_aws_fields_day_of_week_one_being_sunday() -> None:
    weekdays_noon = parse_schedule("cron(0 12 ? * MON-FRI *)")
    sundays = parse_schedule("cron(30 6 ? * 1 *)")
    friday = datetime(2027, 1, 15, 12, 0, tzinfo=UTC)

    assert weekdays_noon.next_after(friday, friday) == datetime(2027, 1, 18, 12, 0, tzinfo=UTC)
    assert sundays.next_after(friday, friday) == datetime(2027, 1, 17, 6, 30, tzinfo=UTC)


def test_a_cron_whose_years_are_over_never_fires_again() -> None:
    assert parse_schedule("cron(0 0 1 1 ? 2020)").next_after(START, START) is None


# ---------------------------------------------------------------- targets and events


def spec(logical_id: str, events: dict[str, Any]) -> FunctionSpec:
    return FunctionSpec(
        logical_id=logical_id,
        name=f"stack-{logical_id}",
        arn=f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:stack-{logical_id}",
        code_uri=Path("."),
        handler="app.handler",
        events=events,
    )


def schedule_event(expression: str, **props: Any) -> dict[str, Any]:
    return {"Type": "Schedule", "Properties": {"Schedule": expression, **props}}


def targets_of(*specs: FunctionSpec) -> list[ScheduledTarget]:
    return schedule_event_targets(
        {s.logical_id: s for s in specs}, stack_name="stack", region=REGION, account_id=ACCOUNT
    )


def test_every_functions_schedule_events_become_targets_and_other_events_do_not() -> None:
    targets = targets_of(
        spec(
            "Jobs",
            {
                "Sweep": schedule_event("rate(5 minutes)"),
                "Hourly": schedule_event("cron(0 * * * ? *)", Name="billing"),
                "Route": {"Type": "Api", "Properties": {"Path": "/x", "Method": "GET"}},
            },
        ),
        spec("Other", {"Nightly": schedule_event("rate(1 day)")}),
    )

    assert [(t.function_id, t.event_name, t.expression) for t in targets] == [
        ("Jobs", "Sweep", "rate(5 minutes)"),
        ("Jobs", "Hourly", "cron(0 * * * ? *)"),
        ("Other", "Nightly", "rate(1 day)"),
    ]
    assert targets[0].rule_arn == f"arn:aws:events:{REGION}:{ACCOUNT}:rule/stack-JobsSweep"
    assert targets[1].rule_arn == f"arn:aws:events:{REGION}:{ACCOUNT}:rule/billing"


def test_disabled_schedules_are_not_targets() -> None:
    targets = targets_of(
        spec(
            "Jobs",
            {
                "Off": schedule_event("rate(1 hour)", Enabled=False),
                "Disabled": schedule_event("rate(1 hour)", State="DISABLED"),
                "On": schedule_event("rate(1 hour)", State="ENABLED"),
            },
        )
    )

    assert [t.event_name for t in targets] == ["On"]


def test_a_bad_expression_names_the_function_and_event() -> None:
    with pytest.raises(TemplateError, match="rate"):
        targets_of(spec("Jobs", {"Sweep": schedule_event("rate(5 minute)")}))
    with pytest.raises(TemplateError, match=r"Jobs\.Broken"):
        targets_of(spec("Jobs", {"Broken": {"Type": "Schedule", "Properties": {}}}))


def test_the_scheduled_event_has_the_shape_eventbridge_sends() -> None:
    (target,) = targets_of(spec("Jobs", {"Sweep": schedule_event("rate(5 minutes)")}))

    event = scheduled_event(target, at(minutes=5), region=REGION, account_id=ACCOUNT)

    assert event == {
        "version": "0",
        "id": event["id"],
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": ACCOUNT,
        "time": "2027-01-15T08:05:00Z",
        "region": REGION,
        "resources": [f"arn:aws:events:{REGION}:{ACCOUNT}:rule/stack-JobsSweep"],
        "detail": {},
    }
    assert scheduled_event(target, START, region=REGION, account_id=ACCOUNT)["id"] != event["id"]


def test_an_input_is_sent_instead_of_the_scheduled_event() -> None:
    (target,) = targets_of(
        spec("Jobs", {"Sweep": schedule_event("rate(5 minutes)", Input='{"dry_run": true}')})
    )

    assert scheduled_event(target, START, region=REGION, account_id=ACCOUNT) == {"dry_run": True}


# ---------------------------------------------------------------- the scheduler


class Recorder:
    """Stands in for the runtime's functions: remembers each invocation's event."""

    def __init__(self, fail: bool = False) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.fail = fail
        self.called = threading.Event()

    def __call__(self, function_id: str, event: dict[str, Any]) -> dict[str, Any]:
        self.calls.append((function_id, event))
        self.called.set()
        if self.fail:
            raise RuntimeError("the job crashed")
        return {"ok": True}


def scheduler(clock: Any, recorder: Recorder, *expressions: str, speed: float = 1.0) -> Scheduler:
    events = {f"E{i}": schedule_event(e) for i, e in enumerate(expressions)}
    return Scheduler(
        targets_of(spec("Jobs", events)),
        recorder,
        region=REGION,
        account_id=ACCOUNT,
        clock=clock,
        speed=speed,
    )


def test_nothing_fires_before_the_first_period_has_passed(clock: Any) -> None:
    recorder = Recorder()
    jobs = scheduler(clock, recorder, "rate(5 minutes)")

    clock.advance(299)

    assert jobs.run_due() == []
    assert recorder.calls == []


def test_a_rate_fires_once_per_period_with_the_occurrence_time(clock: Any) -> None:
    recorder = Recorder()
    jobs = scheduler(clock, recorder, "rate(5 minutes)")
    created = datetime.fromtimestamp(clock.now, UTC)

    clock.advance(300)
    first = jobs.run_due()
    again = jobs.run_due()
    clock.advance(300)
    second = jobs.run_due()

    assert [f.at for f in first + second] == [
        created + timedelta(minutes=5),
        created + timedelta(minutes=10),
    ]
    assert again == []
    assert [event["time"] for _, event in recorder.calls] == [
        (created + timedelta(minutes=m)).strftime("%Y-%m-%dT%H:%M:%SZ") for m in (5, 10)
    ]
    assert all(result.result == {"ok": True} for result in first + second)


def test_missed_occurrences_fire_once_and_the_cadence_is_kept(clock: Any) -> None:
    recorder = Recorder()
    jobs = scheduler(clock, recorder, "rate(5 minutes)")
    created = datetime.fromtimestamp(clock.now, UTC)

    clock.advance(17 * 60)

    assert len(jobs.run_due()) == 1
    assert jobs.next_occurrence("Jobs", "E0") == created + timedelta(minutes=20)


def test_a_faster_schedule_clock_fires_sooner(clock: Any) -> None:
    recorder = Recorder()
    jobs = scheduler(clock, recorder, "rate(5 minutes)", speed=60)

    clock.advance(4.9)
    assert jobs.run_due() == []
    clock.advance(0.1)
    assert len(jobs.run_due()) == 1


def test_a_failing_invocation_is_reported_and_the_schedule_goes_on(
    clock: Any, caplog: pytest.LogCaptureFixture
) -> None:
    recorder = Recorder(fail=True)
    jobs = scheduler(clock, recorder, "rate(1 minute)")

    clock.advance(60)
    (failed,) = jobs.run_due()
    clock.advance(60)

    assert isinstance(failed.error, RuntimeError)
    assert "scheduled Jobs.E0 (rate(1 minute)) failed" in caplog.text
    assert len(jobs.run_due()) == 1


def test_a_target_can_be_fired_off_schedule(clock: Any) -> None:
    recorder = Recorder()
    jobs = scheduler(clock, recorder, "rate(1 day)", "rate(1 hour)")

    firing = jobs.fire("Jobs", "E1")

    assert firing.target.event_name == "E1"
    assert [function for function, _ in recorder.calls] == ["Jobs"]
    assert jobs.run_due() == []  # the schedule itself is unchanged
    with pytest.raises(KeyError):
        jobs.fire("Jobs", "Missing")


def test_the_thread_fires_when_the_clock_reaches_an_occurrence_and_stops(
    clock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(schedules, "MAX_WAIT_SECONDS", 0.01)
    recorder = Recorder()
    jobs = scheduler(clock, recorder, "rate(1 minute)")
    jobs.start()
    try:
        clock.advance(60)
        assert recorder.called.wait(5)
    finally:
        jobs.stop()

    assert len(recorder.calls) == 1
    assert not any(thread.name == "local-scheduler" for thread in threading.enumerate())


# ---------------------------------------------------------------- AWS::Events::Rule


def test_scheduled_rules_targeting_template_functions_are_targets_too() -> None:
    job_arn = {"Fn::GetAtt": ["JobFunction", "Arn"]}
    template = Template(
        {
            "Resources": {
                "JobFunction": {
                    "Type": "AWS::Serverless::Function",
                    "Properties": {
                        "CodeUri": ".",
                        "Handler": "app.handler",
                        "Events": {"Sweep": schedule_event("rate(5 minutes)")},
                    },
                },
                "Nightly": {
                    "Type": "AWS::Events::Rule",
                    "Properties": {
                        "ScheduleExpression": "cron(0 3 * * ? *)",
                        "Targets": [
                            {"Id": "job", "Arn": job_arn, "Input": '{"mode": "full"}'},
                            {"Id": "elsewhere", "Arn": "arn:aws:lambda:us-east-1:1:function:x"},
                        ],
                    },
                },
                "Paused": {
                    "Type": "AWS::Events::Rule",
                    "Properties": {
                        "ScheduleExpression": "rate(1 hour)",
                        "State": "DISABLED",
                        "Targets": [{"Id": "job", "Arn": job_arn}],
                    },
                },
                "OnPattern": {
                    "Type": "AWS::Events::Rule",
                    "Properties": {
                        "EventPattern": {"source": ["aws.s3"]},
                        "Targets": [{"Id": "job", "Arn": job_arn}],
                    },
                },
            }
        },
        None,
    )
    stack = Stack(template, None, stack_name="stack", region=REGION, account_id=ACCOUNT)

    targets = scheduled_targets(stack, function_specs(stack))

    assert [(t.function_id, t.event_name, t.expression) for t in targets] == [
        ("JobFunction", "Sweep", "rate(5 minutes)"),
        ("JobFunction", "Nightly", "cron(0 3 * * ? *)"),
    ]
    nightly = targets[1]
    assert nightly.rule_arn == f"arn:aws:events:{REGION}:{ACCOUNT}:rule/stack-Nightly"
    assert scheduled_event(nightly, START, region=REGION, account_id=ACCOUNT) == {"mode": "full"}
