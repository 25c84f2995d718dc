"""LocalRuntime: the whole API from template.yaml, in one process, with moto as the AWS."""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

from local_runtime.api import ApiDefinition, build_api, function_specs
from local_runtime.apikeys import MotoApiKeyDirectory
from local_runtime.aws import ACCOUNT_ID, REGION, EnvironmentPatch, InProcessAws, shared_moto
from local_runtime.functions import LambdaFunction, merged_environment, release_event_loop
from local_runtime.gateway import Gateway
from local_runtime.lambda_invoke import InvokeTarget, LocalLambda, function_qualifiers
from local_runtime.messages import HttpRequest
from local_runtime.provision import Stack
from local_runtime.schedules import Scheduler, scheduled_targets
from local_runtime.server import LocalHttpServer
from local_runtime.stage_url import local_stage_urls, stage_invoke_url
from local_runtime.step_functions.provisioning import state_machine_specs
from local_runtime.step_functions.service import LocalStepFunctions, TaskFunction
from local_runtime.template import Template, load_yaml
from local_runtime.waf import with_limit

__all__ = ["ADMIN_KEY_PATTERN", "LocalRuntime", "RuntimeConfigError", "generate_admin_key"]

logger = logging.getLogger(__name__)

ADMIN_KEY_PATTERN = re.compile(r"^sk_sandbox_[A-Za-z0-9_-]{29,}$")
ADMIN_KEY_PARAMETER = "AdminApiKey"
DEMO_KEY_PATH = "/api/v1/sandbox/keys"
# A pro key: the README's tour is pasted a block at a time, and a block sends up to ~25
# requests at once, more than the free plan's burst of 20.
DEMO_DEVELOPER = {
    "developer_name": "Demo Developer",
    "developer_email": "demo@example.com",
    "tier": "pro",
}
AWS_TRANSPORTS = ("in-process", "http")

# moto's backends are process-global, so two runtimes at once would share (and reset) state.
_running_lock = threading.Lock()
_running: LocalRuntime | None = None
# The port the last runtime asked for any free port got. The next such runtime of the process
# takes it again when it is free: a function's environment may name the API's own URL (the
# local endpoint, see stage_url), and settings read once per process keep it, so the endpoint
# stays the same across restarts as moto's endpoint and ids do.
_last_free_port = 0


class RuntimeConfigError(Exception):
    """The runtime cannot start with this configuration."""


def generate_admin_key() -> str:
    """A fresh bootstrap admin key in the template's `AdminApiKey` format."""
    return "sk_sandbox_" + secrets.token_urlsafe(32)


def _body_bytes(body: bytes | str | Mapping[str, Any] | None) -> bytes:
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    return json.dumps(body).encode("utf-8")


