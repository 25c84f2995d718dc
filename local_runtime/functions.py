"""Lambda functions in-process: specs from the template, handler loading, context, event loop."""

from __future__ import annotations

import asyncio
import importlib.util
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from local_runtime.template import TemplateError

__all__ = [
    "FunctionSpec",
    "LambdaContext",
    "LambdaFunction",
    "ensure_event_loop",
    "merged_environment",
    "release_event_loop",
]

Handler = Callable[[dict[str, Any], Any], Any]


@dataclass(frozen=True)
class FunctionSpec:
    """A function as the template resolves it."""

    logical_id: str
    name: str
    arn: str
    code_uri: Path
    handler: str
    memory_mb: int = 128
    timeout_s: int = 3
    environment: Mapping[str, str] = field(default_factory=dict)
    events: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    @classmethod
    def from_properties(
        cls, logical_id: str, name: str, arn: str, props: Mapping[str, Any], base_dir: Path
    ) -> FunctionSpec:
        """Build from resolved `AWS::Serverless::Function` properties (Globals applied)."""
        code_uri = props.get("CodeUri")
        handler = props.get("Handler")
        if not isinstance(code_uri, str) or not isinstance(handler, str):
            raise TemplateError(
                f"{logical_id}: the local runtime needs a local CodeUri path and a Handler"
            )
        if props.get("PackageType", "Zip") != "Zip":
            raise TemplateError(f"{logical_id}: only Zip functions run locally")
        variables = (props.get("Environment") or {}).get("Variables") or {}
        return cls(
            logical_id=logical_id,
            name=name,
            arn=arn,
            code_uri=(base_dir / code_uri).resolve(),
            handler=handler,
            memory_mb=int(props.get("MemorySize", 128)),
            timeout_s=int(props.get("Timeout", 3)),
            environment={str(k): _env_value(v) for k, v in variables.items()},
            events=dict(props.get("Events") or {}),
        )


def _env_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def merged_environment(specs: Iterable[FunctionSpec]) -> dict[str, str]:
    """The union of every function's variables: all functions share one process environment.

    Two functions giving one variable different values cannot both be honoured in-process,
    so that fails at start-up instead of one function silently reading the other's value.
    """
    merged: dict[str, str] = {}
    owner: dict[str, str] = {}
    for spec in specs:
        for name, value in spec.environment.items():
            if name in merged and merged[name] != value:
                raise TemplateError(
                    f"environment variable {name} is {merged[name]!r} in {owner[name]} but "
                    f"{value!r} in {spec.logical_id}; the local runtime runs every function in "
                    "one process with one environment, so a variable must have one value"
                )
            merged[name] = value
            owner.setdefault(name, spec.logical_id)
    return merged


# ---------------------------------------------------------------- event loop per thread

_thread_state = threading.local()


def ensure_event_loop() -> None:
    """Give the current thread an event loop.

    Mangum calls ``asyncio.get_event_loop()`` on every invocation, which raises in a thread
    that has none; each server thread therefore gets its own loop, reused across requests.
    """
    if getattr(_thread_state, "loop", None) is not None:
        return
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    _thread_state.loop = loop


def release_event_loop() -> None:
    """Close the loop :func:`ensure_event_loop` created for this thread, if any."""
    loop: asyncio.AbstractEventLoop | None = getattr(_thread_state, "loop", None)
    if loop is None:
        return
    _thread_state.loop = None
    asyncio.set_event_loop(None)
    loop.close()


# ---------------------------------------------------------------- context


class LambdaContext:
    """The context object Lambda passes to a handler."""

    def __init__(self, spec: FunctionSpec, region: str, clock: Callable[[], float]) -> None:
        self.function_name = spec.name
        self.function_version = "$LATEST"
        self.invoked_function_arn = spec.arn
        self.memory_limit_in_mb = spec.memory_mb
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{spec.name}"
        self.log_stream_name = f"{time.strftime('%Y/%m/%d')}/[$LATEST]local"
        self.identity = None
        self.client_context = None
        self._clock = clock
        self._deadline = clock() + spec.timeout_s

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before the function's Timeout."""
        return max(0, int((self._deadline - self._clock()) * 1000))


# ---------------------------------------------------------------- loading

# Imports of handler modules manipulate sys.path and sys.modules: one at a time.
_IMPORT_LOCK = threading.Lock()


def _module_name(spec: FunctionSpec, module: str) -> str:
    return f"_local_fn_{spec.logical_id}.{module}"


def _load_handler(spec: FunctionSpec) -> Handler:
    module_path, _, attribute = spec.handler.rpartition(".")
    if not module_path or not attribute:
        raise TemplateError(f"{spec.logical_id}: Handler {spec.handler!r} is not module.function")
    file = spec.code_uri / (module_path.replace(".", "/") + ".py")
    if not file.is_file():
        raise TemplateError(f"{spec.logical_id}: handler module {file} does not exist")
    with _IMPORT_LOCK:
        # Lambda puts CodeUri first on sys.path, so a handler may import its sibling modules
        # by plain name. Several functions can have siblings of the same name (models.py…):
        # after the import, those siblings are renamed in sys.modules so the next function
        # loads its own.
        before = set(sys.modules)
        sys.path.insert(0, str(spec.code_uri))
        try:
            module = _import_file(_module_name(spec, module_path), file)
        finally:
            sys.path.remove(str(spec.code_uri))
        _isolate_siblings(spec, before)
    handler = getattr(module, attribute, None)
    if not callable(handler):
        raise TemplateError(f"{spec.logical_id}: {spec.handler} is not a callable in {file}")
    return handler  # type: ignore[no-any-return]


def _import_file(name: str, file: Path) -> ModuleType:
    import_spec = importlib.util.spec_from_file_location(name, file)
    if import_spec is None or import_spec.loader is None:
        raise TemplateError(f"cannot import {file}")
    module = importlib.util.module_from_spec(import_spec)
    sys.modules[name] = module
    try:
        import_spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module


def _isolate_siblings(spec: FunctionSpec, before: set[str]) -> None:
    root = str(spec.code_uri)
    for name in set(sys.modules) - before:
        module = sys.modules[name]
        file = getattr(module, "__file__", None) or ""
        # A CodeUri that contains the virtualenv must not capture third-party packages.
        if "site-packages" in file or name.startswith("_local_fn_"):
            continue
        if file.startswith(root + "/"):
            sys.modules[_module_name(spec, name)] = sys.modules.pop(name)


class LambdaFunction:
    """One function: its handler imported on first use (a cold start), then reused."""

    def __init__(
        self, spec: FunctionSpec, region: str, clock: Callable[[], float] = time.time
    ) -> None:
        self.spec = spec
        self.region = region
        self._clock = clock
        self._handler: Handler | None = None
        self._lock = threading.Lock()

    @property
    def handler(self) -> Handler:
        """The handler callable, imported on first access."""
        if self._handler is None:
            with self._lock:
                if self._handler is None:
                    self._handler = _load_handler(self.spec)
        return self._handler

    def invoke(self, event: dict[str, Any]) -> Any:
        """Call the handler as Lambda would; exceptions propagate to the caller."""
        ensure_event_loop()
        handler = self.handler
        return handler(event, LambdaContext(self.spec, self.region, self._clock))
