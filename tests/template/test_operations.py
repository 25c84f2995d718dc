"""Operations in template.yaml: the dashboard, the alarms and their topic, log retention, the
API's JSON access log and the dead-letter queues, checked on the template as SAM transforms it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from local_runtime.provision import Stack
from local_runtime.template import Template, TemplateError, load_yaml

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_PATH = ROOT / "template.yaml"
ADMIN_KEY = "sk_sandbox_" + "a" * 40
SUB_VARIABLE = re.compile(r"\$\{([^}!]+)\}")
BUSINESS_METRICS = (
    "JobFailures",
    "DeliveriesOnTime",
    "DeliveriesDelayed",
    "DeliveriesFailed",
    "CreditsCharged",
)


@pytest.fixture(scope="module")
def monkeypatch_module() -> Iterator[pytest.MonkeyPatch]:
    with pytest.MonkeyPatch.context() as patch:
        yield patch


@pytest.fixture(scope="module")
def resources(monkeypatch_module: pytest.MonkeyPatch) -> dict[str, Any]:
    """The template's resources after the SAM transform (what CloudFormation deploys)."""
    from samtranslator.translator.managed_policy_translator import ManagedPolicyLoader
    from samtranslator.translator.transform import transform

    class NoManagedPolicies(ManagedPolicyLoader):
        def __init__(self) -> None:
            pass

        def load(self) -> dict[str, str]:
            return {}

    monkeypatch_module.setenv("AWS_DEFAULT_REGION", "us-east-1")
    document = load_yaml(TEMPLATE_PATH.read_text())
    # What `sam package` does first: code and definitions go to S3.
    for name, resource in document["Resources"].items():
        for uri in ("CodeUri", "ContentUri", "DefinitionUri"):
            if uri in resource["Properties"]:
                resource["Properties"][uri] = f"s3://artifacts/{name}"
    output: dict[str, Any] = transform(document, {"AdminApiKey": ADMIN_KEY}, NoManagedPolicies())
    return output["Resources"]


def of_type(resources: dict[str, Any], rtype: str) -> dict[str, dict[str, Any]]:
    return {name: r for name, r in resources.items() if r["Type"] == rtype}


def functions(resources: dict[str, Any]) -> list[str]:
    names = list(of_type(resources, "AWS::Lambda::Function"))
    assert len(names) >= 10
    return names


def dashboard(resources: dict[str, Any]) -> tuple[dict[str, Any], set[str]]:
    """The dashboard body with each `${X}` replaced by `<X>`, and the variables it used."""
    (board,) = of_type(resources, "AWS::CloudWatch::Dashboard").values()
    text = board["Properties"]["DashboardBody"]["Fn::Sub"]
    assert isinstance(text, str)
    variables = set(SUB_VARIABLE.findall(text))
    return json.loads(SUB_VARIABLE.sub(lambda m: f"<{m.group(1)}>", text)), variables


def dashboard_metrics(body: dict[str, Any]) -> Iterator[tuple[list[Any], str]]:
    """Each metric line of every graph, with the statistic it is drawn with."""
    for widget in body["widgets"]:
        properties = widget["properties"]
        for line in properties.get("metrics", []):
            options = line[-1] if isinstance(line[-1], dict) else {}
            yield line, options.get("stat", properties.get("stat", "Average"))