class LocalRuntime:
    """Serves the template's API at ``endpoint``: moto for AWS, real handlers in-process.

    Use as a context manager, or ``start()`` / ``stop()``. One runtime per process at a time.
    """

    def __init__(
        self,
        template_path: str | Path = "template.yaml",
        *,
        port: int = 0,
        host: str = "127.0.0.1",
        admin_key: str | None = None,
        project_root: str | Path | None = None,
        parameters: Mapping[str, str] | None = None,
        stack_name: str = "sandbox-platform",
        clock: Callable[[], float] = time.time,
        create_demo_key: bool = True,
        aws_transport: str = "in-process",
        schedule_speed: float = 1.0,
        ip_limit: int | None = None,
        aws_port: int = 0,
    ) -> None:
        root = Path(project_root).resolve() if project_root else None
        # A relative template path means what it means on a command line: from the cwd.
        self.template_path = Path(template_path).resolve()
        self.project_root = root or self.template_path.parent
        self.host = host
        self.requested_port = port
        self.stack_name = stack_name
        self.parameters = dict(parameters or {})
        self.clock = clock
        self.create_demo_key = create_demo_key
        if aws_transport not in AWS_TRANSPORTS:
            raise RuntimeConfigError(f"aws_transport must be one of {', '.join(AWS_TRANSPORTS)}")
        self.aws_transport = aws_transport
        if schedule_speed < 0:
            raise RuntimeConfigError("schedule_speed must be 0 (schedules off) or positive")
        self.schedule_speed = schedule_speed
        if ip_limit is not None and ip_limit < 0:
            raise RuntimeConfigError("ip_limit must be 0 (no per-IP limit) or positive")
        # Keyless requests per IP per WAF window; None: as the template's web ACL says.
        self.ip_limit = ip_limit
        # The embedded AWS's port: 0 picks a free one, so `aws --endpoint-url` changes per run.
        self.aws_port = aws_port
        self.aws_endpoint = ""
        self.tables: dict[str, str] = {}
        self.admin_key = admin_key or os.environ.get("SANDBOX_ADMIN_KEY") or generate_admin_key()
        self.demo_key: str | None = None
        self.demo_sandbox_id: str | None = None
        self.endpoint = ""
        self.api: ApiDefinition | None = None
        self.gateway: Gateway | None = None
        self.functions: dict[str, LambdaFunction] = {}
        self.scheduler: Scheduler | None = None
        self.step_functions: LocalStepFunctions | None = None
        self.local_lambda: LocalLambda | None = None
        self._server: LocalHttpServer | None = None
        self._environment = EnvironmentPatch()
        self._in_process_aws: InProcessAws | None = None

    # ---------------------------------------------------------------- lifecycle

    @property
    def port(self) -> int:
        """The port the server listens on (after start)."""
        return self._server.port if self._server else self.requested_port

    def _template(self) -> Template:
        try:
            document = load_yaml(self.template_path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise RuntimeConfigError(f"cannot read {self.template_path}: {exc}") from exc
        overrides = dict(self.parameters)
        if ADMIN_KEY_PARAMETER in (document.get("Parameters") or {}):
            if not ADMIN_KEY_PATTERN.fullmatch(self.admin_key):
                raise RuntimeConfigError(
                    "the admin key (SANDBOX_ADMIN_KEY) must look like sk_sandbox_ followed by "
                    f"at least 29 letters, digits, '_' or '-' ({ADMIN_KEY_PATTERN.pattern})"
                )
            overrides.setdefault(ADMIN_KEY_PARAMETER, self.admin_key)
        return Template(document, self.template_path, overrides)

    def start(self) -> LocalRuntime:
        """Create the stack in moto, load the API and serve it; then make the demo key."""
        global _running
        with _running_lock:
            if _running is not None:
                raise RuntimeConfigError("a LocalRuntime is already running in this process")
            _running = self
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self) -> None:
        started = time.perf_counter()
        template = self._template()
        try:
            moto = shared_moto(self.aws_port)
        except OSError as exc:
            raise RuntimeConfigError(
                f"the embedded AWS cannot listen on port {self.aws_port}: {exc}"
            ) from exc
        if self.aws_port and not moto.endpoint.endswith(f":{self.aws_port}"):
            raise RuntimeConfigError(
                f"the embedded AWS of this process already listens at {moto.endpoint}"
            )
        moto.reset()
        self.aws_endpoint = moto.endpoint
        self._environment.set(moto.environment())
        # A profile in the developer's shell would win over the fake credentials.
        self._environment.unset("AWS_PROFILE")
        if self.aws_transport == "in-process":
            # Same moto backends, no socket: without an endpoint URL boto3 aims at AWS's
            # hosts, and moto's botocore hook answers those calls in this process.
            self._environment.unset("AWS_ENDPOINT_URL")
            self._in_process_aws = InProcessAws()
            self._in_process_aws.start()
        stack = Stack(
            template, moto, stack_name=self.stack_name, region=REGION, account_id=ACCOUNT_ID
        )
        stack.deploy()
        specs = function_specs(stack)
        environment = merged_environment(specs.values())
        self._environment.set(environment)
        self.api = build_api(stack, specs)
        self.api.ip_rules = with_limit(self.api.ip_rules, self.ip_limit)
        self.tables = {
            table.logical_id: stack.physical(table.logical_id).ref
            for table in stack.active("AWS::DynamoDB::Table")
        }
        self.functions = {
            logical_id: LambdaFunction(spec, REGION, self.clock)
            for logical_id, spec in specs.items()
        }
        # Before anything that runs handlers: a handler may invoke another function.
        self.local_lambda = LocalLambda(
            InvokeTarget(function.spec.arn, function.invoke, function_qualifiers(stack, logical_id))
            for logical_id, function in self.functions.items()
        )
        self.local_lambda.start()
        keys = MotoApiKeyDirectory(self.api.info.api_id, self.api.info.stage)
        self.gateway = Gateway(self.api, self.functions, keys, clock=self.clock)
        self.scheduler = Scheduler(
            scheduled_targets(stack, specs),
            lambda function_id, event: self.functions[function_id].invoke(event),
            region=REGION,
            account_id=ACCOUNT_ID,
            clock=self.clock,
            speed=self.schedule_speed or 1.0,
        )
        if self.schedule_speed:
            self.scheduler.start()
        self.step_functions = LocalStepFunctions(
            state_machine_specs(stack),
            {
                logical_id: TaskFunction(function.spec.arn, function.invoke)
                for logical_id, function in self.functions.items()
            },
            clock=self.clock,
        )
        self.step_functions.start()
        self._server = self._listen(self.gateway)
        self._server.start()
        self.endpoint = f"http://{self.host}:{self._server.port}"
        # A function told this API's AWS stage URL calls the local server instead.
        stage_url = stage_invoke_url(self.api.info, stack.resolve({"Ref": "AWS::URLSuffix"}))
        self._environment.set(local_stage_urls(environment, stage_url, self.endpoint))
        logger.info(
            "serving %d routes of %s at %s (stage %s; %d functions answer Lambda Invoke) in "
            "%.0f ms; AWS (moto) at %s, %s",
            len(self.api.router.routes),
            self.template_path.name,
            self.endpoint,
            self.api.info.stage,
            len(self.functions),
            (time.perf_counter() - started) * 1000,
            self.aws_endpoint,
            "handlers call it in-process" if self._in_process_aws else "handlers call it over HTTP",
        )
        if self.create_demo_key:
            self._make_demo_key()

    def _listen(self, gateway: Gateway) -> LocalHttpServer:
        global _last_free_port
        if self.requested_port or not _last_free_port:
            server = LocalHttpServer(self.host, self.requested_port, gateway)
        else:
            try:
                server = LocalHttpServer(self.host, _last_free_port, gateway)
            except OSError:  # taken meanwhile: any free port will do
                server = LocalHttpServer(self.host, 0, gateway)
        if not self.requested_port:
            _last_free_port = server.port
        return server

    def stop(self) -> None:
        """Stop serving and put the process environment back as it was."""
        global _running
        if self.scheduler is not None:
            # First, so a scheduled run in progress finishes while its AWS is still there.
            self.scheduler.stop()
        if self.step_functions is not None:
            # Likewise for a state in progress; executions waiting for their time are dropped.
            self.step_functions.stop()
            self.step_functions = None
        if self.local_lambda is not None:
            # Event invocations in progress finish while the server and AWS are still there.
            self.local_lambda.stop()
            self.local_lambda = None
        if self._server is not None:
            self._server.stop()
            self._server = None
        if self._in_process_aws is not None:
            self._in_process_aws.stop()
            self._in_process_aws = None
        self._environment.restore()
        release_event_loop()
        with _running_lock:
            if _running is self:
                _running = None

    def __enter__(self) -> LocalRuntime:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # ---------------------------------------------------------------- use

    def invoke(
        self,
        method: str,
        path: str,
        headers: Mapping[str, str] | None = None,
        body: bytes | str | Mapping[str, Any] | None = None,
        source_ip: str = "127.0.0.1",
    ) -> tuple[int, dict[str, str], bytes]:
        """Send a request through the gateway in-process (no socket): status, headers, body."""
        if self.gateway is None:
            raise RuntimeConfigError("the runtime is not started")
        header_list = list((headers or {}).items())
        if isinstance(body, Mapping) and not any(
            k.lower() == "content-type" for k, _ in header_list
        ):
            header_list.append(("Content-Type", "application/json"))
        raw_path, _, query = path.partition("?")
        request = HttpRequest(
            method=method.upper(),
            path=raw_path,
            query=query,
            headers=header_list,
            body=_body_bytes(body),
            source_ip=source_ip,
        )
        response = self.gateway.handle(request).response
        merged: dict[str, str] = {}
        for name, value in response.headers:
            merged[name] = f"{merged[name]}, {value}" if name in merged else value
        return response.status, merged, response.body

    def _make_demo_key(self) -> None:
        """A developer key made through the real API, so the demo exercises the real path."""
        try:
            status, _, body = self.invoke(
                "POST",
                DEMO_KEY_PATH,
                {"Authorization": f"Bearer {self.admin_key}"},
                DEMO_DEVELOPER,
            )
            payload = json.loads(body) if body else {}
            data = payload.get("data", payload) if isinstance(payload, dict) else {}
            if status in (200, 201) and isinstance(data, dict) and data.get("api_key"):
                self.demo_key = str(data["api_key"])
                self.demo_sandbox_id = data.get("sandbox_id")
                return
            logger.warning("no demo key: POST %s answered %d %s", DEMO_KEY_PATH, status, body[:300])
        except Exception:
            logger.warning("no demo key: POST %s failed", DEMO_KEY_PATH, exc_info=True)

    def warm(self) -> None:
        """Import every function's handler now, as Lambda's provisioned concurrency would.

        Otherwise the first request of each function pays its import (a cold start), and a
        burst of first requests all wait for it. `make run` warms in the background after
        start-up; tests keep the lazy imports.
        """
        for function in self.functions.values():
            try:
                function.handler  # noqa: B018 - the property imports the module
            except Exception:
                logger.warning("could not warm %s", function.spec.logical_id, exc_info=True)

    def aws_cli_environment(self) -> dict[str, str]:
        """What the aws CLI needs to reach the embedded AWS: moto takes any credentials, but
        the CLI wants some, and the region the stack lives in."""
        return {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": REGION,
        }

    def aws_cli_hint(self) -> str:
        """How to look at the embedded AWS with the aws CLI: a command that works as printed,
        and the physical name of every table of the stack."""
        if not self.aws_endpoint:
            raise RuntimeConfigError("the runtime is not started")
        environment = " ".join(f"{k}={v}" for k, v in self.aws_cli_environment().items())
        lines = [f"embedded AWS (moto server) at {self.aws_endpoint}; with the aws CLI:"]
        # The keys table when the stack has one (it is small), else any.
        table = self.tables.get("KeysTable") or next(iter(self.tables.values()), None)
        command = f"dynamodb scan --table-name {table}" if table else "dynamodb list-tables"
        lines.append(f"  {environment} aws --endpoint-url {self.aws_endpoint} {command}")
        lines.extend(f"  table {logical_id}: {name}" for logical_id, name in self.tables.items())
        return "\n".join(lines)

    def local_info(self) -> dict[str, Any]:
        """What `.sandbox/local.json` holds."""
        return {
            "endpoint": self.endpoint,
            "admin_key": self.admin_key,
            "demo_key": self.demo_key,
            "demo_sandbox_id": self.demo_sandbox_id,
        }

    def write_local_json(self, path: str | Path | None = None) -> Path:
        """Write :meth:`local_info` to `.sandbox/local.json` (or ``path``)."""
        target = Path(path) if path else self.project_root / ".sandbox" / "local.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(self.local_info(), indent=2) + "\n", encoding="utf-8")
        return target
