"""What `make run` offers a new user: its options, the per-IP limit, the aws CLI hint."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import boto3
import pytest

from local_runtime import LocalRuntime, RuntimeConfigError
from local_runtime.__main__ import _parse_args

ROOT = Path(__file__).resolve().parents[3]


def printed_command(runtime: LocalRuntime) -> tuple[dict[str, str], list[str]]:
    """The aws command of the start-up hint, split into its variables and its arguments."""
    (line,) = [line for line in runtime.aws_cli_hint().splitlines() if "--endpoint-url" in line]
    words = shlex.split(line)
    assignments = [word for word in words if "=" in word and not word.startswith("-")]
    variables = dict(word.split("=", 1) for word in assignments)
    return variables, words[len(assignments) :]


def add_item(runtime: LocalRuntime, item_id: str) -> None:
    status, _, _ = runtime.invoke(
        "POST",
        "/items",
        {"Authorization": f"Bearer {runtime.admin_key}"},
        {"id": item_id, "name": "n"},
    )
    assert status == 201


# ---------------------------------------------------------------- the aws CLI hint


@pytest.mark.parametrize("transport", ["in-process", "http"])
def test_printed_aws_command_reaches_the_stack_s_table_with_its_credentials_and_region(
    fixture_template: Path, transport: str
) -> None:
    with LocalRuntime(fixture_template, create_demo_key=False, aws_transport=transport) as runtime:
        add_item(runtime, f"hint-{transport}")
        variables, arguments = printed_command(runtime)
        # What the printed command asks for, done with boto3 from nothing but the hint.
        dynamodb = boto3.client(
            "dynamodb",
            endpoint_url=arguments[arguments.index("--endpoint-url") + 1],
            region_name=variables["AWS_DEFAULT_REGION"],
            aws_access_key_id=variables["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=variables["AWS_SECRET_ACCESS_KEY"],
        )
        scanned = dynamodb.scan(TableName=arguments[arguments.index("--table-name") + 1])
        hint = runtime.aws_cli_hint()

    assert arguments[:1] == ["aws"] and arguments[3:5] == ["dynamodb", "scan"]
    assert {"pk": {"S": f"hint-{transport}"}}.items() <= scanned["Items"][0].items()
    assert "table ItemsTable: sandbox-platform-ItemsTable" in hint


@pytest.mark.skipif(shutil.which("aws") is None, reason="the aws CLI is not installed")
def test_printed_aws_command_runs_as_printed_with_the_aws_cli(
    fixture_template: Path, tmp_path: Path
) -> None:
    # A shell with no AWS settings of its own: only what the hint says.
    clean = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    clean["HOME"] = str(tmp_path)  # no ~/.aws/config or credentials either
    with LocalRuntime(fixture_template, create_demo_key=False) as runtime:
        add_item(runtime, "from-the-cli")
        variables, arguments = printed_command(runtime)
        completed = subprocess.run(
            arguments,
            env={**clean, **variables},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout)["Items"][0]["pk"] == {"S": "from-the-cli"}


def test_the_hint_needs_a_started_runtime(fixture_template: Path) -> None:
    with pytest.raises(RuntimeConfigError, match="not started"):
        LocalRuntime(fixture_template).aws_cli_hint()


# ---------------------------------------------------------------- the per-IP limit


def keyless_statuses(runtime: LocalRuntime, count: int) -> list[int]:
    return [runtime.invoke("GET", "/public")[0] for _ in range(count)]


def test_ip_limit_changes_how_many_keyless_requests_an_ip_may_send(
    fixture_template: Path, clock: Any
) -> None:
    # The fixture's rule allows 3 per 60 s; locally 5.
    with LocalRuntime(
        fixture_template,
        parameters={"EnableIpLimit": "true"},
        clock=clock,
        create_demo_key=False,
        ip_limit=5,
    ) as runtime:
        statuses = keyless_statuses(runtime, 6)
        clock.advance(60)
        after_window = keyless_statuses(runtime, 1)

    assert statuses == [200] * 5 + [429]
    assert after_window == [200]


def test_ip_limit_zero_turns_the_per_ip_rule_off(fixture_template: Path, clock: Any) -> None:
    with LocalRuntime(
        fixture_template,
        parameters={"EnableIpLimit": "true"},
        clock=clock,
        create_demo_key=False,
        ip_limit=0,
    ) as runtime:
        statuses = keyless_statuses(runtime, 10)

    assert statuses == [200] * 10


def test_a_negative_ip_limit_is_a_configuration_error(fixture_template: Path) -> None:
    with pytest.raises(RuntimeConfigError, match="ip_limit"):
        LocalRuntime(fixture_template, ip_limit=-1)


# ---------------------------------------------------------------- the command line


def test_every_option_has_an_environment_variable_that_make_run_passes_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PORT", "3999")
    monkeypatch.setenv("LOCAL_RUNTIME_HOST", "0.0.0.0")
    monkeypatch.setenv("LOCAL_RUNTIME_AWS_TRANSPORT", "http")
    monkeypatch.setenv("LOCAL_RUNTIME_AWS_PORT", "4566")
    monkeypatch.setenv("LOCAL_RUNTIME_SCHEDULE_SPEED", "60")
    monkeypatch.setenv("LOCAL_RUNTIME_IP_LIMIT", "0")
    monkeypatch.setenv("LOCAL_RUNTIME_LOG_LEVEL", "DEBUG")

    args = _parse_args([])

    assert (args.port, args.host, args.aws_transport, args.aws_port) == (
        3999,
        "0.0.0.0",
        "http",
        4566,
    )
    assert (args.schedule_speed, args.ip_limit, args.log_level) == (60.0, 0, "DEBUG")


def test_without_ip_limit_the_template_s_rule_applies(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LOCAL_RUNTIME_IP_LIMIT", raising=False)

    assert _parse_args([]).ip_limit is None
    assert _parse_args(["--ip-limit", "200"]).ip_limit == 200


@pytest.mark.parametrize("value", ["-1", "many", "1.5"])
def test_a_bad_ip_limit_is_a_usage_error(
    value: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LOCAL_RUNTIME_IP_LIMIT", value)

    with pytest.raises(SystemExit) as exit_info:
        _parse_args([])

    assert exit_info.value.code == 2
    assert "--ip-limit" in capsys.readouterr().err


def test_make_run_passes_port_and_args_to_the_runtime() -> None:
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    completed = subprocess.run(
        ["make", "-n", "run", "PORT=8080"] + ["ARGS=--ip-limit 0 --parameter LogLevel=DEBUG"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    (command,) = [line for line in completed.stdout.splitlines() if "-m local_runtime" in line]
    assert shlex.split(command)[1:] == [
        "-m",
        "local_runtime",
        "--port",
        "8080",
        "--ip-limit",
        "0",
        "--parameter",
        "LogLevel=DEBUG",
    ]


# ---------------------------------------------------------------- a fixed AWS port


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve(fixture_template: Path, root: Path, *options: str) -> subprocess.Popen[str]:
    env = {**os.environ, "SANDBOX_ADMIN_KEY": "sk_sandbox_" + "f" * 32, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "local_runtime", "--template", str(fixture_template)]
    command += ["--project-root", str(root), "--port", "0", "--schedule-speed", "0", *options]
    return subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def test_aws_port_fixes_the_endpoint_the_hint_prints(
    fixture_template: Path, tmp_path: Path
) -> None:
    port = free_port()
    process = serve(fixture_template, tmp_path, "--aws-port", str(port))
    try:
        deadline = time.monotonic() + 60
        while not (tmp_path / ".sandbox" / "local.json").exists():  # waiting for a subprocess
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            assert time.monotonic() < deadline, "the runtime did not start within 60 s"
            time.sleep(0.05)
        tables = boto3.client(
            "dynamodb",
            endpoint_url=f"http://127.0.0.1:{port}",
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        ).list_tables()["TableNames"]
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)

    assert "sandbox-platform-ItemsTable" in tables
    assert f"aws --endpoint-url http://127.0.0.1:{port} dynamodb scan" in stderr


def test_a_taken_aws_port_stops_the_start_with_a_clear_error(
    fixture_template: Path, tmp_path: Path
) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        process = serve(fixture_template, tmp_path, "--aws-port", str(port))
        _, stderr = process.communicate(timeout=60)

    assert process.returncode == 2
    assert f"the embedded AWS cannot listen on port {port}" in stderr
