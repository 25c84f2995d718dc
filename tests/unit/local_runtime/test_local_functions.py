"""Functions in-process: shared environment, handler loading, context, event loops."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

import pytest

from local_runtime.functions import (
    FunctionSpec,
    LambdaContext,
    LambdaFunction,
    ensure_event_loop,
    merged_environment,
    release_event_loop,
)
from local_runtime.template import TemplateError


def spec(
    logical_id: str, code_uri: Path, env: dict[str, str] | None = None, **kw: Any
) -> FunctionSpec:
    return FunctionSpec(
        logical_id=logical_id,
        name=f"stack-{logical_id}",
        arn=f"arn:aws:lambda:us-east-1:123456789012:function:stack-{logical_id}",
        code_uri=code_uri,
        handler=kw.pop("handler", "app.handler"),
        environment=env or {},
        **kw,
    )


def test_environment_is_the_union_of_all_functions(tmp_path: Path) -> None:
    merged = merged_environment(
        [spec("A", tmp_path, {"SHARED": "1", "A_ONLY": "a"}), spec("B", tmp_path, {"SHARED": "1"})]
    )

    assert merged == {"SHARED": "1", "A_ONLY": "a"}


def test_same_variable_with_different_values_fails_naming_both_functions(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match=r"TABLE is 'one' in A but 'two' in B.*one process"):
        merged_environment(
            [spec("A", tmp_path, {"TABLE": "one"}), spec("B", tmp_path, {"TABLE": "two"})]
        )


def test_spec_from_properties_resolves_code_uri_against_the_template_dir(tmp_path: Path) -> None:
    props = {
        "CodeUri": "functions/keys/",
        "Handler": "app.handler",
        "MemorySize": 256,
        "Timeout": 15,
        "Environment": {"Variables": {"FLAG": True, "N": 3}},
    }

    built = FunctionSpec.from_properties("Keys", "stack-Keys", "arn", props, tmp_path)

    assert built.code_uri == tmp_path / "functions" / "keys"
    assert (built.memory_mb, built.timeout_s) == (256, 15)
    assert built.environment == {"FLAG": "true", "N": "3"}


def test_function_without_local_code_is_refused(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match="local CodeUri"):
        FunctionSpec.from_properties(
            "X", "x", "arn", {"CodeUri": {"Bucket": "b"}, "Handler": "a.b"}, tmp_path
        )


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_functions_with_same_module_and_sibling_names_load_their_own_code(tmp_path: Path) -> None:
    for name in ("one", "two"):
        write(tmp_path / name / "shared.py", f"WHO = {name!r}\n")
        write(
            tmp_path / name / "app.py",
            "import shared\n\ndef handler(event, context):\n    return shared.WHO\n",
        )

    one = LambdaFunction(spec("One", tmp_path / "one"), "us-east-1")
    two = LambdaFunction(spec("Two", tmp_path / "two"), "us-east-1")

    assert (one.invoke({}), two.invoke({})) == ("one", "two")


def test_handler_is_imported_once_on_first_use(tmp_path: Path) -> None:
    write(
        tmp_path / "fn" / "app.py",
        "IMPORTS = []\nIMPORTS.append(1)\n\n"
        "def handler(event, context):\n    return len(IMPORTS)\n",
    )
    function = LambdaFunction(spec("Once", tmp_path / "fn"), "us-east-1")

    assert [function.invoke({}) for _ in range(3)] == [1, 1, 1]


def test_missing_handler_module_or_attribute_is_a_clear_error(tmp_path: Path) -> None:
    write(tmp_path / "fn" / "app.py", "x = 1\n")

    with pytest.raises(TemplateError, match="does not exist"):
        LambdaFunction(spec("A", tmp_path / "nowhere"), "us-east-1").invoke({})
    with pytest.raises(TemplateError, match="not a callable"):
        LambdaFunction(spec("B", tmp_path / "fn", handler="app.x"), "us-east-1").invoke({})


def test_context_reports_function_identity_and_remaining_time(clock: Any) -> None:
    context = LambdaContext(
        spec("Keys", Path("."), memory_mb=512, timeout_s=15), "us-east-1", clock
    )
    clock.advance(2.5)

    assert context.function_name == "stack-Keys"
    assert context.invoked_function_arn.endswith(":function:stack-Keys")
    assert context.memory_limit_in_mb == 512
    assert context.aws_request_id
    assert context.get_remaining_time_in_millis() == 12_500


def test_each_thread_gets_its_own_event_loop_for_mangum() -> None:
    loops: list[asyncio.AbstractEventLoop] = []

    def worker() -> None:
        ensure_event_loop()
        loops.append(asyncio.get_event_loop())
        release_event_loop()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(loops) == 2 and loops[0] is not loops[1]
    assert all(loop.is_closed() for loop in loops)