def watched(alarm: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(namespace, metric, dimensions) of every metric an alarm reads, in either form."""
    properties = alarm["Properties"]
    if "MetricName" in properties:
        dimensions = {d["Name"]: d["Value"] for d in properties.get("Dimensions", [])}
        yield properties["Namespace"], properties["MetricName"], dimensions
    for query in properties.get("Metrics", []):
        if "MetricStat" in query:
            metric = query["MetricStat"]["Metric"]
            dimensions = {d["Name"]: d["Value"] for d in metric.get("Dimensions", [])}
            yield metric["Namespace"], metric["MetricName"], dimensions


def alarms_on(
    resources: dict[str, Any], namespace: str, metric: str, **dimensions: Any
) -> list[str]:
    return [
        name
        for name, alarm in of_type(resources, "AWS::CloudWatch::Alarm").items()
        if any(
            (ns, mn) == (namespace, metric) and dims.items() >= dimensions.items()
            for ns, mn, dims in watched(alarm)
        )
    ]


def local_stack(**parameters: str) -> Stack:
    """The template's conditions evaluated as the local runtime evaluates them."""
    template = Template.from_file(TEMPLATE_PATH, {"AdminApiKey": ADMIN_KEY, **parameters})
    return Stack(template, None, stack_name="ops", region="us-east-1", account_id="1" * 12)


# ---------------------------------------------------------------- dashboard


def test_dashboard_body_is_json_whose_names_all_resolve(resources):
    body, variables = dashboard(resources)

    assert body["widgets"]
    for variable in variables:
        logical_id = variable.split(".")[0]
        assert variable.startswith("AWS::") or logical_id in resources, variable


def test_dashboard_shows_p95_duration_and_throttles_of_every_function(resources):
    body, _ = dashboard(resources)
    lines = list(dashboard_metrics(body))

    for function in functions(resources):
        dimensions = ["FunctionName", f"<{function}>"]
        assert (["AWS/Lambda", "Duration", *dimensions], "p95") in [
            (line[:4], stat) for line, stat in lines
        ], function
        assert ["AWS/Lambda", "Throttles", *dimensions] in [line[:4] for line, _ in lines]


def test_dashboard_shows_the_apis_requests_4xx_and_5xx(resources):
    body, _ = dashboard(resources)
    api = ["ApiName", "<AWS::StackName>-api", "Stage", "v1"]
    drawn = [line[:6] for line, _ in dashboard_metrics(body)]

    for metric in ("Count", "4XXError", "5XXError"):
        assert ["AWS/ApiGateway", metric, *api] in drawn


def test_dashboard_searches_the_business_metrics_whatever_their_dimensions(resources):
    body, _ = dashboard(resources)
    expressions = [
        line[0]["expression"] for line, _ in dashboard_metrics(body) if isinstance(line[0], dict)
    ]

    for name in BUSINESS_METRICS:
        assert f"SEARCH('{{SandboxPlatform,service}} MetricName=\"{name}\"', 'Sum', 300)" in (
            " ".join(expressions)
        ), name


def test_dashboard_shows_job_runs_and_failed_delivery_executions(resources):
    body, _ = dashboard(resources)
    drawn = [line[:4] for line, _ in dashboard_metrics(body)]

    assert ["SandboxPlatform", "Invocations", "service", "persistence-job"] in drawn
    assert ["SandboxPlatform", "Failures", "service", "persistence-job"] in drawn
    assert [
        "AWS/States",
        "ExecutionsFailed",
        "StateMachineArn",
        "<DeliverMessageStateMachine>",
    ] in drawn


def test_dashboards_alarm_widget_lists_every_alarm(resources):
    body, _ = dashboard(resources)
    listed = {
        alarm for widget in body["widgets"] for alarm in widget["properties"].get("alarms", [])
    }

    assert listed == {f"<{name}.Arn>" for name in of_type(resources, "AWS::CloudWatch::Alarm")}


# ---------------------------------------------------------------- alarms


def test_every_alarm_notifies_the_topic_when_it_fires_and_when_it_clears(resources):
    alarms = of_type(resources, "AWS::CloudWatch::Alarm")
    (topic,) = of_type(resources, "AWS::SNS::Topic")

    assert alarms
    for name, alarm in alarms.items():
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": topic}], name
        assert alarm["Properties"]["OKActions"] == [{"Ref": topic}], name


def test_the_apis_5xx_rate_is_alarmed(resources):
    api = {"ApiName": {"Fn::Sub": "${AWS::StackName}-api"}, "Stage": "v1"}
    (name,) = alarms_on(resources, "AWS/ApiGateway", "5XXError", **api)
    properties = resources[name]["Properties"]

    assert alarms_on(resources, "AWS/ApiGateway", "Count", **api) == [name]
    (rate,) = [q for q in properties["Metrics"] if q.get("ReturnData")]
    assert "errors" in rate["Expression"] and "/ requests" in rate["Expression"]


def test_every_function_has_an_alarm_on_its_errors_or_throttles(resources):
    for function in functions(resources):
        dimension = {"FunctionName": {"Ref": function}}
        throttles = alarms_on(resources, "AWS/Lambda", "Throttles", **dimension)
        errors = alarms_on(resources, "AWS/Lambda", "Errors", **dimension)

        assert throttles, function
        # The authorizer's errors are its 401s (a request without a key); the API's 5XX
        # alarm sees a real failure of it.
        assert errors or function == "AuthorizerFunction", function


def test_persistence_job_failures_are_alarmed(resources):
    assert alarms_on(resources, "SandboxPlatform", "Failures", service="persistence-job")
    expressions = [
        query.get("Expression", "")
        for alarm in of_type(resources, "AWS::CloudWatch::Alarm").values()
        for query in alarm["Properties"].get("Metrics", [])
    ]
    assert "SELECT SUM(JobFailures) FROM SandboxPlatform" in expressions


def test_failed_deliveries_are_alarmed(resources):
    machine = {"StateMachineArn": {"Ref": "DeliverMessageStateMachine"}}

    assert alarms_on(resources, "AWS/States", "ExecutionsFailed", **machine)


# ---------------------------------------------------------------- dead-letter queues


def test_every_dead_letter_queue_has_an_alarm(resources):
    queues = of_type(resources, "AWS::SQS::Queue")

    assert queues
    for queue in queues:
        name = {"QueueName": {"Fn::GetAtt": [queue, "QueueName"]}}
        assert alarms_on(resources, "AWS/SQS", "ApproximateNumberOfMessagesVisible", **name)


def test_every_scheduled_function_sends_failed_runs_to_a_dead_letter_queue(resources):
    queues = set(of_type(resources, "AWS::SQS::Queue"))
    rules = of_type(resources, "AWS::Events::Rule")
    invoke_configs = [
        r["Properties"] for r in of_type(resources, "AWS::Lambda::EventInvokeConfig").values()
    ]
    allowed = [
        (statement["Resource"]["Fn::GetAtt"][0], statement["Condition"]["ArnEquals"])
        for policy in of_type(resources, "AWS::SQS::QueuePolicy").values()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]

    assert rules
    for rule_name, rule in rules.items():
        (target,) = rule["Properties"]["Targets"]
        # EventBridge's own delivery failures, into a queue that lets this rule in.
        queue = target["DeadLetterConfig"]["Arn"]["Fn::GetAtt"][0]
        assert queue in queues, rule_name
        assert (queue, {"aws:SourceArn": {"Fn::GetAtt": [rule_name, "Arn"]}}) in allowed
        # The function's failed runs (after Lambda's retries), on the alias the rule invokes.
        function = target["Arn"]["Ref"].removesuffix("Aliaslive")
        (config,) = [c for c in invoke_configs if c["FunctionName"] == {"Ref": function}]
        assert config["Qualifier"] == "live"
        assert config["DestinationConfig"]["OnFailure"]["Destination"] == {
            "Fn::GetAtt": [queue, "Arn"]
        }
        grants = [
            statement
            for policy in of_type(resources, "AWS::IAM::Policy").values()
            if {"Ref": f"{function}Role"} in policy["Properties"]["Roles"]
            for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        ]
        assert {
            "Effect": "Allow",
            "Action": "sqs:SendMessage",
            "Resource": {"Fn::GetAtt": [queue, "Arn"]},
        } in grants


# ---------------------------------------------------------------- topic subscription


def test_email_subscription_exists_only_when_an_address_is_given():
    assert not local_stack().is_active("AlarmEmailSubscription")
    assert local_stack(AlarmEmail="ops@example.com").is_active("AlarmEmailSubscription")


def test_alarm_email_must_be_an_address():
    with pytest.raises(TemplateError, match="AlarmEmail"):
        local_stack(AlarmEmail="not an address")


# ---------------------------------------------------------------- logs


def test_every_log_group_keeps_logs_for_the_retention_parameter(resources):
    groups = of_type(resources, "AWS::Logs::LogGroup")
    parameter = load_yaml(TEMPLATE_PATH.read_text())["Parameters"]["LogRetentionDays"]

    assert groups
    for name, group in groups.items():
        assert group["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}, name
    assert parameter["Default"] in parameter["AllowedValues"]


def test_every_function_logs_into_its_own_log_group_of_the_stack(resources):
    groups = of_type(resources, "AWS::Logs::LogGroup")

    used = [
        resources[function]["Properties"]["LoggingConfig"]["LogGroup"]
        for function in functions(resources)
    ]

    assert all(group["Ref"] in groups for group in used)
    assert len({group["Ref"] for group in used}) == len(used)


def test_no_function_log_group_takes_the_name_lambda_makes_itself(resources):
    # Lambda creates /aws/lambda/<function> on a first invocation; a group of that name in the
    # template would fail the update of a stack deployed before it.
    names = [
        group["Properties"]["LogGroupName"]
        for group in of_type(resources, "AWS::Logs::LogGroup").values()
    ]

    assert not any("/aws/lambda/" in str(name) for name in names)


def test_a_state_machine_that_logs_logs_into_a_log_group_of_the_stack(resources):
    groups = set(of_type(resources, "AWS::Logs::LogGroup"))
    for machine in of_type(resources, "AWS::StepFunctions::StateMachine").values():
        for destination in (
            machine["Properties"].get("LoggingConfiguration", {}).get("Destinations", [])
        ):
            arn = destination["CloudWatchLogsLogGroup"]["LogGroupArn"]
            assert arn["Fn::GetAtt"][0] in groups


# ---------------------------------------------------------------- access log


def access_log(resources: dict[str, Any]) -> dict[str, Any]:
    (stage,) = of_type(resources, "AWS::ApiGateway::Stage").values()
    return dict(stage["Properties"]["AccessLogSetting"])


def test_access_log_line_is_json_naming_the_callers_key_and_sandbox(resources):
    line = access_log(resources)["Format"]
    # Each $context variable stands for its value: read it back as its own name.
    record = json.loads(re.sub(r"\$context\.([A-Za-z0-9_.]+)", r"\1", line))

    assert "\n" not in line
    assert record["keyId"] == "authorizer.key_id"
    assert record["sandboxId"] == "authorizer.sandbox_id"
    assert record["apiKeyId"] == "identity.apiKeyId"
    for field in ("requestId", "ip", "requestTime", "httpMethod", "resourcePath", "status"):
        assert field in record
    assert {"responseLength", "integrationLatency", "errorMessage"} <= set(record)


def test_access_log_goes_to_a_log_group_of_the_stack_that_counts_429_answers(resources):
    destination = access_log(resources)["DestinationArn"]["Fn::GetAtt"]
    (metric_filter,) = of_type(resources, "AWS::Logs::MetricFilter").values()
    record = json.loads(re.sub(r"\$context\.[A-Za-z0-9_.]+", "x", access_log(resources)["Format"]))

    assert destination[1] == "Arn" and destination[0] in of_type(resources, "AWS::Logs::LogGroup")
    assert metric_filter["Properties"]["LogGroupName"] == {"Ref": destination[0]}
    # The filter and its dimension read fields the line has.
    for field in re.findall(r"\$\.(\w+)", json.dumps(metric_filter["Properties"])):
        assert field in record


def test_api_gateway_account_role_is_managed_only_when_asked():
    kept = local_stack()
    left_alone = local_stack(ManageApiGatewayAccountRole="false")

    assert kept.is_active("ApiGatewayAccount") and kept.is_active("ApiGatewayCloudWatchRole")
    assert not left_alone.is_active("ApiGatewayAccount")
    assert not left_alone.is_active("ApiGatewayCloudWatchRole")
